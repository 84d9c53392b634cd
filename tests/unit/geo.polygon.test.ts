import { describe, expect, it } from 'vitest'
import {
  bboxContains,
  bboxOfGeometry,
  pointInPolygon,
  type LinearRing,
  type MultiPolygonGeometry,
  type PolygonGeometry,
} from '../../src/shared/geo'

/** A closed rectangular ring, counter-clockwise, in [lon, lat]. */
const rect = (x0: number, y0: number, x1: number, y1: number): number[][] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
]
const polygon = (...rings: LinearRing[]): PolygonGeometry => ({ type: 'Polygon', coordinates: rings })
const pt = (lon: number, lat: number) => ({ lon, lat })

describe('pointInPolygon', () => {
  const square = polygon(rect(6.1, 48.6, 6.3, 48.8))

  it('finds a point inside a simple square and not one outside', () => {
    expect(pointInPolygon(pt(6.2, 48.7), square)).toBe(true)
    expect(pointInPolygon(pt(6.35, 48.7), square)).toBe(false)
    expect(pointInPolygon(pt(6.2, 48.9), square)).toBe(false)
    expect(pointInPolygon(pt(48.7, 6.2), square)).toBe(false) // lat and lon swapped
  })

  it('excludes the holes of a polygon', () => {
    const withHole = polygon(rect(0, 0, 10, 10), rect(3, 3, 7, 7))
    expect(pointInPolygon(pt(5, 5), withHole)).toBe(false)
    expect(pointInPolygon(pt(1, 5), withHole)).toBe(true)
    expect(pointInPolygon(pt(8, 8), withHole)).toBe(true)
    const twoHoles = polygon(rect(0, 0, 10, 10), rect(1, 1, 3, 3), rect(6, 6, 9, 9))
    expect(pointInPolygon(pt(2, 2), twoHoles)).toBe(false)
    expect(pointInPolygon(pt(7, 7), twoHoles)).toBe(false)
    expect(pointInPolygon(pt(5, 5), twoHoles)).toBe(true)
  })

  it('handles a concave U shape: the notch is outside, both arms inside', () => {
    // ┌┐ ┌┐
    // ││ ││   arms from x 0–2 and 4–6, joined by a base from y 0–2; notch x 2–4, y 2–6.
    const u = polygon([
      [0, 0],
      [6, 0],
      [6, 6],
      [4, 6],
      [4, 2],
      [2, 2],
      [2, 6],
      [0, 6],
      [0, 0],
    ])
    expect(pointInPolygon(pt(1, 4), u)).toBe(true)
    expect(pointInPolygon(pt(5, 4), u)).toBe(true)
    expect(pointInPolygon(pt(3, 1), u)).toBe(true)
    expect(pointInPolygon(pt(3, 4), u)).toBe(false)
    expect(pointInPolygon(pt(7, 4), u)).toBe(false)
    expect(pointInPolygon(pt(-1, 4), u)).toBe(false)
    // A ray through a vertex of the notch must not flip the answer.
    expect(pointInPolygon(pt(1, 2), u)).toBe(true)
    expect(pointInPolygon(pt(-1, 2), u)).toBe(false)
    expect(pointInPolygon(pt(1, 6.5), u)).toBe(false)
  })

  it('does not care about ring orientation or a missing closing position', () => {
    const clockwise = polygon([...rect(0, 0, 4, 4)].reverse())
    expect(pointInPolygon(pt(2, 2), clockwise)).toBe(true)
    const open = polygon(rect(0, 0, 4, 4).slice(0, 4))
    expect(pointInPolygon(pt(2, 2), open)).toBe(true)
    expect(pointInPolygon(pt(5, 2), open)).toBe(false)
  })

  it('matches any polygon of a MultiPolygon, holes included', () => {
    const multi: MultiPolygonGeometry = {
      type: 'MultiPolygon',
      coordinates: [[rect(0, 0, 2, 2)], [rect(10, 10, 20, 20), rect(12, 12, 18, 18)]],
    }
    expect(pointInPolygon(pt(1, 1), multi)).toBe(true)
    expect(pointInPolygon(pt(11, 11), multi)).toBe(true)
    expect(pointInPolygon(pt(15, 15), multi)).toBe(false)
    expect(pointInPolygon(pt(5, 5), multi)).toBe(false)
  })

  it('puts a point on a border shared by two sectors in exactly one of them', () => {
    // A 4 × 4 grid of unit squares, half of them wound the other way round.
    const cells: PolygonGeometry[] = []
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        const ring = rect(i, j, i + 1, j + 1)
        cells.push(polygon((i + j) % 2 === 0 ? ring : [...ring].reverse()))
      }
    // Every point of a half-unit lattice strictly inside the grid (edges and corners included).
    for (let x = 0.5; x < 4; x += 0.5)
      for (let y = 0.5; y < 4; y += 0.5) {
        const owners = cells.filter((c) => pointInPolygon(pt(x, y), c)).length
        expect(owners, `point (${x}, ${y})`).toBe(1)
      }
  })

  it('documents the boundary rule: west and south edges in, east and north edges out', () => {
    const cell = polygon(rect(0, 0, 1, 1))
    expect(pointInPolygon(pt(0, 0.5), cell)).toBe(true)
    expect(pointInPolygon(pt(0.5, 0), cell)).toBe(true)
    expect(pointInPolygon(pt(1, 0.5), cell)).toBe(false)
    expect(pointInPolygon(pt(0.5, 1), cell)).toBe(false)
  })

  it('refuses non-finite coordinates', () => {
    expect(pointInPolygon(pt(Number.NaN, 48.7), square)).toBe(false)
  })
})

describe('bboxOfGeometry', () => {
  it('spans every ring of every polygon', () => {
    const multi: MultiPolygonGeometry = {
      type: 'MultiPolygon',
      coordinates: [[rect(6.1, 48.6, 6.2, 48.7)], [rect(6.25, 48.65, 6.3, 48.75)]],
    }
    const bbox = bboxOfGeometry(multi)
    expect(bbox).toEqual([6.1, 48.6, 6.3, 48.75])
    expect(bboxContains(bbox!, pt(6.28, 48.74))).toBe(true)
    expect(bboxContains(bbox!, pt(6.31, 48.74))).toBe(false)
  })

  it('is null for an empty geometry', () => {
    expect(bboxOfGeometry({ type: 'MultiPolygon', coordinates: [] })).toBeNull()
  })
})
