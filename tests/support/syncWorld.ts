/**
 * One reference server over real HTTP and any number of consoles, each on its own SQLite
 * file, in one test process (Joplin-style sync tests):
 *
 *   const world = await openSyncWorld({ requests: 60 })
 *   const a = await world.client('a', 'zoe.agent')
 *   await a.sync()
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChannelName, InputOf, OutputOf } from '../../src/shared/contract'
import type { Result } from '../../src/shared/result'
import type { SyncStatus } from '../../src/shared/sync'
import { AppConfigSchema, parseConfig } from '../../src/core/config'
import { createConsole } from '../../src/main/console'
import type { SecretCipher } from '../../src/main/sync/secrets'
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server/start'
import { DEMO_PASSWORD, repoRoot } from './core'
import { testDatabase } from './serverStore'
import { ChangeSet } from '../../src/server/store/feed'
import type { Sql, SqlParam } from '../../src/server/store/sql/client'

export interface SyncWorldOptions {
  requests?: number
  /** Server options (token lifetimes, clock…). */
  server?: Partial<StartServerOptions>
}

export interface ClientOptions {
  /** Talk to the server through this URL (a fault proxy) instead of directly. */
  via?: string
  /** Log in, which starts the sync (default true). */
  login?: boolean
  secretCipher?: SecretCipher | null
  timeoutSeconds?: number
  pageSize?: number
}

/**
 * The server's configuration unless a test gives its own: retention off, or the demo's
 * requests closed long ago would be anonymised on the server and nowhere else.
 */
export const SYNC_WORLD_SERVER_CONFIG = AppConfigSchema.parse({
  privacy: { retention: { anonymiseAfterClosedMonths: null } },
})

export async function openSyncWorld(options: SyncWorldOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'grc-sync-'))
  const resourcesDir = join(repoRoot, 'resources')
  const database = await testDatabase(dir)
  let server: RunningServer = await startServer({
    database,
    resourcesDir,
    config: SYNC_WORLD_SERVER_CONFIG,
    demoRequests: options.requests ?? 60,
    demoSeed: 11,
    portalKey: 'test-portal-key',
    // Attachments' files in the test's folder, on PostgreSQL too (not the checkout's .server).
    dataDir: dir,
    ...options.server,
  })
  const port = Number(new URL(server.url).port)
  const clients: Array<{ close(): Promise<void> }> = []

  async function client(name: string, login: string, clientOptions: ClientOptions = {}) {
    const config = parseConfig(
      {
        profile: { name, dataDir: join(dir, 'profiles') },
        demo: { seedWhenEmpty: false },
        sync: {
          serverUrl: clientOptions.via ?? server.url,
          intervalSeconds: 3600,
          timeoutSeconds: clientOptions.timeoutSeconds ?? 5,
          ...(clientOptions.pageSize ? { pageSize: clientOptions.pageSize } : {}),
        },
      },
      'test',
    )
    const core = await createConsole({
      config,
      resourcesDir,
      userDataDir: join(dir, 'profiles'),
      secretCipher: clientOptions.secretCipher ?? null,
    })
    const call = async <C extends ChannelName>(channel: C, input: InputOf<C>): Promise<Result<OutputOf<C>>> =>
      (await core.invoke(channel, input)) as Result<OutputOf<C>>
    const value = async <C extends ChannelName>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> => {
      const r = await call(channel, input)
      if (!r.ok) throw new Error(`${name}: ${channel} failed: ${r.error.code} ${r.error.message}`)
      return r.value
    }
    let closed = false
    const c = {
      name,
      core,
      db: core.db,
      call,
      value,
      /** One full round (push then pull); the status after it. */
      sync: (): Promise<SyncStatus> => value('sync.now', {}),
      /** Sync until nothing is pending and the round succeeded (faults may need a few rounds). */
      async settle(maxRounds = 30): Promise<SyncStatus> {
        let status = await c.sync()
        for (let i = 0; i < maxRounds && (status.pending > 0 || status.state !== 'idle'); i++)
          status = await c.sync()
        return status
      },
      async close() {
        if (closed) return
        closed = true
        await core.close()
      },
    }
    if (clientOptions.login ?? true) await value('session.login', { login, password: DEMO_PASSWORD })
    clients.push(c)
    return c
  }

  /**
   * Change the server's data behind the protocol's back (an administrator, another system),
   * and put what changed in the change feed as the server's own writes do.
   */
  async function serverWrite(
    statement: string,
    params: SqlParam[],
    touched: { requests?: string[]; tours?: string[]; reference?: boolean },
  ): Promise<void> {
    const db = server.store.sql
    const teamsOf = async (sql: Sql, table: 'requests' | 'tours', ids: readonly string[]) =>
      Promise.all(
        ids.map(async (id) => ({
          id,
          team: (await sql.get<{ team_id: string }>(`SELECT team_id FROM ${table} WHERE id = ?`, [id]))
            ?.team_id,
        })),
      )
    await db.transaction(async (tx) => {
      const changes = new ChangeSet()
      const before = [
        ...(await teamsOf(tx, 'requests', touched.requests ?? [])),
        ...(await teamsOf(tx, 'tours', touched.tours ?? [])),
      ]
      await tx.run(statement, params)
      const after = [
        ...(await teamsOf(tx, 'requests', touched.requests ?? [])),
        ...(await teamsOf(tx, 'tours', touched.tours ?? [])),
      ]
      const requestIds = new Set(touched.requests)
      for (const { id, team } of [...before, ...after])
        if (team) changes.touch(team, requestIds.has(id) ? 'request' : 'tour', id)
      if (touched.reference) changes.reference()
      await changes.publish(db, tx)
    })
  }

  /** Stop the server and start another on `replacement` (a restored database), same address. */
  async function replaceServer(replacement: string): Promise<RunningServer> {
    await server.close()
    server = await startServer({
      database: replacement,
      resourcesDir,
      config: SYNC_WORLD_SERVER_CONFIG,
      portalKey: 'test-portal-key',
      dataDir: dir,
      ...options.server,
      port,
    })
    return server
  }

  return {
    dir,
    /** The server's database: a SQLite file or a postgres:// URL. */
    database,
    get server() {
      return server
    },
    url: server.url,
    client,
    serverWrite,
    replaceServer,
    async close() {
      for (const c of clients) await c.close()
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type SyncWorld = Awaited<ReturnType<typeof openSyncWorld>>
export type SyncClient = Awaited<ReturnType<SyncWorld['client']>>

export { requestRows, serverRequestRows } from './serverStore'
