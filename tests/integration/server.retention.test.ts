/**
 * The server's retention, on SQLite and PostgreSQL, at fixed times: what the dry run (the
 * DPO's preview, the store's plan) announces is exactly what the run then does; a closed
 * request past its delay is anonymised (citizen detached, free text redacted, internal
 * comments gone) and a citizen left with no request is anonymised too; a request under
 * legal hold is kept whole; deletion happens only when configured, and takes the request's
 * comments and history with it; the access log loses only what is older than its months;
 * consoles hear of it through the feed; the daily schedule runs once a day on one instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accessTokenOf } from '../support/passwordLogin'
import type { Citizen } from '../../src/shared/domain'
import type { ChangesReply } from '../../src/shared/sync'
import { RetentionPlan } from '../../src/shared/privacy'
import { AppConfigSchema } from '../../src/core/config'
import { addMonths } from '../../src/core/privacy/retention'
import { REDACTED } from '../../src/core/privacy/text'
import {
  lastRetentionRun,
  LEASE_MS,
  runDueRetention,
  takeLease,
  releaseLease,
} from '../../src/server/retention'
import { ANONYMOUS_CITIZEN } from '../../src/server/store/privacy'
import type { RetentionReport, ServerRetentionPolicy } from '../../src/server/store/retention'
import { TEST_STORE } from '../support/serverStore'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

/** The server's clock for the whole file: a Monday morning in June. */
const NOW = Date.parse('2026-06-15T08:00:00.000Z')
const monthsAgo = (m: number) => addMonths(NOW, -m)

const CONFIG = AppConfigSchema.parse({
  privacy: { accessLogMonths: 12, retention: { anonymiseAfterClosedMonths: 12, runAt: '02:30' } },
})
const SERVER_POLICY: ServerRetentionPolicy = {
  retention: CONFIG.privacy.retention,
  accessLogMonths: CONFIG.privacy.accessLogMonths,
}
const WITH_DELETION: ServerRetentionPolicy = {
  ...SERVER_POLICY,
  retention: { ...SERVER_POLICY.retention, deleteAfterClosedMonths: 24 },
}

type NewCitizen = Omit<Citizen, 'id'>
const AURELIEN: NewCitizen = {
  name: 'Aurélien Brzęczyszcki',
  email: 'aurelien.brzeczyszcki@example.org',
  phone: '06 48 27 19 53',
  postalAddress: '9 rue Saint-Dizier, 54000 Nancy',
  contactPreference: 'email',
}
const GWENAELLE: NewCitizen = {
  name: 'Gwenaëlle Kerhervé',
  email: 'gwenaelle.kerherve@example.org',
  phone: '07 12 93 84 65',
  postalAddress: '4 allée des Tilleuls, 54220 Malzéville',
  contactPreference: 'phone',
}

let world: SyncWorld
let dpo: string
let agent: string

async function token(login: string): Promise<string> {
  return accessTokenOf(world.url, login, `retention-${login}`)
}

async function get<T>(accessToken: string, path: string): Promise<{ status: number; body: T }> {
  const r = await fetch(`${world.url}/api/v1${path}`, { headers: { authorization: `Bearer ${accessToken}` } })
  return { status: r.status, body: (await r.json()) as T }
}

const sql = () => world.server.store.sql

/** A portal request of `citizen` (or of the citizen of `sameAs`), closed `closedMonthsAgo` (null: open). */
async function request(
  citizen: NewCitizen,
  closedMonthsAgo: number | null,
  sameAs?: { citizenId: string | null },
  text = `Trou signalé par ${citizen.name}, joignable au ${citizen.phone}.`,
) {
  const r = await world.server.store.createCitizenRequest({
    categoryId: 'voirie',
    subcategory: 'Nid-de-poule',
    description: text,
    location: { lat: 48.71845, lon: 6.17886 },
    address: citizen.postalAddress,
    citizen: sameAs ? null : citizen,
    portal: 'portail',
  })
  const citizenId = sameAs ? sameAs.citizenId : r.citizenId
  await sql().run('UPDATE requests SET citizen_id = ? WHERE id = ?', [citizenId, r.id])
  if (closedMonthsAgo !== null)
    await sql().run(
      "UPDATE requests SET status = 'closed', status_kind = 'closed', closed_at = ? WHERE id = ?",
      [monthsAgo(closedMonthsAgo), r.id],
    )
  const at = NOW - 1000
  for (const kind of ['public', 'internal'])
    await sql().run(
      `INSERT INTO comments (id, request_id, kind, body, author_id, author_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        `${r.id}-${kind}`,
        r.id,
        kind,
        `${kind} : rappeler ${citizen.name} au ${citizen.phone}`,
        null,
        'Zoé',
        at,
      ],
    )
  await sql().run(
    `INSERT INTO history_events (request_id, kind, at, actor_id, actor_name, data, mutation_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      r.id,
      'edited',
      at,
      null,
      'Zoé',
      JSON.stringify({ field: 'title', from: `Pour ${citizen.name}`, to: 'x' }),
      null,
    ],
  )
  return { id: r.id, reference: r.reference, citizenId }
}

