/**
 * The network misbehaves between console and server (a fault-injecting proxy), the server
 * sends nonsense, a console dies mid-push: no change is lost, none is applied twice, the
 * cache never takes in a reply it cannot trust.
 */
import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { repoRoot } from '../support/core'
import { TEST_STORE } from '../support/serverStore'
import { startFaultProxy, type Fault, type FaultProxy } from '../support/faultProxy'
import {
  openSyncWorld,
  requestRows,
  serverRequestRows,
  type SyncClient,
  type SyncWorld,
} from '../support/syncWorld'

let world: SyncWorld
let proxy: FaultProxy

beforeEach(async () => {
  world = await openSyncWorld({ requests: 40 })
  proxy = await startFaultProxy(world.url)
})
afterEach(async () => {
  await proxy.close()
  await world.close()
})

const server = () => world.server.store.sql
const voirieIds = async () =>
  (await server().all<{ id: string }>("SELECT id FROM requests WHERE team_id = 'voirie' ORDER BY id")).map(
    (r) => r.id,
  )
const serverTitle = async (id: string) =>
  (await server().get<{ title: string }>('SELECT title FROM requests WHERE id = ?', [id]))?.title

/** Each mutation the server answered, with how many history events it produced. */
function serverLedger() {
  return server().all<{ id: string; status: string; events: number }>(
    `SELECT m.mutation_id AS id, m.status, (SELECT count(*) FROM history_events h WHERE h.mutation_id = m.mutation_id) AS events
     FROM applied_mutations m ORDER BY m.mutation_id`,
  )
}

async function editSome(client: SyncClient, ids: string[], tag: string) {
  for (const [i, id] of ids.entries())
    await client.value('request.update', { id, patch: { title: `${tag} ${i}` } })
  return ids.length
}

describe('a durable acknowledgement', () => {
  it(`the server commits a batch to disk before it answers (${TEST_STORE})`, async () => {
    if (TEST_STORE === 'postgres') {
      // The test cluster commits asynchronously; the server's own connections do not.
      const row = await world.server.store.sql.transaction((tx) =>
        tx.get<{ synchronous_commit: string }>('SHOW synchronous_commit'),
      )
      expect(row?.synchronous_commit).toBe('on')
    } else {
      const row = await server().get<{ synchronous: number }>('PRAGMA synchronous')
      expect(row?.synchronous).toBe(2) // FULL
    }
  })
})

