/**
 * The baseline: how OpenLayers' own examples cluster many points. Every point a Feature in a
 * VectorSource, `ol/source/Cluster` over it, a canvas VectorLayer with a style cached per
 * cluster size (lone points coloured like ours). Same view, controls and look as our map.
 */
import Feature from 'ol/Feature'
import OlMap from 'ol/Map'
import View from 'ol/View'
import { defaults as defaultControls } from 'ol/control/defaults'
import Point from 'ol/geom/Point'
import VectorLayer from 'ol/layer/Vector'
import { fromLonLat } from 'ol/proj'
import Cluster from 'ol/source/Cluster'
import VectorSource from 'ol/source/Vector'
import CircleStyle from 'ol/style/Circle'
import Fill from 'ol/style/Fill'
import Stroke from 'ol/style/Stroke'
import Style from 'ol/style/Style'
import Text from 'ol/style/Text'
import type { FeatureLike } from 'ol/Feature'
import 'ol/ol.css'
import type { MapPoint } from '../../src/shared/contract'
import {
  CLUSTER_COLOUR,
  HOME_CENTER_LONLAT,
  HOME_ZOOM,
  paletteColour,
  paletteSlots,
  slotOf,
} from '../../src/renderer/composables/mapStyle'
import { SYNTHETIC_STATUSES } from './points'

/** Our clusters are about 30 pixels across (supercluster radius 60 on 512-pixel tiles). */
const CLUSTER_DISTANCE_PX = 30

export interface BaselineMap {
  map: OlMap
  drawn(): { singles: number; clusters: number }
}

export function createBaselineMap(target: HTMLElement, points: readonly MapPoint[]): BaselineMap {
  const slots = paletteSlots(SYNTHETIC_STATUSES)
  const features = points.map(
    (point) =>
      new Feature({
        geometry: new Point(fromLonLat([point.lon, point.lat])),
        slot: slotOf(slots, point.status),
      }),
  )
  const clusters = new Cluster({ distance: CLUSTER_DISTANCE_PX, source: new VectorSource({ features }) })

  const styles = new Map<string, Style>()
  function style(feature: FeatureLike): Style {
    const members = feature.get('features') as Feature[]
    const count = members.length
    const key = count === 1 ? `slot ${members[0]!.get('slot')}` : `count ${count}`
    let cached = styles.get(key)
    if (!cached) {
      cached =
        count === 1
          ? new Style({
              image: new CircleStyle({
                radius: 6,
                fill: new Fill({ color: paletteColour(Number(members[0]!.get('slot'))) }),
                stroke: new Stroke({ color: '#ffffff', width: 1.5 }),
              }),
            })
          : new Style({
              image: new CircleStyle({
                radius: Math.min(26, 10 + Math.log10(count) * 6),
                fill: new Fill({ color: CLUSTER_COLOUR }),
                stroke: new Stroke({ color: '#ffffff', width: 2 }),
              }),
              text: new Text({
                text: String(count),
                font: '700 12px system-ui, sans-serif',
                fill: new Fill({ color: '#ffffff' }),
              }),
            })
      styles.set(key, cached)
    }
    return cached
  }

  const map = new OlMap({
    target,
    layers: [new VectorLayer({ source: clusters, style })],
    controls: defaultControls({ rotate: false, attributionOptions: { collapsible: false } }),
    view: new View({ center: fromLonLat(HOME_CENTER_LONLAT), zoom: HOME_ZOOM, maxZoom: 19 }),
  })
  const drawn = () => {
    let singles = 0
    let groups = 0
    const extent = map.getView().calculateExtent(map.getSize())
    for (const cluster of clusters.getFeaturesInExtent(extent))
      if ((cluster.get('features') as Feature[]).length === 1) singles++
      else groups++
    return { singles, clusters: groups }
  }
  return { map, drawn }
}
