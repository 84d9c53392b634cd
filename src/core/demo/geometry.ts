/**
 * Just enough planar geometry to drop demo points inside the communes' outlines.
 * (WGS84 degrees treated as a plane: fine at the scale of one metropolis.)
 */
import { pointInPolygon } from '../../shared/geo'
import type { Prng } from './prng'

export type Ring = readonly (readonly number[])[]
/** A polygon: its outer ring, then its holes; positions are [lon, lat]. */
export type PolygonCoords = readonly Ring[]

export interface Bounds {
  minLon: number
  minLat: number
  maxLon: number
  maxLat: number
}

/** The demo drops points with the same point-in-polygon the core's routing uses. */
export function pointInAnyPolygon(lon: number, lat: number, polygons: readonly PolygonCoords[]): boolean {
  return polygons.some((p) =>
    pointInPolygon({ lat, lon }, { type: 'Polygon', coordinates: p as number[][][] }),
  )
}

export function boundsOf(polygons: readonly PolygonCoords[]): Bounds {
  const b = { minLon: Infinity, minLat: Infinity, maxLon: -Infinity, maxLat: -Infinity }
  for (const polygon of polygons)
    for (const ring of polygon)
      for (const [lon = 0, lat = 0] of ring) {
        b.minLon = Math.min(b.minLon, lon)
        b.maxLon = Math.max(b.maxLon, lon)
        b.minLat = Math.min(b.minLat, lat)
        b.maxLat = Math.max(b.maxLat, lat)
      }
  return b
}

/**
 * A uniformly random point inside the polygons (rejection sampling in their bounds),
 * rounded to 6 decimals (about 10 cm). Outlines cover a good share of their bounds, so
 * a few draws suffice; the cap only guards against a degenerate outline.
 */
export function randomPointIn(
  polygons: readonly PolygonCoords[],
  bounds: Bounds,
  prng: Prng,
): { lat: number; lon: number } {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const lon = Math.round((bounds.minLon + prng.next() * (bounds.maxLon - bounds.minLon)) * 1e6) / 1e6
    const lat = Math.round((bounds.minLat + prng.next() * (bounds.maxLat - bounds.minLat)) * 1e6) / 1e6
    if (pointInAnyPolygon(lon, lat, polygons)) return { lat, lon }
  }
  throw new Error('randomPointIn: no point found inside the outline')
}
