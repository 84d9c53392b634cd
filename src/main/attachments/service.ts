/**
 * A request's photos and documents on the console (issue 14): listing what the server has
 * and what waits here, adding a file (checked, then queued in the cache for the sync:
 * attachments/uploads.ts), thumbnails and files (cache first, then the server:
 * fetchBytes.ts), removal. Every call checks that the session sees the request.
 */
import type { SessionInfo } from '../../shared/contract'
import {
  ATTACHMENT_LIMITS,
  ATTACHMENT_TYPES,
  cleanAttachmentName,
  isImageType,
  sniffAttachmentType,
  type AttachmentMeta,
} from '../../shared/attachments'
import type { AttachmentBytes, AttachmentItem, RequestAttachments } from '../../shared/channels/attachments'
import { CoreError } from '../../shared/result'
import { assertCanSeeTeam } from '../../core/authz/permissions'
import { assertMayChange } from '../../core/requests/operations'
import { withFullSync } from '../cache/db'
import {
  countAttachmentsOf,
  deleteAttachment,
  deleteUpload,
  enqueueUpload,
  getAttachment,
  getUpload,
  getUploadBytes,
  listAttachments,
  listUploads,
  type UploadRow,
} from '../cache/queries/attachments'
import { getRequestRow, type RequestRow } from '../cache/queries/requests'
import { markScrubNeeded } from '../cache/scrub'
import type { CoreDeps } from '../services/deps'
import { SyncError } from '../sync/transport'
import { addAvailability, removeAvailability } from './access'
import { cachedOrFetched, isUnreachable, refusedByServer } from './fetchBytes'

const MIB = 1024 * 1024
const inMiB = (bytes: number) =>
  (bytes / MIB).toLocaleString('fr-FR', {
    maximumFractionDigits: 1,
    minimumFractionDigits: bytes < MIB ? 1 : 0,
  })

export const ATTACHMENT_MESSAGES = {
  tooLarge: (size: number) =>
    `Fichier trop volumineux (${inMiB(size)} Mo) : ${inMiB(ATTACHMENT_LIMITS.maxBytes)} Mo au plus.`,
  badType:
    'Ce fichier n’est ni une photo (JPEG, PNG, WebP) ni un PDF : il n’a pas été ajouté (son contenu est vérifié, pas son nom).',
  notFound: 'Pièce jointe introuvable.',
  gone: 'Cette pièce jointe n’existe plus sur le serveur.',
  contentOffline:
    'Ce fichier n’a pas encore été ouvert sur ce poste et le serveur est injoignable : il s’ouvrira au retour de la connexion.',
  removeOffline:
    'Retirer une pièce jointe déjà envoyée demande le serveur, injoignable pour l’instant : réessayez une fois la connexion revenue.',
} as const

