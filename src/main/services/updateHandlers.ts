/** The handlers of the update channels (src/shared/channels/update.ts). */
import type { Handlers } from '../dispatch'
import type { updateChannels } from '../../shared/channels/update'
import type { UpdateService } from '../update/service'
import { CoreError } from '../../shared/result'

export type UpdateHandlers = Pick<Handlers, keyof typeof updateChannels>

export function createUpdateHandlers(update: UpdateService | undefined): UpdateHandlers {
  // A core built without one (unit tests) has no update server, as a console without `update.url`.
  const none = () => {
    throw new CoreError('not_found', 'Les mises à jour ne sont pas configurées sur ce poste.')
  }
  return {
    'update.status': () => (update ? update.status() : none()),
    'update.check': () => (update ? update.check() : none()),
    'update.restart': () => (update ? update.restart() : none()),
  }
}
