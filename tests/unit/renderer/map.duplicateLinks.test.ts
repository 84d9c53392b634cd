/**
 * Duplicate links on the map (issue 14): from the core's answer, one line from each placed
 * duplicate to its master and a ring on the master labelled with its count; read again when
 * the view settles or the core says requests changed; nothing drawn nor asked once the
 * agent unticks « Doublons liés », or zoomed out too far; the legend says what is drawn.
 */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type Feature from 'ol/Feature'
import type LineString from 'ol/geom/LineString'
import type Point from 'ol/geom/Point'
import OlMap from 'ol/Map'
import View from 'ol/View'
import VectorLayer from 'ol/layer/Vector'
import { fromLonLat, toLonLat } from 'ol/proj'
import type VectorSource from 'ol/source/Vector'
import type Style from 'ol/style/Style'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import DuplicateLinksLayer from '../../../src/renderer/components/map/DuplicateLinksLayer.vue'
import MapDisplayControls from '../../../src/renderer/components/map/MapDisplayControls.vue'
import MapLegend from '../../../src/renderer/components/map/MapLegend.vue'
import {
  DUPLICATE_LINKS_MIN_ZOOM,
  duplicateLinksView,
} from '../../../src/renderer/components/map/duplicateLinks'
import { OL_MAP } from '../../../src/renderer/composables/useOlMap'
import { createAppI18n } from '../../../src/renderer/i18n'
import type { DuplicateLinks } from '../../../src/shared/channels/mapDuplicates'
import { answer, callsTo, emit, resetFakeApi } from './support/fakeApi'
import { controlLabelled } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const NANCY = { lat: 48.6936, lon: 6.1832 }
const near = (north: number, east: number) => ({
  lat: NANCY.lat + north * 1e-4,
  lon: NANCY.lon + east * 1e-4,
})

const THREE: DuplicateLinks = {
  groups: [
    {
      master: { id: 'm1', reference: 'GRC-2026-000001', ...NANCY, statusKind: 'open' },
      duplicates: [
        { id: 'd1', reference: 'GRC-2026-000002', ...near(2, 0) },
        { id: 'd2', reference: 'GRC-2026-000003', ...near(0, 3) },
        // Without a place: counted on the ring, no line.
        { id: 'd3', reference: 'GRC-2026-000004', lat: null, lon: null },
      ],
    },
    {
      master: { id: 'm2', reference: 'GRC-2026-000010', ...near(20, 20), statusKind: 'closed' },
      duplicates: [{ id: 'd4', reference: 'GRC-2026-000011', ...near(21, 20) }],
    },
  ],
  capped: false,
}

let wrapper: VueWrapper
let map: OlMap
let current: DuplicateLinks

function mountOnMap(zoom = 16) {
  setActivePinia(createPinia())
  map = new OlMap({ view: new View({ center: fromLonLat([NANCY.lon, NANCY.lat]), zoom }) })
  map.setSize([800, 600])
  const Host = defineComponent(() => () => [
    h(MapDisplayControls),
    h(MapLegend, { entries: [], shown: 0, loaded: true, truncated: false }),
    h(DuplicateLinksLayer, { interactive: true }),
  ])
  wrapper = mount(Host, {
    global: { plugins: [createAppI18n('fr')], provide: { [OL_MAP as symbol]: map } },
    attachTo: document.body,
  })
}

function layer(): VectorLayer {
  const found = map.getAllLayers().filter((l): l is VectorLayer => l instanceof VectorLayer)
  expect(found).toHaveLength(1)
  return found[0]!
}
const features = () => (layer().getSource() as VectorSource<Feature<Point | LineString>>).getFeatures()
const lines = () => features().filter((f) => f.getGeometry()?.getType() === 'LineString')
const rings = () => features().filter((f) => f.getGeometry()?.getType() === 'Point')
/** The words drawn with a ring, as its style renders them. */
function labelOf(ring: Feature): string[] {
  const out = layer().getStyleFunction()!(ring, 1)
  return ((Array.isArray(out) ? out : [out]) as Style[]).flatMap((s) => s.getText()?.getText() ?? [])
}
const lonLat = (c: number[]) => toLonLat(c).map((x) => Math.round(x * 1e6) / 1e6)
const settle = async () => {
  map.dispatchEvent('moveend')
  await flushPromises()
}

beforeEach(() => {
  resetFakeApi()
  duplicateLinksView.shown = true
  current = THREE
  answer('map.duplicateLinks', () => current)
})
afterEach(() => wrapper?.unmount())

