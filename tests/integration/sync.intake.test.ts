/**
 * A citizen recorded at intake reaches the central server with the request (one mutation),
 * the server keeps them with the consent's date, and other consoles get their name only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld

beforeAll(async () => {
  world = await openSyncWorld({ requests: 40 })
})
afterAll(async () => world?.close())

describe('intake with a server', () => {
  it('the new citizen travels with the request; the server keeps the consent, the consoles the name', async () => {
    const zoe = await world.client('zoe-intake', 'zoe.agent')
    const luc = await world.client('luc-intake', 'luc.lead')
    await zoe.sync()
    const consentAt = '2026-12-04T10:00:00.000Z'
    const created = await zoe.value('request.create', {
      categoryId: 'voirie',
      channel: 'counter',
      title: 'Bordure descellée',
      description: 'Signalée à l’accueil de la mairie.',
      location: { lat: 48.71, lon: 6.16 },
      address: '5 Rue Solvay 54320 Maxéville',
      citizen: {
        kind: 'new',
        citizen: {
          name: 'Gaëlle Fournier',
          email: null,
          phone: '06 98 76 54 32',
          postalAddress: null,
          contactPreference: 'phone',
          consentAt,
        },
      },
    })
    await zoe.sync()
    const server = world.server.store.sql
    const row = await server.get<{ citizen_id: string; team_id: string }>(
      'SELECT citizen_id, team_id FROM requests WHERE id = ?',
      [created.id],
    )
    const citizen = await server.get<{
      name: string
      phone: string
      contact_preference: string
      consent_at: number
    }>('SELECT name, phone, contact_preference, consent_at FROM citizens WHERE id = ?', [row!.citizen_id])
    expect(citizen).toMatchObject({
      name: 'Gaëlle Fournier',
      phone: '06 98 76 54 32',
      contact_preference: 'phone',
    })
    expect(Number(citizen!.consent_at)).toBe(Date.parse(consentAt))
    const routed = await server.get<{ data: string }>(
      `SELECT data FROM history_events WHERE request_id = ? AND kind = 'routed'`,
      [created.id],
    )
    expect(JSON.parse(routed!.data).words).toMatch(
      /^Orientée vers Voirie – secteur Nord : règle \d+, catégorie .+ \+ secteur Secteur Nord$/,
    )

    // The other console of the team: the name (queue search), never the phone number.
    await luc.sync()
    const theirs = await luc.value('request.get', { id: created.id })
    expect(theirs.hasCitizen).toBe(true)
    const cached = luc.db.prepare('SELECT name, phone FROM citizens WHERE id = ?').get(row!.citizen_id)
    expect(cached).toEqual({ name: 'Gaëlle Fournier', phone: null })
    // Nor in the author's cache once sent.
    expect(zoe.db.prepare('SELECT phone FROM citizens WHERE id = ?').pluck().get(row!.citizen_id)).toBeNull()

    // The next call from the same citizen: found on luc's console and linked.
    const { citizens } = await luc.value('intake.citizens', { q: 'gaelle fournier' })
    expect(citizens[0]?.id).toBe(row!.citizen_id)
    const again = await luc.value('request.create', {
      categoryId: 'voirie',
      channel: 'phone',
      title: 'Bordure toujours descellée',
      description: '',
      location: { lat: 48.71, lon: 6.16 },
      citizen: { kind: 'existing', id: row!.citizen_id },
    })
    await luc.sync()
    const linked = await server.get<{ citizen_id: string }>('SELECT citizen_id FROM requests WHERE id = ?', [
      again.id,
    ])
    expect(linked!.citizen_id).toBe(row!.citizen_id)
    expect(
      await server.get<{ n: number }>('SELECT count(*) AS n FROM citizens WHERE name = ?', [
        'Gaëlle Fournier',
      ]),
    ).toMatchObject({ n: 1 })
  })
})
