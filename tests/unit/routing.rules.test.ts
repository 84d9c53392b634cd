import { describe, expect, it } from 'vitest'
import { routeRequest, type RoutingInput } from '../../src/core/workflow/routing'
import { RoutingRule, Sector } from '../../src/shared/routing'

const rect = (x0: number, y0: number, x1: number, y1: number): number[][] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
]

// Two made-up neighbouring sectors around Nancy (lon 6.1–6.3, lat 48.65–48.75), the west one
// shaped like an L so a point in its bounding box can still be outside it.
const west: Sector = {
  id: 'sector-west',
  name: 'Ouest',
  communeCode: null,
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [6.1, 48.65],
        [6.2, 48.65],
        [6.2, 48.75],
        [6.15, 48.75],
        [6.15, 48.7],
        [6.1, 48.7],
        [6.1, 48.65],
      ],
    ],
  },
}
const east: Sector = {
  id: 'sector-east',
  name: 'Est',
  communeCode: '54395',
  geometry: { type: 'MultiPolygon', coordinates: [[rect(6.2, 48.65, 6.3, 48.75)]] },
}
const sectors = [west, east]

const rule = (over: Partial<RoutingRule> & Pick<RoutingRule, 'id' | 'position' | 'teamId'>): RoutingRule => ({
  name: over.id,
  categoryId: null,
  subcategory: null,
  channel: null,
  sectorId: null,
  ...over,
})

const input = (over: Partial<RoutingInput> = {}): RoutingInput => ({
  categoryId: 'eclairage',
  subcategory: null,
  channel: 'portal',
  location: null,
  ...over,
})

const inWest = { lat: 48.68, lon: 6.12 }
const inEast = { lat: 48.7, lon: 6.25 }
const inWestNotch = { lat: 48.72, lon: 6.12 } // in the west sector's bbox, outside the L

