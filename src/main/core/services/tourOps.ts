/**
 * Saving and deleting a tour, checked and written the same way on the console (then queued
 * for the server) and on the server (whatever a console claims): who may plan it, whether the
 * technician can see every stop, and its length from the stops' own positions.
 */
import type { SessionInfo } from '../../../shared/contract'
import { CoreError } from '../../../shared/result'
import type { SavedTour, TourPlanInput, TourSavePayload } from '../../../shared/savedTour'
import { estimateMinutes, tourLengthKm } from '../../../shared/tour'
import type { Db } from '../store/db'
import { getAgentById } from '../store/queries/reference'
import { getRequestRow, type RequestRow } from '../store/queries/requests'
import { deleteTour, getTour, putTour } from '../store/queries/tours'
import { canAssign, canSeeTeam } from './authorization'

export type TourOp = { op: 'tour_save'; payload: TourSavePayload } | { op: 'tour_delete'; payload: object }

const PLANNERS_ONLY = 'Seuls les chefs d’équipe (et la supervision) planifient les tournées de leurs équipes.'

function assertMayPlan(session: SessionInfo, teamId: string) {
  if (!canAssign(session, teamId)) throw new CoreError('forbidden', PLANNERS_ONLY)
}

/**
 * Check and write a tour whole; its version follows the stored one.
 * @throws CoreError forbidden / not_found / invalid_input.
 */
export function applyTourSave(
  db: Db,
  session: SessionInfo,
  id: string,
  plan: TourPlanInput,
  at: number,
): SavedTour {
  const existing = getTour(db, id)
  if (existing) assertMayPlan(session, existing.teamId)
  assertMayPlan(session, plan.teamId)
  const technician = plan.technicianId === null ? null : getAgentById(db, plan.technicianId)
  if (technician === undefined) throw new CoreError('invalid_input', 'Ce technicien est inconnu.')
  if (technician && !technician.teamIds.includes(plan.teamId))
    throw new CoreError('invalid_input', `${technician.displayName} n’est pas dans l’équipe de la tournée.`)
  const positions = plan.stopIds.map((stopId) => {
    const row = getRequestRow(db, stopId)
    if (!row || !canSeeTeam(session, row.teamId))
      throw new CoreError('not_found', 'Une étape de la tournée est introuvable.')
    if (!canAssign(session, row.teamId))
      throw new CoreError(
        'forbidden',
        `La demande ${row.reference} n’est pas d’une équipe que vous planifiez.`,
      )
    if (row.lat === null || row.lon === null)
      throw new CoreError('invalid_input', `La demande ${row.reference} n’a pas de position sur la carte.`)
    if (technician && !technician.teamIds.includes(row.teamId))
      throw new CoreError(
        'invalid_input',
        `${technician.displayName} ne voit pas la demande ${row.reference} (autre équipe).`,
      )
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
  putTour(db, tour)
  return tour
}

/** @returns the tour as it was. @throws CoreError not_found / forbidden. */
export function applyTourDelete(db: Db, session: SessionInfo, id: string): SavedTour {
  const existing = getTour(db, id)
  if (!existing || !canSeeTeam(session, existing.teamId))
    throw new CoreError('not_found', 'Tournée introuvable.')
  assertMayPlan(session, existing.teamId)
  deleteTour(db, id)
  return existing
}

/** The stops of a saved tour not yet assigned to its technician (all of them when asked to assign). */
export function stopsToAssign(db: Db, tour: SavedTour, assignStops: boolean): RequestRow[] {
  const technicianId = tour.technicianId
  if (!assignStops || !technicianId) return []
  return tour.stopIds.flatMap((id) => {
    const row = getRequestRow(db, id)
    return row && row.assigneeId !== technicianId ? [row] : []
  })
}
