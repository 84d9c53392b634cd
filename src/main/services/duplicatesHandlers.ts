/**
 * The handlers of the duplicates channels (src/shared/channels/duplicates.ts); authorisation
 * is checked here, in the core, whatever the screen shows.
 */
import { CoreError } from '../../shared/result'
import type { Handlers } from '../dispatch'
import type { duplicateChannels } from '../../shared/channels/duplicates'
import type { CoreDeps } from './deps'
import type { RequestService } from './requests'

export type DuplicateHandlers = Pick<Handlers, keyof typeof duplicateChannels>

const notYet = () => {
  throw new CoreError('internal', 'La recherche de doublons n’est pas encore disponible.')
}

export function createDuplicateHandlers(_deps: CoreDeps, _requests: RequestService): DuplicateHandlers {
  return {
    'duplicates.ofRequest': notYet,
    'duplicates.forDraft': notYet,
    'duplicates.link': notYet,
    'duplicates.unlink': notYet,
  }
}
