/**
 * The DPO's rights over HTTP, on SQLite and PostgreSQL: finding a citizen whatever the
 * spelling (case, accents, a typo, the e-mail, the phone in any format), the file and the
 * subject access export (everything of one citizen, nothing of another), rectification,
 * erasure with a legal hold (the held request kept and listed, the others anonymised and
 * their free text redacted), each logged; nobody but the DPO gets in; and on SQLite, once a
 * citizen is erased, neither their name nor their e-mail is left in the server's files.
 *
 * The test citizens have names, e-mails and phones of their own: the demo's citizens are
 * drawn from a small pool of names, which repeat.
 */
import { existsSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accessTokenOf } from '../support/passwordLogin'
import type { SessionInfo } from '../../src/shared/contract'
import type { Citizen } from '../../src/shared/domain'
import {
  CitizenFile,
  CitizenSearchReply,
  ErasureResult,
  LegalHoldReply,
  RectifyReply,
  SubjectAccessExport,
  type CitizenMatch,
} from '../../src/shared/privacy'
import { addMonths } from '../../src/core/privacy/retention'
import { REDACTED } from '../../src/core/privacy/text'
import { TEST_STORE } from '../support/serverStore'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let dpo: string
let agent: string

/** Malzéville, in the Nord sector (voirie-nord). */
const IN_NORD = { lat: 48.71845, lon: 6.17886 }

type NewCitizen = Omit<Citizen, 'id'>

const ELOISE: NewCitizen = {
  name: 'Éloïse Quintavalle',
  email: 'eloise.quintavalle@example.net',
  phone: '+33 7 61 42 58 93',
  postalAddress: '17 rue des Capucins, 54000 Nancy',
  contactPreference: 'email',
}
const BERENICE: NewCitizen = {
  name: 'Bérénice Zwarthoed',
  email: 'berenice.zwarthoed@example.net',
  phone: '07 53 18 64 20',
  postalAddress: '3 impasse du Verger, 54130 Saint-Max',
  contactPreference: 'phone',
}

async function token(login: string): Promise<string> {
  return accessTokenOf(world.url, login, `privacy-${login}`)
}

