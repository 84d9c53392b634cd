/**
 * What each change to a request does, decided once and written in three places: the
 * console when an agent acts (then history + outbox), the central server when it applies a
 * console's mutation (then history + change feed, on SQLite or PostgreSQL), and the console
 * again when it re-applies its pending changes on top of state pulled from the server.
 *
 * The functions here read nothing themselves: the request and the reference data come in
 * (`ReferenceLookup`), and what to write goes out (`RequestDecision`), so the same checks
 * run against a synchronous SQLite cache and an asynchronous PostgreSQL pool. Every
 * function checks authorisation and the workflow itself: a caller cannot forget to.
 */
import type { SessionInfo } from '../../shared/contract'
import type {
  AgentSummary,
  Category,
  Citizen,
  Comment,
  HistoryKind,
  IntakeCitizen,
  Role,
  StatusKind,
  Team,
} from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { CreateRequestInput, Mutation, RequestPatch, RequestRecord } from '../../shared/sync'
import type { WorkflowDefinition } from '../../shared/workflow'
import type { RoutingRule, Sector } from '../../shared/routing'
import { applyTransition, checkTransition, type WorkflowSubject } from '../workflow/engine'
import { routeRequest, routingInWords } from '../workflow/routing'
import { addBusinessHours, type BusinessCalendar } from '../workflow/sla'
import { ACTION_REFUSALS } from '../authz/actions'
import { assertNotMerged, checkDuplicateMaster, DUPLICATE_FIELD } from './duplicates'
import { applyTagChange } from './tags'
import { actorOf, assertCanSeeTeam, canAssign, canChangeRequests, canReadCitizen } from '../authz/permissions'

/** The front desk (accueil) gets what no routing rule claims. */
export const FALLBACK_TEAM_ID = 'accueil'

/** The reference data a decision reads (small, read often: both stores answer it from memory or an index). */
export interface ReferenceLookup {
  category(id: string): Category | undefined
  agent(id: string): AgentSummary | undefined
  routingRules(): readonly RoutingRule[]
  sectors(): readonly Sector[]
  /** For the routing words (« Orientée vers Voirie Nord… »); absent: the team's id is shown. */
  team?(id: string): Team | undefined
}

export interface OpContext {
  ref: ReferenceLookup
  workflows: Map<string, WorkflowDefinition>
  calendar: BusinessCalendar
  /**
   * A request by its human reference, to check a `duplicateOf` (the master). Without it, a
   * transition that names a master is refused: an unchecked reference is never written.
   */
  requestByReference?: (reference: string) => RequestRecord | undefined
}

/** Columns a change may write besides the workflow's own (see `RequestStatusChange`). */
export type RequestFieldsPatch = Partial<
  Pick<
    RequestRecord,
    | 'title'
    | 'categoryId'
    | 'subcategory'
    | 'channel'
    | 'priority'
    | 'teamId'
    | 'assigneeId'
    | 'description'
    | 'address'
    | 'lat'
    | 'lon'
    | 'citizenId'
    | 'fields'
    | 'dueAt'
    | 'updatedAt'
    | 'tags'
  >
>

/** What a transition writes: the status and everything that moves with it. */
export interface RequestStatusChange {
  status: string
  statusKind: StatusKind
  closedAt: number | null
  fields: Record<string, string>
  slaPausedMs: number
  slaPausedSince: number | null
  dueAt: number | null
  /** Defaults to leaving updated_at as it was. */
  updatedAt?: number
}

/** A change to an existing request, as the outbox and the protocol carry it. */
export type RequestOp = Exclude<OpOf<Mutation>, { op: 'create' | 'tour_save' | 'tour_delete' | 'merge' }>
type OpOf<M> = M extends Mutation ? { op: M['op']; payload: M['payload'] } : never

/**
 * What one change writes: the request's columns (`status` set: a transition; the writer
 * bumps the version, checked against the version the decision was made on), a new comment,
 * and the history event. `write` is null when the request row itself does not change.
 */
