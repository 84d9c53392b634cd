/**
 * The OpenLayers `Map` lives outside Pinia and outside reactive state (it is a large mutable
 * object graph Vue must not proxy): OlMap.vue creates it and provides it; each layer is a
 * renderless component that adds itself on mount and removes itself on unmount.
 */
import type OlMap from 'ol/Map'
import type BaseLayer from 'ol/layer/Base'
import type Layer from 'ol/layer/Layer'
import type Interaction from 'ol/interaction/Interaction'
import type VectorSource from 'ol/source/Vector'
import { inject, onBeforeUnmount, onMounted, type InjectionKey } from 'vue'

export const OL_MAP: InjectionKey<OlMap> = Symbol('ol-map')

/** The map of the enclosing OlMap.vue. */
export function useOlMap(): OlMap {
  const map = inject(OL_MAP, null)
  if (!map) throw new Error('a map layer must sit inside <OlMap>')
  return map
}

/** Add a layer to the map while the calling component is mounted; clear its vector source when it leaves. */
export function useMapLayer(layer: BaseLayer): OlMap {
  const map = useOlMap()
  onMounted(() => map.addLayer(layer))
  onBeforeUnmount(() => {
    map.removeLayer(layer)
    const source = (layer as Layer).getSource?.() as VectorSource | null | undefined
    if (source && 'clear' in source) source.clear(true)
    layer.dispose()
  })
  return map
}

/** Add an interaction while the calling component is mounted. */
export function useMapInteraction(interaction: Interaction): OlMap {
  const map = useOlMap()
  onMounted(() => map.addInteraction(interaction))
  onBeforeUnmount(() => {
    map.removeInteraction(interaction)
    interaction.dispose()
  })
  return map
}
