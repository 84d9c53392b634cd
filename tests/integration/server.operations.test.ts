/**
 * What IT relies on to run the central server: liveness and readiness for the load
 * balancer, Prometheus metrics, an access token that survives a restart (the signing keys
 * are in the database), and a backup that a restore brings back into an empty database
 * with a new epoch. On SQLite and on PostgreSQL (the integration and integration-pg runs).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { backupDatabase, BackupError, restoreDatabase } from '../../src/server/backup'
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server/start'
import { databaseTarget } from '../../src/server/store/open'
import { DEMO_PASSWORD, repoRoot } from '../support/core'
import { serverRequestRows, testDatabase, TEST_STORE } from '../support/serverStore'

let dir: string
const running: RunningServer[] = []

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-ops-'))
})
afterEach(async () => {
  for (const s of running.splice(0)) await s.close()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function start(options: Partial<StartServerOptions> & { database: string }): Promise<RunningServer> {
  const server = await startServer({ resourcesDir: join(repoRoot, 'resources'), portalKey: 'k', ...options })
  running.push(server)
  return server
}

async function login(url: string, login = 'zoe.agent') {
  const r = await fetch(`${url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grantType: 'password', login, password: DEMO_PASSWORD, clientId: 'poste-ops' }),
  })
  expect(r.status).toBe(200)
  return (await r.json()) as { accessToken: string; refreshToken: string; agent: { id: string } }
}

const authed = (token: string) => ({ authorization: `Bearer ${token}` })

/** A title change through the protocol, as a console sends it. */
async function rename(url: string, token: string, id: string, baseVersion: number, title: string) {
  const r = await fetch(`${url}/api/v1/mutations`, {
    method: 'POST',
    headers: { ...authed(token), 'content-type': 'application/json' },
    body: JSON.stringify({
      mutations: [
        {
          mutationId: crypto.randomUUID(),
          clientId: 'poste-ops',
          entityId: id,
          createdAt: Date.now(),
          op: 'update',
          baseVersion,
          payload: { title },
        },
      ],
    }),
  })
  expect(r.status).toBe(200)
  const { results } = (await r.json()) as { results: Array<{ status: string; version: number }> }
  expect(results[0]!.status).toBe('applied')
  return results[0]!.version
}

