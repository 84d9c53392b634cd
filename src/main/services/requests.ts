/**
 * Request handlers: read one request, its history and comments, its transitions; fire a
 * transition, assign, comment, edit, create. Every change writes the cache, a history
 * event and an outbox entry in ONE transaction, committed with synchronous=FULL: once the
 * agent sees their change, a power cut cannot lose it.
 */
import type { ParsedInputOf, SessionInfo } from '../../shared/contract'
import type { Citizen, Comment, RequestDetail, TransitionAvailability } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { CreateRequestInput } from '../../shared/sync'
import { withFullSync } from '../cache/db'
import { logPersonalDataAccess } from '../cache/queries/accessLog'
import { getCitizen } from '../cache/queries/citizens'
import { listComments } from '../cache/queries/comments'
import { appendHistory, listHistory } from '../cache/queries/history'
import { enqueueMutation, pendingBaseVersion } from '../cache/queries/outbox'
import {
  getRequestRow,
  insertRequest,
  nextReference,
  toRequestDetail,
  type RequestRow,
} from '../cache/queries/requests'
import { transitionAvailability } from '../../core/workflow/engine'
import { actorOf, assertCanSeeTeam, canReadCitizen, canSeeTeam } from '../../core/authz/permissions'
import type { CoreDeps } from './deps'
import {
  assertMayChange,
  newRequestRow,
  subjectOf,
  workflowOf,
  type RequestOp,
} from '../../core/requests/operations'
import { applyRequestOp, cacheOpContext } from '../cache/requestWrites'

