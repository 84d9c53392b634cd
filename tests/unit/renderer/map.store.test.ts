/**
 * The map screen's data: which viewport the core is asked for (debounced while panning, a
 * late answer never replacing a newer one), the perimeter selection and its exports.
 */
import { flushPromises } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { columnsOfPoints, type MapPoint, type MapPointColumns } from '../../../src/shared/contract'
import {
  bboxOfExtent,
  nearestTarget,
  selectionPolygonOf,
} from '../../../src/renderer/composables/mapGeometry'
import {
  buildClusterIndex,
  CLUSTER_MAX_ZOOM,
  clustersIn,
} from '../../../src/renderer/composables/mapClusters'
import { useMapStore, VIEWPORT_DEBOUNCE_MS, type ExportWords } from '../../../src/renderer/stores/map'
import { useQueueStore } from '../../../src/renderer/stores/queue'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { detailOf } from './support/fixtures'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const point = (id: string, lon: number, lat: number, status = 'new'): MapPoint => ({
  id,
  lon,
  lat,
  status,
  categoryId: 'cat-voirie',
  priority: 'normal',
})
const NANCY = { minLon: 6.1, minLat: 48.6, maxLon: 6.3, maxLat: 48.8 }
const SQUARE = selectionPolygonOf([
  [6.1, 48.6],
  [6.3, 48.6],
  [6.3, 48.8],
  [6.1, 48.8],
])!
const words: ExportWords = {
  category: (id) => (id === 'cat-voirie' ? 'Voirie' : id),
  status: (id) => (id === 'new' ? 'Nouveau' : id),
  priority: (p) => (p === 'normal' ? 'Normale' : p),
}

beforeEach(() => {
  resetFakeApi()
  setActivePinia(createPinia())
})
afterEach(() => vi.useRealTimers())

describe('the viewport’s requests', () => {
  it('asks the core once panning pauses, for the last viewport only', async () => {
    vi.useFakeTimers()
    answer('map.points', () => columnsOfPoints([point('a', 6.18, 48.69)]))
    const map = useMapStore()
    map.showViewport(NANCY)
    map.showViewport({ ...NANCY, minLon: 6.0 })
    vi.advanceTimersByTime(VIEWPORT_DEBOUNCE_MS - 1)
    expect(callsTo('map.points')).toEqual([])
    vi.advanceTimersByTime(1)
    await flushPromises()
    expect(callsTo('map.points')).toEqual([{ bbox: { ...NANCY, minLon: 6.0 }, limit: 50_000, filter: {} }])
    expect(map.points.map((p) => p.id)).toEqual(['a'])
    expect(map.pointsLoaded).toBe(true)
  })

  it('draws the requests of the queue’s filter, and asks again for the same view and perimeter when it changes', async () => {
    answer('map.points', () => columnsOfPoints([point('a', 6.18, 48.69)]))
    answer('map.select', () => ({ points: [], truncated: false }))
    const queue = useQueueStore()
    queue.filter = { status: ['nouvelle'], text: '  ' }
    const map = useMapStore()
    await map.loadViewport(NANCY)
    await map.selectPolygon(SQUARE)
    expect(callsTo('map.points')).toEqual([{ bbox: NANCY, limit: 50_000, filter: { status: ['nouvelle'] } }])
    queue.filter = { categoryId: ['voirie-nid'], overdue: true }
    await map.refilter()
    const filter = { categoryId: ['voirie-nid'], overdue: true }
    expect(callsTo('map.points').at(-1)).toEqual({ bbox: NANCY, limit: 50_000, filter })
    expect(callsTo('map.select').at(-1)).toEqual({ polygon: SQUARE, limit: 5000, filter })
  })

  it('keeps the newest viewport when an older answer arrives late', async () => {
    let release: (points: MapPointColumns) => void = () => {}
    answer('map.points', ({ bbox }) =>
      bbox.minLon === 0
        ? new Promise<MapPointColumns>((resolve) => (release = resolve))
        : columnsOfPoints([point('new', 6.2, 48.7)]),
    )
    const map = useMapStore()
    const slow = map.loadViewport({ ...NANCY, minLon: 0 })
    await map.loadViewport(NANCY)
    release(columnsOfPoints([point('old', 1, 48)]))
    await slow
    expect(map.points.map((p) => p.id)).toEqual(['new'])
  })

  it('clamps a world-wrapping extent to degrees the core accepts', () => {
    expect(bboxOfExtent([-540, -95, 200, 91])).toEqual({ minLon: -180, minLat: -90, maxLon: 180, maxLat: 90 })
  })
})

