/**
 * The SLA clock of one request as the core reads it: business time (working hours, public
 * holidays and the authority's closed days) left before the due date, or how late, and
 * whether the clock is stopped while the request waits for the citizen.
 */
import { z } from 'zod'
import { Id, IsoDateTime } from '../domain'
import { spec } from '../channelSpec'

export const SlaClockState = z.enum(['on_time', 'due_soon', 'overdue', 'paused', 'closed', 'none'])
export type SlaClockState = z.infer<typeof SlaClockState>

export const RequestSlaClock = z.object({
  state: SlaClockState,
  /** Business ms left before the due date; negative once late; while paused, what was left when it stopped. */
  businessMsLeft: z.number().int(),
  /** The length of one working day in ms, to count what is left in working days. */
  businessDayMs: z.number().int().positive(),
  /** When the clock stopped (the request entered a state that waits for the citizen); null when running. */
  pausedSince: IsoDateTime.nullable(),
  /** The instant the clock was read at (the core's time). */
  at: IsoDateTime,
})
export type RequestSlaClock = z.infer<typeof RequestSlaClock>

/** The most clocks one call reads: the rows a list shows at once, with room. */
export const SLA_CLOCKS_PER_CALL = 500

export const slaClockChannels = {
  /** The open request's SLA clock in business time; a request outside the session's teams is « not found ». */
  'requests.slaClock': spec(z.object({ id: Id }).strict(), RequestSlaClock),
  /**
   * The clocks of the rows a list shows, by id, so the list and the detail say the same
   * (business time, paused); requests missing or outside the session's teams are left out.
   */
  'requests.slaClocks': spec(
    z.object({ ids: z.array(Id).max(SLA_CLOCKS_PER_CALL) }).strict(),
    z.object({ clocks: z.record(Id, RequestSlaClock) }),
  ),
} as const