const row = async (id: string) =>
  sql().get<{
    citizen_id: string | null
    description: string
    address: string | null
    anonymised_at: number | null
  }>('SELECT citizen_id, description, address, anonymised_at FROM requests WHERE id = ?', [id])
const textsOf = async (id: string) =>
  JSON.stringify([
    await row(id),
    await sql().all('SELECT kind, body FROM comments WHERE request_id = ? ORDER BY id', [id]),
    await sql().all('SELECT kind, data FROM history_events WHERE request_id = ? ORDER BY id', [id]),
  ])

async function logEntry(id: string, at: number, citizenId: string) {
  await sql().run(
    `INSERT INTO citizen_access_log (id, at, recorded_at, agent_id, agent_name, request_id, citizen_id, action, purpose, client_id, workstation, source)
     VALUES (?, ?, ?, 'agent-zoe.agent', NULL, NULL, ?, 'contact_delivered', 'callback', NULL, NULL, 'server')`,
    [id, at, at, citizenId],
  )
}

const totals = (plan: RetentionPlan) =>
  plan.categories.reduce(
    (t, c) => ({
      anonymised: t.anonymised + c.anonymise,
      deleted: t.deleted + c.delete,
      held: t.held + c.held,
    }),
    { anonymised: 0, deleted: 0, held: 0 },
  )
const effect = (r: RetentionReport) => ({ anonymised: r.anonymised, deleted: r.deleted, held: r.held })

async function feedAfter(since: string) {
  const r = await get<ChangesReply>(dpo, `/changes?since=${since}&limit=1000`)
  expect(r.status).toBe(200)
  return r.body
}

let old: Awaited<ReturnType<typeof request>>
let held: Awaited<ReturnType<typeof request>>
let sibling: Awaited<ReturnType<typeof request>>
let recent: Awaited<ReturnType<typeof request>>
let open: Awaited<ReturnType<typeof request>>
let ancient: Awaited<ReturnType<typeof request>>

beforeAll(async () => {
  world = await openSyncWorld({ requests: 0, server: { config: CONFIG, now: () => NOW } })
  dpo = await token('dina.dpo')
  agent = await token('zoe.agent')
  old = await request(AURELIEN, 13)
  // Gwenaëlle: one request held, one past its delay, one recent, one open.
  held = await request(GWENAELLE, 20)
  sibling = await request(GWENAELLE, 14, held)
  recent = await request(GWENAELLE, 6, held)
  open = await request(GWENAELLE, null, held)
  ancient = await request({ ...AURELIEN, name: 'Solène Vandermeersch', email: null, phone: null }, 30)
  const hold = await fetch(`${world.url}/api/v1/privacy/requests/${held.id}/legal-hold`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${dpo}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'Contentieux en cours (tribunal administratif)' }),
  })
  expect(hold.status).toBe(200)
  await logEntry('log-old-1', monthsAgo(14), old.citizenId!)
  await logEntry('log-old-2', monthsAgo(12) - 60_000, old.citizenId!)
  await logEntry('log-new', monthsAgo(12) + 60_000, old.citizenId!)
  // A portal's uses of its API key, one past the access log's months and one within.
  const account = await sql().get<{ id: string }>('SELECT id FROM api_accounts ORDER BY id LIMIT 1')
  for (const [route, at] of [
    ['/old-use', monthsAgo(13)],
    ['/new-use', monthsAgo(11)],
  ] as const)
    await sql().run(
      'INSERT INTO api_account_uses (account_id, scope, method, route, status, at) VALUES (?, ?, ?, ?, ?, ?)',
      [account!.id, 'open311', 'POST', route, 200, at],
    )
})
afterAll(async () => world?.close())

