/**
 * Request handlers: read one request, its history and comments, its transitions; fire a
 * transition, assign, comment, create. Every change writes the cache, a history event
 * and an outbox entry in ONE transaction.
 */
import type { ParsedInputOf, SessionInfo } from '../../../shared/contract'
import type { Citizen, Comment, RequestDetail, TransitionAvailability } from '../../../shared/domain'
import { CoreError } from '../../../shared/result'
import type { WorkflowDefinition } from '../../../shared/workflow'
import { logPersonalDataAccess } from '../store/queries/accessLog'
import { getCitizen } from '../store/queries/citizens'
import { insertComment, listComments } from '../store/queries/comments'
import { appendHistory, listHistory } from '../store/queries/history'
import { enqueueMutation } from '../store/queries/outbox'
import { getCategory, listAgents, listRoutingRules, listSectors } from '../store/queries/reference'
import {
  getRequestRow,
  insertRequest,
  nextReference,
  setRequestStatus,
  toRequestDetail,
  updateRequestFields,
  type RequestRow,
} from '../store/queries/requests'
import {
  applyTransition,
  checkTransition,
  transitionAvailability,
  type WorkflowSubject,
} from '../workflow/engine'
import { routeRequest } from '../workflow/routing'
import { addBusinessHours } from '../workflow/sla'
import { actorOf, assertCanSeeTeam, canAssign, canChangeRequests, canReadCitizen } from './authorization'
import type { CoreDeps } from './deps'

/** The front desk (accueil) gets what no routing rule claims. */
export const FALLBACK_TEAM_ID = 'accueil'