async function call<T>(
  accessToken: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T; text: string }> {
  const r = await fetch(`${world.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${accessToken}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  })
  const text = await r.text()
  return { status: r.status, body: (text ? JSON.parse(text) : null) as T, text }
}

const search = async (q: string) => {
  const r = await call<{ matches: CitizenMatch[] }>(
    dpo,
    'GET',
    `/privacy/citizens?${new URLSearchParams({ q })}`,
  )
  expect(r.status, q).toBe(200)
  // What the console's transport checks every answer against.
  return CitizenSearchReply.parse(r.body).matches
}

/**
 * A citizen's request through the portal; `sameAs`: another request of the citizen of that
 * one (a portal makes a new citizen each time).
 */
async function requestOf(citizen: NewCitizen, description: string, sameAs?: { citizenId: string | null }) {
  const r = await world.server.store.createCitizenRequest({
    categoryId: 'voirie',
    subcategory: 'Nid-de-poule',
    description,
    location: IN_NORD,
    address: citizen.postalAddress ?? '1 place de la Mairie, 54220 Malzéville',
    citizen: sameAs ? null : citizen,
    portal: 'portail',
  })
  if (!sameAs) return r
  await world.server.store.sql.run('UPDATE requests SET citizen_id = ? WHERE id = ?', [
    sameAs.citizenId,
    r.id,
  ])
  return { ...r, citizenId: sameAs.citizenId }
}

/** Comments (public and internal), an edit, a transition note and a conflict answer naming the citizen. */
async function annotate(requestId: string, c: NewCitizen, tag: string) {
  const sql = world.server.store.sql
  const at = Date.now()
  await sql.run(
    `INSERT INTO comments (id, request_id, kind, body, author_id, author_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      `${tag}-public`,
      requestId,
      'public',
      `Bonjour ${c.name}, nous passons demain.`,
      'agent-zoe.agent',
      'Zoé',
      at,
    ],
  )
  await sql.run(
    `INSERT INTO comments (id, request_id, kind, body, author_id, author_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      `${tag}-internal`,
      requestId,
      'internal',
      `Rappeler au ${c.phone} (${c.email})`,
      'agent-zoe.agent',
      'Zoé',
      at,
    ],
  )
  await sql.run(
    `INSERT INTO history_events (request_id, kind, at, actor_id, actor_name, data, mutation_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      requestId,
      'edited',
      at,
      'agent-zoe.agent',
      'Zoé',
      JSON.stringify({ field: 'description', from: `vu par ${c.name.toUpperCase()}`, to: 'vu' }),
      null,
    ],
  )
  await sql.run(
    `INSERT INTO history_events (request_id, kind, at, actor_id, actor_name, data, mutation_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      requestId,
      'assigned',
      at,
      'agent-luc.lead',
      'Luc Lead',
      JSON.stringify({ from: null, to: 'agent-zoe.agent' }),
      null,
    ],
  )
  await sql.run('UPDATE requests SET fields = ? WHERE id = ?', [
    JSON.stringify({ resolutionNote: `Réponse envoyée à ${c.email}` }),
    requestId,
  ])
  await sql.run(
    `INSERT INTO applied_mutations (mutation_id, client_id, agent_id, request_id, op, status, outcome, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      `${tag}-mutation`,
      'poste-1',
      'agent-zoe.agent',
      requestId,
      'update',
      'conflict',
      JSON.stringify({
        status: 'conflict',
        theirs: [
          { field: 'description', value: `Mme ${c.name} a rappelé`, actorName: 'Luc', at, version: 2 },
        ],
      }),
      at,
    ],
  )
}

const accessActions = async (citizenId: string) =>
  (
    await world.server.store.sql.all<{ action: string }>(
      'SELECT action FROM citizen_access_log WHERE citizen_id = ? ORDER BY at, action',
      [citizenId],
    )
  ).map((r) => r.action)

const citizenIdOf = async (requestId: string) =>
  (await world.server.store.sql.get<{ citizen_id: string | null }>(
    'SELECT citizen_id FROM requests WHERE id = ?',
    [requestId],
  ))!.citizen_id

beforeAll(async () => {
  world = await openSyncWorld({ requests: 40 })
  dpo = await token('dina.dpo')
  agent = await token('zoe.agent')
})
afterAll(async () => world?.close())

