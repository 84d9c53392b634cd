/** The presence channels (src/shared/channels/presence.ts): who else is on a request (issue 15). */
import type { Handlers } from '../dispatch'
import type { presenceChannels } from '../../shared/channels/presence'
import { createPresenceService } from '../presence/service'
import type { CoreDeps } from './deps'

export type PresenceHandlers = Pick<Handlers, keyof typeof presenceChannels>

export function createPresenceHandlers(deps: CoreDeps): PresenceHandlers {
  const presence = createPresenceService({
    db: deps.db,
    now: deps.now,
    remote: deps.presenceRemote ?? null,
    changed: (requestId) => deps.emit('presence.changed', { requestId }),
  })
  return {
    'presence.report': (input, { session }) => presence.report(session, input),
    'presence.of': ({ requestId }, { session }) => ({ others: presence.of(session, requestId) }),
  }
}
