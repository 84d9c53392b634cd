/**
 * The handlers of the dashboard channels (src/shared/channels/dashboard.ts); authorisation is
 * checked here, in the core, whatever the screen shows.
 */
import type { Handlers } from '../dispatch'
import type { dashboardChannels } from '../../shared/channels/dashboard'
import type { CoreDeps } from './deps'
import type { RequestService } from './requests'

export type DashboardHandlers = Pick<Handlers, keyof typeof dashboardChannels>

export function createDashboardHandlers(_deps: CoreDeps, _requests: RequestService): DashboardHandlers {
  return {}
}
