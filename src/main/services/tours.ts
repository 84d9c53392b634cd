/**
 * Saved tours on the console: the lead saves one (and may assign its stops to the
 * technician in the same commit), the technician lists theirs by day. Every save and delete
 * goes to the outbox like a request change, so it reaches the server and the technician's console.
 */
import type { ParsedInputOf, SessionInfo, TourDetail } from '../../shared/contract'
import type { RequestDetail } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { SavedTour, TourSavePayload } from '../../shared/savedTour'
import { withFullSync } from '../cache/db'
import { enqueueMutation, pendingBaseVersion } from '../cache/queries/outbox'
import { getRequestRow, toRequestDetail } from '../cache/queries/requests'
import { deleteTour, getTour, listTours, putTour } from '../cache/queries/tours'
import { actorOf, canSeeTeam, scopeFor } from '../../core/authz/permissions'
import type { CoreDeps } from './deps'
import type { RequestService } from './requests'
import { decideTourDelete, decideTourSave, type TourLookup } from '../../core/tours/operations'
import { planTourStops } from '../../core/tours/planStops'
import { tourCandidates } from '../../core/tours/candidates'
import { tourProgress } from '../../core/tours/progress'
import { fieldActions } from '../../core/tours/fieldActions'
import { subjectOf } from '../../core/requests/operations'
import type { DayStop, TechnicianDay, TourCandidate, TourProgress } from '../../shared/savedTour'
import type { WorkflowDefinition } from '../../shared/workflow'
import { getAgentById, getCategory, listAgents } from '../cache/queries/reference'

/** Tours one list returns at most (a team's planning over weeks). */
const TOUR_LIST_LIMIT = 500

