/**
 * Plain geometry for the map screen, free of OpenLayers objects so the stores and tests can
 * use it: viewport boxes for `map.points`, drawn rings for `map.select`, and which drawn
 * item lies under the pointer.
 */
import type { InputOf } from '../../shared/contract'

export type Bbox = InputOf<'map.points'>['bbox']
/** GeoJSON Polygon in WGS84 `[lon, lat]`, as `map.select` takes it. */
export type SelectionPolygon = InputOf<'map.select'>['polygon']

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value))

/**
 * The viewport as `map.points` takes it, from a `[minLon, minLat, maxLon, maxLat]` extent.
 * Zoomed far out, OpenLayers' extent runs past the antimeridian and the poles: the core
 * refuses such degrees, so they are clamped to the world.
 */
export function bboxOfExtent([minLon, minLat, maxLon, maxLat]: readonly number[]): Bbox {
  return {
    minLon: clamp(minLon ?? -180, -180, 180),
    minLat: clamp(minLat ?? -90, -90, 90),
    maxLon: clamp(maxLon ?? 180, -180, 180),
    maxLat: clamp(maxLat ?? 90, -90, 90),
  }
}

/**
 * The polygon `map.select` takes from a drawn outline (`[lon, lat]` positions): closed
 * (GeoJSON repeats the first position last), or null when fewer than three distinct
 * corners were drawn (a click, a line) so nothing is asked of the core.
 */
export function selectionPolygonOf(ring: readonly (readonly number[])[]): SelectionPolygon | null {
  const positions = ring.map(([lon, lat]) => [lon ?? 0, lat ?? 0])
  const first = positions[0]
  const last = positions[positions.length - 1]
  if (first && last && first[0] === last[0] && first[1] === last[1]) positions.pop()
  const distinct = new Set(positions.map(([lon, lat]) => `${lon},${lat}`))
  if (distinct.size < 3) return null
  return { type: 'Polygon', coordinates: [[...positions, [...positions[0]!]]] }
}

/** Something drawn on screen the pointer can land on (a request or a cluster), in pixels. */
export interface PixelTarget<T> {
  x: number
  y: number
  item: T
}

/**
 * The drawn item nearest the pointer within `tolerance` pixels, or null. Clusters and the
 * points of one viewport are few enough for a straight scan on each pointer move.
 */
export function nearestTarget<T>(
  targets: Iterable<PixelTarget<T>>,
  x: number,
  y: number,
  tolerance: number,
): T | null {
  let best: T | null = null
  let bestDistance = tolerance * tolerance
  for (const target of targets) {
    const d = (target.x - x) ** 2 + (target.y - y) ** 2
    if (d <= bestDistance) {
      best = target.item
      bestDistance = d
    }
  }
  return best
}
