/**
 * The handlers of the attachments channels (src/shared/channels/attachments.ts).
 * Placeholder while the feature is built: every channel answers « not available yet ».
 */
import type { Handlers } from '../dispatch'
import type { attachmentChannels } from '../../shared/channels/attachments'
import { CoreError } from '../../shared/result'
import type { CoreDeps } from './deps'
import type { RequestService } from './requests'

export type AttachmentHandlers = Pick<Handlers, keyof typeof attachmentChannels>

export function createAttachmentHandlers(_deps: CoreDeps, _requests: RequestService): AttachmentHandlers {
  const notYet = async (): Promise<never> => {
    throw new CoreError('internal', 'Pièces jointes : pas encore disponibles.')
  }
  return {
    'attachments.ofRequest': notYet,
    'attachments.add': notYet,
    'attachments.thumbnail': notYet,
    'attachments.content': notYet,
    'attachments.remove': notYet,
  }
}
