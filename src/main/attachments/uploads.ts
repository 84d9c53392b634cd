/**
 * Sending the files added on this console (issue 14), one sync round at a time. The engine
 * calls it after the outbox is pushed (a request created offline exists on the server
 * first) and the feed is read, so a large file never holds either back; a round sends up to
 * UPLOAD_BUDGET_BYTES and says when more wait (the engine runs another round at once).
 *
 * Each file goes with its own id (made by the console), so an answer lost on the way costs
 * nothing: sent again, the server answers what it already kept. A refusal of the server
 * (too large, a type it does not take, a request out of reach) is final: the file stays
 * here as `refused` with the server's words until its author removes it. A failure to reach
 * the server leaves it pending and goes up to the engine (backoff, token renewal).
 */
import type { AttachmentMeta } from '../../shared/attachments'
import { withFullSync, type Db } from '../cache/db'
import {
  deleteUpload,
  getAttachment,
  getUploadBytes,
  markUploadRefused,
  nextUpload,
  putAttachment,
  type UploadRow,
} from '../cache/queries/attachments'
import { getRequestRow } from '../cache/queries/requests'
import { SyncError, type SyncTransport } from '../sync/transport'

/** Bytes sent in one round at most (one file is always sent, whatever its size). */
export const UPLOAD_BUDGET_BYTES = 16 * 1024 * 1024

export interface UploadDeps {
  db: Db
  transport: Pick<SyncTransport, 'uploadAttachment'>
  /** Only an author's own files go, under their own token. */
  agentId: string
  /** Throws when the engine was stopped meanwhile: nothing more is written. */
  assertRunning: () => void
  budgetBytes?: number
}

export interface UploadOutcome {
  /** Requests whose attachments changed (sent or refused). */
  requestIds: string[]
  /** Files still wait for a later round. */
  more: boolean
}

/** The server's refusals in words, when it gave none of its own (a proxy's page, an older server). */
const REFUSED_BY_STATUS: Record<number, string> = {
  413: 'Le serveur a refusé ce fichier : il est trop volumineux.',
  415: 'Le serveur a refusé ce fichier : ce type de fichier n’est pas accepté.',
  403: 'Le serveur a refusé cet ajout : cette demande ne peut pas (ou plus) être modifiée par vous.',
  404: 'La demande n’existe plus sur le serveur, ou ne vous est plus accessible : le fichier n’a pas été envoyé.',
}

/** What the agent reads next to a refused file: the server's own sentence when it gave one. */
export function refusalMessage(e: SyncError): string {
  if (e.code) return e.message
  return REFUSED_BY_STATUS[e.status ?? 0] ?? e.message
}

/**
 * Send the pending files of `agentId`, oldest first, within the round's budget.
 * @throws SyncError when the server cannot be reached or refuses the token (the engine's to handle).
 */
export async function sendPendingUploads(deps: UploadDeps, token: string): Promise<UploadOutcome> {
  const { db } = deps
  const budget = deps.budgetBytes ?? UPLOAD_BUDGET_BYTES
  const requestIds = new Set<string>()
  let spent = 0
  let after: UploadRow | null = null
  for (;;) {
    deps.assertRunning()
    const upload = nextUpload(db, deps.agentId, after)
    if (!upload) return { requestIds: [...requestIds], more: false }
    after = upload
    // Sent already, its answer lost, and the feed has brought it since: nothing left to do.
    if (getAttachment(db, upload.id)) {
      withFullSync(db, () => deleteUpload(db, upload.id))
      requestIds.add(upload.requestId)
      continue
    }
    if (spent > 0 && spent + upload.size > budget) return { requestIds: [...requestIds], more: true }
    const bytes = getUploadBytes(db, upload.id)
    if (!bytes) continue
    spent += upload.size
    let meta: AttachmentMeta
    try {
      meta = await deps.transport.uploadAttachment(token, {
        requestId: upload.requestId,
        id: upload.id,
        name: upload.name,
        mime: upload.mime,
        bytes,
      })
    } catch (e) {
      if (!(e instanceof SyncError) || e.kind !== 'refused') throw e
      deps.assertRunning()
      withFullSync(db, () => markUploadRefused(db, upload.id, refusalMessage(e)))
      requestIds.add(upload.requestId)
      continue
    }
    deps.assertRunning()
    withFullSync(db, () => {
      // The agent may have removed it meanwhile, or the request left the cache: the server's
      // copy is the truth either way, and the feed brings it where it belongs.
      deleteUpload(db, upload.id)
      if (getRequestRow(db, meta.requestId)) putAttachment(db, meta)
    })
    requestIds.add(upload.requestId)
  }
}
