/**
 * Plane geometry on WGS84 coordinates for sectors and map selections. Pure TypeScript:
 * main, renderer and server share it, so a point is "in a sector" for all of them alike.
 *
 * Coordinates follow GeoJSON: positions are `[lon, lat]`, polygons are lists of linear
 * rings, the first ring is the outline and the others are holes. Longitude is treated
 * as a plain x axis (no antimeridian wrapping): a French territory never crosses it.
 */

/** A GeoJSON position: `[lon, lat]` (an optional altitude is ignored). */
export type Position = readonly number[]
/** A closed ring of positions; GeoJSON repeats the first position at the end. */
export type LinearRing = readonly Position[]

export interface PolygonGeometry {
  type: 'Polygon'
  /** Outline first, then holes. */
  coordinates: readonly LinearRing[]
}

export interface MultiPolygonGeometry {
  type: 'MultiPolygon'
  coordinates: readonly (readonly LinearRing[])[]
}

export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry

/** GeoJSON bbox order: `[minLon, minLat, maxLon, maxLat]`. */
export type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number]

export interface LatLon {
  lat: number
  lon: number
}

const polygonsOf = (geometry: AreaGeometry): readonly (readonly LinearRing[])[] =>
  geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates

/**
 * Whether a horizontal ray from (x, y) towards +x crosses the ring an odd number of times.
 *
 * Each edge is evaluated from its lower endpoint to its upper one, so two polygons that
 * share an edge (neighbouring communes) compute exactly the same floating-point value
 * for it, whatever the direction each ring runs in. The half-open test
 * `lo.y <= y < hi.y` plus a strict "left of the edge" test is the classic PNPOLY rule.
 */
function ringContains(ring: LinearRing, x: number, y: number): boolean {
  let inside = false
  const n = ring.length
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = ring[i]
    const b = ring[j]
    if (!a || !b) continue
    const ax = a[0] ?? 0
    const ay = a[1] ?? 0
    const bx = b[0] ?? 0
    const by = b[1] ?? 0
    if (ay === by) continue // horizontal edge: the ray runs along it, never across
    const up = ay < by
    const lx = up ? ax : bx
    const ly = up ? ay : by
    const hx = up ? bx : ax
    const hy = up ? by : ay
    if (y < ly || y >= hy) continue
    // Cross product of (hi - lo) and (p - lo): positive when p lies left of the upward edge,
    // i.e. when the edge crosses the ray on the +x side of p.
    const cross = (hx - lx) * (y - ly) - (hy - ly) * (x - lx)
    if (cross > 0) inside = !inside
  }
  return inside
}

/**
 * Whether `point` lies inside a Polygon (outline minus its holes) or a MultiPolygon (any
 * of its polygons). Works for concave outlines (even–odd ray casting).
 *
 * Boundary choice: half-open, as in PNPOLY. A point exactly on an edge is inside on the
 * west and south sides of an area and outside on its east and north sides, so a point on
 * the border shared by two adjacent sectors belongs to exactly one of them, never to both
 * nor to none; the same holds at the edge of a hole.
 */
export function pointInPolygon(point: LatLon, geometry: AreaGeometry): boolean {
  const x = point.lon
  const y = point.lat
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false
  for (const polygon of polygonsOf(geometry)) {
    const [outline, ...holes] = polygon
    if (!outline || !ringContains(outline, x, y)) continue
    if (!holes.some((hole) => ringContains(hole, x, y))) return true
  }
  return false
}

/** The bounding box of every position of the geometry, or null when it has none. */
export function bboxOfGeometry(geometry: AreaGeometry): BBox | null {
  let minLon = Infinity
  let minLat = Infinity
  let maxLon = -Infinity
  let maxLat = -Infinity
  for (const polygon of polygonsOf(geometry))
    for (const ring of polygon)
      for (const position of ring) {
        const lon = position[0]
        const lat = position[1]
        if (lon === undefined || lat === undefined) continue
        if (lon < minLon) minLon = lon
        if (lon > maxLon) maxLon = lon
        if (lat < minLat) minLat = lat
        if (lat > maxLat) maxLat = lat
      }
  return minLon === Infinity ? null : [minLon, minLat, maxLon, maxLat]
}

/** Whether the point lies in the box, edges included (a cheap pre-test before pointInPolygon). */
export function bboxContains(bbox: BBox, point: LatLon): boolean {
  return point.lon >= bbox[0] && point.lon <= bbox[2] && point.lat >= bbox[1] && point.lat <= bbox[3]
}