describe(`the DPO's search on ${TEST_STORE}`, () => {
  let eloiseId: string
  let bereniceId: string
  beforeAll(async () => {
    eloiseId = (await requestOf(ELOISE, 'Un trou.')).citizenId!
    bereniceId = (await requestOf(BERENICE, 'Un autre trou.')).citizenId!
  })

  it('finds a citizen whatever the case, the accents, the order and a typo', async () => {
    for (const q of [
      'quintavalle',
      'ÉLOÏSE QUINTAVALLE',
      'eloise quintavalle',
      'Quintavalle Éloïse',
      'eloise quintavale',
      'Éloise Qintavalle',
      'quinta',
    ])
      expect([q, (await search(q))[0]?.id]).toEqual([q, eloiseId])
    const [best] = await search('Eloïse Quintavalle')
    expect(best).toMatchObject({
      id: eloiseId,
      name: ELOISE.name,
      email: ELOISE.email,
      phone: ELOISE.phone,
      requestCount: 1,
      lastRequestAt: expect.any(String),
      erasedAt: null,
    })
    expect(best!.score).toBeGreaterThan(0.9)
    expect((await search('zwarthod')).map((m) => m.id)).toContain(bereniceId)
  })

  it('finds a citizen by e-mail and by phone in any format, and not the other one', async () => {
    expect((await search('ELOISE.Quintavalle@example.net'))[0]).toMatchObject({ id: eloiseId, score: 1 })
    for (const q of [
      '07 61 42 58 93',
      '0761425893',
      '+33761425893',
      '+33 (0)7 61 42 58 93',
      '0033 7 61 42 58 93',
      '07.61.42.58.93',
    ]) {
      const matches = await search(q)
      expect([q, matches[0]?.id, matches[0]?.score]).toEqual([q, eloiseId, 1])
      expect(matches.map((m) => m.id)).not.toContain(bereniceId)
    }
    expect((await search('+33 7 53 18 64 20'))[0]?.id).toBe(bereniceId)
    // The start of a number.
    expect((await search('07 53 18')).map((m) => m.id)).toContain(bereniceId)
    expect(await search('Xyzzyqwv Plughfrotz')).toEqual([])
  })

  it('logs nothing of a search, its terms least of all', async () => {
    const before = await world.server.store.sql.get<{ n: number }>(
      'SELECT count(*) AS n FROM citizen_access_log',
    )
    await search('Quintavalle')
    const after = await world.server.store.sql.get<{ n: number }>(
      'SELECT count(*) AS n FROM citizen_access_log',
    )
    expect(Number(after!.n)).toBe(Number(before!.n))
    const texts = await world.server.store.sql.all<Record<string, unknown>>(
      'SELECT * FROM citizen_access_log',
    )
    expect(JSON.stringify(texts)).not.toMatch(/quintavalle/i)
  })

  it('checks its input', async () => {
    expect((await call(dpo, 'GET', '/privacy/citizens?q=a')).status).toBe(400)
    expect((await call(dpo, 'GET', '/privacy/citizens')).status).toBe(400)
    expect((await call(dpo, 'GET', '/privacy/citizens?q=martin&limit=0')).status).toBe(400)
    const limited = await call<{ matches: CitizenMatch[] }>(dpo, 'GET', '/privacy/citizens?q=ma&limit=3')
    expect(limited.status).toBe(200)
    expect(limited.body.matches.length).toBeLessThanOrEqual(3)
  })
})

