/**
 * Who is on a request (issue 15), as the server and the console exchange it: an agent
 * reports that they view or edit a request; the server keeps the mark for a short while
 * and tells the other agents who may see the request's team, on the event stream
 * (`event: presence`). Only the agent's display name travels, never citizen data.
 */
import { z } from 'zod'
import { Id } from './domain'

/** What an agent may be doing on a request; `left` ends their mark. */
export const PresenceActivity = z.enum(['viewing', 'editing'])
export type PresenceActivity = z.infer<typeof PresenceActivity>

/** The parts of a request an agent may be editing: a fixed list, so no free text travels. */
export const PRESENCE_FIELDS = [
  'title',
  'description',
  'priority',
  'address',
  'assignee',
  'transition',
  'comment',
] as const
export const PresenceField = z.enum(PRESENCE_FIELDS)
export type PresenceField = z.infer<typeof PresenceField>

export const PRESENCE_LIMITS = {
  /** How long a mark lives on the server without being renewed. */
  ttlMs: 45_000,
  /** How often a console renews the mark of the request it shows. */
  renewMs: 20_000,
} as const

/** `PUT /api/v1/presence/{requestId}`: I am on this request (renewed while it stays so). */
export const PresenceReport = z
  .object({ activity: PresenceActivity, field: PresenceField.nullable().default(null) })
  .strict()
  .refine((r) => r.activity === 'editing' || r.field === null, {
    message: 'field goes with activity editing only',
    path: ['field'],
  })
export type PresenceReport = z.output<typeof PresenceReport>

/** The server's answer to a report: how long the mark lives unless renewed. */
export const PresenceReportReply = z.object({ expiresInMs: z.number().int().nonnegative() })

/**
 * One `presence` event of the stream. `seat` tells an agent's workstations apart (one may
 * leave while another stays); `expiresInMs` rather than an instant, so a console whose
 * clock differs from the server's still lets the mark go at the right moment.
 */
export const PresenceMark = z.object({
  requestId: Id,
  agentId: Id,
  seat: z.string().min(1).max(64),
  displayName: z.string().min(1).max(200),
  activity: z.enum(['viewing', 'editing', 'left']),
  field: PresenceField.nullable(),
  expiresInMs: z
    .number()
    .int()
    .nonnegative()
    .max(PRESENCE_LIMITS.ttlMs * 2),
})
export type PresenceMark = z.infer<typeof PresenceMark>
