/**
 * The map's perimeter selection: the requests the core returns for a drawn polygon are
 * exactly the agent's requests inside it (concave outline, a hole), none of another team.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pointInPolygon } from '../../src/shared/geo'
import { openTestCore, type TestCore } from '../support/core'
import { NANCY_C_WITH_HOLE } from '../support/polygons'

let t: TestCore
beforeAll(async () => {
  t = await openTestCore({ requests: 3000 })
  await t.as('zoe.agent')
})
afterAll(async () => t.close())

const polygon = NANCY_C_WITH_HOLE

describe('selecting on the map', () => {
  it('returns exactly the agent’s requests inside the polygon', async () => {
    const { points, truncated } = await t.value('map.select', { polygon, limit: 5000 })
    expect(truncated).toBe(false)
    const all = t.db
      .prepare(
        "SELECT id, lat, lon, team_id FROM requests WHERE lat IS NOT NULL AND team_id IN ('voirie', 'voirie-nord')",
      )
      .all() as Array<{ id: string; lat: number; lon: number }>
    const expected = all.filter((r) => pointInPolygon(r, polygon)).map((r) => r.id)
    expect(expected.length).toBeGreaterThan(0)
    expect(points.map((p) => p.id).sort()).toEqual(expected.sort())
    // The hole and the notch of the "C" hold requests that are not selected.
    const inBox = all.filter((r) => r.lon >= 6.14 && r.lon <= 6.23 && r.lat >= 48.67 && r.lat <= 48.72)
    expect(inBox.length).toBeGreaterThan(expected.length)
  })

  it('never returns another team’s request, and says when the limit cut the list', async () => {
    const { points, truncated } = await t.value('map.select', { polygon, limit: 3 })
    expect(points).toHaveLength(3)
    expect(truncated).toBe(true)
    const teams = t.db
      .prepare(`SELECT DISTINCT team_id FROM requests WHERE id IN (${points.map(() => '?').join(',')})`)
      .pluck()
      .all(...points.map((p) => p.id))
    expect(teams.every((team) => team === 'voirie' || team === 'voirie-nord')).toBe(true)
  })

  it('refuses a malformed polygon with a clear error', async () => {
    const r = await t.call('map.select', {
      polygon: {
        type: 'Polygon',
        coordinates: [
          [
            [6.1, 48.6],
            [6.2, 48.6],
            [6.1, 48.6],
          ],
        ],
      },
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/4 positions/)
  })
})
