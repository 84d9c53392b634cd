/** Recording a request phoned in or brought to the counter: citizens, addresses (BAN geocoding), the routing decision. */
import { z } from 'zod'
import { Channel, Id, LIMITS, Point } from '../domain'
import { spec } from '../channelSpec'

/** A known citizen as the intake search shows them: a name and their latest request, never a contact. */
export const CitizenMatch = z.object({
  id: Id,
  name: z.string(),
  requestCount: z.number().int().nonnegative(),
  /** The reference of their latest request, to tell two namesakes apart. */
  lastReference: z.string().nullable(),
})
export type CitizenMatch = z.infer<typeof CitizenMatch>

/** One address the geocoder found (BAN `label`, `score`, `citycode`, `city` and the point). */
export const AddressCandidate = z.object({
  label: z.string(),
  score: z.number().min(0).max(1),
  citycode: z.string().nullable(),
  city: z.string().nullable(),
  location: Point,
})
export type AddressCandidate = z.infer<typeof AddressCandidate>

/**
 * Why the geocoder gave nothing usable: not reachable (offline, refused), too slow (the
 * configured timeout), or an answer that is not the documented format. The agent can still
 * pick the point on the map.
 */
export const GeocodingProblem = z.enum(['unreachable', 'timeout', 'malformed'])
export type GeocodingProblem = z.infer<typeof GeocodingProblem>

export const AddressSearchAnswer = z.object({
  candidates: z.array(AddressCandidate),
  problem: GeocodingProblem.nullable(),
})
export type AddressSearchAnswer = z.infer<typeof AddressSearchAnswer>

/** What a picked point is: the nearest address (online), else the commune from the territory's outlines. */
export const PlaceAnswer = z.object({
  place: z
    .object({
      label: z.string(),
      citycode: z.string().nullable(),
      source: z.enum(['geocoder', 'territory']),
    })
    .nullable(),
  problem: GeocodingProblem.nullable(),
})
export type PlaceAnswer = z.infer<typeof PlaceAnswer>

export const RoutingPreview = z.object({
  teamId: Id,
  teamName: z.string(),
  fallback: z.boolean(),
  /** The decision in French words, as the request's history will keep it. */
  words: z.string(),
})
export type RoutingPreview = z.infer<typeof RoutingPreview>

export const intakeChannels = {
  /** Known citizens whose name looks like `q` (accents, case and typos forgiven); only for the roles that read citizens. */
  'intake.citizens': spec(
    z.object({ q: z.string().trim().min(2).max(LIMITS.searchText) }).strict(),
    z.object({ citizens: z.array(CitizenMatch) }),
  ),
  /** Addresses matching `q`, nearest the authority's territory first, from the configured geocoder. */
  'intake.geocode': spec(
    z.object({ q: z.string().trim().min(3).max(LIMITS.searchText) }).strict(),
    AddressSearchAnswer,
  ),
  /** What lies at a point picked on the map. */
  'intake.reverse': spec(Point.strict(), PlaceAnswer),
  /** Where the request being typed would go, and why, before it is saved. */
  'intake.route': spec(
    z
      .object({
        categoryId: Id,
        subcategory: z.string().max(100).nullable(),
        channel: Channel,
        location: Point.nullable(),
      })
      .strict(),
    RoutingPreview,
  ),
} as const