describe('the perimeter selection', () => {
  it('sends the drawn ring closed, and refuses a ring with fewer than three corners', () => {
    expect(SQUARE.coordinates[0]).toEqual([
      [6.1, 48.6],
      [6.3, 48.6],
      [6.3, 48.8],
      [6.1, 48.8],
      [6.1, 48.6],
    ])
    // Already closed: not closed twice.
    expect(selectionPolygonOf(SQUARE.coordinates[0]!)!.coordinates[0]).toHaveLength(5)
    expect(
      selectionPolygonOf([
        [6.1, 48.6],
        [6.2, 48.7],
        [6.1, 48.6],
      ]),
    ).toBeNull()
  })

  it('selects what the core returns for the polygon and loads each request for the list and exports', async () => {
    answer('map.select', () => ({
      points: [point('r1', 6.18, 48.69), point('r2', 6.2, 48.7)],
      truncated: false,
    }))
    answer('request.getMany', ({ ids }) =>
      ids.map((id) =>
        detailOf({
          id,
          status: 'new',
          reference: `GRC-${id}`,
          title: `=HYPERLINK("x") ${id}`,
          location: { lat: 48.69, lon: 6.18 },
        }),
      ),
    )
    const map = useMapStore()
    await map.selectPolygon(SQUARE)
    expect(callsTo('map.select')).toEqual([{ polygon: SQUARE, limit: 5000, filter: {} }])
    // One call for the whole list, not one per request.
    expect(callsTo('request.getMany')).toEqual([{ ids: ['r1', 'r2'] }])
    expect([...map.selectedIds]).toEqual(['r1', 'r2'])
    expect(map.detailsReady).toBe(true)

    const geojson = JSON.parse(map.selectionGeoJSON(words))
    expect(geojson.features).toHaveLength(2)
    expect(geojson.features[0].geometry.coordinates).toEqual([6.18, 48.69])
    expect(geojson.features[0].properties).toMatchObject({
      reference: 'GRC-r1',
      category: 'Voirie',
      status: 'Nouveau',
    })

    const csv = map.selectionCSV(words).trimEnd().split('\r\n')
    expect(csv).toHaveLength(3)
    expect(csv[1]).toContain('"GRC-r1"')
    // A title a spreadsheet would run stays text.
    expect(csv[1]).toContain(`"'=HYPERLINK(""x"") r1"`)

    map.clearSelection()
    expect(map.selection).toEqual([])
    expect(map.selectionPolygon).toBeNull()
  })

  it('says when the core cut the selection, and forgets an older selection answering late', async () => {
    let release: (v: { points: MapPoint[]; truncated: boolean }) => void = () => {}
    answer('map.select', ({ polygon }) =>
      polygon === SQUARE
        ? new Promise((resolve) => (release = resolve))
        : { points: [point('kept', 6.2, 48.7)], truncated: true },
    )
    answer('request.getMany', ({ ids }) => ids.map((id) => detailOf({ id })))
    const map = useMapStore()
    const first = map.selectPolygon(SQUARE)
    await map.selectPolygon(
      selectionPolygonOf([
        [6, 48],
        [7, 48],
        [7, 49],
      ])!,
    )
    release({ points: [point('stale', 6.1, 48.6)], truncated: false })
    await first
    expect(map.selection.map((p) => p.id)).toEqual(['kept'])
    expect(map.selectionTruncated).toBe(true)
  })
})

describe('clusters and pointing', () => {
  it('groups close requests at low zoom and shows each one past the clustering zoom', () => {
    const points = [point('a', 6.18, 48.69), point('b', 6.1801, 48.6901), point('c', 6.5, 48.9)]
    const index = buildClusterIndex(points)
    const far = clustersIn(index, { minLon: 5, minLat: 48, maxLon: 7, maxLat: 49.5 }, 10)
    expect(far.clusters).toEqual([expect.objectContaining({ count: 2 })])
    expect(far.singles.map((p) => p.id)).toEqual(['c'])
    const near = clustersIn(index, { minLon: 5, minLat: 48, maxLon: 7, maxLat: 49.5 }, CLUSTER_MAX_ZOOM + 1)
    expect(near.clusters).toEqual([])
    expect(near.singles.map((p) => p.id).sort()).toEqual(['a', 'b', 'c'])
  })

  it('finds the nearest drawn item within the tolerance only', () => {
    const targets = [
      { x: 10, y: 10, item: 'a' },
      { x: 14, y: 10, item: 'b' },
    ]
    expect(nearestTarget(targets, 13, 10, 8)).toBe('b')
    expect(nearestTarget(targets, 40, 40, 8)).toBeNull()
  })
})
