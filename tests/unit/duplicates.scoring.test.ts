import { describe, expect, it } from 'vitest'
import type { SessionInfo } from '../../src/shared/contract'
import type { Category } from '../../src/shared/domain'
import { CoreError } from '../../src/shared/result'
import {
  boxAround,
  checkDuplicateMaster,
  DUPLICATE_DEFAULTS,
  duplicateRulesOf,
  metresBetween,
  rankDuplicates,
  relatedCategoryIds,
  significantWords,
  wordSimilarity,
  type DuplicateSource,
  type DuplicateSubject,
} from '../../src/core/requests/duplicates'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 2, 1, 9, 0)
const STANISLAS = { lat: 48.69355, lon: 6.1832 }
/** A point `north` and `east` metres from `p`. */
const offset = (p: { lat: number; lon: number }, north: number, east: number) => ({
  lat: p.lat + north / 111_320,
  lon: p.lon + east / (111_320 * Math.cos((p.lat * Math.PI) / 180)),
})

const category = (id: string, defaultTeamId: string, extra: Partial<Category> = {}): Category => ({
  id,
  code: id,
  name: { fr: id, en: id },
  workflowId: 'intervention',
  defaultTeamId,
  slaBusinessHours: 40,
  requiresLocation: true,
  subcategories: [],
  ...extra,
})

const subject: DuplicateSubject = {
  id: 'r0',
  reference: 'GRC-2026-000001',
  categoryId: 'proprete',
  location: STANISLAS,
  createdAt: T0,
  text: 'Dépôt sauvage de matelas devant la fontaine',
  duplicateOf: null,
}

let n = 0
const source = (
  over: Partial<DuplicateSource> & { at?: { lat: number; lon: number } | null },
): DuplicateSource => {
  n++
  const at = over.at === undefined ? STANISLAS : over.at
  return {
    id: `s${n}`,
    reference: `GRC-2026-00010${n}`,
    title: 'Sans rapport',
    description: '',
    status: 'new',
    statusKind: 'open',
    categoryId: 'proprete',
    teamId: 'proprete',
    createdAt: T0,
    lat: at?.lat ?? null,
    lon: at?.lon ?? null,
    duplicateOf: null,
    ...over,
  }
}

const related = ['proprete', 'depot-sauvage', 'tags']

describe('the words compared', () => {
  it('folds accents, case and ligatures as the search does, and leaves out short and common words', () => {
    expect([...significantWords('Dépôt SAUVAGE de la rue des Œillets, 12 sacs')].sort()).toEqual([
      'depot',
      'oeillets',
      'sacs',
      'sauvage',
    ])
  })

  it('says which words two texts share and how much they overlap', () => {
    const a = significantWords('matelas abandonné fontaine')
    const b = significantWords('Un matelas près de la fontaine')
    const { value, shared } = wordSimilarity(a, b)
    expect(shared).toEqual(['fontaine', 'matelas'])
    expect(value).toBeGreaterThan(0.5)
    expect(wordSimilarity(a, significantWords('lampadaire éteint')).value).toBe(0)
  })
})

describe('the rules', () => {
  it('default to 50 m and 30 days, or take the category’s own', () => {
    expect(duplicateRulesOf(category('voirie', 'voirie'))).toEqual({ radiusM: 50, windowDays: 30 })
    expect(DUPLICATE_DEFAULTS).toEqual({ radiusM: 50, windowDays: 30 })
    const wide = category('voirie', 'voirie', { duplicates: { radiusM: 120, windowDays: 7 } })
    expect(duplicateRulesOf(wide)).toEqual({ radiusM: 120, windowDays: 7 })
  })

  it('relate the categories handled by the same default team', () => {
    const all = [category('proprete', 'proprete'), category('tags', 'proprete'), category('voirie', 'voirie')]
    expect(relatedCategoryIds(all[0]!, all).sort()).toEqual(['proprete', 'tags'])
    expect(relatedCategoryIds(all[2]!, all)).toEqual(['voirie'])
  })

  it('box every point within the radius', () => {
    const box = boxAround(STANISLAS, 50)
    for (const [n, e] of [
      [49, 0],
      [0, 49],
      [-35, 35],
    ] as const) {
      const p = offset(STANISLAS, n, e)
      expect(metresBetween(STANISLAS, p)).toBeLessThan(50)
      expect(p.lat).toBeGreaterThanOrEqual(box.minLat)
      expect(p.lat).toBeLessThanOrEqual(box.maxLat)
      expect(p.lon).toBeGreaterThanOrEqual(box.minLon)
      expect(p.lon).toBeLessThanOrEqual(box.maxLon)
    }
  })
})

