/**
 * A citizen calls and gives their e-mail or phone: a supervisor (or the DPO) finds their
 * requests, over HTTP, on SQLite and PostgreSQL. Only the whole e-mail or phone finds them
 * (a part of one finds nobody), the answer has no contact details, each citizen shown is
 * logged without the term, an erased citizen is found no more, and agents are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accessTokenOf } from '../support/passwordLogin'
import type { Citizen } from '../../src/shared/domain'
import { CitizenLookupReply } from '../../src/shared/privacy'
import { TEST_STORE } from '../support/serverStore'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld

const IN_NORD = { lat: 48.71845, lon: 6.17886 }

const ANATOLE: Omit<Citizen, 'id'> = {
  name: 'Anatole Verhaeghe',
  email: 'Anatole.Verhaeghe@example.org',
  phone: '06 48 27 91 35',
  postalAddress: '5 rue Saint-Dizier, 54000 Nancy',
  contactPreference: 'email',
}

async function lookup(login: string, q: string) {
  const token = await accessTokenOf(world.url, login, `lookup-${login}`)
  const r = await fetch(`${world.url}/api/v1/citizens/lookup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ q, clientId: `poste-${login}`, workstation: 'PC-ACCUEIL-2' }),
  })
  const text = await r.text()
  return { status: r.status, body: text ? (JSON.parse(text) as unknown) : null, text }
}

let citizenId: string
let requestIds: string[]

beforeAll(async () => {
  world = await openSyncWorld({ requests: 20 })
  const first = await world.server.store.createCitizenRequest({
    categoryId: 'voirie',
    subcategory: 'Nid-de-poule',
    description: 'Un trou devant chez moi.',
    location: IN_NORD,
    address: ANATOLE.postalAddress,
    citizen: ANATOLE,
    portal: 'portail',
  })
  citizenId = first.citizenId!
  const second = await world.server.store.createCitizenRequest({
    categoryId: 'voirie',
    subcategory: null,
    description: 'Le trou est toujours là.',
    location: IN_NORD,
    address: ANATOLE.postalAddress,
    citizen: null,
    portal: 'portail',
  })
  await world.server.store.sql.run('UPDATE requests SET citizen_id = ? WHERE id = ?', [citizenId, second.id])
  requestIds = [first.id, second.id]
})
afterAll(async () => world?.close())

describe(`finding a citizen by e-mail or phone on ${TEST_STORE}`, () => {
  it('finds the supervisor the citizen and their requests by the whole e-mail, in any case', async () => {
    const r = await lookup('sara.sup', '  anatole.verhaeghe@EXAMPLE.org ')
    expect(r.status, r.text).toBe(200)
    const reply = CitizenLookupReply.parse(r.body)
    expect(reply.kind).toBe('email')
    expect(reply.matches).toEqual([
      { citizenId, name: ANATOLE.name, requestIds: expect.arrayContaining(requestIds) },
    ])
    // No contact details travel back: the caller already has the one they typed.
    expect(r.text).not.toContain('06 48')
    expect(r.text).not.toContain('Saint-Dizier')
  })

  it('finds them by phone in any spelling, and the DPO too', async () => {
    for (const q of ['0648279135', '+33 6 48 27 91 35', '06.48.27.91.35']) {
      const r = await lookup('sara.sup', q)
      expect([q, r.status]).toEqual([q, 200])
      expect(CitizenLookupReply.parse(r.body).matches.map((m) => m.citizenId)).toEqual([citizenId])
    }
    const dpo = CitizenLookupReply.parse((await lookup('dina.dpo', '06 48 27 91 35')).body)
    expect(dpo.matches.map((m) => m.citizenId)).toEqual([citizenId])
  })

  it('finds nobody with a part of an e-mail or another number', async () => {
    expect(
      CitizenLookupReply.parse((await lookup('sara.sup', 'atole.verhaeghe@example.org')).body).matches,
    ).toEqual([])
    expect(CitizenLookupReply.parse((await lookup('sara.sup', '06 48 27 91 36')).body).matches).toEqual([])
    const partial = await lookup('sara.sup', 'verhaeghe')
    expect(partial.status).toBe(400)
  })

  it('refuses agents and leads, and logs nothing for them', async () => {
    const before = await logged()
    for (const login of ['zoe.agent', 'luc.lead', 'tom.tech']) {
      const r = await lookup(login, ANATOLE.email!)
      expect([login, r.status]).toEqual([login, 403])
      expect(r.text).toContain('superviseurs')
    }
    expect(await logged()).toEqual(before)
  })

  it('logs each citizen shown with the workstation, never the term', async () => {
    const before = (await logged()).length
    await lookup('sara.sup', ANATOLE.email!)
    const rows = await world.server.store.sql.all<Record<string, unknown>>(
      `SELECT * FROM citizen_access_log WHERE citizen_id = ? AND action = 'citizen_lookup' ORDER BY at`,
      [citizenId],
    )
    expect(rows.length).toBe(before + 1)
    expect(rows.at(-1)).toMatchObject({
      agent_id: 'agent-sara.sup',
      client_id: 'poste-sara.sup',
      workstation: 'PC-ACCUEIL-2',
    })
    expect(JSON.stringify(rows)).not.toMatch(/verhaeghe|48 27/i)
  })

  it('from a supervisor’s console: the requests this console holds, and how many it has not synced', async () => {
    const sara = await world.client('sara', 'sara.sup')
    expect((await sara.value('session.current', {}))?.looksUpCitizens).toBe(true)
    await sara.sync()
    const found = await sara.value('privacy.lookup', { q: '+33 6 48 27 91 35' })
    expect(found.kind).toBe('phone')
    expect(found.matches.map((m) => [m.name, m.notCached])).toEqual([[ANATOLE.name, 0]])
    expect(found.matches[0]!.requests.map((r) => r.id).sort()).toEqual([...requestIds].sort())
    // An agent's console neither offers it nor lets it through.
    const zoe = await world.client('zoe', 'zoe.agent')
    expect((await zoe.value('session.current', {}))?.looksUpCitizens).toBe(false)
    const refused = await zoe.call('privacy.lookup', { q: ANATOLE.email! })
    expect(refused.ok ? null : refused.error.code).toBe('forbidden')
  })

  it('finds an erased citizen no more', async () => {
    const dpo = await accessTokenOf(world.url, 'dina.dpo', 'lookup-erase')
    const erased = await fetch(`${world.url}/api/v1/privacy/citizens/${citizenId}/erase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dpo}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Demande de l’usager (art. 17)' }),
    })
    expect(erased.status).toBe(200)
    expect(CitizenLookupReply.parse((await lookup('sara.sup', '06 48 27 91 35')).body).matches).toEqual([])
  })
})

async function logged() {
  return world.server.store.sql.all<{ id: string }>(
    `SELECT id FROM citizen_access_log WHERE citizen_id = ? AND action = 'citizen_lookup'`,
    [citizenId],
  )
}
