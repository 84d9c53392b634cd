/**
 * The map's columns hold every point pushed, in order, however many, and give them back one
 * by one as they went in; their dictionaries list each status and category once. The builder
 * is sized for the points announced: fewer are cut to size, more are refused.
 */
import { describe, expect, it } from 'vitest'
import { PRIORITIES } from '../../src/shared/domain'
import {
  ColumnsBuilder,
  columnsOfPoints,
  MapPointColumnsSchema,
  pointsOfColumns,
  type ColumnPoint,
} from '../../src/shared/mapPoints'

const STATUSES = ['new', 'assigned', 'closed']
const CATEGORIES = ['voirie', 'eclairage', 'proprete', 'espaces-verts']

const points: ColumnPoint[] = Array.from({ length: 3000 }, (_, i) => ({
  id: `req-${i}`,
  lon: 6 + i / 10_000,
  lat: 48.6 + i / 20_000,
  status: STATUSES[i % STATUSES.length]!,
  categoryId: CATEGORIES[i % CATEGORIES.length]!,
  priority: PRIORITIES[i % PRIORITIES.length]!,
}))

describe('map point columns', () => {
  it('keep thousands of points in order', () => {
    const columns = columnsOfPoints(points)
    expect(columns.lon).toHaveLength(3000)
    expect(columns.lon.buffer.byteLength).toBe(3000 * 8)
    expect(pointsOfColumns(columns)).toEqual(points)
    expect([...columns.statuses].sort()).toEqual([...STATUSES].sort())
    expect([...columns.categories].sort()).toEqual([...CATEGORIES].sort())
    expect(MapPointColumnsSchema.safeParse(columns).success).toBe(true)
  })

  it('are empty for no point', () => {
    const none = columnsOfPoints([])
    expect(none.ids).toBe('')
    expect(pointsOfColumns(none)).toEqual([])
    expect(MapPointColumnsSchema.safeParse(none).success).toBe(true)
  })

  it('are cut to the points pushed when fewer came than announced, and refuse more', () => {
    const builder = new ColumnsBuilder(4)
    for (const p of points.slice(0, 3))
      builder.push(p.id, p.lon, p.lat, p.status, p.categoryId, PRIORITIES.indexOf(p.priority))
    const columns = builder.done()
    expect(columns.lat.buffer.byteLength).toBe(3 * 8)
    expect(columns.ids.split('\n')).toEqual(['req-0', 'req-1', 'req-2'])
    expect(pointsOfColumns(columns)).toEqual(points.slice(0, 3))
    expect(MapPointColumnsSchema.safeParse(columns).success).toBe(true)

    const full = new ColumnsBuilder(1)
    full.push('a', 6, 48, 'new', 'voirie', 0)
    expect(() => full.push('b', 6, 48, 'new', 'voirie', 0)).toThrow(/1 points announced/)
    expect(pointsOfColumns(full.done()).map((p) => p.id)).toEqual(['a'])
  })
})
