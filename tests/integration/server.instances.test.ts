/**
 * Several central server instances on one PostgreSQL database behave as one server, as agents and IT see it:
 * - a token one instance issued works on the other (signing keys and refresh tokens are in the database);
 * - a change made through one instance reaches, within a second, a console whose nudge stream another instance
 *   holds (NOTIFY grc_changes → every instance's LISTEN → its consoles' event streams);
 * - one mutation batch sent to two instances at the same moment is applied once;
 * - the drill: two instances behind a round-robin load balancer, three consoles editing through it, and
 *   instance A killed with SIGKILL in the middle of a push (once before its transaction committed, once after
 *   it committed but before it answered), then restarted on the same port: nothing lost, nothing applied twice,
 *   every console converges to the server's rows, none left pending, in error, or asking for the password.
 *
 * The instances are real processes (`node --import tsx src/server/cli.ts`, tests/support/serverProcess.ts);
 * the consoles come from syncWorld, whose in-process server seeds the database and is a third instance
 * nobody talks to (the tests read the database through it). Each instance names its database connections
 * (application_name grc-a / grc-b), so pg_stat_activity tells which instance waits where: a row lock the test
 * holds makes both instances' requests wait at a known point, and releasing it makes them race for real.
 */
import { randomUUID } from 'node:crypto'
import { Client } from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SyncStatus } from '../../src/shared/sync'
import { DEMO_PASSWORD } from '../support/core'
import { startLoadBalancer, type InFlightRequest, type LoadBalancer } from '../support/loadBalancer'
import { startServerProcess, type ServerProcess } from '../support/serverProcess'
import { createPostgresDatabase, TEST_STORE } from '../support/serverStore'
import {
  openSyncWorld,
  requestRows,
  serverRequestRows,
  type SyncClient,
  type SyncWorld,
} from '../support/syncWorld'

const VOIRIE = ['voirie', 'voirie-nord']

// ---------------------------------------------------------------------------------------------------------
// Raw HTTP, as a console's transport would send it
// ---------------------------------------------------------------------------------------------------------

interface Reply<T> {
  status: number
  body: T
}

async function api<T = Record<string, unknown>>(
  base: string,
  path: string,
  init: { method?: 'GET' | 'POST'; token?: string; body?: unknown } = {},
): Promise<Reply<T>> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      accept: 'application/json',
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(15_000),
  })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
}

interface TokenReply {
  accessToken: string
  refreshToken: string
  agent: { id: string; login: string }
}

interface Session {
  clientId: string
  accessToken: string
  refreshToken: string
}

async function logIn(base: string, login: string): Promise<Session> {
  const clientId = randomUUID()
  const reply = await api<TokenReply>(base, '/api/v1/auth/token', {
    body: { grantType: 'password', login, password: DEMO_PASSWORD, clientId },
  })
  expect(reply.status, JSON.stringify(reply.body)).toBe(200)
  return { clientId, accessToken: reply.body.accessToken, refreshToken: reply.body.refreshToken }
}

type MutationOutcome = { status: string; mutationId: string; version?: number; code?: string }

function postMutations(base: string, session: Session, mutations: object[]) {
  return api<{ results: MutationOutcome[] }>(base, '/api/v1/mutations', {
    token: session.accessToken,
    body: { mutations },
  })
}

/** How many consoles hold a nudge stream on this instance (its Prometheus gauge). */
async function sseClients(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text()
  return Number(/^grc_sse_clients (\d+)$/m.exec(text)?.[1] ?? Number.NaN)
}

const withAppName = (url: string, name: string) => {
  const u = new URL(url)
  u.searchParams.set('application_name', name)
  return u.toString()
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Poll `probe` until it returns something truthy; undefined after `timeoutMs`. */
async function until<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs: number, everyMs = 10) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) return undefined
    await sleep(everyMs)
  }
}

/** A small seeded PRNG (mulberry32): the drill's edits are the same at every run. */
function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!

// ---------------------------------------------------------------------------------------------------------

