/**
 * Duplicate links on the map (issue 14), free of Vue components so the layer, the display
 * controls, the legend and the tests share them: whether the agent shows them, what the
 * last read said (capped, or the view too far out), their colours, and the features drawn
 * for an answer of `map.duplicateLinks`.
 */
import Feature from 'ol/Feature'
import LineString from 'ol/geom/LineString'
import Point from 'ol/geom/Point'
import { fromLonLat } from 'ol/proj'
import { reactive } from 'vue'
import type { DuplicateLinks } from '../../../shared/channels/mapDuplicates'

/**
 * Below zoom 14 a screen spans the whole metropole, thousands of requests, and a duplicate
 * lies within about 50 m of its master (the categories' default radius): a line of 3 pixels
 * or less, noise over the dots. From 14 (a district, 50 m ≈ 5 px, 19 px at 16) they are drawn.
 */
export const DUPLICATE_LINKS_MIN_ZOOM = 14

/**
 * Dark raspberry: no dot, cluster, selection or outline colour (mapStyle.ts), over 7:1
 * against white; lines and rings are haloed in white so they stay visible on any tile. The
 * ring carries its count in words, never the colour alone.
 */
export const DUPLICATE_LINK_COLOUR = '#a1005b'
export const DUPLICATE_HALO_COLOUR = '#ffffff'
export const DUPLICATE_LABEL_COLOUR = '#161616'

/**
 * The agent's choice (« Doublons liés »), kept while the console runs like the map's other
 * display choices, and what the last read of the layer found, for the legend.
 */
export const duplicateLinksView = reactive({
  shown: true,
  /** The view is below DUPLICATE_LINKS_MIN_ZOOM: nothing drawn, the legend says to zoom in. */
  tooFarOut: false,
  /** More groups touch the view than the core answered. */
  capped: false,
  groups: 0,
})

export type DuplicateFeatureKind = 'link' | 'master'

/**
 * The features of an answer: one line per placed duplicate, from it to its master, and one
 * ring per master, labelled with its count (`label(n)`, « 3 doublons ») and carrying the
 * master's id, which a click on it opens.
 */
export function duplicateFeaturesOf(
  answer: DuplicateLinks,
  label: (count: number) => string,
): Feature<Point | LineString>[] {
  const features: Feature<Point | LineString>[] = []
  for (const { master, duplicates } of answer.groups) {
    const at = fromLonLat([master.lon, master.lat])
    for (const d of duplicates) {
      if (d.lat === null || d.lon === null) continue
      features.push(
        new Feature({
          geometry: new LineString([fromLonLat([d.lon, d.lat]), at]),
          kind: 'link' satisfies DuplicateFeatureKind,
          duplicateId: d.id,
          masterId: master.id,
        }),
      )
    }
    const ring = new Feature({
      geometry: new Point(at),
      kind: 'master' satisfies DuplicateFeatureKind,
      masterId: master.id,
      reference: master.reference,
      count: duplicates.length,
      label: label(duplicates.length),
    })
    ring.setId(master.id)
    features.push(ring)
  }
  return features
}
