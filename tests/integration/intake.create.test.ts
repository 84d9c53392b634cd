/**
 * « Nouvelle demande » through core.invoke on a real SQLite cache: a request taken on the
 * phone with a new citizen or a known one, refused for a role that may not read citizens,
 * the routing said in words and kept in the history, and the address search through a local
 * stand-in answering the BAN's documented format (well, malformed, or too late).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChannelName, InputOf, OutputOf } from '../../src/shared/contract'
import type { Result } from '../../src/shared/result'
import { DEMO_PASSWORD } from '../support/core'
import { openConsoleWithGeocoder, startBanStandIn, type BanStandIn } from '../support/banStandIn'

let ban: BanStandIn
let world: Awaited<ReturnType<typeof openConsoleWithGeocoder>>
let core: typeof world.core

const call = async <C extends ChannelName>(channel: C, input: InputOf<C>) =>
  (await core.invoke(channel, input)) as Result<OutputOf<C>>
const value = async <C extends ChannelName>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> => {
  const r = await call(channel, input)
  if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`)
  return r.value
}
const as = async (login: string) => {
  await core.invoke('session.logout', {})
  return value('session.login', { login, password: DEMO_PASSWORD })
}

/** In the Nord sector of the demo territory (Voirie Nord's rule), in Maxéville. */
const RUE_SOLVAY = { lat: 48.71, lon: 6.16 }
const RUE_SAINT_DIZIER = { lat: 48.69141, lon: 6.18235 }

const phoneIntake = {
  categoryId: 'voirie',
  channel: 'phone' as const,
  title: 'Nid-de-poule devant le 12',
  description: 'Un trou profond sur la chaussée, signalé par téléphone.',
  priority: 'high' as const,
  address: '5 Rue Solvay 54320 Maxéville',
  location: RUE_SOLVAY,
}

beforeAll(async () => {
  ban = await startBanStandIn()
  world = await openConsoleWithGeocoder(ban.url, { requests: 400, timeoutSeconds: 1 })
  core = world.core
})

afterAll(async () => {
  await world?.close()
  await ban?.close()
})

