/**
 * The communes' names on the map: drawn above the request groups (whose discs used to hide
 * them), under the selection and the tour, and gone when the agent hides them.
 */
import { mount } from '@vue/test-utils'
import OlMap from 'ol/Map'
import type Feature from 'ol/Feature'
import VectorLayer from 'ol/layer/Vector'
import type VectorSource from 'ol/source/Vector'
import type Style from 'ol/style/Style'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import RequestPointsLayer from '../../../src/renderer/components/map/RequestPointsLayer.vue'
import SectorsLayer from '../../../src/renderer/components/map/SectorsLayer.vue'
import SelectionLayer from '../../../src/renderer/components/map/SelectionLayer.vue'
import { createAppI18n } from '../../../src/renderer/i18n'
import { GroupsLayer } from '../../../src/renderer/composables/mapGroups'
import { OL_MAP } from '../../../src/renderer/composables/useOlMap'
import type { Sector } from '../../../src/shared/routing'

const NANCY: Sector = {
  id: 'commune-54395',
  name: 'Nancy',
  communeCode: '54395',
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [6.15, 48.67],
        [6.21, 48.67],
        [6.21, 48.71],
        [6.15, 48.71],
        [6.15, 48.67],
      ],
    ],
  },
} as Sector

/** What a vector layer draws for each of its features at a resolution where names fit. */
function drawnBy(layer: VectorLayer | GroupsLayer) {
  if (!(layer instanceof VectorLayer)) return []
  const source = layer.getSource() as VectorSource<Feature>
  const style = layer.getStyleFunction()!
  return source.getFeatures().flatMap((f) => {
    const out = style(f, 20)
    return (Array.isArray(out) ? out : out ? [out] : []) as Style[]
  })
}

/** Each component's layers, mounted on one map as MapView does. */
function mountOnMap(names: boolean) {
  const map = new OlMap({})
  const layersOf = new Map<string, (VectorLayer | GroupsLayer)[]>()
  const global = { plugins: [createAppI18n('fr')], provide: { [OL_MAP as symbol]: map } }
  const vectorsAdded = (mountIt: () => void, name: string) => {
    const before = new Set(map.getAllLayers())
    mountIt()
    layersOf.set(
      name,
      map
        .getAllLayers()
        .filter(
          (l): l is VectorLayer | GroupsLayer =>
            (l instanceof VectorLayer || l instanceof GroupsLayer) && !before.has(l),
        ),
    )
  }
  const mounted: { unmount(): void }[] = []
  vectorsAdded(
    () =>
      mounted.push(
        mount(RequestPointsLayer, { props: { points: [], colourSlot: () => 0, interactive: true }, global }),
      ),
    'requests',
  )
  vectorsAdded(
    () =>
      mounted.push(
        mount(SelectionLayer, { props: { points: [], polygon: null, highlightId: null }, global }),
      ),
    'selection',
  )
  const Host = defineComponent({
    props: { names: Boolean },
    setup: (props) => () => h(SectorsLayer, { sectors: [NANCY], names: props.names }),
  })
  let sectors!: ReturnType<typeof mount>
  vectorsAdded(() => (sectors = mount(Host, { props: { names }, global })), 'sectors')
  return { map, layersOf, sectors, unmountAll: () => [sectors, ...mounted].forEach((w) => w.unmount()) }
}

describe('the communes’ names', () => {
  it('are drawn above the request groups and under the selection, the outlines below the groups', () => {
    const { map, layersOf, unmountAll } = mountOnMap(true)
    const sectorLayers = layersOf.get('sectors')!
    const namesLayer = sectorLayers.find((l) => drawnBy(l).some((s) => s.getText()?.getText() === 'Nancy'))
    const outlineLayer = sectorLayers.find((l) => drawnBy(l).some((s) => s.getStroke()))
    const [groupsLayer] = layersOf.get('requests')!
    const [selectionLayer] = layersOf.get('selection')!
    expect(namesLayer).toBeDefined()
    expect(outlineLayer).toBeDefined()
    expect(namesLayer).not.toBe(outlineLayer)
    expect(namesLayer!.getZIndex()!).toBeGreaterThan(groupsLayer!.getZIndex()!)
    expect(namesLayer!.getZIndex()!).toBeLessThan(selectionLayer!.getZIndex()!)
    expect(outlineLayer!.getZIndex()!).toBeLessThan(groupsLayer!.getZIndex()!)
    // Two names never print over each other.
    expect(namesLayer!.getDeclutter()).toBeTruthy()
    unmountAll()
    expect(map.getAllLayers()).toHaveLength(0)
  })

  it('are not drawn when the agent hides them, while the outline stays', async () => {
    const { layersOf, sectors, unmountAll } = mountOnMap(true)
    await sectors.setProps({ names: false })
    const drawn = layersOf.get('sectors')!.flatMap(drawnBy)
    expect(drawn.some((s) => s.getText())).toBe(false)
    expect(drawn.some((s) => s.getStroke())).toBe(true)
    unmountAll()
  })
})
