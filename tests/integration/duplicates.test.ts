/**
 * Likely duplicates through the real dispatch on a real cache (issue 14): found within the
 * radius, the time window and related categories, or by shared words for requests without a
 * place; never outside the session's scope; linking through the workflow with a checked
 * master, and un-linking back to an open state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InputOf } from '../../src/shared/contract'
import type { RequestDetail } from '../../src/shared/domain'
import { openTestCore, type TestCore } from '../support/core'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 2, 16, 9, 0)
let clock = T0
let t: TestCore

/** Place Stanislas, Nancy (no sector: voirie requests there go to the `voirie` team). */
const P = { lat: 48.69355, lon: 6.1832 }
/** Jarville-la-Malgrange, in the southern sector (`voirie-sud`: not Zoé's). */
const JARVILLE = { lat: 48.6712, lon: 6.2045 }
const offset = (p: { lat: number; lon: number }, north: number, east: number) => ({
  lat: p.lat + north / 111_320,
  lon: p.lon + east / (111_320 * Math.cos((p.lat * Math.PI) / 180)),
})

async function create(
  categoryId: string,
  title: string,
  description: string,
  location: { lat: number; lon: number } | null,
  daysAfterT0 = 0,
): Promise<RequestDetail> {
  if (clock !== T0 + daysAfterT0 * DAY) {
    // A jump of the clock locks an idle session: log in again, as the same agent.
    clock = T0 + daysAfterT0 * DAY
    await t.as(who)
  }
  const input: InputOf<'request.create'> = {
    categoryId,
    channel: 'phone',
    title,
    description,
    location,
    address: location ? 'Place Stanislas, 54000 Nancy' : null,
  }
  return t.value('request.create', input)
}

const ids = (list: { candidates: { id: string }[] }) => list.candidates.map((c) => c.id)

let a: RequestDetail
let nearRelated: RequestDetail
let tooFar: RequestDetail
let tooLate: RequestDetail
let unrelated: RequestDetail
let mine: Set<string>
/** Who is logged in. */
let who = 'sara.sup'
const as = async (login: string) => {
  who = login
  await t.as(login)
}

beforeAll(async () => {
  t = await openTestCore({ requests: 200, now: () => clock })
  await as('sara.sup')
  a = await create('proprete', 'Matelas abandonné', 'Un matelas et des cartons devant la fontaine Neptune', P)
  nearRelated = await create(
    'depot-sauvage',
    'Dépôt de matelas',
    'Matelas déposé près de la fontaine',
    offset(P, 20, 0),
    2,
  )
  tooFar = await create('proprete', 'Matelas abandonné', 'Matelas devant la fontaine', offset(P, 0, 120), 1)
  tooLate = await create('proprete', 'Matelas abandonné', 'Matelas devant la fontaine', offset(P, 10, 0), 40)
  unrelated = await create(
    'eclairage-public',
    'Lampadaire éteint',
    'Matelas contre le lampadaire',
    offset(P, 5, 0),
    1,
  )
  mine = new Set([a, nearRelated, tooFar, tooLate, unrelated].map((r) => r.id))
  clock = T0 + 3 * DAY
})
afterAll(() => t.close())

describe('likely duplicates of an open request', () => {
  it('finds the related request within 50 m and 30 days, with the reasons, and nothing else', async () => {
    await as('sara.sup')
    const found = await t.value('duplicates.ofRequest', { id: a.id })
    expect(ids(found).filter((id) => mine.has(id))).toEqual([nearRelated.id])
    const c = found.candidates.find((x) => x.id === nearRelated.id)!
    expect(c.distanceM).toBeGreaterThanOrEqual(19)
    expect(c.distanceM).toBeLessThanOrEqual(21)
    expect(c.daysApart).toBe(2)
    expect(c.sameCategory).toBe(false)
    expect(c.sharedWords).toEqual(expect.arrayContaining(['fontaine', 'matelas']))
    expect(c.reference).toBe(nearRelated.reference)
    expect(found.link.allowed).toBe(true)
    expect(found.unlink.allowed).toBe(false)
  })

  it('leaves out what is farther, later than the window, or of an unrelated category', async () => {
    await as('sara.sup')
    for (const r of [tooFar, tooLate, unrelated]) {
      const found = await t.value('duplicates.ofRequest', { id: r.id })
      expect(ids(found)).not.toContain(a.id)
    }
  })
})

