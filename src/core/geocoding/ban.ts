/**
 * The national address base's geocoder (BAN, `api-adresse.data.gouv.fr`, or an authority's
 * own addok instance): its URLs and its answers read strictly. Pure: the main process does
 * the HTTP (the renderer's CSP allows no such origin).
 *
 * The documented format (https://adresse.data.gouv.fr/api-doc/adresse): `GET /search/?q=&limit=`
 * with `lat`/`lon` to favour places near a point, and `GET /reverse/?lon=&lat=`; both answer a
 * GeoJSON `FeatureCollection` (GeoCodeJSON) whose features are `Point`s `[lon, lat]` with
 * `properties.label`, `score` (0 to 1), `citycode` (INSEE) and `city`.
 */
import { z } from 'zod'
import type { AddressCandidate } from '../../shared/channels/intake'
import type { Point } from '../../shared/domain'
import { bboxOfGeometry, pointInPolygon } from '../../shared/geo'
import type { Sector } from '../../shared/routing'

/** An answer that is not the documented format: the caller says so and lets the agent pick a point. */
export class GeocoderFormatError extends Error {
  constructor(detail: string) {
    super(`The geocoder's answer is not the BAN format: ${detail}`)
    this.name = 'GeocoderFormatError'
  }
}

const BanFeature = z.object({
  type: z.literal('Feature'),
  geometry: z.object({
    type: z.literal('Point'),
    coordinates: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]).rest(z.number()),
  }),
  properties: z.object({
    label: z.string().min(1).max(500),
    score: z.number().min(0).max(1).optional(),
    citycode: z.string().max(10).nullish(),
    city: z.string().max(200).nullish(),
  }),
})

const BanCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(BanFeature).max(100),
})

/** The address candidates of a `/search/` or `/reverse/` answer, best score first. @throws GeocoderFormatError */
export function parseBanAnswer(body: unknown): AddressCandidate[] {
  const parsed = BanCollection.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new GeocoderFormatError(`${issue?.path.join('.') || 'answer'}: ${issue?.message ?? 'invalid'}`)
  }
  return parsed.data.features
    .map((f) => ({
      label: f.properties.label,
      // A reverse answer may leave the score out: the nearest address is as good as it gets.
      score: f.properties.score ?? 1,
      citycode: f.properties.citycode ?? null,
      city: f.properties.city ?? null,
      location: { lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] },
    }))
    .sort((a, b) => b.score - a.score)
}

/** `base` with `path` appended, whether or not `base` ends with a slash or has a path of its own. */
function endpoint(base: string, path: string, params: Record<string, string>): string {
  const url = new URL(base)
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}/`
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  return url.href
}

/** The address search, favouring places near `near` (the territory's centre) when given. */
export function banSearchUrl(base: string, q: string, limit: number, near: Point | null): string {
  const params: Record<string, string> = { q, limit: String(limit) }
  if (near) Object.assign(params, { lat: near.lat.toFixed(5), lon: near.lon.toFixed(5) })
  return endpoint(base, 'search', params)
}

/** The nearest address to a point. */
export function banReverseUrl(base: string, point: Point): string {
  return endpoint(base, 'reverse', { lon: point.lon.toFixed(6), lat: point.lat.toFixed(6) })
}

/** The communes of the territory (sectors that are whole communes), or every sector if none is. */
const communesOf = (sectors: readonly Sector[]) => {
  const communes = sectors.filter((s) => s.communeCode !== null)
  return communes.length > 0 ? communes : sectors
}

/** The centre of the territory's outline (its communes' bounding box), to bias address searches; null without sectors. */
export function territoryCentre(sectors: readonly Sector[]): Point | null {
  let box: [number, number, number, number] | null = null
  for (const s of communesOf(sectors)) {
    const b = bboxOfGeometry(s.geometry)
    if (!b) continue
    box = box
      ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])]
      : [b[0], b[1], b[2], b[3]]
  }
  return box && { lon: (box[0] + box[2]) / 2, lat: (box[1] + box[3]) / 2 }
}

/** The commune a point lies in, from the territory's outlines (what the console knows offline). */
export function communeAt(point: Point, sectors: readonly Sector[]): Sector | null {
  return sectors.find((s) => s.communeCode !== null && pointInPolygon(point, s.geometry)) ?? null
}
