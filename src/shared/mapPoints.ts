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

/** Builds the columns point by point (the core, from its query's rows), straight into typed arrays. */
export function columnsBuilder(capacity = 1024) {
  const ids: string[] = []
  let lon = new Float64Array(capacity)
  let lat = new Float64Array(capacity)
  let status = new Uint8Array(capacity)
  let category = new Uint16Array(capacity)
  let priority = new Uint8Array(capacity)
  const statuses = new Map<string, number>()
  const categories = new Map<string, number>()
  const code = (dictionary: Map<string, number>, value: string) => {
    let at = dictionary.get(value)
    if (at === undefined) dictionary.set(value, (at = dictionary.size))
    return at
  }
  const grown = <T extends Float64Array | Uint8Array | Uint16Array>(array: T, make: (n: number) => T): T => {
    const bigger = make(array.length * 2)
    bigger.set(array)
    return bigger
  }
  return {
    push(
      id: string,
      pointLon: number,
      pointLat: number,
      pointStatus: string,
      categoryId: string,
      priorityIndex: number,
    ) {
      const i = ids.length
      if (i === lon.length) {
        lon = grown(lon, (n) => new Float64Array(n))
        lat = grown(lat, (n) => new Float64Array(n))
        status = grown(status, (n) => new Uint8Array(n))
        category = grown(category, (n) => new Uint16Array(n))
        priority = grown(priority, (n) => new Uint8Array(n))
      }
      ids.push(id)
      lon[i] = pointLon
      lat[i] = pointLat
      status[i] = code(statuses, pointStatus)
      category[i] = code(categories, categoryId)
      priority[i] = priorityIndex
    },
    get size() {
      return ids.length
    },
    /** The columns, each cut to the points pushed (a copy: IPC sends a whole buffer). */
    done(): MapPointColumns {
      const n = ids.length
      return {
        ids: ids.join(ID_SEPARATOR),
        lon: lon.slice(0, n),
        lat: lat.slice(0, n),
        status: status.slice(0, n),
        statuses: [...statuses.keys()],
        category: category.slice(0, n),
        categories: [...categories.keys()],
        priority: priority.slice(0, n),
      }
    },
  }
}

/** Points as columns (tests, and anything holding points one by one). */
export function columnsOfPoints(points: readonly ColumnPoint[]): MapPointColumns {
  const columns = columnsBuilder()
  for (const p of points)
    columns.push(p.id, p.lon, p.lat, p.status, p.categoryId, PRIORITIES.indexOf(p.priority))
  return columns.done()
}