describe('faults between console and server', () => {
  const pushFaults: Array<[string, Fault]> = [
    ['connection dropped before the server saw it', { kind: 'drop' }],
    ['connection dropped after the server applied it', { kind: 'drop_after_forward' }],
    ['500', { kind: 'status', status: 500 }],
    ['502', { kind: 'status', status: 502 }],
    ['503', { kind: 'status', status: 503 }],
    ['reply truncated', { kind: 'truncate' }],
    ['request delivered twice', { kind: 'duplicate' }],
  ]
  for (const [name, fault] of pushFaults)
    it(`push: ${name} — applied exactly once, nothing lost`, async () => {
      const zoe = await world.client('zoe', 'zoe.agent', { via: proxy.url })
      await zoe.sync()
      const ids = (await voirieIds()).slice(0, 3)
      await editSome(zoe, ids, name)
      let faulted = 0
      proxy.setPlan(({ method, path }) =>
        method === 'POST' && path.startsWith('/api/v1/mutations') && faulted++ === 0
          ? fault
          : { kind: 'pass' },
      )
      const first = await zoe.sync()
      if (fault.kind !== 'duplicate') {
        expect(first.state).not.toBe('idle')
        expect(first.lastError).toBeTruthy()
      }
      const settled = await zoe.settle()
      expect(settled).toMatchObject({ state: 'idle', pending: 0, conflicts: 0 })
      const ledger = await serverLedger()
      expect(ledger).toHaveLength(3)
      expect(ledger.every((m) => m.status === 'applied' && m.events === 1)).toBe(true)
      for (const [i, id] of ids.entries()) expect(await serverTitle(id)).toBe(`${name} ${i}`)
      expect(requestRows(zoe.db)).toEqual(
        await serverRequestRows(world.server.store, ['voirie', 'voirie-nord']),
      )
    })

  it('pull: a truncated or failed change page leaves the cache as it was, the next round completes it', async () => {
    const zoe = await world.client('zoe', 'zoe.agent', { via: proxy.url, login: false })
    await zoe.value('session.login', { login: 'zoe.agent', password: 'demo' })
    const faults: Fault[] = [{ kind: 'truncate' }, { kind: 'status', status: 502 }, { kind: 'drop' }]
    proxy.setPlan(({ path }) =>
      path.startsWith('/api/v1/changes') && faults.length ? faults.shift()! : { kind: 'pass' },
    )
    const status = await zoe.settle()
    expect(status.state).toBe('idle')
    expect(requestRows(zoe.db)).toEqual(
      await serverRequestRows(world.server.store, ['voirie', 'voirie-nord']),
    )
    expect(proxy.stats.faults.truncate + proxy.stats.faults.status + proxy.stats.faults.drop).toBe(3)
  })

  it('a first download cut in the middle resumes where it stopped, then fetches the details', async () => {
    // Enough requests for several pages.
    await proxy.close()
    await world.close()
    world = await openSyncWorld({ requests: 150 })
    proxy = await startFaultProxy(world.url)
    const zoe = await world.client('zoe', 'zoe.agent', { via: proxy.url, login: false, pageSize: 10 })
    const progress: Array<{ done: number; total: number; phase?: string }> = []
    zoe.core.on('sync.changed', (s) => s.initial && progress.push(s.initial))
    let pages = 0
    // From the second page on, the connection is cut every time (each page is asked a few
    // times in place before the round gives up).
    proxy.setPlan(({ path }) =>
      path.startsWith('/api/v1/changes') && ++pages >= 2 ? { kind: 'drop' } : { kind: 'pass' },
    )
    // Login starts the first download; the second page is cut. What the cache holds at that moment:
    const atCut = new Promise<{ cursor: number; rows: number }>((resolve) =>
      zoe.core.on('sync.changed', (s) => {
        if (s.state === 'offline')
          resolve({
            cursor: Number(zoe.db.prepare("SELECT value FROM sync_state WHERE key = 'cursor'").pluck().get()),
            rows: requestRows(zoe.db).length,
          })
      }),
    )
    await zoe.value('session.login', { login: 'zoe.agent', password: 'demo' })
    const cut = await atCut
    expect(cut.cursor).toBeGreaterThan(0)
    expect(cut.rows).toBeGreaterThan(0)
    const firstPageRequests: string[] = []
    proxy.setPlan(({ path }) => {
      if (path.startsWith('/api/v1/changes')) firstPageRequests.push(path)
      return { kind: 'pass' }
    })
    expect(await zoe.settle()).toMatchObject({ state: 'idle', initial: null })
    // Resumed from the saved cursor: the beginning of the feed was not asked for again.
    expect(firstPageRequests.some((p) => /since=0&/.test(p))).toBe(false)
    expect(requestRows(zoe.db)).toEqual(
      await serverRequestRows(world.server.store, ['voirie', 'voirie-nord']),
    )
    // The progress bar saw both phases, and the details (history) of every request came.
    expect(progress.some((p) => p.phase === 'requests' && p.total > p.done)).toBe(true)
    // Resumed, the bar goes on from where it was, never back to the start.
    const requestsDone = progress.filter((p) => p.phase === 'requests').map((p) => p.done)
    expect(requestsDone).toEqual([...requestsDone].sort((a, b) => a - b))
    expect(progress.some((p) => p.phase === 'details')).toBe(true)
    expect(zoe.db.prepare('SELECT count(*) FROM sync_backfill').pluck().get()).toBe(0)
    const missing = zoe.db
      .prepare(
        'SELECT count(*) FROM requests r WHERE NOT EXISTS (SELECT 1 FROM history_events h WHERE h.request_id = r.id)',
      )
      .pluck()
      .get()
    expect(missing).toBe(0)
    const id = requestRows(zoe.db)[0]!.id as string
    const serverEvents = (
      await server().get<{ n: number }>('SELECT count(*) AS n FROM history_events WHERE request_id = ?', [id])
    )?.n
    expect((await zoe.value('request.history', { id })).length).toBe(serverEvents)
  })

  it('a timeout is retried like a lost connection', async () => {
    const zoe = await world.client('zoe', 'zoe.agent', { via: proxy.url, timeoutSeconds: 1 })
    await zoe.sync()
    await editSome(zoe, (await voirieIds()).slice(0, 1), 'lent')
    let slow = 1
    proxy.setPlan(({ method }) =>
      method === 'POST' && slow-- > 0 ? { kind: 'delay', ms: 1500 } : { kind: 'pass' },
    )
    const first = await zoe.sync()
    expect(first.state).toBe('offline')
    expect(first.lastError).toMatch(/à temps/)
    expect(await zoe.settle()).toMatchObject({ state: 'idle', pending: 0 })
    expect(await serverLedger()).toHaveLength(1)
  })
})

