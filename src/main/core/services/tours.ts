/**
 * Saved tours on the console: the lead saves one (and may assign its stops to the
 * technician in the same commit), the technician lists theirs by day. Every save and delete
 * goes to the outbox like a request change, so it reaches the server and the technician's console.
 */
import type { ParsedInputOf, SessionInfo, TourDetail } from '../../../shared/contract'
import type { RequestDetail } from '../../../shared/domain'
import { CoreError } from '../../../shared/result'
import type { SavedTour } from '../../../shared/savedTour'
import { withFullSync } from '../store/db'
import { enqueueMutation, pendingBaseVersion } from '../store/queries/outbox'
import { getRequestRow, toRequestDetail } from '../store/queries/requests'
import { getTour, listTours } from '../store/queries/tours'
import { canSeeTeam, scopeFor } from './authorization'
import type { CoreDeps } from './deps'
import type { RequestService } from './requests'
import { applyTourDelete, applyTourSave } from './tourOps'

/** Tours one list returns at most (a team's planning over weeks). */
const TOUR_LIST_LIMIT = 500

export function createTourService(deps: CoreDeps, requests: RequestService) {
  const { db } = deps

  const mayRead = (session: SessionInfo, tour: SavedTour) =>
    tour.technicianId === session.agentId || canSeeTeam(session, tour.teamId)

  function visibleTour(session: SessionInfo, id: string): SavedTour {
    const tour = getTour(db, id)
    if (!tour || !mayRead(session, tour)) throw new CoreError('not_found', 'Tournée introuvable.')
    return tour
  }

  function detailOf(session: SessionInfo, tour: SavedTour): TourDetail {
    const stops: RequestDetail[] = []
    for (const id of tour.stopIds) {
      const row = getRequestRow(db, id)
      if (row && (canSeeTeam(session, row.teamId) || tour.technicianId === session.agentId))
        stops.push(toRequestDetail(row))
    }
    return { tour, stops, missing: tour.stopIds.length - stops.length }
  }

  function enqueue(id: string, op: 'tour_save' | 'tour_delete', payload: unknown, version: number) {
    enqueueMutation(db, {
      mutationId: deps.newId(),
      entity: 'tour',
      entityId: id,
      op,
      baseVersion: pendingBaseVersion(db, id) ?? version,
      payload,
      createdAt: deps.now(),
    })
  }

  return {
    list(session: SessionInfo, input: ParsedInputOf<'tours.list'>): SavedTour[] {
      const scope = scopeFor(session)
      return listTours(db, {
        teamIds: input.mine ? null : scope.kind === 'all' ? null : scope.teamIds,
        technicianId: input.mine ? session.agentId : undefined,
        fromDay: input.fromDay,
        limit: TOUR_LIST_LIMIT,
      })
    },

    get(session: SessionInfo, id: string): TourDetail {
      return detailOf(session, visibleTour(session, id))
    },

    save(session: SessionInfo, input: ParsedInputOf<'tours.save'>): TourDetail {
      const id = input.id ?? deps.newId()
      const assigned: string[] = []
      const tour = withFullSync(db, () => {
        // An id never seen here makes a new tour under it (a change from the inbox sent again).
        const existing = input.id && getTour(db, input.id) ? visibleTour(session, input.id) : undefined
        if (existing && input.baseVersion !== undefined && input.baseVersion !== existing.version)
          throw new CoreError(
            'version_conflict',
            'Cette tournée a été modifiée entre-temps : rouvrez-la avant de l’enregistrer.',
            { currentVersion: existing.version },
          )
        const saved = applyTourSave(db, session, id, input.plan, deps.now())
        enqueue(id, 'tour_save', input.plan, existing?.version ?? 0)
        const technicianId = input.plan.technicianId
        if (input.assignStops && technicianId)
          for (const stopId of input.plan.stopIds) {
            if (getRequestRow(db, stopId)?.assigneeId === technicianId) continue
            requests.applyQuietly(session, stopId, { op: 'assign', payload: { assigneeId: technicianId } })
            assigned.push(stopId)
          }
        return saved
      })
      deps.localChange?.()
      if (assigned.length > 0) deps.emit('requests.changed', { ids: assigned })
      deps.emit('tours.changed', { ids: [id] })
      return detailOf(session, tour)
    },

    delete(session: SessionInfo, id: string): void {
      withFullSync(db, () => {
        const existing = visibleTour(session, id)
        applyTourDelete(db, session, id)
        enqueue(id, 'tour_delete', {}, existing.version)
      })
      deps.localChange?.()
      deps.emit('tours.changed', { ids: [id] })
    },
  }
}

export type TourService = ReturnType<typeof createTourService>