describe(`retention on ${TEST_STORE}`, () => {
  it('previews the plan for the DPO only, and changes nothing', async () => {
    expect((await get(agent, '/privacy/retention/preview')).status).toBe(403)
    const before = await textsOf(old.id)
    const r = await get<RetentionPlan>(dpo, '/privacy/retention/preview')
    expect(r.status).toBe(200)
    const plan = RetentionPlan.parse(r.body)
    expect(plan.at).toBe(new Date(NOW).toISOString())
    const voirie = plan.categories.find((c) => c.categoryId === 'voirie')!
    expect(voirie).toMatchObject({
      rule: { anonymiseAfterClosedMonths: 12, deleteAfterClosedMonths: null },
      anonymise: 3,
      delete: 0,
      held: 1,
    })
    expect(voirie.samples.sort()).toEqual([old.reference, sibling.reference, ancient.reference].sort())
    expect(
      plan.categories.filter((c) => c.categoryId !== 'voirie').every((c) => c.anonymise + c.delete === 0),
    ).toBe(true)
    expect(plan.accessLog).toEqual({ before: new Date(monthsAgo(12)).toISOString(), entries: 2 })
    expect(await textsOf(old.id)).toBe(before)
  })

  it('anonymises what the dry run said, keeps the held request, purges the old log, and tells consoles', async () => {
    const cursor = (await feedAfter('0')).nextCursor
    const plan = await world.server.store.planRetention(null, NOW)
    const report = await world.server.store.applyRetention(null, NOW)
    // The dry run's numbers are the run's.
    expect(effect(report)).toEqual(totals(plan))
    expect(report.accessLogPurged).toBe(plan.accessLog.entries)
    expect(report).toMatchObject({
      anonymised: 3,
      deleted: 0,
      held: 1,
      citizensAnonymised: 2,
      accessLogPurged: 2,
    })

    // Past the delay: detached, and nothing of the citizen left in its text.
    for (const [r, c] of [
      [old, AURELIEN],
      [sibling, GWENAELLE],
    ] as const) {
      expect(await row(r.id)).toMatchObject({ citizen_id: null, anonymised_at: NOW })
      const texts = await textsOf(r.id)
      expect(texts).toContain(REDACTED)
      for (const s of [c.name, c.phone!, c.email!, 'Kerhervé', 'Brzęczyszcki']) expect(texts).not.toContain(s)
      expect(
        await sql().all("SELECT id FROM comments WHERE request_id = ? AND kind = 'internal'", [r.id]),
      ).toEqual([])
      expect(
        await sql().all("SELECT kind FROM history_events WHERE request_id = ? AND kind = 'anonymised'", [
          r.id,
        ]),
      ).toHaveLength(1)
    }
    // Aurélien (and Solène) have no request left: anonymised like an erasure; Gwenaëlle still has some.
    expect(
      await sql().get('SELECT name, email, phone, erased_at FROM citizens WHERE id = ?', [old.citizenId]),
    ).toEqual({
      name: ANONYMOUS_CITIZEN,
      email: null,
      phone: null,
      erased_at: NOW,
    })
    expect(await sql().get('SELECT name, erased_at FROM citizens WHERE id = ?', [held.citizenId])).toEqual({
      name: GWENAELLE.name,
      erased_at: null,
    })
    // Held, recent and open: untouched.
    for (const r of [held, recent, open]) {
      expect(await row(r.id)).toMatchObject({ citizen_id: held.citizenId, anonymised_at: null })
      expect(await textsOf(r.id)).toContain(GWENAELLE.phone)
      expect(await sql().all('SELECT id FROM comments WHERE request_id = ?', [r.id])).toHaveLength(2)
    }
    // Deletion is not configured: the oldest request is only anonymised.
    expect(await row(ancient.id)).toMatchObject({ citizen_id: null, anonymised_at: NOW })

    // The access log: older than 12 months gone, the rest kept.
    expect(
      (
        await sql().all<{ id: string }>('SELECT id FROM citizen_access_log WHERE id LIKE ? ORDER BY id', [
          'log-%',
        ])
      ).map((r) => r.id),
    ).toEqual(['log-new'])
    // The API keys' use log follows the same months.
    expect(report.apiUsesPurged).toBeGreaterThanOrEqual(1)
    const uses = await sql().all<{ route: string }>(
      "SELECT route FROM api_account_uses WHERE route IN ('/old-use', '/new-use')",
    )
    expect(uses.map((u) => u.route)).toEqual(['/new-use'])

    // Consoles: each citizen erased first (the requests listed), then the anonymised copies.
    const feed = await feedAfter(cursor)
    const erased = feed.changes.filter((c) => c.type === 'citizen_erased')
    expect(erased.map((c) => c.citizenId).sort()).toEqual(
      [old.citizenId, held.citizenId, ancient.citizenId].sort(),
    )
    const requests = feed.changes.flatMap((c) => (c.type === 'request' ? [c.entity] : []))
    for (const r of [old, sibling, ancient]) {
      const entity = requests.find((e) => e.request.id === r.id)!
      expect(entity.request.citizenId).toBeNull()
      const erasure = erased.find((c) => c.requestIds.includes(r.id))!
      expect(erasure.seq).toBeLessThan(
        feed.changes.find((c) => c.type === 'request' && c.entity.request.id === r.id)!.seq,
      )
    }
    expect(JSON.stringify(feed)).not.toContain(AURELIEN.name)

    // Done: nothing is due any more, but the hold is still counted.
    expect(totals(await world.server.store.planRetention(null, NOW))).toEqual({
      anonymised: 0,
      deleted: 0,
      held: 1,
    })
  })

  it('deletes only when configured, never a held request, with what hangs on the request', async () => {
    const cursor = (await feedAfter('0')).nextCursor
    const plan = await world.server.store.planRetention(WITH_DELETION, NOW)
    expect(totals(plan)).toEqual({ anonymised: 0, deleted: 1, held: 1 })
    expect(plan.categories.find((c) => c.categoryId === 'voirie')!.samples).toEqual([ancient.reference])
    const report = await world.server.store.applyRetention(WITH_DELETION, NOW)
    expect(effect(report)).toEqual(totals(plan))
    expect(await row(ancient.id)).toBeUndefined()
    for (const table of ['comments', 'history_events', 'request_versions'])
      expect(await sql().all(`SELECT 1 AS x FROM ${table} WHERE request_id = ?`, [ancient.id])).toEqual([])
    // 20 months closed, under a hold: kept (and not yet due for deletion anyway at 24).
    expect(await row(held.id)).toMatchObject({ citizen_id: held.citizenId })
    expect(await row(old.id)).toBeDefined()
    const feed = await feedAfter(cursor)
    expect(feed.changes).toContainEqual(
      expect.objectContaining({ type: 'request_removed', id: ancient.id, reason: 'deleted' }),
    )
    // Five years on, the held request is still kept whole.
    const later = await world.server.store.planRetention(WITH_DELETION, addMonths(NOW, 60))
    expect(totals(later).held).toBe(1)
    await world.server.store.applyRetention(WITH_DELETION, addMonths(NOW, 60))
    expect(await row(held.id)).toMatchObject({ citizen_id: held.citizenId, anonymised_at: null })
    expect(await row(recent.id)).toBeUndefined()
  })

  it('runs once a day at runAt (Europe/Paris), on the one instance holding the lease', async () => {
    const store = world.server.store
    const policy = { ...SERVER_POLICY, retention: { ...SERVER_POLICY.retention, runAt: '09:00' } }
    // A server's first start does not run it: it counts from then, the first run comes at the
    // next runAt (a known hour outside office hours).
    const firstStart = Date.parse('2026-06-14T10:00:00.000Z')
    expect(await lastRetentionRun(store.sql)).toBeNull()
    expect(await runDueRetention({ store, policy, owner: 'me', now: firstStart })).toBeNull()
    expect(await lastRetentionRun(store.sql)).toBe(firstStart)
    // 10:00 in Paris (summer time) the next day: its 09:00 has passed.
    const at = Date.parse('2026-06-15T08:00:00.000Z')
    expect(await takeLease(store.sql, 'other', at)).toBe(true)
    expect(await runDueRetention({ store, policy, owner: 'me', now: at })).toBeNull()
    expect(await lastRetentionRun(store.sql)).toBe(firstStart)
    // The other instance died: its lease expires.
    const report = await runDueRetention({ store, policy, owner: 'me', now: at + LEASE_MS + 1 })
    expect(report).toMatchObject({ anonymised: 0, deleted: 0 })
    expect(await lastRetentionRun(store.sql)).toBe(at + LEASE_MS + 1)
    // The same day again, or another instance: nothing; the next day after 09:00: a run.
    expect(await runDueRetention({ store, policy, owner: 'other', now: at + 2 * LEASE_MS })).toBeNull()
    const nextDay = Date.parse('2026-06-16T06:59:00.000Z')
    expect(await runDueRetention({ store, policy, owner: 'other', now: nextDay })).toBeNull()
    expect(await runDueRetention({ store, policy, owner: 'other', now: nextDay + 2 * 60_000 })).not.toBeNull()
    await releaseLease(store.sql, 'other')
  })
})