describe('ranking', () => {
  const rules = { radiusM: 50, windowDays: 30 }

  it('keeps only what is near, recent, of a related category, and not the request itself', () => {
    const near = source({ at: offset(STANISLAS, 20, 0) })
    const far = source({ at: offset(STANISLAS, 80, 0) })
    const old = source({ createdAt: T0 - 31 * DAY })
    const unrelated = source({ categoryId: 'voirie' })
    const itself = source({ id: 'r0' })
    const ranked = rankDuplicates(subject, [near, far, old, unrelated, itself], rules, related, 10)
    expect(ranked.map((r) => r.id)).toEqual([near.id])
    expect(ranked[0]!.distanceM).toBe(20)
  })

  it('ranks nearer, closer in time, same words and same category higher, and gives the facts', () => {
    const alike = {
      at: offset(STANISLAS, 5, 0),
      createdAt: T0 - DAY,
      title: 'Matelas abandonné',
      description: 'Un matelas devant la fontaine',
    }
    const best = source(alike)
    // Each of these differs from the best in one way only.
    const farther = source({ ...alike, at: offset(STANISLAS, 40, 0) })
    const older = source({ ...alike, createdAt: T0 - 25 * DAY })
    const otherWords = source({ ...alike, title: 'Poubelle renversée', description: 'Sacs éventrés' })
    const relatedCategory = source({ ...alike, categoryId: 'tags' })
    const ranked = rankDuplicates(
      subject,
      [farther, older, otherWords, relatedCategory, best],
      rules,
      related,
      10,
    )
    expect(ranked).toHaveLength(5)
    expect(ranked[0]!.id).toBe(best.id)
    const top = ranked[0]!
    expect(top).toMatchObject({ distanceM: 5, daysApart: 1, sameCategory: true, linked: false })
    expect(top.sharedWords).toEqual(['fontaine', 'matelas'])
    expect(ranked.find((r) => r.id === relatedCategory.id)!.sameCategory).toBe(false)
    expect(ranked.find((r) => r.id === otherWords.id)!.textSimilarity).toBe(0)
    for (const r of ranked.slice(1)) expect(r.score).toBeLessThan(top.score)
  })

  it('compares requests without a place on time and words alone', () => {
    const unplaced = source({ at: null, title: 'Matelas devant la fontaine', createdAt: T0 - 2 * DAY })
    const ranked = rankDuplicates({ ...subject, location: null }, [unplaced], rules, related, 10)
    expect(ranked).toHaveLength(1)
    expect(ranked[0]!.distanceM).toBeNull()
    expect(ranked[0]!.daysApart).toBe(2)
  })

  it('says when a candidate is linked either way', () => {
    const itsDuplicate = source({ duplicateOf: subject.reference })
    const master = source({})
    const linkedSubject = { ...subject, duplicateOf: master.reference }
    const ranked = rankDuplicates(linkedSubject, [itsDuplicate, master], rules, related, 10)
    expect(ranked.every((r) => r.linked)).toBe(true)
  })

  it('stops at the limit', () => {
    const many = Array.from({ length: 30 }, (_v, i) => source({ at: offset(STANISLAS, i, 0) }))
    expect(rankDuplicates(subject, many, rules, related, 10)).toHaveLength(10)
  })
})

describe('the master a duplicate names', () => {
  const agent = { agentId: 'a1', roles: ['agent'], teamIds: ['proprete'] } as unknown as SessionInfo
  const row = { id: 'r1', reference: 'GRC-2026-000010' }
  const master = (over: object = {}) => ({
    id: 'm1',
    reference: 'GRC-2026-000002',
    teamId: 'proprete',
    fields: {} as Record<string, string>,
    ...over,
  })
  const refusal = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      expect(e).toBeInstanceOf(CoreError)
      expect((e as CoreError).code).toBe('invalid_input')
      return (e as CoreError).message
    }
    throw new Error('accepted')
  }

  it('is accepted when it exists, is visible, is another request and is no duplicate', () => {
    expect(checkDuplicateMaster(agent, row, 'GRC-2026-000002', master())).toBe('GRC-2026-000002')
  })

  it('is refused when missing, out of sight, itself, or a duplicate (no loops)', () => {
    expect(refusal(() => checkDuplicateMaster(agent, row, 'GRC-X', undefined))).toContain('GRC-X')
    expect(
      refusal(() => checkDuplicateMaster(agent, row, 'GRC-2026-000002', master({ teamId: 'voirie' }))),
    ).toContain('Aucune demande visible')
    expect(refusal(() => checkDuplicateMaster(agent, row, row.reference, master({ id: row.id })))).toContain(
      'elle-même',
    )
    expect(
      refusal(() =>
        checkDuplicateMaster(
          agent,
          row,
          'GRC-2026-000002',
          master({ fields: { duplicateOf: row.reference } }),
        ),
      ),
    ).toContain('déjà un doublon de cette demande')
    expect(
      refusal(() =>
        checkDuplicateMaster(
          agent,
          row,
          'GRC-2026-000002',
          master({ fields: { duplicateOf: 'GRC-2026-000001' } }),
        ),
      ),
    ).toContain('liez cette demande à GRC-2026-000001')
  })
})
