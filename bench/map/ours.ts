/**
 * Our map as the console mounts it: OlMap (with the app's i18n) holding RequestPointsLayer,
 * no base tiles. Resolves with the OpenLayers map once mounted.
 */
import type OlMapObject from 'ol/Map'
import { createApp, h, type FunctionalComponent } from 'vue'
import type { MapPoint } from '../../src/shared/contract'
import OlMap from '../../src/renderer/components/map/OlMap.vue'
import RequestPointsLayer from '../../src/renderer/components/map/RequestPointsLayer.vue'
import { paletteSlots, slotOf } from '../../src/renderer/composables/mapStyle'
import { useOlMap } from '../../src/renderer/composables/useOlMap'
import { createAppI18n } from '../../src/renderer/i18n'
import { SYNTHETIC_STATUSES } from './points'

export interface MountedOurs {
  map: OlMapObject
  /** Lone points and clusters of the last redraw. */
  drawn(): { singles: number; clusters: number }
}

/**
 * `onMap` gets the map while OlMap renders its slot: before OlMap is mounted and gives the
 * map its target, so the view and the frame clock are in place before the first frame.
 */
export function mountOurs(
  target: HTMLElement,
  points: readonly MapPoint[],
  onMap: (map: OlMapObject) => void,
): MountedOurs {
  const slots = paletteSlots(SYNTHETIC_STATUSES)
  const colourSlot = (point: MapPoint) => slotOf(slots, point.status)
  let map: OlMapObject | null = null
  let drawn = { singles: 0, clusters: 0 }
  // Renders nothing: it only takes the map OlMap provides to what sits in its slot.
  const MapProbe: FunctionalComponent = () => {
    if (!map) {
      map = useOlMap()
      onMap(map)
    }
    return null
  }
  const layer = () =>
    h(RequestPointsLayer, {
      points,
      colourSlot,
      interactive: true,
      onDrawn: (singles: number, clusters: number) => (drawn = { singles, clusters }),
    })
  createApp({ render: () => h(OlMap, null, { default: () => [layer(), h(MapProbe)] }) })
    .use(createAppI18n('fr'))
    .mount(target)
  if (!map) throw new Error('OlMap did not provide its map')
  return { map, drawn: () => drawn }
}