export function createRequestService(deps: CoreDeps) {
  const { db } = deps

  function visibleRow(session: SessionInfo, id: string): RequestRow {
    const row = getRequestRow(db, id)
    if (!row) throw new CoreError('not_found', 'Demande introuvable.')
    assertCanSeeTeam(session, row.teamId)
    return row
  }

  function workflowOf(row: RequestRow): WorkflowDefinition {
    const category = getCategory(db, row.categoryId)
    const def = category && deps.workflows.get(category.workflowId)
    if (!def)
      throw new CoreError('internal', `Aucun circuit n’est défini pour la catégorie ${row.categoryId}.`)
    return def
  }

  const subjectOf = (row: RequestRow): WorkflowSubject => ({
    status: row.status,
    teamId: row.teamId,
    assigneeId: row.assigneeId,
    hasLocation: row.lat !== null && row.lon !== null,
    hasCitizen: row.citizenId !== null,
    fields: row.fields,
  })

  function checkVersion(row: RequestRow, baseVersion: number | undefined) {
    if (baseVersion !== undefined && baseVersion !== row.version)
      throw new CoreError(
        'version_conflict',
        'Cette demande a été modifiée entre-temps : rechargez-la avant de recommencer.',
        { currentVersion: row.version },
      )
  }

  function assertMayChange(session: SessionInfo) {
    if (!canChangeRequests(session))
      throw new CoreError('forbidden', 'Votre rôle ne permet pas de modifier les demandes.')
  }

  /** The change, its history event and its outbox entry, all or nothing. */
  function recordChange(
    session: SessionInfo,
    requestId: string,
    history: { kind: Parameters<typeof appendHistory>[1]['kind']; data: Record<string, unknown> },
    mutation: { op: string; baseVersion: number; payload: Record<string, unknown> },
    at: number,
  ) {
    appendHistory(db, {
      requestId,
      kind: history.kind,
      at,
      actorId: session.agentId,
      actorName: session.displayName,
      data: history.data,
    })
    enqueueMutation(db, {
      mutationId: deps.newId(),
      entity: 'request',
      entityId: requestId,
      op: mutation.op,
      baseVersion: mutation.baseVersion,
      payload: mutation.payload,
      createdAt: at,
    })
  }

  return {
    get(session: SessionInfo, id: string): RequestDetail {
      return toRequestDetail(visibleRow(session, id))
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
      return transitionAvailability(workflowOf(row), subjectOf(row), actorOf(session))
    },

    /** The only way a status changes: through a transition of the request's workflow. */
    transition(session: SessionInfo, input: ParsedInputOf<'request.transition'>): RequestDetail {
      assertMayChange(session)
      return db.transaction(() => {
        const row = visibleRow(session, input.id)
        checkVersion(row, input.baseVersion)
        const def = workflowOf(row)
        const fields = Object.fromEntries(
          Object.entries(input.fields).filter((e): e is [string, string] => typeof e[1] === 'string'),
        )
        const check = checkTransition(def, subjectOf(row), actorOf(session), input.transitionId, fields)
        if (!check.ok)
          throw new CoreError('transition_refused', 'Cette étape ne peut pas être franchie maintenant.', {
            reasons: check.reasons,
          })
        const at = deps.now()
        // Only the fields this transition asks for, trimmed: nothing else reaches history or the server.
        const given = check.fields
        const next = applyTransition(def, row, input.transitionId, given, at, deps.calendar)
        setRequestStatus(db, row.id, { ...next, updatedAt: at }, row.version)
        recordChange(
          session,
          row.id,
          {
            kind: 'transitioned',
            data: { transitionId: input.transitionId, from: row.status, to: next.status, fields: given },
          },
          {
            op: 'transition',
            baseVersion: row.version,
            payload: { transitionId: input.transitionId, fields: given },
          },
          at,
        )
        deps.emit('requests.changed', { ids: [row.id] })
        return toRequestDetail(getRequestRow(db, row.id)!)
      })()
    },

    assign(session: SessionInfo, input: ParsedInputOf<'request.assign'>): RequestDetail {
      return db.transaction(() => {
        const row = visibleRow(session, input.id)
        if (!canAssign(session, row.teamId))
          throw new CoreError(
            'forbidden',
            'Seuls les chefs d’équipe, superviseurs et administrateurs assignent les demandes.',
          )
        checkVersion(row, input.baseVersion)
        if (input.assigneeId !== null) {
          const assignee = listAgents(db).find((a) => a.id === input.assigneeId)
          if (!assignee || !assignee.teamIds.includes(row.teamId))
            throw new CoreError('invalid_input', 'Cet agent n’appartient pas à l’équipe de la demande.')
        }
        const at = deps.now()
        updateRequestFields(db, row.id, { assigneeId: input.assigneeId, updatedAt: at }, row.version)
        recordChange(
          session,
          row.id,
          { kind: 'assigned', data: { from: row.assigneeId, to: input.assigneeId } },
          { op: 'assign', baseVersion: row.version, payload: { assigneeId: input.assigneeId } },
          at,
        )
        deps.emit('requests.changed', { ids: [row.id] })
        return toRequestDetail(getRequestRow(db, row.id)!)
      })()
    },

    comment(session: SessionInfo, input: ParsedInputOf<'request.comment'>): Comment {
      assertMayChange(session)
      return db.transaction(() => {
        const row = visibleRow(session, input.id)
        const at = deps.now()
        const comment: Comment = {
          id: deps.newId(),
          requestId: row.id,
          kind: input.kind,
          body: input.body,
          authorId: session.agentId,
          authorName: session.displayName,
          createdAt: new Date(at).toISOString(),
        }
        insertComment(db, comment)
        recordChange(
          session,
          row.id,
          { kind: 'commented', data: { commentId: comment.id, kind: input.kind } },
          {
            op: 'comment',
            baseVersion: row.version,
            payload: { commentId: comment.id, kind: input.kind, body: input.body },
          },
          at,
        )
        deps.emit('requests.changed', { ids: [row.id] })
        return comment
      })()
    },

    /** A request taken at the counter or on the phone, routed by the routing rules. */
    create(session: SessionInfo, input: ParsedInputOf<'request.create'>): RequestDetail {
      assertMayChange(session)
      const category = getCategory(db, input.categoryId)
      if (!category) throw new CoreError('invalid_input', 'Catégorie inconnue.')
      if (category.requiresLocation && !input.location && !input.address)
        throw new CoreError(
          'invalid_input',
          'Cette catégorie demande une localisation (adresse ou point GPS).',
        )
      if (input.subcategory !== null && !category.subcategories.includes(input.subcategory))
        throw new CoreError('invalid_input', 'Sous-catégorie inconnue pour cette catégorie.')
      const def = deps.workflows.get(category.workflowId)
      if (!def)
        throw new CoreError('internal', `Aucun circuit n’est défini pour la catégorie ${category.id}.`)
      return db.transaction(() => {
        const decision = routeRequest(
          {
            categoryId: category.id,
            subcategory: input.subcategory,
            channel: input.channel,
            location: input.location,
          },
          listRoutingRules(db),
          listSectors(db),
          FALLBACK_TEAM_ID,
        )
        const at = deps.now()
        const initial = def.states.find((s) => s.id === def.initial)!
        const id = deps.newId()
        insertRequest(db, {
          id,
          reference: nextReference(db, at),
          title: input.title,
          categoryId: category.id,
          subcategory: input.subcategory,
          channel: input.channel,
          status: initial.id,
          statusKind: initial.kind,
          priority: input.priority,
          teamId: decision.teamId,
          assigneeId: null,
          description: input.description,
          address: input.address,
          lat: input.location?.lat ?? null,
          lon: input.location?.lon ?? null,
          citizenId: null,
          fields: {},
          createdAt: at,
          updatedAt: at,
          dueAt: addBusinessHours(at, category.slaBusinessHours, deps.calendar),
          closedAt: null,
          slaPausedMs: 0,
          slaPausedSince: null,
          version: 0,
        })
        recordChange(
          session,
          id,
          { kind: 'created', data: { channel: input.channel } },
          { op: 'create', baseVersion: 0, payload: { ...input } },
          at,
        )
        appendHistory(db, {
          requestId: id,
          kind: 'routed',
          at,
          actorId: null,
          actorName: null,
          data: {
            teamId: decision.teamId,
            ruleId: decision.ruleId,
            ruleName: decision.ruleName,
            fallback: decision.fallback,
          },
        })
        deps.emit('requests.changed', { ids: [id] })
        // Returned even when routed to a team the agent cannot see: they typed it themselves.
        return toRequestDetail(getRequestRow(db, id)!)
      })()
    },
  }
}

export type RequestService = ReturnType<typeof createRequestService>
