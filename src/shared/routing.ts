/**
 * Routing (aiguillage): the ordered rules that send a new request to a team, and the
 * sectors (polygons of the territory) they may match on. The engine lives in
 * src/core/workflow/routing.ts; the shapes are shared with the store and the server.
 */
import { z } from 'zod'
import { Channel, Id } from './domain'

/** A GeoJSON position `[lon, lat]` (an altitude, if any, is ignored). */
const Position = z.array(z.number()).min(2).max(3)
const Lon = z.number().min(-180).max(180)
const Lat = z.number().min(-90).max(90)
const WgsPosition = Position.refine((p) => Lon.safeParse(p[0]).success && Lat.safeParse(p[1]).success, {
  message: 'expected [lon, lat] in WGS84 degrees',
})
/** GeoJSON asks for at least four positions per ring, the last repeating the first. */
const LinearRing = z.array(WgsPosition).min(4, 'a ring needs at least 4 positions')
const PolygonRings = z.array(LinearRing).min(1, 'a polygon needs an outline')

export const PolygonGeometry = z.object({ type: z.literal('Polygon'), coordinates: PolygonRings })
export const MultiPolygonGeometry = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(PolygonRings).min(1),
})
/** A sector's outline: GeoJSON Polygon (with optional holes) or MultiPolygon, lon/lat order. */
export const SectorGeometry = z.discriminatedUnion('type', [PolygonGeometry, MultiPolygonGeometry])
export type SectorGeometry = z.infer<typeof SectorGeometry>

/** A part of the territory (a commune, a district) that routing rules can target. */
export const Sector = z.object({
  id: Id,
  name: z.string().min(1),
  /** INSEE code when the sector is a whole commune. */
  communeCode: z.string().nullable(),
  geometry: SectorGeometry,
})
export type Sector = z.infer<typeof Sector>

/** One routing rule; a null criterion matches anything. Rules are tried by ascending `position`. */
export const RoutingRule = z.object({
  id: Id,
  position: z.number().int(),
  name: z.string().min(1),
  categoryId: Id.nullable(),
  subcategory: z.string().nullable(),
  channel: Channel.nullable(),
  sectorId: Id.nullable(),
  teamId: Id,
})
export type RoutingRule = z.infer<typeof RoutingRule>

export const ROUTING_CRITERIA = ['category', 'subcategory', 'channel', 'sector'] as const
export const RoutingCriterion = z.enum(ROUTING_CRITERIA)
export type RoutingCriterion = z.infer<typeof RoutingCriterion>

/** Why one rule did or did not match, for the UI to word in its own language. */
export const RuleTrace = z.object({
  ruleId: Id,
  ruleName: z.string(),
  matched: z.boolean(),
  /** Every criterion of the rule the request failed (empty when it matched). */
  mismatches: z.array(RoutingCriterion),
})
export type RuleTrace = z.infer<typeof RuleTrace>

/** Where a new request goes, and why. */
export const RoutingDecision = z.object({
  teamId: Id,
  ruleId: Id.nullable(),
  ruleName: z.string().nullable(),
  /** True when no rule matched and the fallback team (the front desk) got it. */
  fallback: z.boolean(),
  /** The sector of the matching rule, when it had one. */
  sectorId: Id.nullable(),
  /** English sentences: each rule tried, why it did not match, and the outcome. */
  explanation: z.array(z.string()),
  /** The same, structured: one entry per rule tried, in order, ending with the match if any. */
  trace: z.array(RuleTrace),
})
export type RoutingDecision = z.infer<typeof RoutingDecision>