describe('a console killed in the middle of a push', () => {
  it('loses nothing after restart, and nothing is applied twice', async () => {
    const profiles = join(world.dir, 'profiles')
    const ids = (await voirieIds()).slice(0, 4)
    // The push reaches the server only after the console is dead: the answer is lost.
    proxy.setPlan(({ method, path }) =>
      method === 'POST' && path.startsWith('/api/v1/mutations')
        ? { kind: 'delay', ms: 600 }
        : { kind: 'pass' },
    )
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(repoRoot, 'tests', 'support', 'pushingClient.ts'),
      ],
      {
        env: {
          ...process.env,
          GRC_TEST_SERVER: proxy.url,
          GRC_TEST_PROFILES: profiles,
          GRC_TEST_IDS: ids.join(','),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString()
        if (output.includes('PUSHING')) resolve()
      })
      child.on('exit', () => reject(new Error(`client exited early: ${output}`)))
    })
    // The push is on the wire (held by the proxy): kill the console without a chance to clean up.
    while (proxy.stats.faults.delay === 0) await new Promise((r) => setTimeout(r, 5))
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    // The delayed push still reaches the server after the console died.
    await new Promise((r) => setTimeout(r, 800))
    const seen = (await serverLedger()).length

    proxy.setPlan(() => ({ kind: 'pass' }))
    const again = await world.client('killed', 'zoe.agent', { via: proxy.url })
    const status = await again.settle()
    expect(status).toMatchObject({ state: 'idle', pending: 0, conflicts: 0 })
    const ledger = await serverLedger()
    expect(ledger).toHaveLength(ids.length)
    expect(ledger.every((m) => m.status === 'applied' && m.events === 1)).toBe(true)
    for (const [i, id] of ids.entries()) expect(await serverTitle(id)).toBe(`avant la coupure ${i}`)
    // Recorded for the reader of the test log: whether the server had applied the push before the restart.
    console.info(`SIGKILL test: server had ${seen}/${ids.length} mutations before the restart`)
  })
})