describe('a request taken on the phone', () => {
  it('with a new citizen: the citizen is recorded with their preference, their consent is dated in the history', async () => {
    await as('zoe.agent')
    const consentAt = '2026-12-04T09:15:00.000Z'
    const created = await value('request.create', {
      ...phoneIntake,
      citizen: {
        kind: 'new',
        citizen: {
          name: 'Éloïse Quintavalle',
          email: 'eloise.q@example.fr',
          phone: '06 12 34 56 78',
          postalAddress: null,
          contactPreference: 'email',
          consentAt,
        },
      },
    })
    expect(created.hasCitizen).toBe(true)
    expect(created.channel).toBe('phone')
    expect(created.priority).toBe('high')
    const citizen = await value('request.citizen', { id: created.id })
    expect(citizen).toMatchObject({
      name: 'Éloïse Quintavalle',
      email: 'eloise.q@example.fr',
      contactPreference: 'email',
    })

    const history = await value('request.history', { id: created.id })
    const made = history.find((e) => e.kind === 'created')!
    expect(made.data).toMatchObject({
      channel: 'phone',
      citizen: 'new',
      contactPreference: 'email',
      consentAt,
    })
    // The record keeps the consent's date (a local profile holds the whole record).
    expect(
      core.db
        .prepare('SELECT consent_at FROM citizen_consents WHERE citizen_id = ?')
        .pluck()
        .get(citizen!.id),
    ).toBe(Date.parse(consentAt))
    // The history keeps no contact value.
    expect(JSON.stringify(history)).not.toContain('eloise.q@example.fr')

    // Found again by the next agent who takes a call, accents and a typo forgiven.
    const { citizens } = await value('intake.citizens', { q: 'eloise quintavale' })
    expect(citizens[0]).toMatchObject({ id: citizen!.id, name: 'Éloïse Quintavalle', requestCount: 1 })
    expect(citizens[0]!.lastReference).toBe(created.reference)
  })

  it('the routing said before saving is the one the history keeps, in words', async () => {
    await as('zoe.agent')
    const preview = await value('intake.route', {
      categoryId: 'voirie',
      subcategory: null,
      channel: 'phone',
      location: RUE_SOLVAY,
    })
    expect(preview.words).toMatch(
      /^Orientée vers .+ : règle \d+, catégorie Voirie et trottoirs \+ secteur Secteur Nord$/,
    )
    const created = await value('request.create', { ...phoneIntake })
    expect(created.teamId).toBe(preview.teamId)
    const routed = (await value('request.history', { id: created.id })).find((e) => e.kind === 'routed')!
    expect(routed.data.words).toBe(preview.words)
    // Without a location, the sector rule cannot match: the words say which rule did.
    const away = await value('intake.route', {
      categoryId: 'voirie',
      subcategory: null,
      channel: 'phone',
      location: null,
    })
    expect(away.words).not.toBe(preview.words)
    expect(away.words).toContain(away.teamName)
  })

  it('with a citizen already known: linked, not recorded twice', async () => {
    await as('zoe.agent')
    const known = core.db
      .prepare(
        `SELECT c.id, c.name FROM citizens c JOIN requests r ON r.citizen_id = c.id
         WHERE r.team_id IN ('voirie', 'voirie-nord') AND c.name NOT LIKE 'Éloïse%' LIMIT 1`,
      )
      .get() as { id: string; name: string }
    const before = core.db.prepare('SELECT count(*) FROM citizens').pluck().get() as number
    // Typed without accents and in lower case, as on the phone.
    const typed = known.name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
    const { citizens } = await value('intake.citizens', { q: typed })
    expect(citizens.map((c) => c.id)).toContain(known.id)
    const created = await value('request.create', {
      ...phoneIntake,
      citizen: { kind: 'existing', id: known.id },
    })
    expect((await value('request.citizen', { id: created.id }))?.name).toBe(known.name)
    expect(core.db.prepare('SELECT count(*) FROM citizens').pluck().get()).toBe(before)
  })

  it('refused, with nothing written, for a role that may not read citizens', async () => {
    await as('tom.tech')
    const count = () => core.db.prepare('SELECT count(*) FROM requests').pluck().get()
    const before = count()
    const r = await call('request.create', {
      ...phoneIntake,
      citizen: {
        kind: 'new',
        citizen: {
          name: 'Jean Martin',
          email: null,
          phone: null,
          postalAddress: null,
          contactPreference: 'none',
          consentAt: null,
        },
      },
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('forbidden')
    expect(count()).toBe(before)
    const search = await call('intake.citizens', { q: 'martin' })
    expect(search.ok || search.error.code).toBe('forbidden')
  })

  it('a contact chosen but not given, or no consent, is refused field by field', async () => {
    await as('zoe.agent')
    const r = await call('request.create', {
      ...phoneIntake,
      citizen: {
        kind: 'new',
        citizen: {
          name: 'Paul Henry',
          email: null,
          phone: null,
          postalAddress: null,
          contactPreference: 'email',
          consentAt: null,
        },
      },
    })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('invalid_input')
    expect(JSON.stringify(r.error.details)).toContain('citizen.citizen.email')
    expect(JSON.stringify(r.error.details)).toContain('citizen.citizen.consentAt')
  })
})

describe('the address search through the BAN geocoder (local stand-in)', () => {
  it('finds addresses, favouring the authority’s territory', async () => {
    await as('zoe.agent')
    ban.mode = 'ok'
    const answer = await value('intake.geocode', { q: '8 rue de la republique' })
    expect(answer.problem).toBeNull()
    // Both match, best score first, each with its commune's INSEE code and its point.
    expect(answer.candidates.map((c) => c.city).sort()).toEqual(['Nancy', 'Vandœuvre-lès-Nancy'])
    const scores = answer.candidates.map((c) => c.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
    expect(answer.candidates.find((c) => c.city === 'Nancy')).toMatchObject({
      citycode: '54395',
      location: { lat: 48.68922, lon: 6.17632 },
    })
    const asked = ban.requests.at(-1)!
    expect(asked.pathname).toBe('/search/')
    // The bias is the Grand Nancy's centre, whatever its exact value.
    expect(Number(asked.searchParams.get('lat'))).toBeGreaterThan(48.6)
    expect(Number(asked.searchParams.get('lat'))).toBeLessThan(48.8)
    expect(Number(asked.searchParams.get('lon'))).toBeGreaterThan(6.0)
    expect(Number(asked.searchParams.get('lon'))).toBeLessThan(6.35)
  })

  it('a malformed answer says so, and the agent can still pick a point', async () => {
    await as('zoe.agent')
    ban.mode = 'malformed'
    expect(await value('intake.geocode', { q: 'place stanislas' })).toEqual({
      candidates: [],
      problem: 'malformed',
    })
    const picked = await value('intake.reverse', RUE_SAINT_DIZIER)
    expect(picked.problem).toBe('malformed')
    expect(picked.place).toMatchObject({ label: 'Nancy', citycode: '54395', source: 'territory' })
  })

  it('an answer that does not come in time says so', async () => {
    await as('zoe.agent')
    ban.mode = 'slow'
    const started = Date.now()
    expect(await value('intake.geocode', { q: 'place stanislas' })).toEqual({
      candidates: [],
      problem: 'timeout',
    })
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('a point picked on the map is named by the geocoder when it answers', async () => {
    await as('zoe.agent')
    ban.mode = 'ok'
    const picked = await value('intake.reverse', { lat: 48.69145, lon: 6.1824 })
    expect(picked).toEqual({
      place: { label: '12 Rue Saint-Dizier 54000 Nancy', citycode: '54395', source: 'geocoder' },
      problem: null,
    })
  })
})