describe.runIf(TEST_STORE === 'postgres')('several server instances on one PostgreSQL database', () => {
  let database: string
  let world: SyncWorld
  let a: ServerProcess
  let b: ServerProcess
  let bStartedAt = 0
  /** The test's own connections: one to look, one to hold locks. */
  let look: Client
  let locker: Client
  const APP_A = 'grc-a'
  const APP_B = 'grc-b'

  const sql = () => world.server.store.sql
  const serverVersion = async (id: string) =>
    (await sql().get<{ version: number }>('SELECT version FROM requests WHERE id = ?', [id]))!.version
  const voirieIds = async (n: number, withCitizen = false) =>
    (
      await sql().all<{ id: string }>(
        `SELECT id FROM requests WHERE team_id IN ('voirie', 'voirie-nord')
           ${withCitizen ? 'AND citizen_id IS NOT NULL' : ''}
         ORDER BY id LIMIT ?`,
        [n],
      )
    ).map((r) => r.id)
  /** Backends of instance `app` waiting for a lock, with what they run. */
  const waitingOn = async (app: string) =>
    (
      await look.query<{ query: string }>(
        `SELECT query FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
        [app],
      )
    ).rows.map((r) => r.query)

  beforeAll(async () => {
    database = await createPostgresDatabase()
    // The in-process server migrates the database and seeds the demo; the instances then join it.
    world = await openSyncWorld({ requests: 80, server: { database } })
    const started = Date.now()
    ;[a, b] = await Promise.all([
      startServerProcess({ database: withAppName(database, APP_A) }),
      startServerProcess({ database: withAppName(database, APP_B) }).then((instance) => {
        bStartedAt = Date.now()
        return instance
      }),
    ])
    console.info(`instances A (${a.url}) and B (${b.url}) started in ${Date.now() - started} ms`)
    look = new Client({ connectionString: database })
    locker = new Client({ connectionString: database })
    for (const c of [look, locker]) {
      c.on('error', () => {})
      await c.connect()
    }
  })

  afterAll(async () => {
    await look?.end().catch(() => {})
    await locker?.end().catch(() => {})
    await Promise.all([a?.close(), b?.close()])
    await world?.close()
  })

  it('a token issued by instance A is accepted by instance B, even signed with a key A made a moment ago', async () => {
    // The database is new: no signing key yet, the first login makes one. B read the (empty) table when it
    // started; once that read is a second old, a token with an unknown key makes B read it again: now. So A's
    // key is made just after B's last read (as when two instances rotate keys at once).
    await sleep(bStartedAt + 1100 - Date.now())
    const madeUp = 'v2.00000000-0000-4000-8000-000000000000.e30.c2lnbmF0dXJl'
    expect((await api(b.url, '/api/v1/changes?since=0&limit=1', { token: madeUp })).status).toBe(401)

    // Log in through A directly, then pull the change feed through B with the same access token.
    const zoe = await logIn(a.url, 'zoe.agent')
    const pull = (base: string) =>
      api<{ changes: Array<{ seq: number }>; nextCursor: string }>(
        base,
        '/api/v1/changes?since=0&limit=100',
        {
          token: zoe.accessToken,
        },
      )
    const viaB = await pull(b.url)
    expect(viaB.status, 'B accepts the token A signed').toBe(200)
    const viaA = await pull(a.url)
    expect(viaA.status).toBe(200)
    expect(viaB.body.changes.length).toBeGreaterThan(0)
    expect(viaB.body).toEqual(viaA.body)

    // The refresh token A issued is renewed by B; whichever instance sees it next knows it was used.
    const renewed = await api<TokenReply>(b.url, '/api/v1/auth/token', {
      body: { grantType: 'refresh_token', refreshToken: zoe.refreshToken, clientId: zoe.clientId },
    })
    expect(renewed.status).toBe(200)
    expect(renewed.body.agent.login).toBe('zoe.agent')
    // B's new access token works on A.
    expect(
      (await api(a.url, '/api/v1/changes?since=0&limit=1', { token: renewed.body.accessToken })).status,
    ).toBe(200)
    // The same console again on A within the grace (its answer from B was lost): renewed again,
    // and the successor B issued, which nobody received, stops working on either instance.
    const retried = await api<TokenReply>(a.url, '/api/v1/auth/token', {
      body: { grantType: 'refresh_token', refreshToken: zoe.refreshToken, clientId: zoe.clientId },
    })
    expect(retried.status).toBe(200)
    const lost = await api(b.url, '/api/v1/auth/token', {
      body: { grantType: 'refresh_token', refreshToken: renewed.body.refreshToken, clientId: zoe.clientId },
    })
    expect(lost.status).toBe(401)
    // Another console presenting it: a copy in other hands, the whole family ends.
    const stolen = await api(a.url, '/api/v1/auth/token', {
      body: { grantType: 'refresh_token', refreshToken: zoe.refreshToken, clientId: 'poste-pirate' },
    })
    expect(stolen.status).toBe(401)
    const after = await api(b.url, '/api/v1/auth/token', {
      body: { grantType: 'refresh_token', refreshToken: retried.body.refreshToken, clientId: zoe.clientId },
    })
    expect(after.status).toBe(401)
  })

  it('a change made through instance A reaches, within a second, a console whose event stream B holds', async () => {
    const before = await sseClients(b.url)
    const luc = await world.client('luc-on-b', 'luc.lead', { via: b.url })
    // Its nudge stream is open on B, and its first rounds are done: from now on only a nudge makes it pull
    // (its timer is an hour away).
    await expect.poll(() => sseClients(b.url), { timeout: 10_000 }).toBe(before + 1)
    expect(await luc.settle()).toMatchObject({ state: 'idle', pending: 0 })

    const zoe = await logIn(a.url, 'zoe.agent')
    const [id] = await voirieIds(1)
    const titleOnLuc = () =>
      luc.db.prepare('SELECT title FROM requests WHERE id = ?').pluck().get(id!) as string | undefined
    const latencies: number[] = []
    for (let n = 1; n <= 5; n++) {
      const title = `Nid-de-poule rue de la Hache (relevé ${n})`
      const reply = await postMutations(a.url, zoe, [
        {
          mutationId: randomUUID(),
          clientId: zoe.clientId,
          entityId: id!,
          baseVersion: await serverVersion(id!),
          createdAt: Date.now(),
          op: 'update',
          payload: { title },
        },
      ])
      const answeredAt = performance.now()
      expect(reply.status).toBe(200)
      expect(reply.body.results[0]!.status).toBe('applied')
      await expect.poll(titleOnLuc, { timeout: 1000, interval: 2 }).toBe(title)
      latencies.push(performance.now() - answeredAt)
    }
    console.info(
      `cross-instance nudge (A's answer → console on B shows it): ${latencies.map((l) => l.toFixed(0)).join(', ')} ms, ` +
        `median ${median(latencies).toFixed(0)} ms`,
    )
    expect(await luc.value('sync.status', {})).toMatchObject({ state: 'idle', pending: 0 })
    await luc.close()
  })

  it('the same batch sent to A and B at the same moment is applied once', async () => {
    const zoe = await logIn(a.url, 'zoe.agent')
    const mutation = (entityId: string, baseVersion: number, op: string, payload: object) => ({
      mutationId: randomUUID(),
      clientId: zoe.clientId,
      entityId,
      baseVersion,
      createdAt: Date.now(),
      op,
      payload,
    })
    /**
     * Both instances get the batch while the test holds `lock`; once both wait on it, it is released: their
     * transactions run at the same moment, on the same rows.
     */
    async function race(lock: string, params: unknown[], batch: object[]) {
      await locker.query('BEGIN')
      try {
        await locker.query(lock, params)
        const replies = Promise.all([postMutations(a.url, zoe, batch), postMutations(b.url, zoe, batch)])
        replies.catch(() => {})
        const bothWaiting = await until(
          async () => (await waitingOn(APP_A)).length > 0 && (await waitingOn(APP_B)).length > 0,
          10_000,
        )
        expect(bothWaiting, 'both instances wait on the test’s lock').toBe(true)
        await locker.query('COMMIT')
        return await replies
      } catch (e) {
        await locker.query('ROLLBACK').catch(() => {})
        throw e
      }
    }
    const events = async (mutationId: string) =>
      (await sql().get<{ n: number }>('SELECT count(*) AS n FROM history_events WHERE mutation_id = ?', [
        mutationId,
      ]))!.n

    // Edits of two requests and a note: their rows are locked first, so the second instance waits for the
    // first one's commit, then finds the mutation ids answered.
    const [r1, r2] = await voirieIds(2)
    const [v1, v2] = [await serverVersion(r1!), await serverVersion(r2!)]
    const commentId = randomUUID()
    const batch = [
      mutation(r1!, v1, 'update', { title: 'Affaissement de chaussée, rue Jeanne d’Arc' }),
      mutation(r2!, v2, 'update', { priority: 'high' }),
      mutation(r1!, v1, 'comment', { commentId, kind: 'internal', body: 'Vu avec le centre technique.' }),
    ]
    const [viaA, viaB] = await race('SELECT id FROM requests WHERE id = $1 FOR UPDATE', [r1], batch)
    for (const reply of [viaA, viaB]) {
      expect(reply.status, JSON.stringify(reply.body)).toBe(200)
      expect(reply.body.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied'])
    }
    const versions = (reply: typeof viaA) => reply.body.results.map((r) => [r.mutationId, r.version])
    expect(versions(viaA)).toEqual(versions(viaB))
    for (const m of batch) expect(await events(m.mutationId)).toBe(1)
    const versionRows = await sql().all<{ request_id: string }>(
      `SELECT request_id FROM request_versions WHERE mutation_id IN (?, ?, ?)`,
      batch.map((m) => m.mutationId),
    )
    // One version bump per request change, as one application makes.
    expect(await serverVersion(r2!)).toBe(v2 + 1)
    expect(await serverVersion(r1!)).toBe(v1 + versionRows.filter((v) => v.request_id === r1).length)
    expect(viaA.body.results[2]!.version).toBe(await serverVersion(r1!))
    expect(
      (await sql().get<{ n: number }>('SELECT count(*) AS n FROM comments WHERE id = ?', [commentId]))!.n,
    ).toBe(1)
    expect(
      (await sql().get<{ n: number }>(
        `SELECT count(*) AS n FROM applied_mutations WHERE mutation_id IN (?, ?, ?)`,
        batch.map((m) => m.mutationId),
      ))!.n,
    ).toBe(3)

    // A new request: nothing to lock first, so both insert it; the primary key refuses the second, whose
    // batch is rolled back and run again, then answered from the first one's outcome.
    const year = new Date().getUTCFullYear()
    const counter = async () =>
      (await sql().get<{ last: number }>('SELECT last FROM reference_counters WHERE year = ?', [year]))
        ?.last ?? 0
    await sql().run(
      'INSERT INTO reference_counters (year, last) VALUES (?, 0) ON CONFLICT (year) DO NOTHING',
      [year],
    )
    const lastBefore = await counter()
    const newId = randomUUID()
    const create = mutation(newId, 0, 'create', {
      categoryId: 'voirie',
      subcategory: null,
      channel: 'phone',
      title: 'Nid-de-poule devant l’école Jules Ferry',
      description: 'Signalé par téléphone.',
      priority: 'normal',
      address: null,
      location: { lat: 48.69, lon: 6.18 },
    })
    const [createdViaA, createdViaB] = await race(
      'SELECT last FROM reference_counters WHERE year = $1 FOR UPDATE',
      [year],
      [create],
    )
    for (const reply of [createdViaA, createdViaB]) {
      expect(reply.status, JSON.stringify(reply.body)).toBe(200)
      expect(reply.body.results[0]).toMatchObject({ status: 'applied', version: 0 })
    }
    const created = await sql().all<{ reference: string }>('SELECT reference FROM requests WHERE id = ?', [
      newId,
    ])
    expect(created).toHaveLength(1)
    // One reference number taken, and the history of one creation (created, then routed).
    expect(await counter()).toBe(lastBefore + 1)
    const createdEvents = await sql().all<{ kind: string }>(
      'SELECT kind FROM history_events WHERE mutation_id = ? ORDER BY id',
      [create.mutationId],
    )
    expect(createdEvents.filter((e) => e.kind === 'created')).toHaveLength(1)
    expect(createdEvents).toHaveLength(2)
  })

  it('drill: A is killed with SIGKILL in the middle of pushes, twice, and restarted; nothing lost or applied twice', async () => {
    const lb: LoadBalancer = await startLoadBalancer([a.url, b.url])
    const drillStarted = Date.now()
    let working = true
    let work: Array<Promise<void>> = []
    try {
      const logins = ['zoe.agent', 'luc.lead', 'sara.sup'] as const
      const consoles: SyncClient[] = []
      for (const login of logins) consoles.push(await world.client(`drill-${login}`, login, { via: lb.url }))
      for (const c of consoles) expect(await c.settle()).toMatchObject({ state: 'idle', pending: 0 })
      const statesSeen = consoles.map(() => new Map<SyncStatus['state'], string | null>())
      consoles.forEach((c, i) =>
        c.core.on('sync.changed', (s) => {
          if (!statesSeen[i]!.has(s.state)) statesSeen[i]!.set(s.state, s.lastError)
        }),
      )
      const clientIds = consoles.map(
        (c) => c.db.prepare("SELECT value FROM sync_state WHERE key = 'client_id'").pluck().get() as string,
      )
      // Requests with a citizen: an answer about them reads the citizens table (see phase 2).
      const ids = await voirieIds(6, true)
      expect(ids.length).toBeGreaterThanOrEqual(4)

      // The agents at work, each at their own pace, through the balancer, until told to stop.
      const accepted = consoles.map(() => 0)
      const notes = consoles.map(() => 0)
      work = consoles.map(async (c, i) => {
        const random = prng(1000 + i)
        const pick = () => ids[Math.floor(random() * ids.length)]!
        for (let n = 0; working; n++) {
          const id = pick()
          const step = n % 2
          let ok: boolean
          if (logins[i] === 'zoe.agent')
            ok =
              step === 0
                ? (await c.call('request.update', { id, patch: { title: `Titre de Zoé n°${n}` } })).ok
                : (await c.call('request.comment', { id, kind: 'internal', body: `drill zoe ${n}` })).ok
          else if (logins[i] === 'luc.lead')
            ok =
              step === 0
                ? (
                    await c.call('request.assign', {
                      id,
                      assigneeId: random() < 0.5 ? 'agent-tom.tech' : 'agent-zoe.agent',
                    })
                  ).ok
                : (await c.call('request.update', { id, patch: { title: `Titre de Luc n°${n}` } })).ok
          else
            ok =
              step === 0
                ? (await c.call('request.comment', { id, kind: 'internal', body: `drill sara ${n}` })).ok
                : (
                    await c.call('request.update', {
                      id,
                      patch: { priority: (['low', 'normal', 'high', 'urgent'] as const)[n % 4]! },
                    })
                  ).ok
          if (ok) {
            accepted[i]!++
            if ((logins[i] === 'zoe.agent' && step === 1) || (logins[i] === 'sara.sup' && step === 0))
              notes[i]!++
          }
          await sleep(10 + random() * 40)
        }
      })

      const pushesAtA = (): InFlightRequest[] =>
        lb
          .inFlight()
          .filter((r) => r.upstream === 0 && r.method === 'POST' && r.path.startsWith('/api/v1/mutations'))
      const mutationIdsOf = (r: InFlightRequest) =>
        (JSON.parse(r.body.toString()) as { mutations: Array<{ mutationId: string }> }).mutations.map(
          (m) => m.mutationId,
        )
      /** Which of these mutation ids are in applied_mutations (committed); read without waiting on any lock. */
      const committedOf = async (mutationIds: string[]) =>
        (
          await look.query<{ id: string }>(
            'SELECT mutation_id AS id FROM applied_mutations WHERE mutation_id = ANY($1)',
            [mutationIds],
          )
        ).rows.map((r) => r.id)

      /**
       * Hold `lock` until a push is inside A at the point it makes requests wait (`ready` says when), then
       * SIGKILL A, look at the database (`atKill`, with the lock still held: nobody committed since), and release
       * the lock. Tried again, with the lock released in between, when no push reached A in time (the round
       * robin sent them to B). @returns the mutation ids A had in flight, and what `atKill` saw.
       */
      async function killAInsidePush<T>(
        lock: string,
        ready: () => Promise<InFlightRequest[] | undefined>,
        atKill: (mutationIds: string[]) => Promise<T>,
      ) {
        // Short holds, many tries: while the lock is held every console soon waits somewhere (at B, or in a
        // pull), so each release and hold again is a fresh chance that one of them pushes to A.
        for (let attempt = 1; attempt <= 20; attempt++) {
          await locker.query('BEGIN')
          try {
            await locker.query(lock)
            const inFlight = await until(ready, 800)
            if (inFlight) {
              await a.kill('SIGKILL')
              const killedAt = Date.now()
              const mutationIds = inFlight.flatMap(mutationIdsOf)
              return { mutationIds, attempt, killedAt, seen: await atKill(mutationIds) }
            }
          } finally {
            await locker.query('ROLLBACK')
          }
          await sleep(100)
        }
        throw new Error('no push reached instance A while the lock was held')
      }

      // Let the work get going: pushes reach both instances.
      await until(async () => lb.stats.requests[0]! > 10 && lb.stats.requests[1]! > 10, 10_000)

      // Phase 1: a push inside A's transaction, everything written but not committed (the feed's counter,
      // its last step before the commit, is locked by the test).
      const phase1 = await killAInsidePush(
        'SELECT seq FROM change_counter WHERE id = 1 FOR UPDATE',
        async () =>
          pushesAtA().length > 0 && (await waitingOn(APP_A)).some((q) => /change_counter/.test(q))
            ? pushesAtA()
            : undefined,
        async (mutationIds) => {
          const committed = new Set(await committedOf(mutationIds))
          return mutationIds.filter((id) => !committed.has(id))
        },
      )
      // A's transaction had not committed (A waited on the counter): its console will send the push again.
      const uncommitted = phase1.seen
      expect(uncommitted.length).toBeGreaterThan(0)
      await a.restart()
      const restart1Ms = Date.now() - phase1.killedAt
      const requestsToA = lb.stats.requests[0]!
      await until(async () => lb.stats.requests[0]! > requestsToA + 5, 15_000)

      // Phase 2: a push A committed but had not answered yet (the answer reads the citizens table, which the
      // test locks): the console will send it again, to B.
      const phase2 = await killAInsidePush(
        'LOCK TABLE citizens IN ACCESS EXCLUSIVE MODE',
        async () => {
          for (const push of pushesAtA()) {
            const mutationIds = mutationIdsOf(push)
            if ((await committedOf(mutationIds)).length === mutationIds.length) return [push]
          }
          return undefined
        },
        committedOf,
      )
      expect(phase2.seen).toHaveLength(phase2.mutationIds.length)
      await a.restart()
      const restart2Ms = Date.now() - phase2.killedAt
      const afterRestart = lb.stats.requests[0]!
      // The restarted A takes its share of the traffic again.
      expect(await until(async () => lb.stats.requests[0]! > afterRestart + 5, 15_000)).toBe(true)

      working = false
      await Promise.all(work)
      // Everyone pushes and pulls until all is quiet (a console's last pull may precede another's last push).
      const statuses: SyncStatus[] = []
      for (let round = 0; round < 3; round++)
        for (const [i, c] of consoles.entries()) statuses[i] = await c.settle()

      // ---- what the agents and IT would check --------------------------------------------------------
      const ledger = async (clientId: string) =>
        sql().all<{ id: string; status: string; op: string; events: number }>(
          `SELECT m.mutation_id AS id, m.status, m.op,
                  (SELECT count(*) FROM history_events h WHERE h.mutation_id = m.mutation_id) AS events
           FROM applied_mutations m WHERE m.client_id = ? ORDER BY m.mutation_id`,
          [clientId],
        )
      let applied = 0
      let refused = 0
      let appliedNotes = 0
      for (const [i, c] of consoles.entries()) {
        const who = logins[i]!
        // No console left behind: idle, nothing pending; and on the way the agent saw at most "offline" for a
        // moment, never an error nor a request for their password.
        expect(statuses[i], who).toMatchObject({ state: 'idle', pending: 0 })
        expect(c.db.prepare('SELECT count(*) FROM outbox').pluck().get(), who).toBe(0)
        expect(
          [...statesSeen[i]!].filter(([state]) => state === 'error' || state === 'auth_required'),
          who,
        ).toEqual([])
        // 0 lost: every change the console accepted was answered by the server.
        const answered = await ledger(clientIds[i]!)
        expect(answered, who).toHaveLength(accepted[i]!)
        // 0 applied twice: one history event per applied change, none for a refused one.
        for (const m of answered)
          expect(m.events, `${who} ${m.op} ${m.status}`).toBe(m.status === 'applied' ? 1 : 0)
        // The conflict inbox holds exactly the changes the server did not apply.
        const inbox = (c.db.prepare('SELECT mutation_id FROM conflicts').pluck().all() as string[]).sort()
        expect(inbox, who).toEqual(answered.filter((m) => m.status !== 'applied').map((m) => m.id))
        applied += answered.filter((m) => m.status === 'applied').length
        refused += answered.filter((m) => m.status !== 'applied').length
        appliedNotes += answered.filter((m) => m.status === 'applied' && m.op === 'comment').length
        // Converged: the console shows exactly the server's rows of what it may see.
        const teams = who === 'sara.sup' ? undefined : VOIRIE
        expect(requestRows(c.db), who).toEqual(await serverRequestRows(world.server.store, teams))
      }
      expect(appliedNotes).toBe(notes.reduce((x, y) => x + y, 0))
      expect(
        (await sql().get<{ n: number }>("SELECT count(*) AS n FROM comments WHERE body LIKE 'drill %'"))!.n,
      ).toBe(appliedNotes)
      // What A held when it died, uncommitted the first time, committed but unanswered the second: answered
      // in the end (by B or the restarted A), each applied once.
      const once = async (mutationIds: string[]) =>
        (
          await look.query<{ n: string }>(
            `SELECT count(*) AS n FROM applied_mutations m
             WHERE m.mutation_id = ANY($1)
               AND (m.status <> 'applied' OR (SELECT count(*) FROM history_events h WHERE h.mutation_id = m.mutation_id) = 1)`,
            [mutationIds],
          )
        ).rows[0]!.n
      expect(Number(await once(uncommitted))).toBe(uncommitted.length)
      expect(Number(await once(phase2.mutationIds))).toBe(phase2.mutationIds.length)

      console.info(
        `drill: ${accepted.reduce((x, y) => x + y, 0)} edits accepted (${accepted.join('/')}), ` +
          `${applied} applied, ${refused} conflicts or refusals; ` +
          `kill 1 (A held ${uncommitted.length} mutations uncommitted, try ${phase1.attempt}) restart ${restart1Ms} ms; ` +
          `kill 2 (A held ${phase2.mutationIds.length} committed, unanswered, try ${phase2.attempt}) restart ${restart2Ms} ms; ` +
          `balancer: requests ${lb.stats.requests.join('/')}, refused ${lb.stats.refused.join('/')}, ` +
          `failed ${lb.stats.failed.join('/')}; states seen ${statesSeen.map((m) => [...m.keys()].join('+')).join(', ')}` +
          `; ${Date.now() - drillStarted} ms`,
      )
      for (const c of consoles) await c.close()
    } finally {
      // A failure half-way must not leave the agents at work behind the test's back.
      working = false
      await Promise.allSettled(work)
      await lb.close()
    }
  })
})