export function createRequestService(deps: CoreDeps) {
  const { db } = deps
  const ctx = cacheOpContext(db, deps.workflows, deps.calendar)

  function visibleRow(session: SessionInfo, id: string): RequestRow {
    const row = getRequestRow(db, id)
    if (!row) throw new CoreError('not_found', 'Demande introuvable.')
    assertCanSeeTeam(session, row.teamId)
    return row
  }

  function checkVersion(row: RequestRow, baseVersion: number | undefined) {
    if (baseVersion !== undefined && baseVersion !== row.version)
      throw new CoreError(
        'version_conflict',
        'Cette demande a été modifiée entre-temps : rechargez-la avant de recommencer.',
        { currentVersion: row.version },
      )
  }

  /**
   * One change by the agent: the request, its history event and its outbox entry, all or
   * nothing. `carriedBy`: the change rides inside another one already queued (a tour's save
   * assigning its stops), whose mutation id its history event takes; no outbox entry of its own.
   */
  function write(
    session: SessionInfo,
    id: string,
    op: RequestOp,
    baseVersion: number | undefined,
    carriedBy?: string,
  ) {
    return withFullSync(db, () => {
      const row = visibleRow(session, id)
      checkVersion(row, baseVersion)
      const at = deps.now()
      const outcome = applyRequestOp(ctx, session, row, op, at)
      const mutationId = carriedBy ?? deps.newId()
      appendHistory(db, {
        requestId: row.id,
        kind: outcome.history.kind,
        data: outcome.history.data,
        at,
        actorId: session.agentId,
        actorName: session.displayName,
        mutationId,
      })
      if (!carriedBy)
        enqueueMutation(db, {
          mutationId,
          entity: 'request',
          entityId: row.id,
          op: op.op,
          baseVersion: pendingBaseVersion(db, row.id) ?? row.version,
          payload: op.payload,
          createdAt: at,
        })
      return outcome
    })
  }

  /** A change, then sync is told there is something to push. */
  function change(session: SessionInfo, id: string, op: RequestOp, baseVersion: number | undefined) {
    const outcome = write(session, id, op, baseVersion)
    deps.localChange?.()
    return outcome
  }

  const detailOf = (id: string) => toRequestDetail(getRequestRow(db, id)!)

  return {
    /**
     * One change as `transition`/`assign` make it, announced by the caller (bulk actions and
     * tours tell the screens and sync once for all of them).
     */
    applyQuietly(session: SessionInfo, id: string, op: RequestOp, carriedBy?: string) {
      if (op.op !== 'assign') assertMayChange(session)
      return write(session, id, op, undefined, carriedBy)
    },

    get(session: SessionInfo, id: string): RequestDetail {
      return toRequestDetail(visibleRow(session, id))
    },

    getMany(session: SessionInfo, ids: readonly string[]): RequestDetail[] {
      return db.transaction(() =>
        ids.flatMap((id) => {
          const row = getRequestRow(db, id)
          return row && canSeeTeam(session, row.teamId) ? [toRequestDetail(row)] : []
        }),
      )()
    },

    history(session: SessionInfo, id: string) {
      visibleRow(session, id)
      return listHistory(db, id)
    },

    comments(session: SessionInfo, id: string): Comment[] {
      visibleRow(session, id)
      return listComments(db, id)
    },

    /** Contact details for the roles that need them; each read is logged (RGPD traceability). */
    citizen(session: SessionInfo, id: string): Citizen | null {
      const row = visibleRow(session, id)
      if (!canReadCitizen(session, deps.config.privacy.citizenDataRoles))
        throw new CoreError('forbidden', 'Les coordonnées de l’usager ne sont pas accessibles à votre rôle.')
      if (!row.citizenId) return null
      const citizenId = row.citizenId
      return db.transaction(() => {
        const citizen = getCitizen(db, citizenId) ?? null
        if (!citizen) return null
        const at = deps.now()
        logPersonalDataAccess(db, {
          at,
          agentId: session.agentId,
          requestId: id,
          citizenId,
          action: 'read_contact',
        })
        appendHistory(db, {
          requestId: id,
          kind: 'viewed_personal_data',
          at,
          actorId: session.agentId,
          actorName: session.displayName,
          data: {},
        })
        return citizen
      })()
    },

    transitions(session: SessionInfo, id: string): TransitionAvailability {
      const row = visibleRow(session, id)
      return transitionAvailability(workflowOf(ctx, row.categoryId), subjectOf(row), actorOf(session))
    },

    /** The only way a status changes: through a transition of the request's workflow. */
    transition(session: SessionInfo, input: ParsedInputOf<'request.transition'>): RequestDetail {
      assertMayChange(session)
      const { transitionId, fields } = input
      const op = { op: 'transition' as const, payload: { transitionId, fields } }
      change(session, input.id, op, input.baseVersion)
      deps.emit('requests.changed', { ids: [input.id] })
      return detailOf(input.id)
    },

    assign(session: SessionInfo, input: ParsedInputOf<'request.assign'>): RequestDetail {
      const op = { op: 'assign' as const, payload: { assigneeId: input.assigneeId } }
      change(session, input.id, op, input.baseVersion)
      deps.emit('requests.changed', { ids: [input.id] })
      return detailOf(input.id)
    },

    update(session: SessionInfo, input: ParsedInputOf<'request.update'>): RequestDetail {
      change(session, input.id, { op: 'update', payload: input.patch }, input.baseVersion)
      deps.emit('requests.changed', { ids: [input.id] })
      return detailOf(input.id)
    },

    comment(session: SessionInfo, input: ParsedInputOf<'request.comment'>): Comment {
      assertMayChange(session)
      const payload = { commentId: deps.newId(), kind: input.kind, body: input.body }
      const outcome = change(session, input.id, { op: 'comment', payload }, undefined)
      deps.emit('requests.changed', { ids: [input.id] })
      return outcome.comment!
    },

    /** A request taken at the counter or on the phone, routed by the routing rules. */
    create(session: SessionInfo, input: CreateRequestInput): RequestDetail {
      assertMayChange(session)
      const id = deps.newId()
      withFullSync(db, () => {
        const at = deps.now()
        // With a server, the server numbers requests; until it has, the number says it is provisional.
        const reference = deps.config.sync.serverUrl
          ? `PROV-${id.replace(/-/g, '').slice(0, 10).toUpperCase()}`
          : nextReference(db, at)
        const { row, routed } = newRequestRow(ctx, input, { id, reference, at, citizenId: null })
        insertRequest(db, row)
        const mutationId = deps.newId()
        const actor = { actorId: session.agentId, actorName: session.displayName }
        appendHistory(db, {
          requestId: id,
          kind: 'created',
          at,
          ...actor,
          data: { channel: input.channel },
          mutationId,
        })
        appendHistory(db, { requestId: id, ...routed, at, actorId: null, actorName: null, mutationId })
        enqueueMutation(db, {
          mutationId,
          entity: 'request',
          entityId: id,
          op: 'create',
          baseVersion: 0,
          payload: { ...input },
          createdAt: at,
        })
      })
      deps.localChange?.()
      deps.emit('requests.changed', { ids: [id] })
      // Returned even when routed to a team the agent cannot see: they typed it themselves.
      return detailOf(id)
    },
  }
}

export type RequestService = ReturnType<typeof createRequestService>