describe(`the file and the subject access export on ${TEST_STORE}`, () => {
  const ALICE: NewCitizen = {
    name: 'Ottilie Brzezinska',
    email: 'ottilie.brzezinska@example.net',
    phone: '07 44 21 90 37',
    postalAddress: '8 rue Saint-Dizier, 54000 Nancy',
    contactPreference: 'email',
  }
  const BOB: NewCitizen = {
    name: 'Anatole Vanderplaetsen',
    email: 'anatole.vdp@example.net',
    phone: '07 12 98 45 36',
    postalAddress: '40 avenue Foch, 54000 Nancy',
    contactPreference: 'phone',
  }

  it('gives the DPO everything of the citizen, logs it, and nothing of another citizen', async () => {
    const a1 = await requestOf(ALICE, `Mme ${ALICE.name} signale un trou.`)
    const a2 = await requestOf(ALICE, 'Encore un trou.', a1)
    const b1 = await requestOf(BOB, `M. ${BOB.name} signale un trou.`)
    await annotate(a1.id, ALICE, 'alice-1')
    await annotate(b1.id, BOB, 'bob-1')
    const aliceId = a1.citizenId!
    // The second one closed on 15 January 2026: its retention dates follow from the policy.
    const closedAt = Date.UTC(2026, 0, 15, 10)
    await world.server.store.sql.run(
      "UPDATE requests SET status_kind = 'closed', status = 'closed', closed_at = ? WHERE id = ?",
      [closedAt, a2.id],
    )
    // Partners that may read requests: the one whose limits cover hers is a recipient.
    const store = world.server.store
    await store.createApiAccount({ name: 'Régie voirie', scopes: ['requests:read'], categoryIds: ['voirie'] })
    await store.createApiAccount({
      name: 'Régie piscines',
      scopes: ['requests:read'],
      categoryIds: ['piscines'],
    })
    await store.createApiAccount({ name: 'Portail bis', scopes: ['open311:submit'] })
    const revoked = await store.createApiAccount({ name: 'Ancienne régie', scopes: ['requests:read'] })
    await store.revokeApiAccount(revoked.account.id)

    const file = await call<CitizenFile>(dpo, 'GET', `/privacy/citizens/${aliceId}`)
    expect(file.status).toBe(200)
    CitizenFile.parse(file.body)
    expect(file.body.citizen).toEqual({ id: aliceId, ...ALICE, erasedAt: null })
    expect(file.body.requests.map((r) => r.id)).toEqual([a1.id, a2.id])
    const first = file.body.requests[0]!
    expect(first.comments.map((c) => c.kind).sort()).toEqual(['internal', 'public'])
    expect(first.history.map((h) => h.kind)).toEqual(expect.arrayContaining(['created', 'edited']))
    expect(first.legalHold).toBeNull()
    // The DPO's screen shows who looked: the file itself, logged with the DPO's name.
    expect(file.body.accesses[0]).toMatchObject({
      action: 'dpo_view',
      agentName: expect.any(String),
      citizenId: aliceId,
    })
    expect(file.text).not.toContain(BOB.name)
    expect(file.text).not.toContain(BOB.email!)

    const exported = await call<SubjectAccessExport>(dpo, 'GET', `/privacy/citizens/${aliceId}/export`)
    expect(exported.status).toBe(200)
    const e = SubjectAccessExport.parse(exported.body)
    expect(e.format).toBe('grc-subject-access/1')
    expect(e.citizen).toEqual({ id: aliceId, ...ALICE, erasedAt: null })
    expect(e.requests.map((r) => r.reference)).toEqual([a1.reference, a2.reference])
    const r1 = e.requests[0]!
    expect(r1).toMatchObject({
      channel: 'open311',
      category: expect.any(String),
      team: expect.any(String),
      description: `Mme ${ALICE.name} signale un trou.`,
      address: ALICE.postalAddress,
      location: IN_NORD,
      fields: { resolutionNote: `Réponse envoyée à ${ALICE.email}` },
      legalHold: false,
      retention: { anonymiseOn: null, deleteOn: null },
      attachments: [],
    })
    const months = e.retentionPolicy.anonymiseAfterClosedMonths
    expect(e.requests[1]!.retention).toEqual({
      anonymiseOn: months === null ? null : new Date(addMonths(closedAt, months)).toISOString(),
      deleteOn: null,
    })
    expect(r1.comments.map((c) => c.body).sort()).toEqual(
      [`Bonjour ${ALICE.name}, nous passons demain.`, `Rappeler au ${ALICE.phone} (${ALICE.email})`].sort(),
    )
    expect(r1.history.map((h) => h.kind)).toEqual(expect.arrayContaining(['created', 'routed', 'edited']))
    // Accesses: when, what and why; never who (CJEU C-579/21).
    expect(e.accesses.map((a) => a.action)).toEqual(expect.arrayContaining(['dpo_view', 'export']))
    for (const a of e.accesses) expect(Object.keys(a).sort()).toEqual(['action', 'at', 'purpose', 'service'])
    expect(e.purposes.length).toBeGreaterThan(0)
    for (const p of e.purposes) expect(p.legalBasis).toMatch(/RGPD art\. 6/)
    expect(e.recipients).toContainEqual({ kind: 'team', name: expect.any(String) })
    expect(e.recipients.filter((r) => r.kind === 'api_account').map((r) => r.name)).toEqual(['Régie voirie'])
    expect(e.retentionPolicy).toMatchObject({ keepInternalComments: expect.any(Boolean) })
    // Nothing of the other citizen, nor any other citizen's name.
    for (const s of [BOB.name, BOB.email!, BOB.phone!, 'Vanderplaetsen', b1.reference])
      expect(exported.text).not.toContain(s)
    const others = await world.server.store.sql.all<{ name: string }>(
      'SELECT DISTINCT name FROM citizens WHERE id <> ?',
      [aliceId],
    )
    expect(others.length).toBeGreaterThan(5)
    for (const { name } of others) expect([name, exported.text.includes(name)]).toEqual([name, false])
    // Nor the agents' names (the demo's agents, the DPO who exported).
    for (const who of ['Zoé', 'Dina', 'Luc', 'agent-zoe.agent', 'agent-luc.lead', 'agent-dina.dpo'])
      expect([who, exported.text.includes(who)]).toEqual([who, false])
    expect(r1.history.find((h) => h.kind === 'assigned')).toMatchObject({
      data: { from: null, to: expect.any(String) },
      actor: expect.any(String),
    })

    // Written in each request's history and fed to the consoles.
    for (const id of [a1.id, a2.id]) {
      const kinds = await world.server.store.sql.all<{ kind: string }>(
        'SELECT kind FROM history_events WHERE request_id = ? ORDER BY id',
        [id],
      )
      expect(kinds.at(-1)!.kind).toBe('exported')
    }
    expect(await accessActions(aliceId)).toEqual(['dpo_view', 'export'])
    expect(await accessActions(b1.citizenId!)).toEqual([])
  })

  it('answers 404 for an unknown citizen', async () => {
    expect((await call(dpo, 'GET', '/privacy/citizens/nobody')).status).toBe(404)
    expect((await call(dpo, 'GET', '/privacy/citizens/nobody/export')).status).toBe(404)
    expect((await call(dpo, 'POST', '/privacy/citizens/nobody/erase', { reason: 'demande' })).status).toBe(
      404,
    )
    expect((await call(dpo, 'PUT', '/privacy/requests/nothing/legal-hold', { reason: 'x' })).status).toBe(404)
  })
})

