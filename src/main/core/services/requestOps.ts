/**
 * What each change to a request does, written once and run in three places: the console
 * when an agent acts (then history + outbox), the reference server when it applies a
 * console's mutation (then history + change feed), and the console again when it
 * re-applies its pending changes on top of state pulled from the server.
 *
 * Every function here checks authorisation and the workflow itself: a caller cannot
 * forget to.
 */
import type { SessionInfo } from '../../../shared/contract'
import type { Comment, HistoryKind } from '../../../shared/domain'
import { CoreError } from '../../../shared/result'
import type { CreateRequestInput, Mutation, RequestPatch } from '../../../shared/sync'
import type { WorkflowDefinition } from '../../../shared/workflow'
import type { Db } from '../store/db'
import { insertComment } from '../store/queries/comments'
import { getAgentById, getCategory, listRoutingRules, listSectors } from '../store/queries/reference'
import {
  setRequestStatus,
  updateRequestFields,
  type NewRequestRow,
  type RequestRow,
} from '../store/queries/requests'
import { applyTransition, checkTransition, type WorkflowSubject } from '../workflow/engine'
import { routeRequest } from '../workflow/routing'
import { addBusinessHours, type BusinessCalendar } from '../workflow/sla'
import { actorOf, assertCanSeeTeam, canAssign, canChangeRequests } from './authorization'

/** The front desk (accueil) gets what no routing rule claims. */
export const FALLBACK_TEAM_ID = 'accueil'

export interface OpContext {
  db: Db
  workflows: Map<string, WorkflowDefinition>
  calendar: BusinessCalendar
}

/** A change to an existing request, as the outbox and the protocol carry it. */
export type RequestOp = Exclude<OpOf<Mutation>, { op: 'create' | 'tour_save' | 'tour_delete' }>
type OpOf<M> = M extends Mutation ? { op: M['op']; payload: M['payload'] } : never

export interface OpOutcome {
  history: { kind: HistoryKind; data: Record<string, unknown> }
  comment?: Comment
}

/**
 * The request fields a change writes: two changes made on the same version conflict only
 * when these overlap (a comment overlaps nothing; it is always merged).
 */
export function fieldsTouchedBy(op: RequestOp): string[] {
  switch (op.op) {
    case 'transition':
      return ['status', ...Object.keys(op.payload.fields).map((f) => `fields.${f}`)]
    case 'assign':
      return ['assigneeId']
    case 'comment':
      return []
    case 'update':
      return Object.keys(op.payload)
  }
}

/** A request's value for a field as `fieldsTouchedBy` names it (`fields.reason` is inside the transition fields). */
export function valueOfField(row: RequestRow, field: string): unknown {
  if (field.startsWith('fields.')) return row.fields[field.slice('fields.'.length)] ?? null
  return (row as unknown as Record<string, unknown>)[field] ?? null
}

export function workflowOf(ctx: OpContext, categoryId: string): WorkflowDefinition {
  const category = getCategory(ctx.db, categoryId)
  const def = category && ctx.workflows.get(category.workflowId)
  if (!def) throw new CoreError('internal', `Aucun circuit n’est défini pour la catégorie ${categoryId}.`)
  return def
}

export const subjectOf = (row: RequestRow): WorkflowSubject => ({
  status: row.status,
  teamId: row.teamId,
  assigneeId: row.assigneeId,
  hasLocation: row.lat !== null && row.lon !== null,
  hasCitizen: row.citizenId !== null,
  fields: row.fields,
})

export function assertMayChange(session: SessionInfo): void {
  if (!canChangeRequests(session))
    throw new CoreError('forbidden', 'Votre rôle ne permet pas de modifier les demandes.')
}

/**
 * Check and write one change to `row` (which the caller read in the same transaction).
 * Writes the request (and the comment) but neither history nor outbox: those differ by caller.
 * @throws CoreError forbidden / not_found / invalid_input / transition_refused.
 */
