import type { EventName, EventPayload, LoginInfo } from '../../shared/contract'
import type { WorkflowDefinition } from '../../shared/workflow'
import type { AppConfig } from '../../core/config'
import type { AuthProvider } from '../../core/directory/provider'
import type { Db } from '../cache/db'
import type { BusinessCalendar } from '../../core/workflow/sla'
import type { UpdateService } from '../update/service'
import type { AttachmentRemote } from '../attachments/remote'
import type { NoticeTemplateRemote } from './noticeTemplateHandlers'
import type { CapacityRemote } from './dispatchHandlers'
import type { PresenceRemote } from '../presence/service'

/** Everything the handlers need, passed in so tests can build a core on any SQLite file. */
export interface CoreDeps {
  db: Db
  config: AppConfig
  workflows: Map<string, WorkflowDefinition>
  calendar: BusinessCalendar
  auth: AuthProvider
  now: () => number
  newId: () => string
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void
  /** Told after each change the agent made (the sync engine pushes it soon). */
  localChange?: () => void
  /** This workstation as the login screen describes it (absent in unit tests: demo, key file). */
  loginInfo?: Omit<LoginInfo, 'preferences'>
  /** HTTP to public services (the address search): Electron's network stack in the app, Node's otherwise. */
  fetch?: typeof fetch
  /** Updates from the authority's server (absent in unit tests: updates not configured). */
  update?: UpdateService
  /** Attachments' bytes and removals on the server (issue 14); absent on a local-only profile. */
  attachments?: AttachmentRemote
  /** Reply templates on the server (issue 14); absent on a local-only profile. */
  noticeTemplates?: NoticeTemplateRemote
  /** Capacity and absences on the server (issue 15); absent on a local-only profile. */
  capacityRemote?: CapacityRemote
  /** Who is on a request, through the server's event stream (issue 15); absent on a local-only profile. */
  presenceRemote?: PresenceRemote
}
