/**
 * The handlers of the attachments channels (src/shared/channels/attachments.ts, issue 14):
 * thin, over the attachment service (src/main/attachments/service.ts), which checks the
 * session on every call.
 */
import type { Handlers } from '../dispatch'
import type { attachmentChannels } from '../../shared/channels/attachments'
import type { CoreDeps } from './deps'
import type { RequestService } from './requests'
import { createAttachmentService } from '../attachments/service'

export type AttachmentHandlers = Pick<Handlers, keyof typeof attachmentChannels>

export function createAttachmentHandlers(deps: CoreDeps, _requests: RequestService): AttachmentHandlers {
  const attachments = createAttachmentService(deps)
  return {
    'attachments.ofRequest': ({ requestId }, { session }) => attachments.ofRequest(session, requestId),
    'attachments.add': (input, { session }) => attachments.add(session, input),
    'attachments.thumbnail': ({ id }, { session }) => attachments.thumbnail(session, id),
    'attachments.content': ({ id }, { session }) => attachments.content(session, id),
    'attachments.remove': ({ id }, { session }) => attachments.remove(session, id),
  }
}
