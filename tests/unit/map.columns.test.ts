/**
 * The map's columns hold every point pushed, in order, however many, and give them back one
 * by one as they went in; their dictionaries list each status and category once. Lists of
 * different lengths (an id holding the separator, a column short of a point) are refused.
 */
import { describe, expect, it } from 'vitest'
import { PRIORITIES } from '../../src/shared/domain'
import {
  columnsOfLists,
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

  it('are built from lists of one entry per point, and refuse lists of different lengths', () => {
    const some = points.slice(0, 3)
    const lists = {
      ids: some.map((p) => p.id).join('\n'),
      lon: some.map((p) => p.lon),
      lat: some.map((p) => p.lat),
      status: some.map((p) => p.status),
      categoryId: some.map((p) => p.categoryId),
      priority: some.map((p) => PRIORITIES.indexOf(p.priority)),
    }
    const columns = columnsOfLists(lists)
    expect(columns.lat.buffer.byteLength).toBe(3 * 8)
    expect(pointsOfColumns(columns)).toEqual(some)
    expect(MapPointColumnsSchema.safeParse(columns).success).toBe(true)

    // An id holding the separator would shift every point after it: refused, not misread.
    expect(() => columnsOfLists({ ...lists, ids: 'req-0\nreq-1\nreq\n2' })).toThrow(/same length/)
    expect(() => columnsOfLists({ ...lists, priority: [0, 1] })).toThrow(/same length/)
    expect(() => columnsOfLists({ ...lists, ids: '' })).toThrow(/same length/)
  })
})
