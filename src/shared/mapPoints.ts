/**
 * The requests of a map viewport as they cross IPC: column by column, one typed array per
 * number and the ids in one string, so 50 000 points are a few buffers that the structured
 * clone copies in one go, and that the contract checks without walking 50 000 objects.
 * Point i is `ids[i]` at (`lon[i]`, `lat[i]`), status `statuses[status[i]]`, category
 * `categories[category[i]]`, priority `PRIORITIES[priority[i]]`.
 */
import { z } from 'zod'
import { Id, PRIORITIES, type Priority } from './domain'

const ID_MAX = Id.maxLength ?? 64

/** Between two ids in `ids` (an id never holds a line break: see `Id`). */
export const ID_SEPARATOR = '\n'

const columns = {
  /** The ids, separated by ID_SEPARATOR; empty when there is no point. */
  ids: z.string(),
  lon: z.instanceof(Float64Array),
  lat: z.instanceof(Float64Array),
  /** Index into `statuses`. */
  status: z.instanceof(Uint8Array),
  statuses: z.array(z.string().min(1).max(64)).max(256),
  /** Index into `categories`. */
  category: z.instanceof(Uint16Array),
  categories: z.array(Id).max(65_536),
  /** Index into PRIORITIES (low, normal, high, urgent). */
  priority: z.instanceof(Uint8Array),
}
export type MapPointColumns = z.infer<z.ZodObject<typeof columns>>

/** How many points the columns hold (every column has this length). */
export const pointCount = (c: Pick<MapPointColumns, 'lon'>) => c.lon.length

const sameLengths = (c: MapPointColumns) => {
  const n = c.lon.length
  return c.lat.length === n && c.status.length === n && c.category.length === n && c.priority.length === n
}

/**
 * The shape and the lengths only: constant time whatever the number of points. What a
 * packaged console checks (dispatch.ts `outputCheck: 'cheap'`).
 */
export const MapPointColumnsShape = z
  .object(columns)
  .strict()
  .refine(sameLengths, { message: 'the columns do not have the same length' })

/** Everything: also one valid id per point and every code pointing into its dictionary. */
export const MapPointColumnsSchema = MapPointColumnsShape.refine(
  (c) => {
    const ids = c.ids === '' ? [] : c.ids.split(ID_SEPARATOR)
    // Id's own bounds, without a parse per id: 50 000 of them stay a millisecond's work.
    return ids.length === pointCount(c) && ids.every((id) => id.length >= 1 && id.length <= ID_MAX)
  },
  { message: 'one id per point, each a valid id' },
).refine(
  (c) =>
    c.status.every((s) => s < c.statuses.length) &&
    c.category.every((k) => k < c.categories.length) &&
    c.priority.every((p) => p < PRIORITIES.length),
  { message: 'a code points outside its dictionary' },
)

/** One point as the views draw or list it (the contract's MapPoint). */
export interface ColumnPoint {
  id: string
  lat: number
  lon: number
  status: string
  categoryId: string
  priority: Priority
}

/** The points one by one (for the views that draw or list them as objects). */
export function pointsOfColumns(c: MapPointColumns): ColumnPoint[] {
  const ids = c.ids === '' ? [] : c.ids.split(ID_SEPARATOR)
  const points = new Array<ColumnPoint>(ids.length)
  for (let i = 0; i < ids.length; i++)
    points[i] = {
      id: ids[i]!,
      lat: c.lat[i]!,
      lon: c.lon[i]!,
      status: c.statuses[c.status[i]!]!,
      categoryId: c.categories[c.category[i]!]!,
      priority: PRIORITIES[c.priority[i]!]!,
    }
  return points
}

/**
 * Builds the columns of `size` points, pushed one by one straight into typed arrays of
 * their final length (the core, from its query's rows): no growing, and no copy at the end
 * unless fewer points came than announced.
 */
export class ColumnsBuilder {
  private readonly ids: string[]
  private readonly lon: Float64Array<ArrayBuffer>
  private readonly lat: Float64Array<ArrayBuffer>
  private readonly status: Uint8Array<ArrayBuffer>
  private readonly category: Uint16Array<ArrayBuffer>
  private readonly priority: Uint8Array<ArrayBuffer>
  private readonly statuses = new Map<string, number>()
  private readonly categories = new Map<string, number>()
  private count = 0

  constructor(private readonly capacity: number) {
    this.ids = new Array<string>(capacity)
    this.lon = new Float64Array(capacity)
    this.lat = new Float64Array(capacity)
    this.status = new Uint8Array(capacity)
    this.category = new Uint16Array(capacity)
    this.priority = new Uint8Array(capacity)
  }

  push(
    id: string,
    lon: number,
    lat: number,
    status: string,
    categoryId: string,
    priorityIndex: number,
  ): void {
    if (this.count === this.capacity) throw new RangeError(`more than the ${this.capacity} points announced`)
    const i = this.count++
    this.ids[i] = id
    this.lon[i] = lon
    this.lat[i] = lat
    let code = this.statuses.get(status)
    if (code === undefined) this.statuses.set(status, (code = this.statuses.size))
    this.status[i] = code
    code = this.categories.get(categoryId)
    if (code === undefined) this.categories.set(categoryId, (code = this.categories.size))
    this.category[i] = code
    this.priority[i] = priorityIndex
  }

  /** The columns of the points pushed (IPC sends whole buffers: cut when fewer came). */
  done(): MapPointColumns {
    const full = this.count === this.capacity
    const cut = <T extends Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer>>(
      array: T,
    ): T => (full ? array : (array.slice(0, this.count) as T))
    return {
      ids: (full ? this.ids : this.ids.slice(0, this.count)).join(ID_SEPARATOR),
      lon: cut(this.lon),
      lat: cut(this.lat),
      status: cut(this.status),
      statuses: [...this.statuses.keys()],
      category: cut(this.category),
      categories: [...this.categories.keys()],
      priority: cut(this.priority),
    }
  }
}

/** Points as columns (tests, and anything holding points one by one). */
export function columnsOfPoints(points: readonly ColumnPoint[]): MapPointColumns {
  const columns = new ColumnsBuilder(points.length)
  for (const p of points)
    columns.push(p.id, p.lon, p.lat, p.status, p.categoryId, PRIORITIES.indexOf(p.priority))
  return columns.done()
}
