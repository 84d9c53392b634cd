/**
 * The technician's three buttons on a stop, « Démarrer », « Terminer », « Impossible », read
 * from what the workflow allows them now (`transitionAvailability`): the screen offers a
 * button only when the core would accept it, and fires it as an ordinary transition.
 * - start: a step into the status just past the planned one (« En cours »);
 * - finish: a step further on that does not close the request (the office closes it);
 * - impossible: a step that asks for a reason and does not count as done.
 */
import type { TransitionOption } from '../../shared/domain'
import type { WorkflowDefinition } from '../../shared/workflow'
import { transitionAvailability, type Actor, type WorkflowSubject } from '../workflow/engine'
import { stopStage, type StopStage } from './progress'

/** Fields a workflow step asks for that say why (a rejection's reason, a hold's reason). */
const REASON_FIELDS = ['reason', 'holdReason']

export interface FieldActions {
  stage: StopStage
  start: TransitionOption | null
  finish: TransitionOption | null
  impossible: TransitionOption | null
}

export function fieldActions(def: WorkflowDefinition, subject: WorkflowSubject, actor: Actor): FieldActions {
  const { allowed } = transitionAvailability(def, subject, actor)
  const stage = stopStage(def, subject.status)
  const closes = (t: TransitionOption) => def.states.find((s) => s.id === t.to)?.kind === 'closed'
  const stageOf = (t: TransitionOption) => stopStage(def, t.to)
  return {
    stage,
    start: (stage === 'waiting' && allowed.find((t) => stageOf(t) === 'started')) || null,
    finish: (stage === 'started' && allowed.find((t) => stageOf(t) === 'done' && !closes(t))) || null,
    impossible:
      (stage !== 'done' &&
        allowed.find((t) => t.requires.some((f) => REASON_FIELDS.includes(f)) && stageOf(t) !== 'done')) ||
      null,
  }
}