describe('a category’s own radius and window', () => {
  it('widen or narrow its search', async () => {
    await as('sara.sup')
    // As the reference data carries it to the cache (Category.duplicates, migration 0009).
    const setRules = (rules: object | null) =>
      t.db
        .prepare('UPDATE categories SET duplicates = ? WHERE id = ?')
        .run(rules && JSON.stringify(rules), 'proprete')
    try {
      setRules({ radiusM: 150, windowDays: 30 })
      expect(ids(await t.value('duplicates.ofRequest', { id: a.id }))).toContain(tooFar.id)
      setRules({ radiusM: 50, windowDays: 1 })
      expect(ids(await t.value('duplicates.ofRequest', { id: a.id }))).not.toContain(nearRelated.id)
    } finally {
      setRules(null)
    }
    expect(ids(await t.value('duplicates.ofRequest', { id: a.id }))).toContain(nearRelated.id)
  })
})

describe('while a request is typed', () => {
  it('finds duplicates of a placed draft by place, and of an unplaced one by its words, folded', async () => {
    await as('sara.sup')
    const placed = await t.value('duplicates.forDraft', {
      categoryId: 'proprete',
      location: offset(P, -10, 0),
      text: 'Encore un matelas',
    })
    expect(ids(placed)).toEqual(expect.arrayContaining([a.id, nearRelated.id]))
    expect(ids(placed)).not.toContain(tooFar.id)
    expect(ids(placed)).not.toContain(unrelated.id)

    const birth = await create(
      'etat-civil',
      'Acte de naissance',
      'Copie intégrale pour un mariage à Vandœuvre',
      null,
      3,
    )
    const vote = await create(
      'etat-civil',
      'Listes électorales',
      'Inscription après un déménagement',
      null,
      3,
    )
    const byWords = await t.value('duplicates.forDraft', {
      categoryId: 'etat-civil',
      location: null,
      text: 'naissance, mariage Vandoeuvre',
    })
    expect(ids(byWords)).toContain(birth.id)
    expect(ids(byWords)).not.toContain(vote.id)
    const c = byWords.candidates.find((x) => x.id === birth.id)!
    expect(c.distanceM).toBeNull()
    expect(c.sharedWords).toEqual(expect.arrayContaining(['mariage', 'naissance', 'vandoeuvre']))
    // An unplaced request's own panel searches the same way, never listing itself.
    const again = await create('etat-civil', 'Naissance', 'Acte de naissance pour un mariage', null, 4)
    const ofUnplaced = await t.value('duplicates.ofRequest', { id: again.id })
    expect(ids(ofUnplaced)).toContain(birth.id)
    expect(ids(ofUnplaced)).not.toContain(again.id)
    expect(ids(ofUnplaced)).not.toContain(vote.id)
  })

  it('never shows a request outside the session’s teams', async () => {
    await as('sara.sup')
    const south = await create('voirie', 'Nid-de-poule', 'Nid-de-poule profond', JARVILLE, 3)
    expect(south.teamId).toBe('voirie-sud')
    const draft = { categoryId: 'voirie', location: offset(JARVILLE, 5, 5), text: 'Nid-de-poule profond' }
    expect(ids(await t.value('duplicates.forDraft', draft))).toContain(south.id)
    await as('zoe.agent')
    expect(ids(await t.value('duplicates.forDraft', draft))).not.toContain(south.id)
    const refused = await t.call('duplicates.ofRequest', { id: south.id })
    expect(refused.ok ? null : refused.error.code).toBe('not_found')
  })

  it('refuses an unknown category in words', async () => {
    await as('sara.sup')
    const r = await t.call('duplicates.forDraft', { categoryId: 'nope', location: null, text: 'x' })
    expect(r.ok ? null : r.error.code).toBe('invalid_input')
  })
})

