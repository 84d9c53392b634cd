/**
 * How far a tour's day has gone, read from its stops' statuses through their workflow: a
 * stop is waiting up to the planned status, started one step past it (« En cours »), done
 * further on or once closed. The lead's list shows « n sur m » from this, live.
 */
import type { TourProgress } from '../../shared/savedTour'
import type { WorkflowDefinition } from '../../shared/workflow'
import { stateOf } from '../workflow/engine'
import { depthsOf, planningTransitionOf } from './planStops'

export type StopStage = 'waiting' | 'started' | 'done'

export function stopStage(def: WorkflowDefinition, status: string): StopStage {
  if (stateOf(def, status)?.kind === 'closed') return 'done'
  const planned = planningTransitionOf(def)?.to
  if (!planned) return 'waiting'
  const depth = depthsOf(def)
  const here = depth.get(status)
  const plannedDepth = depth.get(planned)
  if (here === undefined || plannedDepth === undefined || here <= plannedDepth) return 'waiting'
  return here === plannedDepth + 1 ? 'started' : 'done'
}

/** The progress of a tour whose stops (those still known) have these categories and statuses. */
export function tourProgress(
  workflowOf: (categoryId: string) => WorkflowDefinition | undefined,
  stops: readonly { categoryId: string; status: string }[],
  total: number,
): TourProgress {
  const progress: TourProgress = { done: 0, started: 0, total }
  for (const stop of stops) {
    const def = workflowOf(stop.categoryId)
    const stage = def ? stopStage(def, stop.status) : 'waiting'
    if (stage !== 'waiting') progress[stage]++
  }
  return progress
}