describe('malformed server replies', () => {
  let fake: Server
  let reply: (path: string) => { status?: number; body: string | Buffer; headers?: Record<string, string> }
  let url: string

  beforeEach(async () => {
    fake = createServer((req, res) => {
      const path = req.url ?? ''
      const r = path.startsWith('/api/v1/auth/token')
        ? {
            body: JSON.stringify({
              accessToken: 't',
              expiresIn: 900,
              refreshToken: 'r',
              agent: {
                id: 'agent-zoe.agent',
                login: 'zoe.agent',
                displayName: 'Zoé',
                roles: ['agent'],
                teamIds: ['voirie'],
              },
            }),
          }
        : path.startsWith('/api/v1/events')
          ? { body: '', status: 503 }
          : reply(path)
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers })
      res.end(r.body)
    })
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`
  })
  afterEach(async () => {
    fake.closeAllConnections()
    await new Promise((r) => fake.close(r))
  })

  /** A console that already synced once from the real server, then pointed at the fake. */
  async function consoleOnFake() {
    const real = await world.client('zoe', 'zoe.agent', { via: proxy.url })
    await real.sync()
    const before = {
      rows: requestRows(real.db),
      cursor: real.db.prepare("SELECT value FROM sync_state WHERE key = 'cursor'").pluck().get(),
    }
    await real.close()
    const onFake = await world.client('zoe', 'zoe.agent', { via: url })
    return { client: onFake, before }
  }

  const id = 'c6f0e7a4-0000-4000-8000-000000000001'
  const validRequest = {
    id,
    reference: 'GRC-2026-999999',
    title: 'x',
    categoryId: 'voirie',
    subcategory: null,
    channel: 'portal',
    status: 'new',
    statusKind: 'open',
    priority: 'normal',
    teamId: 'voirie',
    assigneeId: null,
    description: '',
    address: null,
    lat: null,
    lon: null,
    citizenId: null,
    fields: {},
    createdAt: 1,
    updatedAt: 1,
    dueAt: null,
    closedAt: null,
    slaPausedMs: 0,
    slaPausedSince: null,
    version: 0,
  }
  const page = (request: unknown, extra: object = {}) =>
    JSON.stringify({
      changes: [
        { type: 'request', seq: 99999, entity: { request, citizen: null, comments: [], history: [] } },
      ],
      nextCursor: '99999',
      hasMore: false,
      remaining: 0,
      ...extra,
    })

  const cases: Array<[string, () => ReturnType<typeof reply>, RegExp]> = [
    ['a wrong type', () => ({ body: page({ ...validRequest, version: 'deux' }) }), /illisible/],
    [
      'a missing field',
      () => ({ body: page((({ status: _s, ...rest }) => rest)(validRequest)) }),
      /illisible/,
    ],
    ['not JSON', () => ({ body: '{"changes": [' }), /illisible/],
    [
      'a known change type with a malformed body',
      () => ({
        body: JSON.stringify({
          changes: [{ type: 'request_removed', seq: 1, id: 'r1', reason: 'drop_table' }],
          nextCursor: '1',
          hasMore: false,
          remaining: 0,
        }),
      }),
      /illisible/,
    ],
    ['a cursor that goes back', () => ({ body: page(validRequest, { nextCursor: '0' }) }), /curseur/],
    [
      'a huge declared size',
      () => ({ body: '{}', headers: { 'content-length': String(200 * 1024 * 1024) } }),
      /volumineuse/,
    ],
    ['a huge streamed body', () => ({ body: Buffer.alloc(65 * 1024 * 1024 + 10, 0x20) }), /volumineuse/],
  ]
  it('a change kind from a newer server is passed over and the feed moves on', async () => {
    reply = (path) =>
      path.startsWith('/api/v1/changes')
        ? {
            body: JSON.stringify({
              changes: [{ type: 'intervention_photo', seq: 99_999, url: 'https://example.org/p.jpg' }],
              nextCursor: '99999',
              hasMore: false,
              remaining: 0,
            }),
          }
        : { body: JSON.stringify({ results: [] }) }
    const { client, before } = await consoleOnFake()
    const status = await client.sync()
    expect(status.state).toBe('idle')
    expect(requestRows(client.db)).toEqual(before.rows)
    expect(client.db.prepare("SELECT value FROM sync_state WHERE key = 'cursor'").pluck().get()).toBe('99999')
  })

  for (const [name, make, message] of cases)
    it(`${name}: refused with a clear error, the cache untouched`, async () => {
      reply = (path) =>
        path.startsWith('/api/v1/changes') ? make() : { body: JSON.stringify({ results: [] }) }
      const { client, before } = await consoleOnFake()
      const status = await client.sync()
      expect(status.state).toBe('error')
      expect(status.lastError).toMatch(message)
      expect(requestRows(client.db)).toEqual(before.rows)
      expect(client.db.prepare("SELECT value FROM sync_state WHERE key = 'cursor'").pluck().get()).toBe(
        before.cursor,
      )
      expect(client.db.prepare('SELECT count(*) FROM requests WHERE id = ?').pluck().get(id)).toBe(0)
    })

  it('answers for mutations it was never sent: refused, the outbox kept', async () => {
    reply = (path) =>
      path.startsWith('/api/v1/mutations')
        ? {
            body: JSON.stringify({
              results: [{ status: 'rejected', mutationId: 'not-mine', code: 'x', reason: 'y', entity: null }],
            }),
          }
        : { body: JSON.stringify({ changes: [], nextCursor: '0', hasMore: false, remaining: 0 }) }
    const { client } = await consoleOnFake()
    await client.value('request.update', { id: (await voirieIds())[0]!, patch: { title: 'gardé' } })
    const status = await client.sync()
    expect(status).toMatchObject({ state: 'error', pending: 1, conflicts: 0 })
    expect(status.lastError).toMatch(/inconnues/)
  })
})