describe('linking', () => {
  it('refuses a master that does not exist, is the request itself, or cannot be seen', async () => {
    await as('sara.sup')
    const transition = (duplicateOf: string) =>
      t.call('request.transition', {
        id: nearRelated.id,
        transitionId: 'mark_duplicate',
        fields: { duplicateOf },
      })
    for (const bad of ['GRC-1999-999999', nearRelated.reference]) {
      const r = await transition(bad)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('invalid_input')
    }
    const south = await create(
      'voirie',
      'Chaussée affaissée',
      'Chaussée affaissée',
      offset(JARVILLE, 30, 0),
      3,
    )
    const zoes = await create('voirie', 'Chaussée affaissée', 'Chaussée affaissée', offset(P, 300, 0), 3)
    expect(zoes.teamId).toBe('voirie')
    await as('zoe.agent')
    const hidden = await t.call('request.transition', {
      id: zoes.id,
      transitionId: 'mark_duplicate',
      fields: { duplicateOf: south.reference },
    })
    expect(hidden.ok ? null : hidden.error.message).toContain('Aucune demande visible')
    const byId = await t.call('duplicates.link', { id: zoes.id, masterId: south.id })
    expect(byId.ok ? null : byId.error.code).toBe('not_found')
    expect((await t.value('request.get', { id: zoes.id })).status).toBe('new')
  })

  it('links a duplicate to its master, refuses loops, and un-links it back to an open state', async () => {
    await as('sara.sup')
    const linked = await t.value('duplicates.link', {
      id: nearRelated.id,
      masterId: a.id,
      baseVersion: nearRelated.version,
    })
    expect(linked.status).toBe('duplicate')
    expect(linked.statusKind).toBe('closed')
    expect(linked.fields.duplicateOf).toBe(a.reference)

    // The master's panel says the link; the duplicate's offers to undo it, not to link again.
    const ofMaster = await t.value('duplicates.ofRequest', { id: a.id })
    expect(ofMaster.candidates.find((c) => c.id === nearRelated.id)?.linked).toBe(true)
    const ofDuplicate = await t.value('duplicates.ofRequest', { id: nearRelated.id })
    expect(ofDuplicate.duplicateOf).toBe(a.reference)
    expect(ofDuplicate.unlink.allowed).toBe(true)
    expect(ofDuplicate.link.allowed).toBe(false)

    // No loop: the master cannot become its duplicate's duplicate, nor anything a duplicate's.
    const loop = await t.call('duplicates.link', { id: a.id, masterId: nearRelated.id })
    expect(loop.ok ? null : loop.error.message).toContain('déjà un doublon de cette demande')
    const third = await create('proprete', 'Matelas', 'Matelas fontaine', offset(P, 3, 3), 3)
    const chain = await t.call('duplicates.link', { id: third.id, masterId: nearRelated.id })
    expect(chain.ok ? null : chain.error.message).toContain(`liez cette demande à ${a.reference}`)

    const unlinked = await t.value('duplicates.unlink', { id: nearRelated.id, baseVersion: linked.version })
    expect(unlinked.statusKind).toBe('open')
    expect(unlinked.fields.duplicateOf).toBeUndefined()
    const history = await t.value('request.history', { id: nearRelated.id })
    expect(history.filter((h) => h.kind === 'transitioned').map((h) => h.data.transitionId)).toEqual([
      'mark_duplicate',
      'unlink_duplicate',
    ])
    const again = await t.call('duplicates.unlink', { id: nearRelated.id })
    expect(again.ok).toBe(false)
  })

  it('offers nothing to a role that changes nothing, and refuses its write', async () => {
    await as('dina.dpo')
    const found = await t.value('duplicates.ofRequest', { id: a.id })
    expect(found.link).toMatchObject({ allowed: false, refusal: 'role' })
    const r = await t.call('duplicates.link', { id: a.id, masterId: nearRelated.id })
    expect(r.ok ? null : r.error.code).toBe('forbidden')
  })
})
