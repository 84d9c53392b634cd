/**
 * Who is on a request (issue 15): other agents viewing or editing it, through the server's
 * event stream; each mark expires by itself.
 */
import { z } from 'zod'
import { Id } from '../domain'
import { spec } from '../channelSpec'
import { PresenceActivity, PresenceField } from '../presence'

/** Another agent on the request, as the detail names them. */
export const PresenceOther = z.object({
  agentId: Id,
  displayName: z.string(),
  activity: PresenceActivity,
  /** What they edit, when they edit. */
  field: PresenceField.nullable(),
})
export type PresenceOther = z.infer<typeof PresenceOther>

export const presenceChannels = {
  /**
   * Tell the others that this agent views, edits (which field) or left a request. Best
   * effort: never queued, nothing sent offline or on a local-only profile (`sent: false`).
   */
  'presence.report': spec(
    z
      .object({
        requestId: Id,
        activity: z.enum(['viewing', 'editing', 'left']),
        field: PresenceField.nullable().default(null),
      })
      .strict(),
    z.object({ sent: z.boolean() }),
  ),
  /** The other agents on a request now (editors first); a request outside the session's teams is « not found ». */
  'presence.of': spec(z.object({ requestId: Id }).strict(), z.object({ others: z.array(PresenceOther) })),
} as const
