/**
 * Citizens' contact details on demand (issue 12), over real HTTP on both stores: the change
 * feed and the mutation answers name citizens to the roles that read them and carry no
 * contact details at all; an agent asks for one request's contact details for a purpose,
 * which is logged and written in its history; consoles upload the reads they made offline,
 * once each; the DPO reads the log; an erasure reaches every console as far as it may see;
 * a change queued offline before its request was anonymised cannot bring erased text back.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccessLogPage, CitizenContact } from '../../src/shared/privacy'
import type { ChangesReply, Mutation, MutationResult, RequestEntity } from '../../src/shared/sync'
import { appendAccess } from '../../src/server/store/accessLog'
import { ChangeSet } from '../../src/server/store/feed'
import { DEMO_PASSWORD } from '../support/core'
import { TEST_STORE } from '../support/serverStore'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

/** The one citizen no demo pool can produce: a match on their data is never a coincidence. */
const ELOISE = {
  id: 'cit-eloise',
  name: 'Éloïse Quintavalle',
  email: 'eloise.quintavalle@exemple-unique.fr',
  phone: '+33 6 98 76 54 32',
  postalAddress: '17 impasse des Glycines-Quintavalle, 54000 Nancy',
  contactPreference: 'phone',
} as const

let world: SyncWorld
/** A request of the `voirie` team (zoe.agent's, tom.tech's) whose citizen is Éloïse. */
let eloiseRequest: { id: string; reference: string; teamId: string; version: number }
/** A `voirie` request without a citizen. */
let anonymousRequest: string
/** An `eclairage` request with a citizen (nora.agent's team, not zoe's). */
let otherTeamRequest: { id: string; citizenId: string }

beforeAll(async () => {
  world = await openSyncWorld({ requests: 80 })
  const sql = world.server.store.sql
  await sql.run(
    `INSERT INTO citizens (id, name, email, phone, postal_address, contact_preference) VALUES (?, ?, ?, ?, ?, ?)`,
    [ELOISE.id, ELOISE.name, ELOISE.email, ELOISE.phone, ELOISE.postalAddress, ELOISE.contactPreference],
  )
  const voirie = await sql.all<{ id: string; reference: string; version: number; citizen_id: string | null }>(
    "SELECT id, reference, version, citizen_id FROM requests WHERE team_id = 'voirie' ORDER BY id",
  )
  const target = voirie.find((r) => r.citizen_id !== null) ?? voirie[0]!
  eloiseRequest = { id: target.id, reference: target.reference, teamId: 'voirie', version: target.version }
  await world.serverWrite('UPDATE requests SET citizen_id = ? WHERE id = ?', [ELOISE.id, target.id], {
    requests: [target.id],
  })
  const none = voirie.find((r) => r.id !== target.id && r.citizen_id === null)
  if (none) anonymousRequest = none.id
  else {
    anonymousRequest = voirie.find((r) => r.id !== target.id)!.id
    await world.serverWrite('UPDATE requests SET citizen_id = NULL WHERE id = ?', [anonymousRequest], {
      requests: [anonymousRequest],
    })
  }
  const other = await sql.get<{ id: string; citizen_id: string }>(
    "SELECT id, citizen_id FROM requests WHERE team_id = 'eclairage' AND citizen_id IS NOT NULL ORDER BY id LIMIT 1",
  )
  expect(other).toBeDefined()
  otherTeamRequest = { id: other!.id, citizenId: other!.citizen_id }
})
afterAll(async () => world?.close())

interface Agent {
  token: string
  clientId: string
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; text: string }>
}

