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
import { parseConfig } from '../../src/core/config'
import { createConsole } from '../../src/main/console'
import type { SecretCipher } from '../../src/main/sync/secrets'
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server/start'
import { DEMO_PASSWORD, repoRoot } from './core'

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

export async function openSyncWorld(options: SyncWorldOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'grc-sync-'))
  const resourcesDir = join(repoRoot, 'resources')
  const server: RunningServer = await startServer({
    dbFile: join(dir, 'server', 'grc.db'),
    resourcesDir,
    demoRequests: options.requests ?? 60,
    demoSeed: 11,
    portalKey: 'test-portal-key',
    ...options.server,
  })
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

  return {
    dir,
    server,
    url: server.url,
    client,
    async close() {
      for (const c of clients) await c.close()
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type SyncWorld = Awaited<ReturnType<typeof openSyncWorld>>
export type SyncClient = Awaited<ReturnType<SyncWorld['client']>>

/** The requests of a database, as comparable rows (what a console shows of each). */
export function requestRows(db: import('better-sqlite3').Database, teamIds?: readonly string[]) {
  const rows = db
    .prepare(
      `SELECT id, reference, title, status, priority, team_id AS teamId, assignee_id AS assigneeId,
              description, address, version, fields
       FROM requests ORDER BY id`,
    )
    .all() as Array<{ teamId: string } & Record<string, unknown>>
  return teamIds ? rows.filter((r) => teamIds.includes(r.teamId)) : rows
}
