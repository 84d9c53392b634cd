/**
 * The requests in a box at street level, where none is clustered: a flat grid of buckets
 * over their places in map coordinates (EPSG:3857), answering with indices into the points.
 * Supercluster would answer the same with one object per request and its GeoJSON; at the
 * zooms where a box holds tens of thousands of requests, indices and one array of places
 * are what the dots layer takes anyway.
 */
import { getTransform } from 'ol/proj'
import type { Extent } from 'ol/extent'
import type { MapPoint } from '../../shared/contract'

/** Longitudes and latitudes to map coordinates, the transform `fromLonLat` applies, over a flat array at once. */
const toMap = getTransform('EPSG:4326', 'EPSG:3857')

/** A bucket's side in metres: a few per screen at street level. */
const CELL_M = 500
/** Cells per side at most, whatever the spread of the points (a stray one far away). */
const MAX_CELLS_PER_SIDE = 2048

export class PointGrid {
  /** x, y of each point (its index in `points`), in EPSG:3857. */
  readonly xy: Float64Array
  private readonly minX: number
  private readonly minY: number
  private readonly cell: number
  private readonly columns: number
  private readonly rows: number
  /** Where each cell's points start in `members` (one more entry than cells). */
  private readonly starts: Uint32Array
  private readonly members: Uint32Array
  /** The answer's room, kept between calls: fresh large arrays at every pan wake the garbage collector. */
  private found = new Uint32Array(1024)

  /** Requests with an id seen before are left out: each request is drawn once. */
  constructor(readonly points: readonly MapPoint[]) {
    const xy = new Float64Array(points.length * 2)
    points.forEach((point, i) => {
      xy[2 * i] = point.lon
      xy[2 * i + 1] = point.lat
    })
    toMap(xy as unknown as number[], xy as unknown as number[], 2)
    const kept: number[] = []
    const seen = new Set<string>()
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity]
    points.forEach((point, i) => {
      const x = xy[2 * i]!
      const y = xy[2 * i + 1]!
      if (seen.has(point.id)) return
      seen.add(point.id)
      kept.push(i)
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
    })
    this.xy = xy
    if (!kept.length) [minX, minY, maxX, maxY] = [0, 0, 0, 0]
    this.minX = minX
    this.minY = minY
    this.cell = Math.max(CELL_M, (maxX - minX) / MAX_CELLS_PER_SIDE, (maxY - minY) / MAX_CELLS_PER_SIDE)
    this.columns = Math.floor((maxX - minX) / this.cell) + 1
    this.rows = Math.floor((maxY - minY) / this.cell) + 1
    // A counting sort of the kept points by cell.
    const cellOf = new Uint32Array(kept.length)
    const starts = new Uint32Array(this.columns * this.rows + 1)
    kept.forEach((i, k) => {
      const c = this.cellAt(xy[2 * i]!, xy[2 * i + 1]!)
      cellOf[k] = c
      starts[c + 1]!++
    })
    for (let c = 1; c < starts.length; c++) starts[c]! += starts[c - 1]!
    const fill = starts.slice(0, -1)
    const members = new Uint32Array(kept.length)
    kept.forEach((i, k) => {
      members[fill[cellOf[k]!]!++] = i
    })
    this.starts = starts
    this.members = members
  }

  private column(x: number): number {
    return Math.min(this.columns - 1, Math.max(0, Math.floor((x - this.minX) / this.cell)))
  }

  private row(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.minY) / this.cell)))
  }

  private cellAt(x: number, y: number): number {
    return this.row(y) * this.columns + this.column(x)
  }

  /**
   * The indices of the points inside `extent` (EPSG:3857), edges included. The answer is a
   * view on the grid's own room, valid until the next call.
   */
  within(extent: Extent): Uint32Array {
    const [minX = 0, minY = 0, maxX = -1, maxY = -1] = extent
    let count = 0
    if (!this.members.length || maxX < minX || maxY < minY) return this.found.subarray(0, 0)
    const xy = this.xy
    const [c0, c1, r0, r1] = [this.column(minX), this.column(maxX), this.row(minY), this.row(maxY)]
    for (let r = r0; r <= r1; r++) {
      const from = this.starts[r * this.columns + c0]!
      const to = this.starts[r * this.columns + c1 + 1]!
      for (let m = from; m < to; m++) {
        const i = this.members[m]!
        const x = xy[2 * i]!
        const y = xy[2 * i + 1]!
        if (x < minX || x > maxX || y < minY || y > maxY) continue
        if (count === this.found.length) {
          const larger = new Uint32Array(this.found.length * 2)
          larger.set(this.found)
          this.found = larger
        }
        this.found[count++] = i
      }
    }
    return this.found.subarray(0, count)
  }
}