describe(`rectification on ${TEST_STORE}`, () => {
  it('corrects the fields given, re-indexes the search, and writes only field names in history', async () => {
    const c: NewCitizen = {
      name: 'Philippine Ghesquière',
      email: 'p.ghesquiere@example.net',
      phone: '07 31 72 84 56',
      postalAddress: null,
      contactPreference: 'email',
    }
    const r = await requestOf(c, 'Un trou.')
    const id = r.citizenId!
    const done = await call<RectifyReply>(dpo, 'POST', `/privacy/citizens/${id}/rectify`, {
      name: 'Philippine Ghesquière-Lambrecht',
      email: 'philippine.lambrecht@example.net',
      reason: 'demande de l’usager du 3 mars',
    })
    expect(done.status).toBe(200)
    RectifyReply.parse(done.body)
    expect(done.body.citizen).toEqual({
      id,
      ...c,
      name: 'Philippine Ghesquière-Lambrecht',
      email: 'philippine.lambrecht@example.net',
      erasedAt: null,
    })
    expect(
      await world.server.store.sql.get('SELECT name, email, phone FROM citizens WHERE id = ?', [id]),
    ).toEqual({
      name: 'Philippine Ghesquière-Lambrecht',
      email: 'philippine.lambrecht@example.net',
      phone: c.phone,
    })
    expect((await search('philippine lambrecht'))[0]?.id).toBe(id)
    expect((await search('PHILIPPINE.LAMBRECHT@example.net'))[0]).toMatchObject({ id, score: 1 })
    expect((await search('p.ghesquiere@example.net'))[0]?.score ?? 0).toBeLessThan(1)
    const edited = await world.server.store.sql.get<{ data: string; actor_id: string }>(
      "SELECT data, actor_id FROM history_events WHERE request_id = ? AND kind = 'edited' ORDER BY id DESC",
      [r.id],
    )
    expect(JSON.parse(edited!.data)).toEqual({ citizen: true, fields: ['name', 'email'] })
    expect(edited!.actor_id).toBe('agent-dina.dpo')
    expect(await accessActions(id)).toEqual(['rectify'])
    // Refused: nothing to change, an unknown citizen.
    expect((await call(dpo, 'POST', `/privacy/citizens/${id}/rectify`, { reason: 'x' })).status).toBe(400)
    expect(
      (await call(dpo, 'POST', '/privacy/citizens/nobody/rectify', { name: 'X', reason: 'x' })).status,
    ).toBe(404)
  })
})

