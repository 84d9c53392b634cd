import { describe, expect, it } from 'vitest'
import { routeRequest, routingInWords, type RoutingNames } from '../../src/core/workflow/routing'
import type { RoutingRule, Sector } from '../../src/shared/routing'

const square = (lon: number, lat: number, size: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [lon, lat],
      [lon + size, lat],
      [lon + size, lat + size],
      [lon, lat + size],
      [lon, lat],
    ],
  ],
})

const sectors: Sector[] = [
  { id: 'nord', name: 'Nancy-Nord', communeCode: null, geometry: square(6.1, 48.7, 0.1) },
]
const rule = (r: Partial<RoutingRule> & Pick<RoutingRule, 'id' | 'position' | 'teamId'>): RoutingRule => ({
  name: r.id,
  categoryId: null,
  subcategory: null,
  channel: null,
  sectorId: null,
  ...r,
})
const rules: RoutingRule[] = [
  rule({ id: 'r1', position: 1, teamId: 'eclairage', categoryId: 'eclairage-public' }),
  rule({ id: 'r2', position: 2, teamId: 'accueil-tel', channel: 'phone', categoryId: 'etat-civil' }),
  rule({ id: 'r3', position: 3, teamId: 'voirie-nord', categoryId: 'voirie', sectorId: 'nord' }),
  rule({ id: 'r4', position: 4, teamId: 'voirie', categoryId: 'voirie' }),
]
const names: RoutingNames = {
  team: (id) => ({ 'voirie-nord': 'Voirie Nord', voirie: 'Voirie', accueil: 'Accueil' })[id],
  category: (id) => ({ voirie: 'Voirie', 'etat-civil': 'État civil' })[id],
  sector: (id) => sectors.find((s) => s.id === id)?.name,
}
const words = (input: Parameters<typeof routeRequest>[0]) =>
  routingInWords(routeRequest(input, rules, sectors, 'accueil'), rules, names)

describe('the routing decision in words', () => {
  it('names the team, the rule by its number and the criteria that made it match', () => {
    expect(
      words({
        categoryId: 'voirie',
        subcategory: null,
        channel: 'phone',
        location: { lat: 48.75, lon: 6.15 },
      }),
    ).toBe('Orientée vers Voirie Nord : règle 3, catégorie Voirie + secteur Nancy-Nord')
  })

  it('outside the sector, the next rule that matches is named', () => {
    expect(
      words({
        categoryId: 'voirie',
        subcategory: null,
        channel: 'counter',
        location: { lat: 48.6, lon: 6.15 },
      }),
    ).toBe('Orientée vers Voirie : règle 4, catégorie Voirie')
  })

  it('says the channel in French when a rule asks for one', () => {
    expect(words({ categoryId: 'etat-civil', subcategory: null, channel: 'phone', location: null })).toBe(
      'Orientée vers accueil-tel : règle 2, catégorie État civil + canal téléphone',
    )
  })

  it('says when no rule applies and the front desk gets it', () => {
    expect(words({ categoryId: 'tags', subcategory: null, channel: 'email', location: null })).toBe(
      'Orientée vers Accueil : aucune règle ne s’applique, l’équipe d’accueil la reçoit',
    )
  })

  it('a rule without criteria takes every request', () => {
    const catchAll = [rule({ id: 'all', position: 9, teamId: 'voirie' })]
    const decision = routeRequest(
      { categoryId: 'tags', subcategory: null, channel: 'email', location: null },
      catchAll,
      [],
      'accueil',
    )
    expect(routingInWords(decision, catchAll, names)).toBe(
      'Orientée vers Voirie : règle 9, toutes les demandes',
    )
  })
})