export interface RequestDecision {
  write:
    { kind: 'status'; change: RequestStatusChange } | { kind: 'fields'; patch: RequestFieldsPatch } | null
  comment?: Comment
  history: { kind: HistoryKind; data: Record<string, unknown> }
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
    // A set operation on the tags the request has when applied: it never conflicts, so no
    // base version check (two agents tagging the same request both keep their tags).
    case 'tag':
      return []
  }
}

/** A request's value for a field as `fieldsTouchedBy` names it (`fields.reason` is inside the transition fields). */
export function valueOfField(row: RequestRecord, field: string): unknown {
  if (field.startsWith('fields.')) return row.fields[field.slice('fields.'.length)] ?? null
  return (row as unknown as Record<string, unknown>)[field] ?? null
}

export function workflowOf(ctx: OpContext, categoryId: string): WorkflowDefinition {
  const category = ctx.ref.category(categoryId)
  const def = category && ctx.workflows.get(category.workflowId)
  if (!def) throw new CoreError('internal', `Aucun circuit n’est défini pour la catégorie ${categoryId}.`)
  return def
}

export const subjectOf = (row: RequestRecord): WorkflowSubject => ({
  status: row.status,
  teamId: row.teamId,
  assigneeId: row.assigneeId,
  hasLocation: row.lat !== null && row.lon !== null,
  hasCitizen: row.citizenId !== null,
  fields: row.fields,
})

/** The master `reference` names, checked (`checkDuplicateMaster`) through the caller's lookup. */
function checkedMaster(ctx: OpContext, session: SessionInfo, row: RequestRecord, reference: string): string {
  if (!ctx.requestByReference)
    throw new CoreError(
      'internal',
      'La demande d’origine ne peut pas être vérifiée ici : doublon non enregistré.',
    )
  return checkDuplicateMaster(session, row, reference, ctx.requestByReference(reference))
}

export function assertMayChange(session: SessionInfo): void {
  if (!canChangeRequests(session)) throw new CoreError('forbidden', ACTION_REFUSALS.readOnly)
}

/**
 * Check one change to `row` (which the caller read in the transaction it will write in)
 * and say what to write. History and outbox are the caller's: they differ by caller.
 * @throws CoreError forbidden / not_found / invalid_input / transition_refused.
 */
