/**
 * Workflow definitions (circuits): one state machine per category family.
 * Validated with these schemas when loaded; the engine lives in src/core/workflow.
 */
import { z } from 'zod'
import { LocalizedText, Role, StatusKind } from './domain'

/** Fields a transition can ask for; each is stored on the request under its name. */
export const TRANSITION_FIELDS = [
  'reason',
  'resolutionNote',
  'scheduledFor',
  'duplicateOf',
  'holdReason',
] as const
export const TransitionField = z.enum(TRANSITION_FIELDS)
export type TransitionField = z.infer<typeof TransitionField>

/** Conditions on the request itself, checked before a transition may fire. */
export const GUARDS = ['hasAssignee', 'hasLocation', 'hasCitizen'] as const
export const Guard = z.enum(GUARDS)
export type Guard = z.infer<typeof Guard>

export const WorkflowState = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'state ids are lower_snake_case'),
  kind: StatusKind,
  label: LocalizedText,
  /** The SLA clock stops while a request sits here (waiting for the citizen). */
  pausesSla: z.boolean().default(false),
})
export type WorkflowState = z.infer<typeof WorkflowState>

export const WorkflowTransition = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'transition ids are lower_snake_case'),
  label: LocalizedText,
  from: z.array(z.string()).min(1),
  to: z.string(),
  roles: z.array(Role).min(1),
  requires: z.array(TransitionField).default([]),
  guards: z.array(Guard).default([]),
  /** Side effects the server carries out (notify the citizen…); recorded in history. */
  effects: z.array(z.enum(['notify_citizen', 'stamp_resolution'])).default([]),
})
export type WorkflowTransition = z.infer<typeof WorkflowTransition>

export const WorkflowDefinition = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
    version: z.number().int().positive(),
    name: LocalizedText,
    initial: z.string(),
    states: z.array(WorkflowState).min(2),
    transitions: z.array(WorkflowTransition).min(1),
  })
  .superRefine((def, ctx) => {
    const ids = new Set(def.states.map((s) => s.id))
    if (ids.size !== def.states.length)
      ctx.addIssue({ code: 'custom', path: ['states'], message: 'duplicate state id' })
    if (!ids.has(def.initial))
      ctx.addIssue({ code: 'custom', path: ['initial'], message: `unknown state "${def.initial}"` })
    const tIds = new Set<string>()
    def.transitions.forEach((t, i) => {
      if (tIds.has(t.id))
        ctx.addIssue({
          code: 'custom',
          path: ['transitions', i, 'id'],
          message: `duplicate transition "${t.id}"`,
        })
      tIds.add(t.id)
      if (!ids.has(t.to))
        ctx.addIssue({ code: 'custom', path: ['transitions', i, 'to'], message: `unknown state "${t.to}"` })
      t.from.forEach((f, j) => {
        if (!ids.has(f))
          ctx.addIssue({
            code: 'custom',
            path: ['transitions', i, 'from', j],
            message: `unknown state "${f}"`,
          })
      })
    })
  })
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>