describe('routeRequest', () => {
  it('sends the request to the first matching rule, in position order', () => {
    const rules = [
      rule({ id: 'r-generic', position: 20, categoryId: 'eclairage', teamId: 'eclairage' }),
      rule({
        id: 'r-west',
        position: 10,
        categoryId: 'eclairage',
        sectorId: 'sector-west',
        teamId: 'eclairage-ouest',
      }),
    ]
    expect(routeRequest(input({ location: inWest }), rules, sectors, 'accueil')).toMatchObject({
      teamId: 'eclairage-ouest',
      ruleId: 'r-west',
      ruleName: 'r-west',
      fallback: false,
      sectorId: 'sector-west',
    })
    expect(routeRequest(input({ location: inEast }), rules, sectors, 'accueil')).toMatchObject({
      teamId: 'eclairage',
      ruleId: 'r-generic',
      sectorId: null,
    })
  })

  it('lets order decide between two matching rules', () => {
    const a = rule({ id: 'a', position: 1, categoryId: 'eclairage', teamId: 'team-a' })
    const b = rule({ id: 'b', position: 2, channel: 'portal', teamId: 'team-b' })
    expect(routeRequest(input(), [a, b], sectors, 'accueil').teamId).toBe('team-a')
    expect(routeRequest(input(), [{ ...a, position: 3 }, b], sectors, 'accueil').teamId).toBe('team-b')
  })

  it('treats a null criterion as matching anything', () => {
    const catchAll = rule({ id: 'all', position: 1, teamId: 'team-all' })
    for (const i of [
      input(),
      input({ categoryId: 'voirie', channel: 'phone', subcategory: 'nid-de-poule', location: inEast }),
    ])
      expect(routeRequest(i, [catchAll], sectors, 'accueil')).toMatchObject({
        teamId: 'team-all',
        fallback: false,
      })
  })

  it('matches on sub-category and channel', () => {
    const rules = [
      rule({
        id: 'dumping-phone',
        position: 1,
        categoryId: 'proprete',
        subcategory: 'depot-sauvage',
        channel: 'phone',
        teamId: 'brigade',
      }),
      rule({
        id: 'dumping',
        position: 2,
        categoryId: 'proprete',
        subcategory: 'depot-sauvage',
        teamId: 'proprete',
      }),
    ]
    const dumping = input({ categoryId: 'proprete', subcategory: 'depot-sauvage' })
    expect(routeRequest({ ...dumping, channel: 'phone' }, rules, sectors, 'accueil').teamId).toBe('brigade')
    expect(routeRequest(dumping, rules, sectors, 'accueil').teamId).toBe('proprete')
    expect(routeRequest({ ...dumping, subcategory: 'corbeille' }, rules, sectors, 'accueil').fallback).toBe(
      true,
    )
  })

  it('matches a sector by the real outline, not its bounding box, and MultiPolygons too', () => {
    const rules = [rule({ id: 'w', position: 1, sectorId: 'sector-west', teamId: 'ouest' })]
    expect(routeRequest(input({ location: inWest }), rules, sectors, 'accueil').teamId).toBe('ouest')
    expect(routeRequest(input({ location: inWestNotch }), rules, sectors, 'accueil').teamId).toBe('accueil')
    const eastRule = [rule({ id: 'e', position: 1, sectorId: 'sector-east', teamId: 'est' })]
    expect(routeRequest(input({ location: inEast }), eastRule, sectors, 'accueil').teamId).toBe('est')
  })

  it('never matches a sector rule for a request without location', () => {
    const rules = [rule({ id: 'w', position: 1, sectorId: 'sector-west', teamId: 'ouest' })]
    const decision = routeRequest(input({ location: null }), rules, sectors, 'accueil')
    expect(decision).toMatchObject({ teamId: 'accueil', fallback: true })
    expect(decision.trace).toEqual([{ ruleId: 'w', ruleName: 'w', matched: false, mismatches: ['sector'] }])
    expect(decision.explanation[0]).toContain('no location')
  })

  it('falls back to the front desk when nothing matches, or when there are no rules', () => {
    const rules = [rule({ id: 'voirie', position: 1, categoryId: 'voirie', teamId: 'voirie' })]
    expect(routeRequest(input(), rules, sectors, 'accueil')).toMatchObject({
      teamId: 'accueil',
      ruleId: null,
      ruleName: null,
      fallback: true,
      sectorId: null,
    })
    const none = routeRequest(input(), [], sectors, 'accueil')
    expect(none).toMatchObject({ teamId: 'accueil', fallback: true, trace: [] })
    expect(none.explanation).toEqual([
      'There is no routing rule: the request goes to the fallback team "accueil".',
    ])
  })

  it('explains, rule by rule, why each one before the match did not apply', () => {
    const rules = [
      rule({
        id: 'r1',
        position: 1,
        name: 'Voirie par téléphone',
        categoryId: 'voirie',
        channel: 'phone',
        teamId: 'voirie',
      }),
      rule({
        id: 'r2',
        position: 2,
        name: 'Éclairage Est',
        categoryId: 'eclairage',
        sectorId: 'sector-east',
        teamId: 'est',
      }),
      rule({ id: 'r3', position: 3, name: 'Éclairage', categoryId: 'eclairage', teamId: 'eclairage' }),
      rule({ id: 'r4', position: 4, name: 'Jamais essayée', teamId: 'autre' }),
    ]
    const decision = routeRequest(input({ location: inWest }), rules, sectors, 'accueil')
    expect(decision.teamId).toBe('eclairage')
    expect(decision.trace).toEqual([
      { ruleId: 'r1', ruleName: 'Voirie par téléphone', matched: false, mismatches: ['category', 'channel'] },
      { ruleId: 'r2', ruleName: 'Éclairage Est', matched: false, mismatches: ['sector'] },
      { ruleId: 'r3', ruleName: 'Éclairage', matched: true, mismatches: [] },
    ])
    expect(decision.explanation).toEqual([
      'Rule 1 "Voirie par téléphone" does not match: category is "eclairage", not "voirie"; channel is "portal", not "phone".',
      'Rule 2 "Éclairage Est" does not match: the location is outside sector "Est".',
      'Rule 3 "Éclairage" matches: the request goes to team "eclairage".',
    ])
  })

  it('reports a rule pointing at an unknown sector as not matching', () => {
    const rules = [rule({ id: 'ghost', position: 1, sectorId: 'sector-gone', teamId: 'x' })]
    const decision = routeRequest(input({ location: inWest }), rules, sectors, 'accueil')
    expect(decision.fallback).toBe(true)
    expect(decision.explanation[0]).toContain('sector "sector-gone" is unknown')
  })
})

describe('routing shapes', () => {
  it('accept a sector outline in GeoJSON lon/lat order and refuse out-of-range positions or short rings', () => {
    expect(Sector.parse(west)).toEqual(west)
    const outOfRange = {
      ...west,
      geometry: { type: 'Polygon', coordinates: [rect(48.65, 6.1, 48.75, 186.2)] },
    }
    expect(Sector.safeParse(outOfRange).success).toBe(false)
    const tooShort = {
      ...west,
      geometry: { type: 'Polygon', coordinates: [rect(6.1, 48.6, 6.2, 48.7).slice(0, 3)] },
    }
    expect(Sector.safeParse(tooShort).success).toBe(false)
  })

  it('refuse a rule with an unknown channel', () => {
    const r = rule({ id: 'r', position: 1, teamId: 't' })
    expect(RoutingRule.parse(r)).toEqual(r)
    expect(RoutingRule.safeParse({ ...r, channel: 'fax' }).success).toBe(false)
  })
})
