/**
 * What saving a tour « with every stop assigned » does to each stop: assign it to the
 * technician, then move it through its workflow to the planned status (« Planifiée »), with
 * the tour's day as the planned date when the workflow asks for one. Computed here once,
 * applied as ordinary request changes by the console and the server, each re-checked by
 * `decideRequestOp`: the workflow's order of steps holds whoever plans.
 *
 * Only forward steps are taken (a step that leads further from the workflow's start than
 * where it begins), that need no field but the planned date, and that do not close the
 * request: planning never reopens, rejects or answers a request behind the lead's back.
 */
import type { SessionInfo } from '../../shared/contract'
import { CoreError } from '../../shared/result'
import type { SavedTour } from '../../shared/savedTour'
import type { RequestRecord } from '../../shared/sync'
import type { WorkflowDefinition, WorkflowTransition } from '../../shared/workflow'
import { actorOf } from '../authz/permissions'
import type { RequestOp } from '../requests/operations'
import { subjectOf } from '../requests/operations'
import { checkTransition, stateOf } from '../workflow/engine'

/** The field a planning step asks for: the tour's day fills it. */
const PLANNED_DATE = 'scheduledFor'

/** What planning reads besides the stop: the workflow its category follows. */
export interface PlanningLookup {
  workflowOf(categoryId: string): WorkflowDefinition | undefined
}

/** One stop and the changes that plan it, in the order to apply them. */
export interface StopPlan {
  row: RequestRecord
  ops: RequestOp[]
}

/** The workflow's planning step: the one that asks for the planned date (« Planifier »). */
export function planningTransitionOf(def: WorkflowDefinition): WorkflowTransition | undefined {
  return def.transitions.find((t) => t.requires.includes(PLANNED_DATE))
}

/** How many steps each state lies from the workflow's start: a step forward goes further. */
export function depthsOf(def: WorkflowDefinition): Map<string, number> {
  const depth = new Map<string, number>([[def.initial, 0]])
  const queue = [def.initial]
  while (queue.length > 0) {
    const from = queue.shift()!
    for (const t of def.transitions)
      if (t.from.includes(from) && !depth.has(t.to)) {
        depth.set(t.to, depth.get(from)! + 1)
        queue.push(t.to)
      }
  }
  return depth
}

const statusLabel = (def: WorkflowDefinition, status: string) => stateOf(def, status)?.label.fr ?? status

export type PlanningPath =
  | { kind: 'steps'; transitions: WorkflowTransition[] }
  /** Already planned for that day, or further on (started, done): nothing to change. */
  | { kind: 'nothing' }
  | { kind: 'impossible'; why: string }

/**
 * The steps that bring a request from `row.status` to the planned status, as `session`
 * may fire them once the request is the technician's.
 */
export function planningPath(
  def: WorkflowDefinition,
  session: SessionInfo,
  row: RequestRecord,
  technicianId: string,
  day: string,
): PlanningPath {
  const planning = planningTransitionOf(def)
  if (!planning)
    return { kind: 'impossible', why: `son circuit « ${def.name.fr} » n’a pas d’étape de planification` }
  const planned = planning.to
  const depth = depthsOf(def)
  const actor = actorOf(session)
  const fields = { [PLANNED_DATE]: day }
  const fires = (t: WorkflowTransition, status: string) =>
    checkTransition(def, { ...subjectOf(row), status, assigneeId: technicianId }, actor, t.id, fields).ok
  if (row.status === planned) {
    const sameDay = row.fields[PLANNED_DATE]?.slice(0, 10) === day
    return sameDay || !fires(planning, planned)
      ? { kind: 'nothing' }
      : { kind: 'steps', transitions: [planning] }
  }
  const here = depth.get(row.status)
  if (here !== undefined && here > (depth.get(planned) ?? Infinity)) return { kind: 'nothing' }
  // Breadth first: the shortest way forward.
  const cameBy = new Map<string, WorkflowTransition[]>([[row.status, []]])
  const queue = [row.status]
  while (queue.length > 0) {
    const from = queue.shift()!
    for (const t of def.transitions) {
      if (!t.from.includes(from) || cameBy.has(t.to)) continue
      const forward = (depth.get(t.to) ?? -1) > (depth.get(from) ?? Infinity)
      const onlyTheDate = t.requires.every((f) => f === PLANNED_DATE)
      const staysOpen = stateOf(def, t.to)?.kind === 'open'
      if (!forward || !onlyTheDate || !staysOpen || !fires(t, from)) continue
      const path = [...cameBy.get(from)!, t]
      if (t.to === planned) return { kind: 'steps', transitions: path }
      cameBy.set(t.to, path)
      queue.push(t.to)
    }
  }
  return {
    kind: 'impossible',
    why: `aucune étape ne la mène pour vous de « ${statusLabel(def, row.status)} » à « ${statusLabel(def, planned)} »`,
  }
}

/** The request changes of one step (the planned date only where the step asks for it). */
const stepOp = (t: WorkflowTransition, day: string): RequestOp => ({
  op: 'transition',
  payload: { transitionId: t.id, fields: t.requires.includes(PLANNED_DATE) ? { [PLANNED_DATE]: day } : {} },
})

/**
 * Every stop of a saved tour with the changes that assign and plan it (stops with nothing to
 * change are left out). Nothing when the stops are not to be assigned or nobody is named.
 * @throws CoreError invalid_input naming the first stop that cannot be planned: the tour is
 * saved with all its stops planned, or not at all.
 */
export function planTourStops(
  lookup: PlanningLookup & { request(id: string): RequestRecord | undefined },
  session: SessionInfo,
  tour: SavedTour,
  assignStops: boolean,
): StopPlan[] {
  const technicianId = tour.technicianId
  if (!assignStops || !technicianId) return []
  return tour.stopIds.flatMap((id) => {
    const row = lookup.request(id)
    if (!row) return []
    const ops: RequestOp[] =
      row.assigneeId === technicianId ? [] : [{ op: 'assign', payload: { assigneeId: technicianId } }]
    const def = lookup.workflowOf(row.categoryId)
    const path: PlanningPath = def
      ? planningPath(def, session, row, technicianId, tour.date)
      : { kind: 'impossible', why: 'sa catégorie n’a pas de circuit' }
    if (path.kind === 'impossible')
      throw new CoreError(
        'invalid_input',
        `La demande ${row.reference} ne peut pas être planifiée : ${path.why}.`,
        {
          stopId: row.id,
          reference: row.reference,
        },
      )
    if (path.kind === 'steps') ops.push(...path.transitions.map((t) => stepOp(t, tour.date)))
    return ops.length > 0 ? [{ row, ops }] : []
  })
}