describe(`erasure and legal holds on ${TEST_STORE}`, () => {
  const GASPARD: NewCitizen = {
    name: 'Gaspard Oyelaran-Kiefer',
    email: 'gaspard.oyelaran@example.net',
    phone: '07 66 05 31 82',
    postalAddress: '5 rue de la Visitation, 54000 Nancy',
    contactPreference: 'phone',
  }

  it('keeps and lists the held request, anonymises the others and redacts their free text', async () => {
    const held = await requestOf(GASPARD, `Litige avec M. ${GASPARD.name}.`)
    const free = await requestOf(GASPARD, `M. ${GASPARD.name} (${GASPARD.phone}) signale un trou.`, held)
    await annotate(free.id, GASPARD, 'gaspard-free')
    const citizenId = held.citizenId!

    const hold = await call<LegalHoldReply>(dpo, 'PUT', `/privacy/requests/${held.id}/legal-hold`, {
      reason: 'contentieux en cours',
    })
    expect(hold.status).toBe(200)
    LegalHoldReply.parse(hold.body)
    expect(hold.body).toEqual({
      requestId: held.id,
      legalHold: { reason: 'contentieux en cours', at: expect.any(String), byName: expect.any(String) },
    })
    const seqBefore = Number(
      (await world.server.store.sql.get<{ seq: number }>('SELECT seq FROM change_counter WHERE id = 1'))!.seq,
    )

    const erased = await call<ErasureResult>(dpo, 'POST', `/privacy/citizens/${citizenId}/erase`, {
      reason: 'demande d’effacement reçue le 2 mars',
    })
    expect(erased.status).toBe(200)
    ErasureResult.parse(erased.body)
    expect(erased.body).toEqual({
      citizenId,
      anonymisedRequestIds: [free.id],
      held: [{ id: held.id, reference: held.reference, reason: 'contentieux en cours' }],
      citizenAnonymised: false,
    })

    const sql = world.server.store.sql
    // The held request keeps its citizen and its text.
    expect(await citizenIdOf(held.id)).toBe(citizenId)
    expect(
      (await sql.get<{ description: string }>('SELECT description FROM requests WHERE id = ?', [held.id]))!
        .description,
    ).toContain(GASPARD.name)
    // The other is detached and redacted everywhere.
    const row = await sql.get<Record<string, unknown>>(
      'SELECT citizen_id, anonymised_at, title, description, address, fields, version FROM requests WHERE id = ?',
      [free.id],
    )
    expect(row).toMatchObject({
      citizen_id: null,
      anonymised_at: expect.anything(),
      description: `M. ${REDACTED} (${REDACTED}) signale un trou.`,
      address: REDACTED,
    })
    expect(JSON.parse(row!.fields as string)).toEqual({ resolutionNote: `Réponse envoyée à ${REDACTED}` })
    const comments = await sql.all<{ id: string; kind: string; body: string }>(
      'SELECT id, kind, body FROM comments WHERE request_id = ? ORDER BY id',
      [free.id],
    )
    // Internal comments go (keepInternalComments is false by default); the public one is redacted.
    expect(comments).toEqual([
      { id: 'gaspard-free-public', kind: 'public', body: `Bonjour ${REDACTED}, nous passons demain.` },
    ])
    const history = await sql.all<{ kind: string; data: string }>(
      'SELECT kind, data FROM history_events WHERE request_id = ? ORDER BY id',
      [free.id],
    )
    expect(history.at(-1)).toEqual({ kind: 'anonymised', data: '{}' })
    const outcome = await sql.get<{ outcome: string }>(
      'SELECT outcome FROM applied_mutations WHERE mutation_id = ?',
      ['gaspard-free-mutation'],
    )
    const freeText = JSON.stringify({ row, comments, history, outcome })
    for (const s of [GASPARD.name, 'Oyelaran', GASPARD.email!, GASPARD.phone!, 'OYELARAN'])
      expect(freeText).not.toContain(s)
    expect(outcome!.outcome).toContain(`Mme ${REDACTED} a rappelé`)

    // The citizen stays (a held request needs them), still findable by the DPO.
    expect(await sql.get('SELECT name, erased_at FROM citizens WHERE id = ?', [citizenId])).toEqual({
      name: GASPARD.name,
      erased_at: null,
    })
    // Registered, logged, and fed: the citizen first, then the requests.
    const register = await sql.get<{
      request_ids: string
      held_request_ids: string
      reason: string
      actor_id: string
    }>('SELECT request_ids, held_request_ids, reason, actor_id FROM privacy_erasures WHERE citizen_id = ?', [
      citizenId,
    ])
    expect(register).toEqual({
      request_ids: JSON.stringify([free.id]),
      held_request_ids: JSON.stringify([held.id]),
      reason: 'demande d’effacement reçue le 2 mars',
      actor_id: 'agent-dina.dpo',
    })
    expect(await accessActions(citizenId)).toEqual(['legal_hold', 'erase'])
    const fed = await sql.all<{ entity: string; entity_id: string; seq: number }>(
      'SELECT entity, entity_id, seq FROM change_scope WHERE seq > ? ORDER BY seq',
      [seqBefore],
    )
    expect(fed.map((f) => [f.entity, f.entity_id])).toEqual([
      ['citizen', citizenId],
      ['request', free.id],
      ['request', held.id],
    ])

    // The file shows the hold and the anonymised request is no longer theirs.
    const file = await call<CitizenFile>(dpo, 'GET', `/privacy/citizens/${citizenId}`)
    expect(file.body.requests.map((r) => [r.id, r.legalHold?.reason])).toEqual([
      [held.id, 'contentieux en cours'],
    ])

    // Once the hold is lifted, a second erasure takes the rest and the citizen.
    const lifted = await call<LegalHoldReply>(dpo, 'PUT', `/privacy/requests/${held.id}/legal-hold`, {
      reason: null,
    })
    expect(lifted.body).toEqual({ requestId: held.id, legalHold: null })
    const again = await call<ErasureResult>(dpo, 'POST', `/privacy/citizens/${citizenId}/erase`, {
      reason: 'fin du contentieux',
    })
    expect(again.body).toEqual({
      citizenId,
      anonymisedRequestIds: [held.id],
      held: [],
      citizenAnonymised: true,
    })
    expect(
      await sql.get(
        'SELECT name, email, phone, postal_address, contact_preference FROM citizens WHERE id = ?',
        [citizenId],
      ),
    ).toEqual({
      name: 'Usager anonymisé',
      email: null,
      phone: null,
      postal_address: null,
      contact_preference: 'none',
    })
    expect(await sql.all('SELECT gram FROM citizen_search WHERE citizen_id = ?', [citizenId])).toEqual([])
    expect(await search('Oyelaran-Kiefer')).toEqual([])
    expect(await accessActions(citizenId)).toEqual(['legal_hold', 'erase', 'dpo_view', 'legal_hold', 'erase'])
    // Rectifying an erased citizen: there is nobody left.
    expect(
      (await call(dpo, 'POST', `/privacy/citizens/${citizenId}/rectify`, { name: 'X', reason: 'x' })).status,
    ).toBe(404)
  })

  // PostgreSQL keeps dead tuples (and its WAL) until VACUUM reuses them: only the SQLite files can be checked.
  it.runIf(TEST_STORE === 'sqlite')(
    'leaves neither the name nor the e-mail in the server’s SQLite .db and -wal files (skipped on PostgreSQL: dead tuples stay until VACUUM)',
    async () => {
      const c: NewCitizen = {
        name: 'Séraphine Wojciechowska',
        email: 'seraphine.wojcie@example.net',
        phone: '07 27 38 49 50',
        postalAddress: '2 quai Claude-le-Lorrain, 54000 Nancy',
        contactPreference: 'email',
      }
      const r = await requestOf(c, `Mme ${c.name} signale un trou, joignable au ${c.phone}.`)
      // A rectification rewrites the row first: the old e-mail must leave the files too.
      const old = c.email!
      await call(dpo, 'POST', `/privacy/citizens/${r.citizenId}/rectify`, {
        email: 'seraphine.w2@example.net',
        reason: 'x',
      })
      await annotate(r.id, { ...c, email: 'seraphine.w2@example.net' }, 'seraphine')
      const files = [world.database, `${world.database}-wal`]
      const bytes = () => Buffer.concat(files.filter(existsSync).map((f) => readFileSync(f)))
      const secrets = [c.name, 'Wojciechowska', old, 'seraphine.w2@example.net', c.phone!]
      // Before: the name is in the files (so the check below can see it).
      expect(bytes().includes(Buffer.from('Wojciechowska'))).toBe(true)

      const erased = await call<ErasureResult>(dpo, 'POST', `/privacy/citizens/${r.citizenId}/erase`, {
        reason: 'demande',
      })
      expect(erased.body.citizenAnonymised).toBe(true)
      const after = bytes()
      for (const s of secrets) expect([s, after.includes(Buffer.from(s))]).toEqual([s, false])
    },
  )
})

