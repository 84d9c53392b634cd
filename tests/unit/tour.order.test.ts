/**
 * Tour ordering: 2-opt never makes a route longer than nearest neighbour, finds the
 * optimum on small known cases (checked against every permutation), and the figures a
 * lead reads (distance, duration) add up.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  estimateMinutes,
  haversineKm,
  nearestNeighbourOrder,
  planTour,
  tourLengthKm,
  twoOpt,
} from '../../src/shared/tour'

const DEPOT = { lat: 48.6921, lon: 6.1844 } // Nancy, place Stanislas
const point = fc.record({
  lat: fc.double({ min: 48.6, max: 48.8, noNaN: true }),
  lon: fc.double({ min: 6.05, max: 6.35, noNaN: true }),
})

function bestByBruteForce(stops: { lat: number; lon: number }[]): number {
  let best = Infinity
  const permute = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) best = Math.min(best, tourLengthKm(DEPOT, stops, prefix))
    rest.forEach((r, i) => permute([...prefix, r], [...rest.slice(0, i), ...rest.slice(i + 1)]))
  }
  permute(
    [],
    stops.map((_s, i) => i),
  )
  return best
}

describe('tour ordering', () => {
  it('measures great-circle distances (Nancy → Metz ≈ 48 km)', () => {
    expect(haversineKm(DEPOT, { lat: 49.1193, lon: 6.1757 })).toBeCloseTo(47.5, 0)
  })

  it('2-opt is never worse than nearest neighbour, and visits every stop once', () => {
    fc.assert(
      fc.property(fc.array(point, { minLength: 0, maxLength: 40 }), (stops) => {
        const nn = nearestNeighbourOrder(DEPOT, stops)
        const opt = twoOpt(DEPOT, stops, nn)
        expect([...opt].sort((a, b) => a - b)).toEqual(stops.map((_s, i) => i))
        expect(tourLengthKm(DEPOT, stops, opt)).toBeLessThanOrEqual(tourLengthKm(DEPOT, stops, nn) + 1e-9)
      }),
      { seed: 5, numRuns: 200 },
    )
  })

  it('finds the optimal order on small tours (checked against every permutation)', () => {
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 7 }), (stops) => {
        const plan = planTour(DEPOT, stops)
        expect(plan.distanceKm).toBeCloseTo(bestByBruteForce(stops), 4)
      }),
      { seed: 11, numRuns: 60 },
    )
  })

  it('untangles a crossing route: a square visited corner to corner becomes its outline', () => {
    const square = [
      { lat: 48.7, lon: 6.1 },
      { lat: 48.7, lon: 6.3 },
      { lat: 48.65, lon: 6.1 },
      { lat: 48.65, lon: 6.3 },
    ]
    const crossing = [0, 3, 1, 2]
    const fixed = twoOpt(DEPOT, square, crossing)
    expect(tourLengthKm(DEPOT, square, fixed)).toBeLessThan(tourLengthKm(DEPOT, square, crossing))
    expect(tourLengthKm(DEPOT, square, fixed)).toBeCloseTo(bestByBruteForce(square), 9)
  })

  it('an empty tour is zero; the duration counts driving and time on site', () => {
    expect(planTour(DEPOT, [])).toEqual({ order: [], distanceKm: 0, durationMinutes: 0 })
    expect(estimateMinutes(25, 4)).toBe(60 + 4 * 15)
    expect(estimateMinutes(10, 2, { speedKmh: 30, minutesPerStop: 20 })).toBe(20 + 40)
  })
})
