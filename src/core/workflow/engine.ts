/**
 * The workflow engine: which transitions an agent may fire on a request and why the
 * others are blocked, and what firing one changes. Pure functions over plain objects;
 * the request service persists the result with its history event and outbox entry.
 *
 * `applyTransition` is the only function here that yields a new status: there is no
 * "set status" operation, so the order of steps the definition describes always holds.
 */
import type {
  BlockedReason,
  Role,
  StatusInfo,
  StatusKind,
  TransitionAvailability,
  TransitionOption,
} from '../../shared/domain'
import type { Guard, WorkflowDefinition, WorkflowState, WorkflowTransition } from '../../shared/workflow'
import { addBusinessMs, businessMsBetween, type BusinessCalendar } from './sla'

/** What the engine needs to know about a request. */
export interface WorkflowSubject {
  status: string
  teamId: string
  assigneeId: string | null
  hasLocation: boolean
  hasCitizen: boolean
  fields: Record<string, string>
}

/** Who wants to fire a transition. */
export interface Actor {
  agentId: string
  roles: readonly Role[]
  teamIds: readonly string[]
}

/** Roles whose transitions are not limited to their own teams. */
const ALL_TEAMS_ROLES: readonly Role[] = ['supervisor', 'admin']

/**
 * Reported (as a `guard` reason, the closest code the contract has) when the transition id
 * is not part of the request's workflow.
 */
export const UNKNOWN_TRANSITION = 'unknown_transition'

/** Raised when the engine is asked for something the definition does not allow. */
export class WorkflowError extends Error {
  constructor(
    message: string,
    readonly reasons: BlockedReason[] = [],
  ) {
    super(message)
    this.name = 'WorkflowError'
  }
}

const GUARD_CHECKS: Record<Guard, (s: WorkflowSubject) => boolean> = {
  hasAssignee: (s) => s.assigneeId !== null,
  hasLocation: (s) => s.hasLocation,
  hasCitizen: (s) => s.hasCitizen,
}

/** The state `id` of the definition, if it has one. */
export function stateOf(def: WorkflowDefinition, id: string): WorkflowState | undefined {
  return def.states.find((s) => s.id === id)
}

/** The state new requests of this workflow start in. */
export function initialStateOf(def: WorkflowDefinition): WorkflowState {
  const state = stateOf(def, def.initial)
  // Definitions are validated when loaded, so this only fires on a hand-built object.
  if (!state) throw new WorkflowError(`workflow "${def.id}": unknown initial state "${def.initial}"`)
  return state
}

const optionOf = (t: WorkflowTransition): TransitionOption => ({
  id: t.id,
  label: t.label,
  to: t.to,
  requires: [...t.requires],
})

/** Every reason why `actor` may not fire `t` on `subject` now, missing fields aside. */
function blockingReasons(t: WorkflowTransition, subject: WorkflowSubject, actor: Actor): BlockedReason[] {
  const reasons: BlockedReason[] = []
  if (!t.from.includes(subject.status))
    reasons.push({ code: 'wrong_state', from: [...t.from], current: subject.status })
  if (!actor.roles.some((r) => t.roles.includes(r))) reasons.push({ code: 'role', roles: [...t.roles] })
  const allTeams = actor.roles.some((r) => ALL_TEAMS_ROLES.includes(r))
  if (!allTeams && !actor.teamIds.includes(subject.teamId))
    reasons.push({ code: 'team', teamId: subject.teamId })
  for (const guard of t.guards) if (!GUARD_CHECKS[guard](subject)) reasons.push({ code: 'guard', guard })
  return reasons
}

/**
 * For a request and an agent: every transition of the workflow, either allowed or
 * blocked with all of its reasons (wrong state, role, team, guard). Required fields are
 * not a block here (the agent fills them when firing): each option lists them in `requires`.
 */
export function transitionAvailability(
  def: WorkflowDefinition,
  subject: WorkflowSubject,
  actor: Actor,
): TransitionAvailability {
  const availability: TransitionAvailability = { allowed: [], blocked: [] }
  for (const t of def.transitions) {
    const reasons = blockingReasons(t, subject, actor)
    if (reasons.length === 0) availability.allowed.push(optionOf(t))
    else availability.blocked.push({ ...optionOf(t), reasons })
  }
  return availability
}

/** The transition's required fields from `fields`, trimmed, and the names of those missing or blank. */
function requiredFields(t: WorkflowTransition, fields: Readonly<Record<string, string | undefined>>) {
  const values: Record<string, string> = {}
  const missing: string[] = []
  for (const name of t.requires) {
    const value = fields[name]?.trim()
    if (value) values[name] = value
    else missing.push(name)
  }
  return { values, missing }
}

export type TransitionCheck =
  | { ok: true; transition: WorkflowTransition; to: WorkflowState; fields: Record<string, string> }
  | { ok: false; reasons: BlockedReason[] }

