/**
 * Where the producer hooks into the core: the core's `emit`, wrapped. After the cache took
 * a pull or a push's answers (`requests.changed`), the producer looks at what is new; at
 * login, after each sync round and every few minutes, at the deadlines too. A new
 * notification is said with `notifications.changed`.
 */
import type { SessionInfo } from '../../shared/contract'
import type { SyncStatus } from '../../shared/sync'
import type { CoreDeps } from '../services/deps'
import { createNotificationProducer } from './producer'
import { getSyncState } from '../cache/queries/syncState'
import { backfill } from '../sync/apply'

/** How often the deadlines are looked at between sync rounds (and on a profile without a server). */
export const DEADLINE_CHECK_MS = 5 * 60_000

export function notifyingEmit(
  deps: CoreDeps,
  session: () => SessionInfo | null,
  intervalMs = DEADLINE_CHECK_MS,
): CoreDeps['emit'] {
  const inner = deps.emit
  const producer = createNotificationProducer({
    db: deps.db,
    config: deps.config,
    calendar: deps.calendar,
    now: deps.now,
    session,
    filling: () =>
      deps.config.sync.serverUrl !== null &&
      (getSyncState(deps.db, 'initial_done') !== '1' || backfill.next(deps.db, 1).length > 0),
  })
  const look = (deadlines: boolean) => {
    try {
      if (producer.check({ deadlines })) inner('notifications.changed', {})
    } catch {
      // A notification missed never fails a sync nor a login; the next look tries again.
    }
  }
  // Does not keep the process alive; stops by itself once the cache is closed.
  const timer = setInterval(() => {
    if (!deps.db.open) clearInterval(timer)
    else look(true)
  }, intervalMs)
  timer.unref()
  return (event, payload) => {
    inner(event, payload)
    if (event === 'requests.changed') look(false)
    else if (event === 'session.changed') look(true)
    else if (event === 'sync.changed' && (payload as SyncStatus).state !== 'syncing') look(true)
  }
}