describe('the duplicate links layer', () => {
  it('draws a line from each placed duplicate to its master and a ring counting its duplicates', async () => {
    mountOnMap()
    await settle()
    expect(callsTo('map.duplicateLinks')).toHaveLength(1)
    const [asked] = callsTo('map.duplicateLinks')
    expect(asked?.bbox.minLat).toBeLessThan(NANCY.lat)
    expect(asked?.bbox.maxLon).toBeGreaterThan(NANCY.lon)

    expect(
      lines()
        .map((l) => l.get('duplicateId'))
        .sort(),
    ).toEqual(['d1', 'd2', 'd4'])
    const d2 = lines().find((l) => l.get('duplicateId') === 'd2')!
    const ends = (d2.getGeometry() as LineString).getCoordinates().map(lonLat)
    expect(ends).toEqual([
      lonLat(fromLonLat([near(0, 3).lon, near(0, 3).lat])),
      lonLat(fromLonLat([NANCY.lon, NANCY.lat])),
    ])

    expect(
      rings()
        .map((r) => r.get('masterId'))
        .sort(),
    ).toEqual(['m1', 'm2'])
    expect(labelOf(rings().find((r) => r.get('masterId') === 'm1')!)).toEqual(['3 doublons'])
    expect(labelOf(rings().find((r) => r.get('masterId') === 'm2')!)).toEqual(['1 doublon'])
    expect(wrapper.get('[data-testid="duplicate-links-count"]').text()).toBe(
      '2 groupes de doublons dans cette vue',
    )
    expect(wrapper.text()).toContain('Cercle : demande principale, avec son nombre de doublons')
  })

  it('reads again when the core says requests changed, and draws what it answers then', async () => {
    mountOnMap()
    await settle()
    current = { groups: [THREE.groups[1]!], capped: true }
    emit('requests.changed', { ids: ['d1'] })
    await flushPromises()
    expect(callsTo('map.duplicateLinks')).toHaveLength(2)
    expect(lines().map((l) => l.get('duplicateId'))).toEqual(['d4'])
    expect(rings().map((r) => r.get('masterId'))).toEqual(['m2'])
    expect(wrapper.get('[data-testid="duplicate-links-count"]').text()).toContain(
      'Seuls les 2000 groupes de doublons les plus récents sont tracés',
    )
  })

  it('reads once more after a running read, however many changes came meanwhile, and draws only that', async () => {
    mountOnMap()
    let release!: () => void
    answer('map.duplicateLinks', async () => {
      const answered = current
      await new Promise<void>((resolve) => (release = resolve))
      return answered
    })
    map.dispatchEvent('moveend')
    await flushPromises()
    current = { groups: [THREE.groups[1]!], capped: false }
    emit('requests.changed', { ids: ['d1'] })
    map.dispatchEvent('moveend')
    emit('requests.changed', { ids: ['d2'] })
    await flushPromises()
    expect(callsTo('map.duplicateLinks')).toHaveLength(1)
    release()
    await flushPromises()
    // The older answer is not drawn; the one read after it is.
    expect(callsTo('map.duplicateLinks')).toHaveLength(2)
    expect(features()).toEqual([])
    release()
    await flushPromises()
    expect(rings().map((r) => r.get('masterId'))).toEqual(['m2'])
    expect(callsTo('map.duplicateLinks')).toHaveLength(2)
  })

  it('hides the links and asks nothing more once « Doublons liés » is unticked', async () => {
    mountOnMap()
    await settle()
    expect(features().length).toBeGreaterThan(0)
    const toggle = controlLabelled(wrapper, 'Doublons liés') as HTMLInputElement
    expect(toggle.checked).toBe(true)
    toggle.click()
    await flushPromises()
    expect(layer().getVisible()).toBe(false)
    expect(features()).toEqual([])
    expect(wrapper.find('[data-testid="duplicate-links-count"]').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('Cercle : demande principale')
    const asked = callsTo('map.duplicateLinks').length
    await settle()
    emit('requests.changed', { ids: [] })
    await flushPromises()
    expect(callsTo('map.duplicateLinks')).toHaveLength(asked)

    toggle.click()
    await flushPromises()
    expect(layer().getVisible()).toBe(true)
    expect(rings()).toHaveLength(2)
  })

  it('draws nothing and says to zoom in below its zoom', async () => {
    mountOnMap(DUPLICATE_LINKS_MIN_ZOOM - 1)
    await settle()
    expect(callsTo('map.duplicateLinks')).toEqual([])
    expect(features()).toEqual([])
    expect(wrapper.get('[data-testid="duplicate-links-count"]').text()).toBe(
      'Zoomez pour voir les doublons liés.',
    )
  })
})
