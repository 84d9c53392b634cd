/**
 * The requests drawn on the map: past the clustering zoom every request of the view is one
 * dot in its colour, straight from arrays (no Feature each); below it, groups and lone dots.
 */
import { mount } from '@vue/test-utils'
import OlMap from 'ol/Map'
import View from 'ol/View'
import { fromLonLat } from 'ol/proj'
import { describe, expect, it } from 'vitest'
import RequestPointsLayer from '../../../src/renderer/components/map/RequestPointsLayer.vue'
import { CLUSTER_MAX_ZOOM } from '../../../src/renderer/composables/mapClusters'
import { DotsLayer } from '../../../src/renderer/composables/mapDots'
import { GroupsLayer } from '../../../src/renderer/composables/mapGroups'
import { PointGrid } from '../../../src/renderer/composables/mapPointGrid'
import { OL_MAP } from '../../../src/renderer/composables/useOlMap'
import { createAppI18n } from '../../../src/renderer/i18n'
import type { MapPoint } from '../../../src/shared/contract'

const point = (id: string, lon: number, lat: number, status = 'new'): MapPoint =>
  ({ id, lon, lat, status, categoryId: 'voirie', priority: 'normal' }) as MapPoint

/** A deterministic spread around Nancy, with a stray request far away and a repeated id. */
function spread(count: number): MapPoint[] {
  const points: MapPoint[] = []
  let seed = 7
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  for (let i = 0; i < count; i++)
    points.push(point(`R-${i}`, 6.1 + random() * 0.16, 48.64 + random() * 0.1, i % 2 ? 'new' : 'closed'))
  points.push(point('stray', -4.5, 48.4))
  points.push(point('R-3', 6.2, 48.7))
  return points
}

const inside = ([minX, minY, maxX, maxY]: number[], [x, y]: number[]) =>
  x! >= minX! && x! <= maxX! && y! >= minY! && y! <= maxY!

describe('the grid of requests past the clustering zoom', () => {
  it('answers exactly the requests whose place is in the box, each id once', () => {
    const points = spread(5000)
    const grid = new PointGrid(points)
    const [x, y] = fromLonLat([6.18, 48.69])
    for (const half of [100, 800, 3000]) {
      const box = [x! - half * 1.6, y! - half, x! + half * 1.6, y! + half]
      const expected = points
        .map((p, i) => ({ p, i }))
        // The repeated id (the last point) is drawn once: its first occurrence.
        .filter(({ p, i }) => i !== points.length - 1 && inside(box, fromLonLat([p.lon, p.lat])))
        .map(({ p }) => p.id)
      const found = [...grid.within(box)].map((i) => points[i]!.id)
      expect(found.sort()).toEqual(expected.sort())
      expect(new Set(found).size).toBe(found.length)
    }
    // The stray request is found where it is, though far from the rest.
    const stray = fromLonLat([-4.5, 48.4])
    expect([...grid.within([stray[0]! - 1, stray[1]! - 1, stray[0]! + 1, stray[1]! + 1])]).toEqual([
      points.length - 2,
    ])
    expect([...new PointGrid([]).within([0, 0, 1, 1])]).toEqual([])
  })
})

describe('the requests layer', () => {
  function mountAt(points: MapPoint[], zoom: number) {
    const map = new OlMap({ view: new View({ center: fromLonLat([6.18, 48.69]), zoom }) })
    map.setSize([1000, 600])
    const drawn: number[][] = []
    const wrapper = mount(RequestPointsLayer, {
      props: {
        points: [] as MapPoint[],
        colourSlot: (p: MapPoint) => (p.status === 'closed' ? 4 : 1),
        interactive: true,
        onDrawn: (singles: number, clusters: number) => drawn.push([singles, clusters]),
      },
      global: { plugins: [createAppI18n('fr')], provide: { [OL_MAP as symbol]: map } },
    })
    const dots = map.getAllLayers().find((l): l is DotsLayer => l instanceof DotsLayer)!
    const groups = map.getAllLayers().find((l): l is GroupsLayer => l instanceof GroupsLayer)
    return { map, wrapper, drawn, dots, groups, show: () => wrapper.setProps({ points }) }
  }

  it('draws every request of the view as one dot in its colour past the clustering zoom', async () => {
    const points = spread(3000)
    const { map, drawn, dots, groups, show, wrapper } = mountAt(points, CLUSTER_MAX_ZOOM + 1.5)
    expect(groups).toBeDefined()
    await show()
    const view = map.getView().calculateExtent(map.getSize())
    const inView = points.filter((p, i) => i < points.length - 1 && inside(view, fromLonLat([p.lon, p.lat])))
    expect(inView.length).toBeGreaterThan(10)
    expect(drawn.at(-1)).toEqual([inView.length, 0])
    // The layer holds the view and a margin: each request of the view is there, once, in its colour.
    const { dots: onLayer } = dots.getDots()
    const byPlace = new Map<string, number>()
    for (let k = 0; k < onLayer.slots.length; k++)
      byPlace.set(`${onLayer.coordinates[2 * k]},${onLayer.coordinates[2 * k + 1]}`, onLayer.slots[k]!)
    expect(byPlace.size).toBe(onLayer.slots.length)
    for (const p of inView)
      expect(byPlace.get(fromLonLat([p.lon, p.lat]).join(','))).toBe(p.status === 'closed' ? 4 : 1)
    wrapper.unmount()
    expect(map.getAllLayers()).toHaveLength(0)
  })

  it('recolours the dots when the colouring changes, without a move', async () => {
    const points = spread(500)
    const { dots, show, wrapper } = mountAt(points, CLUSTER_MAX_ZOOM + 2)
    await show()
    expect(new Set(Array.from(dots.getDots().dots.slots))).toEqual(new Set([1, 4]))
    await wrapper.setProps({ colourSlot: () => 7 })
    expect(new Set(Array.from(dots.getDots().dots.slots))).toEqual(new Set([7]))
    wrapper.unmount()
  })

  it('refuses dots whose places and colours do not match', () => {
    const layer = new DotsLayer({ 'circle-radius': 6, 'circle-fill-color': '#000' })
    expect(() => layer.setDots({ coordinates: new Float64Array(4), slots: [1] })).toThrow(
      /2 places for 1 slots/,
    )
  })
})