export function createTourService(deps: CoreDeps, requests: RequestService) {
  const { db } = deps
  const workflowOf = (categoryId: string): WorkflowDefinition | undefined => {
    const category = getCategory(db, categoryId)
    return category && deps.workflows.get(category.workflowId)
  }
  const lookup: TourLookup & { workflowOf: typeof workflowOf } = {
    agent: (id) => getAgentById(db, id),
    request: (id) => getRequestRow(db, id),
    workflowOf,
  }

  // A technician is in the tour's team when it is saved; one who left it no longer sees it.
  const mayRead = (session: SessionInfo, tour: SavedTour) => canSeeTeam(session, tour.teamId)

  function visibleTour(session: SessionInfo, id: string): SavedTour {
    const tour = getTour(db, id)
    if (!tour || !mayRead(session, tour)) throw new CoreError('not_found', 'Tournée introuvable.')
    return tour
  }

  function detailOf(session: SessionInfo, tour: SavedTour): TourDetail {
    const stops: RequestDetail[] = []
    for (const id of tour.stopIds) {
      const row = getRequestRow(db, id)
      if (row && canSeeTeam(session, row.teamId)) stops.push(toRequestDetail(row))
    }
    return { tour, stops, missing: tour.stopIds.length - stops.length }
  }

  function enqueue(
    id: string,
    op: 'tour_save' | 'tour_delete',
    payload: unknown,
    version: number,
    mutationId = deps.newId(),
  ) {
    enqueueMutation(db, {
      mutationId,
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
        teamIds: scope.kind === 'all' ? null : scope.teamIds,
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
      let assigned: string[] = []
      const tour = withFullSync(db, () => {
        const known = input.id ? getTour(db, input.id) : undefined
        // Saving over a version this console had: the tour must still be that version.
        if (input.baseVersion !== undefined && !known)
          throw new CoreError(
            'version_conflict',
            'Cette tournée a été supprimée entre-temps : enregistrez-la comme une nouvelle tournée.',
          )
        // An id never seen here makes a new tour under it (a change from the inbox sent again).
        const existing = known ? visibleTour(session, id) : undefined
        if (existing && input.baseVersion !== undefined && input.baseVersion !== existing.version)
          throw new CoreError(
            'version_conflict',
            'Cette tournée a été modifiée entre-temps : rouvrez-la avant de l’enregistrer.',
            { currentVersion: existing.version },
          )
        const at = deps.now()
        const saved = decideTourSave(lookup, session, known, id, input.plan, at)
        putTour(db, saved)
        const mutationId = deps.newId()
        // The stops' assignment and planning travel inside the tour's change: the server
        // applies all of it or none. A stop the workflow refuses undoes the whole save.
        const plans = planTourStops(lookup, session, saved, input.assignStops)
        for (const { row, ops } of plans)
          for (const op of ops) {
            try {
              requests.applyQuietly(session, row.id, op, mutationId)
            } catch (e) {
              if (!(e instanceof CoreError)) throw e
              throw new CoreError(
                e.code === 'transition_refused' ? 'invalid_input' : e.code,
                `La demande ${row.reference} ne peut pas être planifiée : ${e.message}`,
                { stopId: row.id, reference: row.reference },
              )
            }
          }
        assigned = plans.map((p) => p.row.id)
        const payload: TourSavePayload = { ...input.plan, assignStops: input.assignStops }
        enqueue(id, 'tour_save', payload, existing?.version ?? 0, mutationId)
        return saved
      })
      deps.localChange?.()
      if (assigned.length > 0) deps.emit('requests.changed', { ids: assigned })
      deps.emit('tours.changed', { ids: [id] })
      return detailOf(session, tour)
    },

    /**
     * « Ma journée »: the session's own tour of `date` with each stop and the technician's
     * actions there (start, finish, impossible) as the workflow allows them now.
     */
    day(session: SessionInfo, date: string): TechnicianDay {
      return db.transaction(() => {
        const scope = scopeFor(session)
        const tours = listTours(db, {
          teamIds: scope.kind === 'all' ? null : scope.teamIds,
          technicianId: session.agentId,
          fromDay: date,
          limit: TOUR_LIST_LIMIT,
        }).filter((t) => t.date === date)
        const [tour, ...others] = tours
        if (!tour)
          return { tour: null, stops: [], missing: 0, progress: { done: 0, started: 0, total: 0 }, others }
        const stops: DayStop[] = []
        for (const id of tour.stopIds) {
          const row = getRequestRow(db, id)
          const def = row && workflowOf(row.categoryId)
          if (!row || !def || !canSeeTeam(session, row.teamId)) continue
          stops.push({
            request: toRequestDetail(row),
            actions: fieldActions(def, subjectOf(row), actorOf(session)),
          })
        }
        const progress = tourProgress(
          workflowOf,
          stops.map((s) => s.request),
          tour.stopIds.length,
        )
        return { tour, stops, missing: tour.stopIds.length - stops.length, progress, others }
      })()
    },

    /** The team's technicians and, for each, the stops they could not do (the save's own checks). */
    candidates(session: SessionInfo, input: ParsedInputOf<'tours.candidates'>): TourCandidate[] {
      return db.transaction(() =>
        tourCandidates(
          { ...lookup, teamAgents: (teamId) => listAgents(db, { kind: 'teams', teamIds: [teamId] }) },
          session,
          input,
        ),
      )()
    },

    /** How far each of these tours has gone (stops done, under way, in all), for those the session sees. */
    progress(session: SessionInfo, ids: readonly string[]): Record<string, TourProgress> {
      return db.transaction(() => {
        const out: Record<string, TourProgress> = {}
        for (const id of ids) {
          const tour = getTour(db, id)
          if (!tour || !mayRead(session, tour)) continue
          const stops = tour.stopIds.flatMap((stopId) => getRequestRow(db, stopId) ?? [])
          out[id] = tourProgress(workflowOf, stops, tour.stopIds.length)
        }
        return out
      })()
    },

    delete(session: SessionInfo, id: string): void {
      withFullSync(db, () => {
        const deleted = decideTourDelete(session, getTour(db, id))
        deleteTour(db, id)
        enqueue(id, 'tour_delete', {}, deleted.version)
      })
      deps.localChange?.()
      deps.emit('tours.changed', { ids: [id] })
    },
  }
}

export type TourService = ReturnType<typeof createTourService>
