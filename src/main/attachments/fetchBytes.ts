/**
 * An attachment's bytes for the screen (issue 14): from the cache when this workstation
 * has them, else fetched once from the server and kept (the cache holds the thumbnails and
 * the files the agent opened, nothing more). A server out of reach answers `offline`; a
 * refusal of the server keeps its own words.
 */
import { CoreError, type ErrorCode } from '../../shared/result'
import type { Db } from '../cache/db'
import { getBlob, putBlob, type BlobKind } from '../cache/queries/attachments'
import { SyncError } from '../sync/transport'
import type { AttachmentRemote } from './remote'

export type FetchedBytes = { bytes: Uint8Array<ArrayBuffer> } | { bytes: null; reason: 'offline' | 'gone' }

/** The server's refusals in the core's codes. */
const REFUSED: Partial<Record<number, ErrorCode>> = { 403: 'forbidden', 404: 'not_found' }

/**
 * A server call that failed for want of the server, not by its refusal: out of reach, too
 * slow, failing, or no valid session with it (the sync asks the agent for that).
 */
export const isUnreachable = (e: unknown): boolean => e instanceof SyncError && e.kind !== 'refused'

/** A refusal of the server as the CoreError the agent reads. */
export function refusedByServer(e: SyncError): CoreError {
  return new CoreError(REFUSED[e.status ?? 0] ?? 'invalid_input', e.message)
}

/**
 * The cached bytes of `kind`, or the server's, then kept. `gone`: the server no longer has
 * it (404). @throws CoreError for any other refusal of the server.
 */
export async function cachedOrFetched(
  db: Db,
  remote: AttachmentRemote | undefined,
  attachmentId: string,
  kind: BlobKind,
  now: () => number,
): Promise<FetchedBytes> {
  const kept = getBlob(db, attachmentId, kind)
  if (kept) return { bytes: kept }
  if (!remote) return { bytes: null, reason: 'offline' }
  let bytes: Uint8Array<ArrayBuffer>
  try {
    const reply = await remote.withAccess((token) =>
      remote.transport.attachmentBytes(token, attachmentId, kind),
    )
    // A plain Uint8Array of its own: the web bridge tags Uint8Array, not Node's Buffer.
    bytes = new Uint8Array(reply.bytes)
  } catch (e) {
    if (e instanceof SyncError && e.kind === 'refused') {
      if (e.status === 404) return { bytes: null, reason: 'gone' }
      throw refusedByServer(e)
    }
    if (isUnreachable(e)) return { bytes: null, reason: 'offline' }
    throw e
  }
  // Kept only while the attachment is still cached (the feed may have removed it meanwhile).
  db.transaction(() => putBlob(db, attachmentId, kind, bytes, now()))()
  return { bytes }
}
