/**
 * A tour (tournée) once the lead saves it: the team's depot, the stops in the visiting order
 * the lead settled on, the technician and the day. Synced like the requests; the console and
 * the server both compute its length from the stops' positions, never from what a client claims.
 */
import { z } from 'zod'
import { Id, RequestDetail, TransitionOption } from './domain'
import { Depot } from './mapSettings'

/** Stops one tour may hold: a technician's day, with room to spare. */
export const TOUR_MAX_STOPS = 80

export const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date attendue au format AAAA-MM-JJ')

/** The depot the tour leaves from, as configured when it was planned (kept with the tour). */
export const TourDepot = Depot
export type TourDepot = Depot

/** What a lead decides; everything else (length, duration, authorship) the core derives. */
export const TourPlanInput = z
  .object({
    teamId: Id,
    technicianId: Id.nullable(),
    date: IsoDay,
    name: z.string().trim().min(1).max(120),
    depot: TourDepot,
    stopIds: z
      .array(Id)
      .min(1, 'une tournée a au moins une étape')
      .max(TOUR_MAX_STOPS, `une tournée a au plus ${TOUR_MAX_STOPS} étapes`)
      .refine(
        (ids) => new Set(ids).size === ids.length,
        'une demande ne figure qu’une fois dans une tournée',
      ),
  })
  .strict()
export type TourPlanInput = z.infer<typeof TourPlanInput>

/** A tour save as the outbox carries it: with the stops' assignment, applied in the same step or not at all. */
export const TourSavePayload = TourPlanInput.extend({ assignStops: z.boolean().default(false) })
export type TourSavePayload = z.infer<typeof TourSavePayload>

export const SavedTour = TourPlanInput.extend({
  id: Id,
  distanceKm: z.number().nonnegative(),
  durationMinutes: z.number().int().nonnegative(),
  createdBy: Id.nullable(),
  createdAt: z.number().int().nonnegative(),
  updatedAt: z.number().int().nonnegative(),
  version: z.number().int().nonnegative(),
})
export type SavedTour = z.infer<typeof SavedTour>

/** A stop a technician could not do, with the reason in words (the save's own). */
export const StopProblem = z.object({ stopId: Id, reference: z.string(), reason: z.string() })
export type StopProblem = z.infer<typeof StopProblem>

/** A technician of the tour's team and the stops they could not do (none: the whole tour is theirs to take). */
export const TourCandidate = z.object({
  agentId: Id,
  displayName: z.string(),
  problems: z.array(StopProblem),
})
export type TourCandidate = z.infer<typeof TourCandidate>

/** How far a tour's day has gone: stops done (or further), under way, and in all. */
export const TourProgress = z.object({
  done: z.number().int().nonnegative(),
  started: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
})
export type TourProgress = z.infer<typeof TourProgress>

/** The three things a technician does at a stop, each a workflow step the core allows now (null: not now). */
export const FieldActions = z.object({
  stage: z.enum(['waiting', 'started', 'done']),
  start: TransitionOption.nullable(),
  finish: TransitionOption.nullable(),
  impossible: TransitionOption.nullable(),
})
export type FieldActions = z.infer<typeof FieldActions>

/** One stop of « Ma journée »: the request and what its technician may do there. */
export const DayStop = z.object({ request: RequestDetail, actions: FieldActions })
export type DayStop = z.infer<typeof DayStop>

/** The technician's day: their tour of that day (the first, if several), its stops in order, its progress. */
export const TechnicianDay = z.object({
  tour: SavedTour.nullable(),
  stops: z.array(DayStop),
  missing: z.number().int().nonnegative(),
  progress: TourProgress,
  /** The technician's other tours that day (rare: shown by name, opened from « Tournées »). */
  others: z.array(SavedTour),
})
export type TechnicianDay = z.infer<typeof TechnicianDay>
