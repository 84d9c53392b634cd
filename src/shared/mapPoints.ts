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
 * Coordinates counted in ten-millionths of a degree (about a centimetre): what the core asks
 * SQLite for, because it writes an integer several times faster than a double. Any coordinate
 * of seven decimals or fewer (the address base gives six) comes back as the very same double.
 */
export const COORDINATE_UNITS_PER_DEGREE = 10_000_000

/** The same points as lists of equal length, one entry per point (e.g. what SQLite aggregated). */
export interface PointLists {
  /** The ids already joined by ID_SEPARATOR (empty for no point). */
  ids: string
  /** In degrees, or in 1/unitsPerDegree of a degree when that is given. */
  lon: readonly number[]
  lat: readonly number[]
  unitsPerDegree?: number
  status: readonly string[]
  categoryId: readonly string[]
  /** Indexes into PRIORITIES. */
  priority: readonly number[]
}

/** How many ids a joined list holds (without splitting it). */
function idCount(ids: string): number {
  if (ids === '') return 0
  let count = 1
  for (let at = ids.indexOf(ID_SEPARATOR); at !== -1; at = ids.indexOf(ID_SEPARATOR, at + 1)) count++
  return count
}

/** Each value's code in `codes` (its first appearance numbers it) and the dictionary of codes. */
function encode<T extends Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer>>(
  values: readonly string[],
  codes: T,
): [T, string[]] {
  const dictionary = new Map<string, number>()
  for (let i = 0; i < values.length; i++) {
    let code = dictionary.get(values[i]!)
    if (code === undefined) dictionary.set(values[i]!, (code = dictionary.size))
    codes[i] = code
  }
  return [codes, [...dictionary.keys()]]
}

/** Coordinates as doubles in degrees: one division each (exact for up to seven decimals). */
function inDegrees(values: readonly number[], unitsPerDegree = 1): Float64Array<ArrayBuffer> {
  const degrees = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) degrees[i] = values[i]! / unitsPerDegree
  return degrees
}

/**
 * The columns of points given as lists (the core, from its query's aggregated columns): the
 * numbers copied once into typed arrays, statuses and categories coded against dictionaries.
 * @throws RangeError when the lists do not all hold the same number of points.
 */
export function columnsOfLists(lists: PointLists): MapPointColumns {
  const n = lists.lon.length
  if (
    idCount(lists.ids) !== n ||
    lists.lat.length !== n ||
    lists.status.length !== n ||
    lists.categoryId.length !== n ||
    lists.priority.length !== n
  )
    throw new RangeError('the lists of points do not have the same length')
  const [status, statuses] = encode(lists.status, new Uint8Array(n))
  const [category, categories] = encode(lists.categoryId, new Uint16Array(n))
  return {
    ids: lists.ids,
    lon: inDegrees(lists.lon, lists.unitsPerDegree),
    lat: inDegrees(lists.lat, lists.unitsPerDegree),
    status,
    statuses,
    category,
    categories,
    priority: Uint8Array.from(lists.priority),
  }
}

/** Points as columns (tests, and anything holding points one by one). */
export function columnsOfPoints(points: readonly ColumnPoint[]): MapPointColumns {
  return columnsOfLists({
    ids: points.map((p) => p.id).join(ID_SEPARATOR),
    lon: points.map((p) => p.lon),
    lat: points.map((p) => p.lat),
    status: points.map((p) => p.status),
    categoryId: points.map((p) => p.categoryId),
    priority: points.map((p) => PRIORITIES.indexOf(p.priority)),
  })
}