describe(`who may exercise the rights on ${TEST_STORE}`, () => {
  it('answers 403 to anyone but the DPO, and the store refuses them too', async () => {
    const r = await requestOf(
      {
        name: 'Lisandre Mavrokordatos',
        email: 'lisandre.m@example.net',
        phone: '07 81 92 03 14',
        postalAddress: null,
        contactPreference: 'email',
      },
      'Un trou.',
    )
    const id = r.citizenId!
    for (const login of ['zoe.agent', 'alex.admin', 'luc.lead']) {
      const t = login === 'zoe.agent' ? agent : await token(login)
      for (const [method, path, body] of [
        ['GET', '/privacy/citizens?q=mavrokordatos'],
        ['GET', `/privacy/citizens/${id}`],
        ['GET', `/privacy/citizens/${id}/export`],
        ['POST', `/privacy/citizens/${id}/rectify`, { name: 'X', reason: 'x' }],
        ['POST', `/privacy/citizens/${id}/erase`, { reason: 'x' }],
        ['PUT', `/privacy/requests/${r.id}/legal-hold`, { reason: 'x' }],
      ] as Array<[string, string, unknown?]>) {
        const answer = await call<{ error: { code: string } }>(t, method, path, body)
        expect([login, path, answer.status, answer.body?.error?.code]).toEqual([
          login,
          path,
          403,
          'forbidden',
        ])
      }
    }
    const session: SessionInfo = {
      agentId: 'agent-zoe.agent',
      login: 'zoe.agent',
      displayName: 'Zoé Agent',
      roles: ['agent', 'supervisor'],
      teamIds: [],
      kind: 'online',
      startedAt: new Date().toISOString(),
    }
    await expect(world.server.store.searchCitizens(session, 'mavrokordatos', 5)).rejects.toMatchObject({
      code: 'forbidden',
    })
    await expect(world.server.store.eraseCitizen(session, id, 'x')).rejects.toMatchObject({
      code: 'forbidden',
    })
    // Nothing was changed nor logged.
    expect(await citizenIdOf(r.id)).toBe(id)
    expect(await accessActions(id)).toEqual([])
  })
})
