/**
 * The map's columns hold every point pushed, in order, however many (the builder grows past
 * its first capacity), and give them back one by one as they went in; their dictionaries
 * list each status and category once.
 */
import { describe, expect, it } from 'vitest'
import { PRIORITIES } from '../../src/shared/domain'
import {
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
  it('keep thousands of points in order, past the builder’s first capacity', () => {
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
})