/**
 * Whether `actor` may fire `transitionId` on `subject` with `fields`: the availability
 * reasons plus one `missing_field` per required field absent or blank. On success, `fields`
 * holds exactly the transition's required fields, trimmed (other keys are not its to set).
 */
export function checkTransition(
  def: WorkflowDefinition,
  subject: WorkflowSubject,
  actor: Actor,
  transitionId: string,
  fields: Readonly<Record<string, string | undefined>>,
): TransitionCheck {
  const transition = def.transitions.find((t) => t.id === transitionId)
  if (!transition) return { ok: false, reasons: [{ code: 'guard', guard: UNKNOWN_TRANSITION }] }
  const reasons = blockingReasons(transition, subject, actor)
  const { values, missing } = requiredFields(transition, fields)
  for (const field of missing) reasons.push({ code: 'missing_field', field })
  if (reasons.length > 0) return { ok: false, reasons }
  const to = stateOf(def, transition.to)
  if (!to)
    throw new WorkflowError(
      `workflow "${def.id}": transition "${transition.id}" leads to unknown state "${transition.to}"`,
    )
  return { ok: true, transition, to, fields: values }
}

/** The part of a stored request a transition reads and rewrites. */
export interface TransitionableRequest {
  status: string
  fields: Record<string, string>
  /** Business ms the SLA clock has been stopped so far. */
  slaPausedMs: number
  /** When the clock stopped, while the request sits in a `pausesSla` state. */
  slaPausedSince: number | null
  dueAt: number | null
  closedAt: number | null
}

export interface TransitionResult {
  status: string
  statusKind: StatusKind
  fields: Record<string, string>
  closedAt: number | null
  slaPausedMs: number
  slaPausedSince: number | null
  dueAt: number | null
}

/**
 * The request after firing `transitionId` at `now`: new status and kind, the transition's
 * fields merged in, `closedAt` set on entering a closed state (kept while it stays closed,
 * cleared on reopening), and the SLA pause bookkeeping: entering a `pausesSla` state stops
 * the clock; leaving it adds the business time spent there to `slaPausedMs` and pushes
 * `dueAt` later by exactly that business time.
 *
 * Call `checkTransition` first (roles, team, guards need the actor); this re-checks the
 * state and the required fields so a bypass cannot break the step order, and throws
 * `WorkflowError` if they do not hold.
 */
export function applyTransition(
  def: WorkflowDefinition,
  request: TransitionableRequest,
  transitionId: string,
  fields: Readonly<Record<string, string | undefined>>,
  now: number,
  calendar: BusinessCalendar,
): TransitionResult {
  const transition = def.transitions.find((t) => t.id === transitionId)
  if (!transition)
    throw new WorkflowError(`workflow "${def.id}" has no transition "${transitionId}"`, [
      { code: 'guard', guard: UNKNOWN_TRANSITION },
    ])
  if (!transition.from.includes(request.status))
    throw new WorkflowError(`transition "${transitionId}" cannot be fired from "${request.status}"`, [
      { code: 'wrong_state', from: [...transition.from], current: request.status },
    ])
  const { values, missing } = requiredFields(transition, fields)
  if (missing.length > 0)
    throw new WorkflowError(
      `transition "${transitionId}" needs ${missing.join(', ')}`,
      missing.map((field) => ({ code: 'missing_field', field })),
    )
  const from = stateOf(def, request.status)
  const to = stateOf(def, transition.to)
  if (!to) throw new WorkflowError(`workflow "${def.id}": unknown state "${transition.to}"`)

  // The clock only counts as stopped while the request really sits in a pausing state.
  const pausedSince = from?.pausesSla === true ? request.slaPausedSince : null
  let { slaPausedMs, dueAt } = request
  let slaPausedSince: number | null = null
  if (to.pausesSla) slaPausedSince = pausedSince ?? now
  else if (pausedSince !== null) {
    const paused = businessMsBetween(pausedSince, now, calendar)
    slaPausedMs += paused
    if (dueAt !== null) dueAt = addBusinessMs(dueAt, paused, calendar)
  }

  let closedAt = request.closedAt
  if (to.kind === 'closed') closedAt = from?.kind === 'closed' && closedAt !== null ? closedAt : now
  else closedAt = null

  return {
    status: to.id,
    statusKind: to.kind,
    fields: { ...request.fields, ...values },
    closedAt,
    slaPausedMs,
    slaPausedSince,
    dueAt,
  }
}

/** Every status of the given workflows, once each (the first workflow's label wins), for the UI. */
export function statusesOf(defs: Iterable<WorkflowDefinition>): StatusInfo[] {
  const seen = new Map<string, StatusInfo>()
  for (const def of defs)
    for (const s of def.states)
      if (!seen.has(s.id)) seen.set(s.id, { id: s.id, label: s.label, kind: s.kind })
  return [...seen.values()]
}