describe(`operations on ${TEST_STORE}`, () => {
  it('answers liveness and readiness; every reply names the database’s epoch', async () => {
    const server = await start({ database: await testDatabase(join(dir, 'health')), demoRequests: 0 })
    const live = await fetch(`${server.url}/api/v1/health`)
    expect(live.status).toBe(200)
    expect(await live.json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${server.url}/api/v1/health/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok' })
    expect(ready.headers.get('grc-server-epoch')).toBe(server.store.epoch)
    expect(server.store.epoch).toMatch(/^[0-9a-f-]{36}$/)

    // The database gone: not ready (the balancer stops sending), still alive (no restart loop).
    await server.store.sql.close()
    expect((await fetch(`${server.url}/api/v1/health/ready`)).status).toBe(503)
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200)
    running.splice(running.indexOf(server), 1)
    await server.app.close()
  })

  it('counts requests, mutations and event streams in Prometheus format, without ids or bodies', async () => {
    const server = await start({ database: await testDatabase(join(dir, 'metrics')), demoRequests: 30 })
    const { accessToken } = await login(server.url)
    const changes = (await (
      await fetch(`${server.url}/api/v1/changes?since=0&limit=50`, { headers: authed(accessToken) })
    ).json()) as { changes: Array<{ type: string; entity?: { request: { id: string; version: number } } }> }
    const request = changes.changes.find((c) => c.type === 'request')!.entity!.request
    await rename(server.url, accessToken, request.id, request.version, 'Titre pour les métriques')
    const stream = new AbortController()
    const events = await fetch(`${server.url}/api/v1/events`, {
      headers: authed(accessToken),
      signal: stream.signal,
    })
    expect(events.status).toBe(200)

    const text = await (await fetch(`${server.url}/metrics`)).text()
    stream.abort()
    expect(text).toContain('# TYPE grc_http_requests_total counter')
    expect(text).toMatch(
      /grc_http_requests_total\{method="POST",route="\/api\/v1\/mutations",status="200"\} 1/,
    )
    expect(text).toMatch(/grc_mutations_total\{status="applied"\} 1/)
    expect(text).toMatch(
      /grc_http_request_duration_seconds_bucket\{route="\/api\/v1\/changes",le="\+Inf"\} 1/,
    )
    expect(text).toMatch(/grc_sse_clients 1/)
    expect(text).toMatch(/grc_db_pool_connections\{state="total"\} \d+/)
    // Route patterns only: no request id, no title, no login.
    expect(text).not.toContain(request.id)
    expect(text).not.toContain('métriques')
    expect(text).not.toContain('zoe.agent')
  })

  it('asks for the monitoring token when one is set', async () => {
    const server = await start({
      database: await testDatabase(join(dir, 'metrics-token')),
      metricsToken: 'supervision-secret',
    })
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401)
    expect((await fetch(`${server.url}/metrics`, { headers: authed('wrong') })).status).toBe(401)
    expect((await fetch(`${server.url}/metrics`, { headers: authed('supervision-secret') })).status).toBe(200)
  })

  it('a console’s access token still works after the server restarts (keys in the database), --demo or not', async () => {
    const database = await testDatabase(join(dir, 'restart'))
    const first = await start({ database, demoRequests: 10 })
    const { accessToken } = await login(first.url)
    await first.close()
    running.splice(running.indexOf(first), 1)
    // Started again with --demo: the demo goes into a new database only, this one is left as it is.
    const second = await start({ database, demoRequests: 10 })
    const r = await fetch(`${second.url}/api/v1/changes?since=0&limit=5`, { headers: authed(accessToken) })
    expect(r.status).toBe(200)
    expect((await second.store.sql.get<{ n: number }>('SELECT count(*) AS n FROM requests'))?.n).toBe(10)
  })

  it('restores a backup into an empty database: the edits after the backup are gone, the epoch is new', async () => {
    const database = await testDatabase(join(dir, 'drill'))
    const server = await start({ database, demoRequests: 40 })
    const { accessToken } = await login(server.url)
    const feed = (await (
      await fetch(`${server.url}/api/v1/changes?since=0&limit=100`, { headers: authed(accessToken) })
    ).json()) as { changes: Array<{ type: string; entity?: { request: { id: string; version: number } } }> }
    const target = feed.changes.find((c) => c.type === 'request')!.entity!.request
    const v1 = await rename(server.url, accessToken, target.id, target.version, 'Avant la sauvegarde')
    const backup = join(dir, `backup-${TEST_STORE}.dump`)
    await backupDatabase(databaseTarget(database), backup) // online: the server keeps serving
    await rename(server.url, accessToken, target.id, v1, 'Après la sauvegarde')
    const before = await serverRequestRows(server.store)
    await expect(backupDatabase(databaseTarget(database), backup)).rejects.toThrow(BackupError)

    const fresh = TEST_STORE === 'postgres' ? await testDatabase(dir) : join(dir, 'restored', 'grc.db')
    await expect(restoreDatabase(databaseTarget(database), backup)).rejects.toThrow(
      /not empty|already exists/,
    )
    const { epoch } = await restoreDatabase(databaseTarget(fresh), backup)
    const restored = await start({ database: fresh })
    expect(restored.store.epoch).toBe(epoch)
    expect(epoch).not.toBe(server.store.epoch)
    const after = await serverRequestRows(restored.store)
    expect(after.find((r) => r.id === target.id)?.title).toBe('Avant la sauvegarde')
    // Everything else as it was: the same requests, the same versions.
    expect(after.filter((r) => r.id !== target.id)).toEqual(before.filter((r) => r.id !== target.id))
    // The token signed before the backup is still valid on the restored server (same keys).
    const r = await fetch(`${restored.url}/api/v1/changes?since=0&limit=5`, { headers: authed(accessToken) })
    expect(r.status).toBe(200)
  })

  it.runIf(TEST_STORE === 'postgres')(
    'keeps nudging consoles after the database dropped its listening connection',
    async () => {
      const server = await start({ database: await testDatabase(join(dir, 'listen')), demoRequests: 20 })
      const { accessToken } = await login(server.url)
      const feed = (await (
        await fetch(`${server.url}/api/v1/changes?since=0&limit=50`, { headers: authed(accessToken) })
      ).json()) as { changes: Array<{ type: string; entity?: { request: { id: string; version: number } } }> }
      const target = feed.changes.find((c) => c.type === 'request')!.entity!.request
      const heard: string[][] = []
      server.store.onChange((scopes) => heard.push([...scopes]))
      // The database ends the connection that LISTENs (a failover, a restart, an administrator).
      const ended = await server.store.sql.all<{ ok: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid() AND datname = current_database()`,
      )
      expect(ended.length).toBeGreaterThan(0)
      // Changes keep being made; within seconds the instance listens again and hears them.
      let version = target.version
      const deadline = Date.now() + 15_000
      for (let i = 0; heard.length === 0 && Date.now() < deadline; i++) {
        version = await rename(server.url, accessToken, target.id, version, `Après la coupure ${i}`)
        await new Promise((r) => setTimeout(r, 250))
      }
      expect(heard.length).toBeGreaterThan(0)
    },
  )
})