async function agent(login: string): Promise<Agent> {
  const clientId = `test-${login}-${randomUUID().slice(0, 8)}`
  const r = await fetch(`${world.url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grantType: 'password', login, password: DEMO_PASSWORD, clientId }),
  })
  expect(r.status).toBe(200)
  const token = ((await r.json()) as { accessToken: string }).accessToken
  return {
    token,
    clientId,
    async call<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${world.url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, text, body: (text ? JSON.parse(text) : null) as T }
    },
  }
}

/** The whole feed of `a` after `since`, page after page, as JSON text and changes. */
async function feed(
  a: Agent,
  since = 0,
): Promise<{ text: string; changes: ChangesReply['changes']; cursor: number }> {
  let cursor = since
  let text = ''
  const changes: ChangesReply['changes'] = []
  for (;;) {
    const page = await a.call<ChangesReply>('GET', `/changes?since=${cursor}&limit=500`)
    expect(page.status).toBe(200)
    text += page.text
    changes.push(...page.body.changes)
    cursor = Number(page.body.nextCursor)
    if (!page.body.hasMore) return { text, changes, cursor }
  }
}

const entitiesOf = (changes: ChangesReply['changes']): RequestEntity[] =>
  changes.flatMap((c) => (c.type === 'request' ? [c.entity] : []))

/** Every citizen's e-mail, phone, and the postal addresses no request repeats in its own text. */
async function contactValues(): Promise<string[]> {
  const sql = world.server.store.sql
  const citizens = await sql.all<{
    email: string | null
    phone: string | null
    postal_address: string | null
  }>('SELECT email, phone, postal_address FROM citizens')
  const texts = (
    await sql.all<{ t: string }>(
      "SELECT title || ' ' || description || ' ' || coalesce(address, '') AS t FROM requests",
    )
  ).map((r) => r.t)
  const values = citizens.flatMap((c) => [
    ...(c.email ? [c.email] : []),
    ...(c.phone ? [c.phone] : []),
    ...(c.postal_address && !texts.some((t) => t.includes(c.postal_address!)) ? [c.postal_address] : []),
  ])
  expect(values.length).toBeGreaterThan(10)
  return values
}

const comment = (
  a: Agent,
  requestId: string,
  baseVersion: number,
  createdAt: number,
  body: string,
): Mutation => ({
  mutationId: randomUUID(),
  clientId: a.clientId,
  entityId: requestId,
  baseVersion,
  createdAt,
  op: 'comment',
  payload: { commentId: randomUUID(), kind: 'internal', body },
})

async function push(a: Agent, mutations: Mutation[]): Promise<MutationResult[]> {
  const r = await a.call<{ results: MutationResult[] }>('POST', '/mutations', { mutations })
  expect(r.status, r.text).toBe(200)
  return r.body.results
}

const accessRows = (requestId: string) =>
  world.server.store.sql.all<Record<string, unknown>>(
    `SELECT id, agent_id, request_id, citizen_id, action, purpose, client_id, workstation, source
     FROM citizen_access_log WHERE request_id = ? ORDER BY at, id`,
    [requestId],
  )

const historyOf = (requestId: string, kind: string) =>
  world.server.store.sql.all<{ data: string; mutation_id: string | null; actor_id: string | null }>(
    'SELECT data, mutation_id, actor_id FROM history_events WHERE request_id = ? AND kind = ? ORDER BY id',
    [requestId, kind],
  )

describe(`citizens in the change feed on ${TEST_STORE}`, () => {
  it('an agent’s feed names citizens and holds none of their contact details', async () => {
    const zoe = await agent('zoe.agent')
    const { text, changes } = await feed(zoe)
    const entities = entitiesOf(changes)
    expect(entities.length).toBeGreaterThan(5)
    for (const e of entities) {
      expect(e.citizen).toBeNull()
      if (e.citizenRef) expect(Object.keys(e.citizenRef).sort()).toEqual(['id', 'name'])
      expect(e.citizenRef?.id ?? null).toBe(e.request.citizenId)
    }
    expect(entities.find((e) => e.request.id === eloiseRequest.id)?.citizenRef).toEqual({
      id: ELOISE.id,
      name: ELOISE.name,
    })
    expect(entities.filter((e) => e.citizenRef).length).toBeGreaterThan(1)
    for (const value of [...(await contactValues()), ELOISE.email, ELOISE.phone, ELOISE.postalAddress])
      expect(text).not.toContain(value)
    // No contact field at all, even empty.
    expect(JSON.stringify(entities)).not.toMatch(/"(email|phone|postalAddress|contactPreference)":/)
  })

  it('a technician’s feed names nobody', async () => {
    const tom = await agent('tom.tech')
    const { text, changes } = await feed(tom)
    const entities = entitiesOf(changes)
    expect(entities.some((e) => e.request.id === eloiseRequest.id)).toBe(true)
    for (const e of entities) {
      expect(e.citizen).toBeNull()
      expect(e.citizenRef ?? null).toBeNull()
    }
    expect(text).not.toContain(ELOISE.name)
    for (const value of await contactValues()) expect(text).not.toContain(value)
  })

  it('mutation answers name the citizen to an agent only, never with contact details', async () => {
    const zoe = await agent('zoe.agent')
    const tom = await agent('tom.tech')
    const version = async () =>
      (await world.server.store.sql.get<{ version: number }>('SELECT version FROM requests WHERE id = ?', [
        eloiseRequest.id,
      ]))!.version
    const [mine] = await push(zoe, [
      comment(zoe, eloiseRequest.id, await version(), Date.now(), 'Rappel prévu.'),
    ])
    expect(mine!.status).toBe('applied')
    expect(mine!.entity!.citizen).toBeNull()
    expect(mine!.entity!.citizenRef).toEqual({ id: ELOISE.id, name: ELOISE.name })
    const [theirs] = await push(tom, [
      comment(tom, eloiseRequest.id, await version(), Date.now(), 'Sur place.'),
    ])
    expect(theirs!.entity).not.toBeNull()
    expect(theirs!.entity!.citizen).toBeNull()
    expect(theirs!.entity!.citizenRef ?? null).toBeNull()
    // A refused change answers the whole request: still no contact details.
    const refused = await push(zoe, [
      {
        mutationId: randomUUID(),
        clientId: zoe.clientId,
        entityId: eloiseRequest.id,
        baseVersion: await version(),
        createdAt: Date.now(),
        op: 'transition',
        payload: { transitionId: 'nope', fields: {} },
      },
    ])
    expect(refused[0]!.status).toBe('rejected')
    expect(JSON.stringify(refused)).not.toContain(ELOISE.email)
    expect(JSON.stringify(refused)).not.toContain(ELOISE.phone)
  })
})

describe(`contact details on demand on ${TEST_STORE}`, () => {
  it('delivers them for a purpose, logs it with the workstation, and tells the team’s consoles', async () => {
    const zoe = await agent('zoe.agent')
    const luc = await agent('luc.lead')
    const { cursor } = await feed(luc)
    const before = (await accessRows(eloiseRequest.id)).length
    const r = await zoe.call<CitizenContact>('POST', `/requests/${eloiseRequest.id}/citizen-contact`, {
      purpose: 'callback',
      clientId: zoe.clientId,
      workstation: 'PC-ACCUEIL-01',
    })
    expect(r.status, r.text).toBe(200)
    expect(r.body).toMatchObject({ ...ELOISE, purpose: 'callback', offline: false })
    expect(Date.parse(r.body.deliveredAt)).toBeGreaterThan(Date.now() - 60_000)

    const rows = await accessRows(eloiseRequest.id)
    expect(rows.length).toBe(before + 1)
    const row = rows.at(-1)!
    expect(row).toMatchObject({
      agent_id: 'agent-zoe.agent',
      request_id: eloiseRequest.id,
      citizen_id: ELOISE.id,
      action: 'contact_delivered',
      purpose: 'callback',
      client_id: zoe.clientId,
      workstation: 'PC-ACCUEIL-01',
      source: 'server',
    })
    const events = await historyOf(eloiseRequest.id, 'viewed_personal_data')
    const event = events.find((e) => e.mutation_id === row.id)!
    expect(JSON.parse(event.data)).toEqual({ purpose: 'callback' })
    expect(event.actor_id).toBe('agent-zoe.agent')

    // The lead's console hears of it: the request comes back with the event, no contact details.
    const next = await feed(luc, cursor)
    const entity = entitiesOf(next.changes).find((e) => e.request.id === eloiseRequest.id)!
    expect(
      entity.history.some((h) => h.kind === 'viewed_personal_data' && h.data.purpose === 'callback'),
    ).toBe(true)
    for (const value of [ELOISE.email, ELOISE.phone, ELOISE.postalAddress])
      expect(next.text).not.toContain(value)
  })

  it('refuses a technician (403), a purpose outside the list (400), other teams and unknown requests (404)', async () => {
    const tom = await agent('tom.tech')
    const zoe = await agent('zoe.agent')
    const nora = await agent('nora.agent')
    const before = (await accessRows(eloiseRequest.id)).length
    const ask = (a: Agent, id: string, purpose: string) =>
      a.call('POST', `/requests/${id}/citizen-contact`, { purpose, clientId: a.clientId })
    const refused = await ask(tom, eloiseRequest.id, 'intervention')
    expect(refused.status).toBe(403)
    expect(refused.text).not.toContain(ELOISE.email)
    expect((await ask(tom, 'no-such-request', 'intervention')).status).toBe(403)
    expect((await ask(zoe, eloiseRequest.id, 'curiosity')).status).toBe(400)
    expect((await ask(nora, eloiseRequest.id, 'callback')).status).toBe(404)
    expect((await ask(zoe, otherTeamRequest.id, 'callback')).status).toBe(404)
    expect((await ask(zoe, 'no-such-request', 'callback')).status).toBe(404)
    const none = await ask(zoe, anonymousRequest, 'callback')
    expect(none.status).toBe(409)
    expect((none.body as { error: { message: string } }).error.message).toMatch(/usager/)
    expect((await accessRows(eloiseRequest.id)).length).toBe(before)
    expect(await accessRows(anonymousRequest)).toEqual([])
    // The DPO reads every team's citizens.
    const dpo = await agent('dina.dpo')
    expect((await ask(dpo, otherTeamRequest.id, 'identity_check')).status).toBe(200)
  })
})

describe(`reads made offline on ${TEST_STORE}`, () => {
  it('are logged once each, however often uploaded, with a history event the console can link', async () => {
    const zoe = await agent('zoe.agent')
    const at = new Date(Date.now() - 3600_000).toISOString()
    const entries = [
      {
        id: randomUUID(),
        at,
        requestId: eloiseRequest.id,
        citizenId: ELOISE.id,
        purpose: 'written_reply',
        clientId: zoe.clientId,
        action: 'contact_read_offline',
      },
      {
        id: randomUUID(),
        at,
        requestId: eloiseRequest.id,
        citizenId: ELOISE.id,
        purpose: null,
        clientId: zoe.clientId,
        action: 'contact_read_local',
      },
    ]
    const refused = [
      // Another team's request.
      {
        ...entries[0]!,
        id: randomUUID(),
        requestId: otherTeamRequest.id,
        citizenId: otherTeamRequest.citizenId,
      },
      // Ahead of the server's clock by an hour.
      { ...entries[0]!, id: randomUUID(), at: new Date(Date.now() + 3600_000).toISOString() },
      // Another citizen than the request's.
      { ...entries[0]!, id: randomUUID(), citizenId: otherTeamRequest.citizenId },
      // An unknown request.
      { ...entries[0]!, id: randomUUID(), requestId: 'no-such-request' },
    ]
    const first = await zoe.call<{ accepted: string[] }>('POST', '/access-log', {
      entries: [...entries, ...refused],
    })
    expect(first.status, first.text).toBe(200)
    expect(first.body.accepted.sort()).toEqual(entries.map((e) => e.id).sort())
    const again = await zoe.call<{ accepted: string[] }>('POST', '/access-log', { entries })
    expect(again.body.accepted.sort()).toEqual(entries.map((e) => e.id).sort())

    const sql = world.server.store.sql
    for (const e of entries) {
      const rows = await sql.all<Record<string, unknown>>(
        'SELECT agent_id, citizen_id, action, purpose, source, at FROM citizen_access_log WHERE id = ?',
        [e.id],
      )
      expect(rows).toEqual([
        {
          agent_id: 'agent-zoe.agent',
          citizen_id: ELOISE.id,
          action: e.action,
          purpose: e.purpose,
          source: 'console',
          at: Date.parse(at),
        },
      ])
      const events = (await historyOf(eloiseRequest.id, 'viewed_personal_data')).filter(
        (h) => h.mutation_id === e.id,
      )
      expect(events.length).toBe(1)
      expect(JSON.parse(events[0]!.data)).toMatchObject({ purpose: e.purpose })
    }
    for (const e of refused)
      expect(await sql.all('SELECT id FROM citizen_access_log WHERE id = ?', [e.id])).toEqual([])
    // Malformed uploads are refused whole.
    expect((await zoe.call('POST', '/access-log', { entries: [] })).status).toBe(400)
    expect(
      (await zoe.call('POST', '/access-log', { entries: [{ ...entries[0], action: 'erase' }] })).status,
    ).toBe(400)
  })
})

describe(`the access log for the DPO on ${TEST_STORE}`, () => {
  const T = Date.UTC(2026, 0, 10, 9)
  const CIT = 'cit-log-test'
  beforeAll(async () => {
    const sql = world.server.store.sql
    const row = (id: string, at: number, agentId: string, citizenId = CIT) => ({
      id,
      at,
      recordedAt: at,
      agentId,
      agentName: null,
      requestId: eloiseRequest.id,
      citizenId,
      action: 'contact_delivered' as const,
      purpose: 'callback' as const,
      clientId: 'poste-log',
      workstation: 'PC-LOG',
      source: 'server' as const,
    })
    // Two entries share a time: the pages still go through each exactly once.
    for (const r of [
      row('log-a', T, 'agent-zoe.agent'),
      row('log-b', T + 1000, 'agent-luc.lead'),
      row('log-c', T + 2000, 'agent-zoe.agent'),
      row('log-d', T + 2000, 'agent-zoe.agent'),
      row('log-e', T + 3000, 'agent-luc.lead'),
      row('log-f', T + 4000, 'agent-zoe.agent', 'cit-other-log'),
    ])
      await appendAccess(sql, r)
  })

  it('filters by citizen, agent and time, joins the reference and the agent’s name', async () => {
    const dpo = await agent('dina.dpo')
    const q = async (query: string) => {
      const r = await dpo.call<AccessLogPage>('GET', `/privacy/access-log?${query}`)
      expect(r.status, r.text).toBe(200)
      return r.body
    }
    const byCitizen = await q(`citizenId=${CIT}`)
    expect(byCitizen.entries.map((e) => e.id)).toEqual(['log-e', 'log-d', 'log-c', 'log-b', 'log-a'])
    expect(byCitizen.next).toBeNull()
    expect(byCitizen.entries[0]).toMatchObject({
      agentId: 'agent-luc.lead',
      agentName: 'Luc Henrion',
      requestId: eloiseRequest.id,
      requestReference: eloiseRequest.reference,
      citizenId: CIT,
      action: 'contact_delivered',
      purpose: 'callback',
      workstation: 'PC-LOG',
      source: 'server',
      at: new Date(T + 3000).toISOString(),
    })
    expect((await q(`citizenId=${CIT}&agentId=agent-zoe.agent`)).entries.map((e) => e.id)).toEqual([
      'log-d',
      'log-c',
      'log-a',
    ])
    const from = new Date(T + 1000).toISOString()
    const to = new Date(T + 2000).toISOString()
    expect((await q(`citizenId=${CIT}&from=${from}&to=${to}`)).entries.map((e) => e.id)).toEqual([
      'log-d',
      'log-c',
      'log-b',
    ])
    expect(
      (
        await q(
          `agentId=agent-zoe.agent&from=${new Date(T + 4000).toISOString()}&to=${new Date(T + 4000).toISOString()}`,
        )
      ).entries.map((e) => e.id),
    ).toEqual(['log-f'])
    // Everything, newest first: the entries the other tests wrote just now come before.
    const all = await q('limit=500')
    expect(all.entries.length).toBeGreaterThanOrEqual(6)
    const ats = all.entries.map((e) => Date.parse(e.at))
    expect([...ats].sort((a, b) => b - a)).toEqual(ats)
  })

  it('pages over (time, id) without losing or repeating an entry', async () => {
    const dpo = await agent('dina.dpo')
    const seen: string[] = []
    let before: string | null = null
    for (let i = 0; i < 10; i++) {
      const query: string = `citizenId=${CIT}&limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`
      const page = await dpo.call<AccessLogPage>('GET', `/privacy/access-log?${query}`)
      expect(page.status, page.text).toBe(200)
      expect(page.body.entries.length).toBeLessThanOrEqual(2)
      seen.push(...page.body.entries.map((e) => e.id))
      before = page.body.next
      if (!before) break
    }
    expect(seen).toEqual(['log-e', 'log-d', 'log-c', 'log-b', 'log-a'])
    expect((await dpo.call('GET', '/privacy/access-log?before=not-a-cursor')).status).toBe(400)
  })

  it('is the DPO’s alone', async () => {
    for (const login of ['zoe.agent', 'luc.lead', 'sara.sup', 'alex.admin', 'tom.tech']) {
      const a = await agent(login)
      const r = await a.call('GET', `/privacy/access-log?citizenId=${CIT}`)
      expect([login, r.status]).toEqual([login, 403])
      expect(r.text).not.toContain('log-a')
    }
  })
})

describe(`an erasure reaching the consoles on ${TEST_STORE}`, () => {
  /** What WP2's erasure writes, done by hand: the register, the citizen, then the request. */
  async function eraseByHand(citizenId: string, requestIds: string[], at: number) {
    const db = world.server.store.sql
    await db.transaction(async (tx) => {
      const changes = new ChangeSet()
      await tx.run(
        `INSERT INTO privacy_erasures (id, citizen_id, at, actor_id, reason, request_ids, held_request_ids)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [
          randomUUID(),
          citizenId,
          at,
          'agent-dina.dpo',
          'demande de l’usager',
          JSON.stringify(requestIds),
          '[]',
        ],
      )
      await tx.run(
        "UPDATE citizens SET name = 'Usager anonymisé', email = NULL, phone = NULL, postal_address = NULL, contact_preference = 'none', erased_at = ? WHERE id = ?",
        [at, citizenId],
      )
      changes.citizen(citizenId)
      for (const id of requestIds) {
        await tx.run('UPDATE requests SET citizen_id = NULL, anonymised_at = ? WHERE id = ?', [at, id])
        const team = (await tx.get<{ team_id: string }>('SELECT team_id FROM requests WHERE id = ?', [id]))!
        changes.request(id, team.team_id)
      }
      await changes.publish(db, tx)
    })
  }

  it('tells each console which of its requests to scrub, and nothing of the others', async () => {
    const sql = world.server.store.sql
    const victim = await sql.get<{ id: string; citizen_id: string; team_id: string }>(
      `SELECT id, citizen_id, team_id FROM requests
       WHERE team_id = 'voirie-nord' AND citizen_id IS NOT NULL AND citizen_id <> ? ORDER BY id LIMIT 1`,
      [ELOISE.id],
    )
    expect(victim).toBeDefined()
    // Every request of that citizen, whatever its team.
    const theirs = (
      await sql.all<{ id: string; team_id: string }>(
        'SELECT id, team_id FROM requests WHERE citizen_id = ?',
        [victim!.citizen_id],
      )
    ).map((r) => r)
    const zoe = await agent('zoe.agent')
    const nora = await agent('nora.agent')
    const dpo = await agent('dina.dpo')
    const cursors = {
      zoe: (await feed(zoe)).cursor,
      nora: (await feed(nora)).cursor,
      dpo: (await feed(dpo)).cursor,
    }
    const at = Date.now()
    await eraseByHand(
      victim!.citizen_id,
      theirs.map((r) => r.id),
      at,
    )
    const erasedFor = async (a: Agent, since: number) => {
      const { changes } = await feed(a, since)
      const erased = changes.filter((c) => c.type === 'citizen_erased')
      expect(erased.length).toBe(1)
      const change = erased[0]! as Extract<ChangesReply['changes'][number], { type: 'citizen_erased' }>
      expect(change.citizenId).toBe(victim!.citizen_id)
      expect(change.erasedAt).toBe(at)
      // The anonymised requests follow, later in the feed, nobody named.
      for (const e of entitiesOf(changes.filter((c) => c.seq > change.seq)))
        if (change.requestIds.includes(e.request.id)) expect(e.citizenRef ?? null).toBeNull()
      return change.requestIds.sort()
    }
    const zoeTeams = ['voirie', 'voirie-nord']
    expect(await erasedFor(zoe, cursors.zoe)).toEqual(
      theirs
        .filter((r) => zoeTeams.includes(r.team_id))
        .map((r) => r.id)
        .sort(),
    )
    expect(await erasedFor(nora, cursors.nora)).toEqual(
      theirs
        .filter((r) => r.team_id === 'eclairage')
        .map((r) => r.id)
        .sort(),
    )
    expect(await erasedFor(dpo, cursors.dpo)).toEqual(theirs.map((r) => r.id).sort())
  })

  it('refuses text written offline before the request was anonymised, and only that', async () => {
    const zoe = await agent('zoe.agent')
    const sql = world.server.store.sql
    const row = (await sql.get<{ id: string; version: number }>(
      `SELECT id, version FROM requests WHERE team_id = 'voirie' AND id <> ? AND anonymised_at IS NULL ORDER BY id LIMIT 1`,
      [eloiseRequest.id],
    ))!
    const anonymisedAt = Date.now()
    await sql.run('UPDATE requests SET anonymised_at = ? WHERE id = ?', [anonymisedAt, row.id])
    const before = anonymisedAt - 3600_000
    const base = { clientId: zoe.clientId, entityId: row.id, baseVersion: row.version }
    const queued: Mutation[] = [
      comment(zoe, row.id, row.version, before, 'Mme Quintavalle rappelle au 06 98 76 54 32'),
      {
        ...base,
        mutationId: randomUUID(),
        createdAt: before,
        op: 'update',
        payload: { description: 'Éloïse Quintavalle' },
      },
      {
        ...base,
        mutationId: randomUUID(),
        createdAt: before,
        op: 'update',
        payload: { title: 'Chez Quintavalle' },
      },
      {
        ...base,
        mutationId: randomUUID(),
        createdAt: before,
        op: 'update',
        payload: { address: ELOISE.postalAddress },
      },
      // No free text: applied as usual.
      { ...base, mutationId: randomUUID(), createdAt: before, op: 'update', payload: { priority: 'high' } },
      // Written after the anonymisation: applied.
      comment(zoe, row.id, row.version, anonymisedAt + 1000, 'Intervention programmée.'),
    ]
    const results = await push(zoe, queued)
    expect(results.map((r) => [r.status, r.status === 'rejected' ? r.code : null])).toEqual([
      ['rejected', 'citizen_erased'],
      ['rejected', 'citizen_erased'],
      ['rejected', 'citizen_erased'],
      ['rejected', 'citizen_erased'],
      ['applied', null],
      ['applied', null],
    ])
    const rejected = results[0] as Extract<MutationResult, { status: 'rejected' }>
    expect(rejected.reason).toMatch(/effacées/)
    const stored = await sql.get<{ title: string; description: string; address: string | null }>(
      'SELECT title, description, address FROM requests WHERE id = ?',
      [row.id],
    )
    expect(JSON.stringify(stored)).not.toContain('Quintavalle')
    const comments = await sql.all<{ body: string }>('SELECT body FROM comments WHERE request_id = ?', [
      row.id,
    ])
    expect(comments.map((c) => c.body)).toContain('Intervention programmée.')
    expect(JSON.stringify(comments)).not.toContain('Quintavalle')
    const outcomes = await sql.all<{ outcome: string }>(
      `SELECT outcome FROM applied_mutations WHERE mutation_id IN (${queued.map(() => '?').join(', ')})`,
      queued.map((m) => m.mutationId),
    )
    expect(JSON.stringify(outcomes)).not.toContain('Quintavalle')
    // Sent again (a lost answer): the same refusal.
    const again = await push(zoe, [queued[0]!])
    expect(again[0]).toMatchObject({ status: 'rejected', code: 'citizen_erased' })
  })

  it('after the DPO’s erasure: the consoles hear of it, contacts and older text are refused', async () => {
    const zoe = await agent('zoe.agent')
    const dpo = await agent('dina.dpo')
    const { cursor } = await feed(zoe)
    const { version } = (await world.server.store.sql.get<{ version: number }>(
      'SELECT version FROM requests WHERE id = ?',
      [eloiseRequest.id],
    ))!
    const writtenOffline = Date.now() - 60_000
    const erased = await dpo.call('POST', `/privacy/citizens/${ELOISE.id}/erase`, {
      reason: 'demande de l’usager',
    })
    expect(erased.status, erased.text).toBe(200)

    const { text, changes } = await feed(zoe, cursor)
    const change = changes.find((c) => c.type === 'citizen_erased')
    expect(change).toMatchObject({ citizenId: ELOISE.id })
    expect((change as { requestIds: string[] }).requestIds).toContain(eloiseRequest.id)
    const after = changes.filter((c) => c.seq > change!.seq)
    expect(entitiesOf(after).find((e) => e.request.id === eloiseRequest.id)?.citizenRef ?? null).toBeNull()
    for (const value of [ELOISE.name, ELOISE.email, ELOISE.phone, ELOISE.postalAddress])
      expect(text).not.toContain(value)

    const contact = await zoe.call('POST', `/requests/${eloiseRequest.id}/citizen-contact`, {
      purpose: 'callback',
      clientId: zoe.clientId,
    })
    expect(contact.status).toBe(409)
    expect(contact.text).not.toContain(ELOISE.email)
    const [late] = await push(zoe, [
      comment(zoe, eloiseRequest.id, version, writtenOffline, 'Rappeler Éloïse Quintavalle'),
    ])
    expect(late).toMatchObject({ status: 'rejected', code: 'citizen_erased' })
  })
})
