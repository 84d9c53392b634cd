/**
 * The SLA clock channel (src/shared/channels/slaClock.ts): the core's business-time clock
 * (src/core/workflow/sla.ts) read on the cached request, so the screen counts working hours
 * and holidays, and stops while the request waits for the citizen.
 */
import type { Handlers } from '../dispatch'
import type { RequestSlaClock, slaClockChannels } from '../../shared/channels/slaClock'
import { CoreError } from '../../shared/result'
import { assertCanSeeTeam, canSeeTeam } from '../../core/authz/permissions'
import { businessDayMs, slaClock } from '../../core/workflow/sla'
import { getRequestRow, type RequestRow } from '../cache/queries/requests'
import type { CoreDeps } from './deps'

export type SlaClockHandlers = Pick<Handlers, keyof typeof slaClockChannels>

const iso = (t: number) => new Date(t).toISOString()

export function createSlaClockHandlers(deps: CoreDeps): SlaClockHandlers {
  const clockOf = (row: RequestRow, now: number): RequestSlaClock => {
    const clock = slaClock(row, now, deps.calendar)
    return {
      state: clock.state,
      businessMsLeft: Math.round(clock.businessMsLeft),
      businessDayMs: businessDayMs(deps.calendar),
      pausedSince: clock.state === 'paused' && row.slaPausedSince !== null ? iso(row.slaPausedSince) : null,
      at: iso(now),
    }
  }
  return {
    'requests.slaClock': ({ id }, { session }) => {
      const row = getRequestRow(deps.db, id)
      if (!row) throw new CoreError('not_found', 'Demande introuvable.')
      assertCanSeeTeam(session, row.teamId)
      return clockOf(row, deps.now())
    },
    'requests.slaClocks': ({ ids }, { session }) => {
      const now = deps.now()
      const clocks: Record<string, RequestSlaClock> = {}
      for (const id of new Set(ids)) {
        const row = getRequestRow(deps.db, id)
        // Missing or another team's: left out, as the list would not show it either.
        if (row && canSeeTeam(session, row.teamId)) clocks[id] = clockOf(row, now)
      }
      return { clocks }
    },
  }
}
