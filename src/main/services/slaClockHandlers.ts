/**
 * The SLA clock channel (src/shared/channels/slaClock.ts): the core's business-time clock
 * (src/core/workflow/sla.ts) read on the cached request, so the screen counts working hours
 * and holidays, and stops while the request waits for the citizen.
 */
import type { Handlers } from '../dispatch'
import type { slaClockChannels } from '../../shared/channels/slaClock'
import { CoreError } from '../../shared/result'
import { assertCanSeeTeam } from '../../core/authz/permissions'
import { businessDayMs, slaClock } from '../../core/workflow/sla'
import { getRequestRow } from '../cache/queries/requests'
import type { CoreDeps } from './deps'

export type SlaClockHandlers = Pick<Handlers, keyof typeof slaClockChannels>

const iso = (t: number) => new Date(t).toISOString()

export function createSlaClockHandlers(deps: CoreDeps): SlaClockHandlers {
  return {
    'requests.slaClock': ({ id }, { session }) => {
      const row = getRequestRow(deps.db, id)
      if (!row) throw new CoreError('not_found', 'Demande introuvable.')
      assertCanSeeTeam(session, row.teamId)
      const now = deps.now()
      const clock = slaClock(row, now, deps.calendar)
      return {
        state: clock.state,
        businessMsLeft: Math.round(clock.businessMsLeft),
        businessDayMs: businessDayMs(deps.calendar),
        pausedSince: clock.state === 'paused' && row.slaPausedSince !== null ? iso(row.slaPausedSince) : null,
        at: iso(now),
      }
    },
  }
}