export function decideRequestOp(
  ctx: OpContext,
  session: SessionInfo,
  row: RequestRecord,
  op: RequestOp,
  at: number,
): RequestDecision {
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
      if (given[DUPLICATE_FIELD] !== undefined)
        given[DUPLICATE_FIELD] = checkedMaster(ctx, session, row, given[DUPLICATE_FIELD])
      const next = applyTransition(def, row, transitionId, given, at, ctx.calendar)
      if (next.statusKind === 'open') assertNotMerged(row)
      // Back to an open state without naming a master: no longer anyone's duplicate.
      if (next.statusKind === 'open' && given[DUPLICATE_FIELD] === undefined)
        delete next.fields[DUPLICATE_FIELD]
      return {
        write: { kind: 'status', change: { ...next, updatedAt: at } },
        history: {
          kind: 'transitioned',
          data: { transitionId, from: row.status, to: next.status, fields: given },
        },
      }
    }
    case 'assign': {
      if (!canAssign(session, row.teamId)) throw new CoreError('forbidden', ACTION_REFUSALS.assign)
      const { assigneeId } = op.payload
      if (assigneeId !== null) {
        const assignee = ctx.ref.agent(assigneeId)
        if (!assignee || !assignee.teamIds.includes(row.teamId))
          throw new CoreError('invalid_input', 'Cet agent n’appartient pas à l’équipe de la demande.')
      }
      return {
        write: { kind: 'fields', patch: { assigneeId, updatedAt: at } },
        history: { kind: 'assigned', data: { from: row.assigneeId, to: assigneeId } },
      }
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
      return {
        write: null,
        history: { kind: 'commented', data: { commentId: comment.id, kind: comment.kind } },
        comment,
      }
    }
    case 'update': {
      assertMayChange(session)
      const patch: RequestPatch = op.payload
      const from: Record<string, unknown> = {}
      for (const key of Object.keys(patch) as (keyof RequestPatch)[]) from[key] = row[key]
      // Descriptions can be long: history keeps which fields changed and the short ones' values.
      const shown = (v: unknown) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…` : v)
      return {
        write: { kind: 'fields', patch: { ...patch, updatedAt: at } },
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
    case 'tag': {
      assertMayChange(session)
      const { tags, added, removed } = applyTagChange(row.tags ?? [], op.payload)
      // Nothing really changes (tags already there, or absent): the row stays as it is.
      const write =
        added.length + removed.length > 0 ? { kind: 'fields' as const, patch: { tags, updatedAt: at } } : null
      return { write, history: { kind: 'tagged', data: { added, removed } } }
    }
  }
}

/**
 * A new request, routed by the routing rules, at the workflow's initial state: the row to
 * insert and the routing decision to record.
 */
export function newRequestRow(
  ctx: OpContext,
  /** Its citizen, if any, is decided apart (`decideIntakeCitizen`): the caller's store records them. */
  input: Omit<CreateRequestInput, 'citizen'>,
  meta: { id: string; reference: string; at: number; citizenId: string | null },
) {
  const category = ctx.ref.category(input.categoryId)
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
    ctx.ref.routingRules(),
    ctx.ref.sectors(),
    FALLBACK_TEAM_ID,
  )
  const initial = def.states.find((s) => s.id === def.initial)!
  const row: RequestRecord = {
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
      // Kept as said before saving, so the history tells why even after the rules change.
      words: routingWordsOf(ctx.ref, decision),
    },
  }
  return { row, routed }
}

/** The routing decision in French words, with the names the reference data gives. */
export function routingWordsOf(ref: ReferenceLookup, decision: ReturnType<typeof routeRequest>): string {
  const sectors = ref.sectors()
  return routingInWords(decision, ref.routingRules(), {
    team: (id) => ref.team?.(id)?.name,
    category: (id) => ref.category(id)?.name.fr,
    sector: (id) => sectors.find((s) => s.id === id)?.name,
  })
}

/** Where a request being typed would go, before it is saved (the intake form shows it). */
export function previewRouting(
  ref: ReferenceLookup,
  input: Pick<CreateRequestInput, 'categoryId' | 'subcategory' | 'channel' | 'location'>,
) {
  const decision = routeRequest(input, ref.routingRules(), ref.sectors(), FALLBACK_TEAM_ID)
  return { decision, words: routingWordsOf(ref, decision) }
}

/**
 * The citizen of a new request: the id to link, the citizen to record when new, and what the
 * `created` history event keeps (whether the citizen is new, their contact preference and the
 * date of their consent: never a name or a contact). Only the roles that read citizens may
 * attach one. Whether an existing id is known is the caller's to check (its store).
 * @throws CoreError forbidden.
 */
export function decideIntakeCitizen(
  session: SessionInfo,
  citizenDataRoles: readonly Role[],
  citizen: IntakeCitizen | null,
  newId: () => string,
): { citizenId: string | null; create: Citizen | null; createdData: Record<string, unknown> } {
  if (!citizen) return { citizenId: null, create: null, createdData: {} }
  if (!canReadCitizen(session, citizenDataRoles)) throw new CoreError('forbidden', ACTION_REFUSALS.citizen)
  if (citizen.kind === 'existing')
    return { citizenId: citizen.id, create: null, createdData: { citizen: 'existing' } }
  const c = citizen.citizen
  const id = c.id ?? newId()
  return {
    citizenId: id,
    create: {
      id,
      name: c.name,
      email: c.email,
      phone: c.phone,
      postalAddress: c.postalAddress,
      contactPreference: c.contactPreference,
    },
    createdData: { citizen: 'new', contactPreference: c.contactPreference, consentAt: c.consentAt },
  }
}