export function createAttachmentService(deps: CoreDeps) {
  const { db } = deps

  /** The request, if this session sees it (one out of sight is answered as missing). */
  function visibleRequest(session: SessionInfo, requestId: string): RequestRow {
    const row = getRequestRow(db, requestId)
    if (!row) throw new CoreError('not_found', 'Demande introuvable.')
    assertCanSeeTeam(session, row.teamId)
    return row
  }

  const fromServer = (session: SessionInfo, m: AttachmentMeta, teamId: string): AttachmentItem => ({
    id: m.id,
    requestId: m.requestId,
    name: m.name,
    mime: m.mime,
    size: m.size,
    width: m.width,
    height: m.height,
    thumbnail: m.thumbnail,
    source: m.source,
    createdAt: new Date(m.createdAt).toISOString(),
    createdByName: m.createdByName,
    state: 'sent',
    error: null,
    remove: removeAvailability(session, { state: 'sent', createdBy: m.createdBy }, teamId),
  })

  const fromHere = (session: SessionInfo, u: UploadRow, teamId: string): AttachmentItem => ({
    id: u.id,
    requestId: u.requestId,
    name: u.name,
    mime: u.mime,
    size: u.size,
    width: null,
    height: null,
    // Its own bytes are its thumbnail (the screen scales them).
    thumbnail: isImageType(u.mime),
    source: 'agent',
    createdAt: new Date(u.createdAt).toISOString(),
    createdByName: u.createdByName,
    state: u.state,
    error: u.error,
    remove: removeAvailability(session, { state: u.state, createdBy: u.createdBy }, teamId),
  })

  /** The attachment `id` (the server's, or one waiting here) with its request, for this session. */
  function find(session: SessionInfo, id: string) {
    const upload = getUpload(db, id)
    const meta = upload ? undefined : getAttachment(db, id)
    const requestId = upload?.requestId ?? meta?.requestId
    if (!requestId) throw new CoreError('not_found', ATTACHMENT_MESSAGES.notFound)
    return { upload, meta, request: visibleRequest(session, requestId) }
  }

  // Only the attachments' readers: the request's row, history and counts did not change.
  function changed(requestId: string) {
    deps.emit('attachments.changed', { ids: [requestId] })
  }

  return {
    ofRequest(session: SessionInfo, requestId: string): RequestAttachments {
      const row = visibleRequest(session, requestId)
      const sent = listAttachments(db, requestId)
      const sentIds = new Set(sent.map((m) => m.id))
      const items = [
        ...sent.map((m) => fromServer(session, m, row.teamId)),
        // One the server has (its answer lost) is listed once, as sent.
        ...listUploads(db, requestId)
          .filter((u) => !sentIds.has(u.id))
          .map((u) => fromHere(session, u, row.teamId)),
      ].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))
      return {
        items,
        add: addAvailability(session, countAttachmentsOf(db, requestId)),
        limits: { maxBytes: ATTACHMENT_LIMITS.maxBytes, types: [...ATTACHMENT_TYPES] },
      }
    },

    /**
     * A file checked here (type from its bytes, size, the request's limit; the server checks
     * again with its own configuration) and kept in the cache until the sync sends it.
     */
    add(session: SessionInfo, input: { requestId: string; name: string; bytes: Uint8Array }): AttachmentItem {
      const row = visibleRequest(session, input.requestId)
      assertMayChange(session)
      const { bytes } = input
      if (bytes.byteLength > ATTACHMENT_LIMITS.maxBytes)
        throw new CoreError('invalid_input', ATTACHMENT_MESSAGES.tooLarge(bytes.byteLength))
      const mime = sniffAttachmentType(bytes)
      if (!mime) throw new CoreError('invalid_input', ATTACHMENT_MESSAGES.badType)
      const upload = withFullSync(db, () => {
        const availability = addAvailability(session, countAttachmentsOf(db, row.id))
        if (!availability.allowed) throw new CoreError('invalid_input', availability.reason ?? '')
        const queued = {
          id: deps.newId(),
          requestId: row.id,
          name: cleanAttachmentName(input.name),
          mime,
          size: bytes.byteLength,
          createdAt: deps.now(),
          createdBy: session.agentId,
          createdByName: session.displayName,
        }
        enqueueUpload(db, { ...queued, bytes })
        return { ...queued, state: 'pending' as const, error: null }
      })
      deps.localChange?.()
      changed(row.id)
      return fromHere(session, upload, row.teamId)
    },

    async thumbnail(
      session: SessionInfo,
      id: string,
    ): Promise<{ bytes: Uint8Array<ArrayBuffer> | null; reason: 'none' | 'offline' | null }> {
      const { upload, meta } = find(session, id)
      if (upload)
        return isImageType(upload.mime)
          ? { bytes: getUploadBytes(db, id), reason: null }
          : { bytes: null, reason: 'none' }
      if (!meta?.thumbnail) return { bytes: null, reason: 'none' }
      const fetched = await cachedOrFetched(db, deps.attachments, id, 'thumbnail', deps.now)
      if (fetched.bytes) return { bytes: fetched.bytes, reason: null }
      return { bytes: null, reason: fetched.reason === 'offline' ? 'offline' : 'none' }
    },

    async content(session: SessionInfo, id: string): Promise<AttachmentBytes> {
      const { upload, meta } = find(session, id)
      if (upload) {
        const bytes = getUploadBytes(db, id)
        if (!bytes) throw new CoreError('not_found', ATTACHMENT_MESSAGES.notFound)
        return { name: upload.name, mime: upload.mime, bytes }
      }
      const m = meta!
      const fetched = await cachedOrFetched(db, deps.attachments, id, 'content', deps.now)
      if (fetched.bytes) return { name: m.name, mime: m.mime, bytes: fetched.bytes }
      if (fetched.reason === 'offline')
        throw new CoreError('server_unavailable', ATTACHMENT_MESSAGES.contentOffline)
      throw new CoreError('not_found', ATTACHMENT_MESSAGES.gone)
    },

    /**
     * One waiting here is simply dropped (its author's); one the server has is removed
     * there first (online only: a removal is not queued), then here.
     */
    async remove(session: SessionInfo, id: string): Promise<{ removed: true }> {
      const { upload, meta, request } = find(session, id)
      const state = upload ? upload.state : 'sent'
      const may = removeAvailability(
        session,
        { state, createdBy: upload?.createdBy ?? meta!.createdBy },
        request.teamId,
      )
      if (!may.allowed) throw new CoreError('forbidden', may.reason ?? '')
      if (upload) {
        withFullSync(db, () => {
          deleteUpload(db, id)
          markScrubNeeded(db)
        })
        changed(request.id)
        return { removed: true }
      }
      const remote = deps.attachments
      if (!remote) throw new CoreError('server_unavailable', ATTACHMENT_MESSAGES.removeOffline)
      try {
        await remote.withAccess((token) => remote.transport.deleteAttachment(token, id))
      } catch (e) {
        // Already gone from the server: what the agent wanted is done.
        const gone = e instanceof SyncError && e.kind === 'refused' && e.status === 404
        if (!gone) {
          if (e instanceof SyncError && e.kind === 'refused') throw refusedByServer(e)
          if (isUnreachable(e)) throw new CoreError('server_unavailable', ATTACHMENT_MESSAGES.removeOffline)
          throw e
        }
      }
      withFullSync(db, () => {
        deleteAttachment(db, id)
        markScrubNeeded(db)
      })
      // The server's history event of the removal comes back with the next round.
      deps.localChange?.()
      changed(request.id)
      return { removed: true }
    },
  }
}

export type AttachmentService = ReturnType<typeof createAttachmentService>
