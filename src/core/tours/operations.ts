/**
 * Saving and deleting a tour, checked the same way on the console (then queued for the
 * server) and on the server (whatever a console claims): who may plan it, whether the
 * technician can see every stop, and its length from the stops' own positions. Like the
 * request operations, these read nothing themselves: the caller passes what they need and
 * writes the tour they return.
 */
import type { SessionInfo } from '../../shared/contract'
import { CoreError } from '../../shared/result'
import type { SavedTour, TourPlanInput, TourSavePayload } from '../../shared/savedTour'
import { estimateMinutes, tourLengthKm } from '../../shared/tour'
import type { AgentSummary } from '../../shared/domain'
import type { RequestRecord } from '../../shared/sync'
import { canAssign, canSeeTeam } from '../authz/permissions'

export type TourOp = { op: 'tour_save'; payload: TourSavePayload } | { op: 'tour_delete'; payload: object }

const PLANNERS_ONLY = 'Seuls les chefs d’équipe (et la supervision) planifient les tournées de leurs équipes.'

function assertMayPlan(session: SessionInfo, teamId: string) {
  if (!canAssign(session, teamId)) throw new CoreError('forbidden', PLANNERS_ONLY)
}

/**
 * Why `technician` could not work `row`, in words (the request is another team's: their
 * console never receives it), or null. The save refuses it; the builder says it before.
 */
export function whyTechnicianCannotSee(technician: AgentSummary, row: RequestRecord): string | null {
  return technician.teamIds.includes(row.teamId)
    ? null
    : `${technician.displayName} ne voit pas la demande ${row.reference} (autre équipe).`
}

/** What a tour's checks read: the agents and the stops' requests, by id. */
export interface TourLookup {
  agent(id: string): AgentSummary | undefined
  request(id: string): RequestRecord | undefined
}

/**
 * Check a tour whole and return it as it is to be written; its version follows `existing`.
 * @throws CoreError forbidden / not_found / invalid_input.
 */
export function decideTourSave(
  lookup: TourLookup,
  session: SessionInfo,
  existing: SavedTour | undefined,
  id: string,
  plan: TourPlanInput,
  at: number,
): SavedTour {
  if (existing) assertMayPlan(session, existing.teamId)
  assertMayPlan(session, plan.teamId)
  const technician = plan.technicianId === null ? null : lookup.agent(plan.technicianId)
  if (technician === undefined) throw new CoreError('invalid_input', 'Ce technicien est inconnu.')
  if (technician && !technician.teamIds.includes(plan.teamId))
    throw new CoreError('invalid_input', `${technician.displayName} n’est pas dans l’équipe de la tournée.`)
  const positions = plan.stopIds.map((stopId) => {
    const row = lookup.request(stopId)
    if (!row || !canSeeTeam(session, row.teamId))
      throw new CoreError('not_found', 'Une étape de la tournée est introuvable.')
    if (!canAssign(session, row.teamId))
      throw new CoreError(
        'forbidden',
        `La demande ${row.reference} n’est pas d’une équipe que vous planifiez.`,
      )
    if (row.lat === null || row.lon === null)
      throw new CoreError('invalid_input', `La demande ${row.reference} n’a pas de position sur la carte.`)
    const unseen = technician && whyTechnicianCannotSee(technician, row)
    if (unseen) throw new CoreError('invalid_input', unseen, { stopId: row.id, reference: row.reference })
    return { lat: row.lat, lon: row.lon }
  })
  const order = positions.map((_p, i) => i)
  const distanceKm = Math.round(tourLengthKm(plan.depot, positions, order) * 1000) / 1000
  const tour: SavedTour = {
    teamId: plan.teamId,
    technicianId: plan.technicianId,
    date: plan.date,
    name: plan.name,
    depot: plan.depot,
    stopIds: plan.stopIds,
    id,
    distanceKm,
    durationMinutes: estimateMinutes(distanceKm, positions.length),
    createdBy: existing?.createdBy ?? session.agentId,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    version: existing ? existing.version + 1 : 0,
  }
  return tour
}

/** May `session` delete `existing`? @returns it. @throws CoreError not_found / forbidden. */
export function decideTourDelete(session: SessionInfo, existing: SavedTour | undefined): SavedTour {
  if (!existing || !canSeeTeam(session, existing.teamId))
    throw new CoreError('not_found', 'Tournée introuvable.')
  assertMayPlan(session, existing.teamId)
  return existing
}
