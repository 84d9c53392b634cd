/**
 * The handlers of the intake channels (src/shared/channels/intake.ts); authorisation is
 * checked here, in the core, whatever the screen shows.
 */
import type { Handlers } from '../dispatch'
import type { intakeChannels } from '../../shared/channels/intake'
import type { CoreDeps } from './deps'
import type { RequestService } from './requests'

export type IntakeHandlers = Pick<Handlers, keyof typeof intakeChannels>

export function createIntakeHandlers(_deps: CoreDeps, _requests: RequestService): IntakeHandlers {
  return {}
}
