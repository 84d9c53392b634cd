/**
 * The server as the attachments handlers reach it (issue 14): the sync engine's access
 * token and transport, as reference administration and the citizens' rights use them.
 * Absent on a local-only profile, and in a console whose wiring gives none.
 */
import type { SyncTransport } from '../sync/transport'

export interface AttachmentRemote {
  withAccess<T>(fn: (token: string) => Promise<T>): Promise<T>
  transport: Pick<SyncTransport, 'attachmentBytes' | 'deleteAttachment'>
}
