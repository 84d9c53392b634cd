/**
 * Ordering a technician's tour (tournée): from the depot, visit every stop once and come
 * back, as short as we can make it. Nearest neighbour gives a first route, then 2-opt
 * removes crossings until no exchange of two edges shortens it (never worse than the
 * first route). Distances are great-circle (haversine) kilometres. Pure TypeScript: the
 * renderer recomputes a route live while the lead drags stops, the core when it saves.
 */
import type { LatLon } from './geo'

const EARTH_RADIUS_KM = 6371.0088

/** Great-circle distance in kilometres. */
export function haversineKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Length of depot → stops in `order` → depot. */
export function tourLengthKm(depot: LatLon, stops: readonly LatLon[], order: readonly number[]): number {
  let total = 0
  let at = depot
  for (const i of order) {
    total += haversineKm(at, stops[i]!)
    at = stops[i]!
  }
  return order.length ? total + haversineKm(at, depot) : 0
}

/** Start anywhere near, always go to the closest stop not yet visited. */
export function nearestNeighbourOrder(depot: LatLon, stops: readonly LatLon[]): number[] {
  const left = new Set(stops.map((_s, i) => i))
  const order: number[] = []
  let at = depot
  while (left.size > 0) {
    let best = -1
    let bestKm = Infinity
    for (const i of left) {
      const km = haversineKm(at, stops[i]!)
      if (km < bestKm) [best, bestKm] = [i, km]
    }
    order.push(best)
    left.delete(best)
    at = stops[best]!
  }
  return order
}

/**
 * 2-opt on the closed route depot → order → depot: reverse a segment whenever that
 * shortens the tour, until no reversal does. @returns a new order, never longer.
 */
export function twoOpt(depot: LatLon, stops: readonly LatLon[], order: readonly number[]): number[] {
  const route = [-1, ...order] // -1 is the depot, at both ends of the cycle
  const point = (k: number) => (route[k] === -1 ? depot : stops[route[k]!]!)
  const n = route.length
  let improved = true
  while (improved) {
    improved = false
    for (let i = 0; i < n - 1; i++) {
      for (let j = i + 2; j < n; j++) {
        const a = point(i)
        const b = point(i + 1)
        const c = point(j)
        const d = point((j + 1) % n)
        const delta = haversineKm(a, c) + haversineKm(b, d) - haversineKm(a, b) - haversineKm(c, d)
        if (delta < -1e-9) {
          // Reverse route[i+1..j]
          for (let l = i + 1, r = j; l < r; l++, r--) [route[l], route[r]] = [route[r]!, route[l]!]
          improved = true
        }
      }
    }
  }
  return route.slice(1)
}

export interface TourPlan {
  /** Indexes into the stops, in visiting order. */
  order: number[]
  distanceKm: number
  /** Driving at `speedKmh` plus `minutesPerStop` on site. */
  durationMinutes: number
}

export interface TourOptions {
  speedKmh?: number
  minutesPerStop?: number
}

export function estimateMinutes(distanceKm: number, stops: number, options: TourOptions = {}): number {
  const speed = options.speedKmh ?? 25
  const perStop = options.minutesPerStop ?? 15
  return Math.round((distanceKm / speed) * 60 + stops * perStop)
}

/** Up to this many stops the optimum is computed exactly (Held–Karp: 2^n·n² steps). */
export const EXACT_UP_TO = 10

/** The shortest order, exactly, by dynamic programming over subsets of stops. */
export function exactOrder(depot: LatLon, stops: readonly LatLon[]): number[] {
  const n = stops.length
  if (n === 0) return []
  const full = (1 << n) - 1
  const cost = new Float64Array((1 << n) * n).fill(Infinity)
  const parent = new Int8Array((1 << n) * n).fill(-1)
  for (let i = 0; i < n; i++) cost[(1 << i) * n + i] = haversineKm(depot, stops[i]!)
  for (let set = 1; set <= full; set++)
    for (let last = 0; last < n; last++) {
      const here = cost[set * n + last]!
      if (!(set & (1 << last)) || here === Infinity) continue
      for (let next = 0; next < n; next++) {
        if (set & (1 << next)) continue
        const to = set | (1 << next)
        const c = here + haversineKm(stops[last]!, stops[next]!)
        if (c < cost[to * n + next]!) {
          cost[to * n + next] = c
          parent[to * n + next] = last
        }
      }
    }
  let last = 0
  for (let i = 1; i < n; i++)
    if (
      cost[full * n + i]! + haversineKm(stops[i]!, depot) <
      cost[full * n + last]! + haversineKm(stops[last]!, depot)
    )
      last = i
  const order: number[] = []
  for (let set = full, at = last; at >= 0;) {
    order.push(at)
    const prev = parent[set * n + at]!
    set &= ~(1 << at)
    at = prev
  }
  return order.reverse()
}

/**
 * The shortest order we find from the depot through every stop and back: exact for small
 * tours, nearest neighbour then 2-opt beyond.
 */
export function planTour(depot: LatLon, stops: readonly LatLon[], options: TourOptions = {}): TourPlan {
  const order =
    stops.length <= EXACT_UP_TO
      ? exactOrder(depot, stops)
      : twoOpt(depot, stops, nearestNeighbourOrder(depot, stops))
  const distanceKm = tourLengthKm(depot, stops, order)
  return { order, distanceKm, durationMinutes: estimateMinutes(distanceKm, stops.length, options) }
}
