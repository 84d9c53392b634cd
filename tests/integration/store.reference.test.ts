import { describe, expect, it } from 'vitest'
import { openMemoryStore } from '../../src/main/cache/db'
import { listRoutingRules, upsertRoutingRule } from '../../src/main/cache/queries/reference'
import { routeRequest } from '../../src/core/workflow/routing'

describe('routing rules read from the cache', () => {
  it('leaves out a rule on a channel this console does not know instead of matching every channel', () => {
    const db = openMemoryStore()
    const rule = { name: 'r', categoryId: null, subcategory: null, sectorId: null }
    upsertRoutingRule(db, { ...rule, id: 'phone', position: 2, channel: 'phone', teamId: 'accueil' })
    // As a newer server could send it: a channel value from a later protocol.
    db.prepare(
      `INSERT INTO routing_rules (id, position, name, category_id, subcategory, channel, sector_id, team_id)
       VALUES ('fax', 1, 'fax', NULL, NULL, 'fax', NULL, 'archives')`,
    ).run()

    const rules = listRoutingRules(db)
    expect(rules.map((r) => r.id)).toEqual(['phone'])
    const decision = routeRequest(
      { categoryId: 'voirie', subcategory: null, channel: 'portal', location: null },
      rules,
      [],
      'accueil',
    )
    expect(decision.teamId).toBe('accueil')
    expect(decision.fallback).toBe(true)
    db.close()
  })
})