export function applyRequestOp(
  ctx: OpContext,
  session: SessionInfo,
  row: RequestRow,
  op: RequestOp,
  at: number,
): OpOutcome {
  assertCanSeeTeam(session, row.teamId)
  switch (op.op) {
    case 'transition': {
      assertMayChange(session)
      const def = workflowOf(ctx, row.categoryId)
      const fields = Object.fromEntries(
        Object.entries(op.payload.fields).filter((e): e is [string, string] => typeof e[1] === 'string'),
      )
      const { transitionId } = op.payload
      const check = checkTransition(def, subjectOf(row), actorOf(session), transitionId, fields)
      if (!check.ok)
        throw new CoreError('transition_refused', 'Cette étape ne peut pas être franchie maintenant.', {
          reasons: check.reasons,
        })
      // Only the fields this transition asks for, trimmed: nothing else reaches history or the server.
      const given = check.fields
      const next = applyTransition(def, row, transitionId, given, at, ctx.calendar)
      setRequestStatus(ctx.db, row.id, { ...next, updatedAt: at }, row.version)
      return {
        history: {
          kind: 'transitioned',
          data: { transitionId, from: row.status, to: next.status, fields: given },
        },
      }
    }
    case 'assign': {
      if (!canAssign(session, row.teamId))
        throw new CoreError(
          'forbidden',
          'Seuls les chefs d’équipe, superviseurs et administrateurs assignent les demandes.',
        )
      const { assigneeId } = op.payload
      if (assigneeId !== null) {
        const assignee = getAgentById(ctx.db, assigneeId)
        if (!assignee || !assignee.teamIds.includes(row.teamId))
          throw new CoreError('invalid_input', 'Cet agent n’appartient pas à l’équipe de la demande.')
      }
      updateRequestFields(ctx.db, row.id, { assigneeId, updatedAt: at }, row.version)
      return { history: { kind: 'assigned', data: { from: row.assigneeId, to: assigneeId } } }
    }
    case 'comment': {
      assertMayChange(session)
      const comment: Comment = {
        id: op.payload.commentId,
        requestId: row.id,
        kind: op.payload.kind,
        body: op.payload.body,
        authorId: session.agentId,
        authorName: session.displayName,
        createdAt: new Date(at).toISOString(),
      }
      insertComment(ctx.db, comment)
      return { history: { kind: 'commented', data: { commentId: comment.id, kind: comment.kind } }, comment }
    }
    case 'update': {
      assertMayChange(session)
      const patch: RequestPatch = op.payload
      const from: Record<string, unknown> = {}
      for (const key of Object.keys(patch) as (keyof RequestPatch)[]) from[key] = row[key]
      updateRequestFields(ctx.db, row.id, { ...patch, updatedAt: at }, row.version)
      // Descriptions can be long: history keeps which fields changed and the short ones' values.
      const shown = (v: unknown) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…` : v)
      return {
        history: {
          kind: 'edited',
          data: {
            changes: Object.entries(patch).map(([field, to]) => ({
              field,
              from: shown(from[field]),
              to: shown(to),
            })),
          },
        },
      }
    }
  }
}

/**
 * A new request, routed by the routing rules, at the workflow's initial state: the row to
 * insert and the routing decision to record.
 */
export function newRequestRow(
  ctx: OpContext,
  input: CreateRequestInput,
  meta: { id: string; reference: string; at: number; citizenId: string | null },
) {
  const category = getCategory(ctx.db, input.categoryId)
  if (!category) throw new CoreError('invalid_input', 'Catégorie inconnue.')
  if (category.requiresLocation && !input.location && !input.address)
    throw new CoreError('invalid_input', 'Cette catégorie demande une localisation (adresse ou point GPS).')
  if (input.subcategory !== null && !category.subcategories.includes(input.subcategory))
    throw new CoreError('invalid_input', 'Sous-catégorie inconnue pour cette catégorie.')
  const def = ctx.workflows.get(category.workflowId)
  if (!def) throw new CoreError('internal', `Aucun circuit n’est défini pour la catégorie ${category.id}.`)
  const decision = routeRequest(
    {
      categoryId: category.id,
      subcategory: input.subcategory,
      channel: input.channel,
      location: input.location,
    },
    listRoutingRules(ctx.db),
    listSectors(ctx.db),
    FALLBACK_TEAM_ID,
  )
  const initial = def.states.find((s) => s.id === def.initial)!
  const row: NewRequestRow = {
    id: meta.id,
    reference: meta.reference,
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
    citizenId: meta.citizenId,
    fields: {},
    createdAt: meta.at,
    updatedAt: meta.at,
    dueAt: addBusinessHours(meta.at, category.slaBusinessHours, ctx.calendar),
    closedAt: null,
    slaPausedMs: 0,
    slaPausedSince: null,
    version: 0,
  }
  const routed = {
    kind: 'routed' as const,
    data: {
      teamId: decision.teamId,
      ruleId: decision.ruleId,
      ruleName: decision.ruleName,
      fallback: decision.fallback,
    },
  }
  return { row, routed }
}
