/**
 * Adding, reading and removing attachments, with the server's own authorisation checks (the
 * request's team, as the core's `canSeeTeam` decides; a request outside the agent's teams
 * is answered as missing). Each addition and removal is one transaction: the row, a
 * history event and the request moved in the feed. Bytes are written before the row
 * (content-addressed: a retried upload writes the same file) and deleted after the commit,
 * once no row uses them (`sweep`).
 */
import type { SessionInfo } from '../../shared/contract'
import {
  ATTACHMENT_LIMITS,
  cleanAttachmentName,
  type AttachmentMeta,
  type AttachmentSource,
} from '../../shared/attachments'
import { CoreError } from '../../shared/result'
import { canAssign, canChangeRequests, canSeeTeam } from '../../core/authz/permissions'
import { writeFed, type ChangeSet } from '../store/feed'
import { appendHistory, getRequest, getRequests } from '../store/requests'
import { isUniqueViolation, type Sql } from '../store/sql/client'
import type { ServerStore } from '../store/types'
import type { BlobStore } from './blobStore'
import { prepareFile } from './images'
import { attachmentRow, queueOrphans, toAttachmentMeta, type AttachmentDbRow } from './rows'
import type { AttachmentSettings } from './settings'

const NOT_FOUND = 'Pièce jointe introuvable.'
const REQUEST_NOT_FOUND = 'Demande introuvable.'

export class TooManyAttachments extends CoreError {
  constructor() {
    super(
      'invalid_input',
      `Cette demande a déjà ${ATTACHMENT_LIMITS.perRequest} pièces jointes : retirez-en une avant d’en ajouter.`,
    )
  }
}

export interface AttachmentService {
  settings: AttachmentSettings
  /** An agent's upload, applied once per id: `created` false when the id was already stored. */
  addByAgent(
    session: SessionInfo,
    input: { requestId: string; id: string; name: string; bytes: Buffer },
  ): Promise<{ meta: AttachmentMeta; created: boolean }>
  /** A file that came without an agent (an Open311 portal's photo). */
  addFromSource(input: {
    requestId: string
    id: string
    name: string
    bytes: Buffer
    source: Exclude<AttachmentSource, 'agent'>
  }): Promise<AttachmentMeta>
  /**
   * A citizen's file that could not be attached (`reason`: why, as a code the consoles word):
   * the request's history says so, so the agent knows a photo was sent and can ask for it again.
   */
  noteRefusedFromSource(requestId: string, reason: string): Promise<void>
  /** The stored bytes (or the thumbnail), when the session may see the request. */
  read(
    session: SessionInfo,
    id: string,
    what: 'content' | 'thumbnail',
  ): Promise<{ meta: AttachmentMeta; bytes: Buffer }>
  remove(session: SessionInfo, id: string): Promise<void>
  /** Delete the blobs queued as orphans that no row uses any more. */
  sweep(): Promise<number>
}

export function createAttachmentService(deps: {
  store: ServerStore
  blobs: BlobStore
  settings: AttachmentSettings
  now: () => number
}): AttachmentService {
  const { store, blobs, settings, now } = deps
  const db = store.sql

  const write = <T>(fn: (tx: Sql, changes: ChangeSet) => Promise<T>) => writeFed(db, fn)

  /** The row of `id` when the session may see its request; not_found otherwise (existence never leaks). */
  async function visibleRow(session: SessionInfo, id: string) {
    const row = await attachmentRow(db, id)
    const request = row && (await getRequest(db, row.request_id))
    if (!row || !request || !canSeeTeam(session, request.teamId)) throw new CoreError('not_found', NOT_FOUND)
    return { row, request }
  }

  async function add(input: {
    requestId: string
    id: string
    name: string
    bytes: Buffer
    source: AttachmentSource
    agent: { id: string; name: string } | null
  }): Promise<{ meta: AttachmentMeta; created: boolean }> {
    const file = await prepareFile(input.bytes, settings.types)
    const sha256 = await blobs.put(file.bytes)
    const thumb = file.thumbnail ? await blobs.put(file.thumbnail) : null
    const name = cleanAttachmentName(input.name)
    const at = now()
    let result: { meta: AttachmentMeta; created: boolean }
    try {
      result = await write(async (tx, changes) => {
        const request = (await getRequests(tx, [input.requestId], { lock: true })).get(input.requestId)
        if (!request) throw new CoreError('not_found', REQUEST_NOT_FOUND)
        const existing = await attachmentRow(tx, input.id)
        if (existing) return { meta: sameRequest(existing, input.requestId), created: false }
        const count = await tx.get<{ n: number }>(
          'SELECT count(*) AS n FROM attachments WHERE request_id = ?',
          [input.requestId],
        )
        if (Number(count?.n ?? 0) >= ATTACHMENT_LIMITS.perRequest) throw new TooManyAttachments()
        const row: AttachmentDbRow = {
          id: input.id,
          request_id: input.requestId,
          name,
          mime: file.mime,
          size: file.bytes.length,
          width: file.width,
          height: file.height,
          sha256,
          thumb_sha256: thumb,
          source: input.source,
          created_at: at,
          created_by: input.agent?.id ?? null,
          created_by_name: input.agent?.name ?? null,
        }
        await tx.run(
          `INSERT INTO attachments (id, request_id, name, mime, size, width, height, sha256, thumb_sha256,
                                    source, created_at, created_by, created_by_name)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            row.id,
            row.request_id,
            row.name,
            row.mime,
            row.size,
            row.width,
            row.height,
            row.sha256,
            row.thumb_sha256,
            row.source,
            row.created_at,
            row.created_by,
            row.created_by_name,
          ],
        )
        // A blob queued as an orphan by an earlier removal is in use again.
        await tx.run(`DELETE FROM attachment_orphans WHERE sha256 IN (?, ?)`, [sha256, thumb ?? sha256])
        await appendHistory(tx, {
          requestId: request.id,
          kind: 'attachment_added',
          at,
          actorId: input.agent?.id ?? null,
          actorName: input.agent?.name ?? null,
          data: { attachmentId: row.id, name: row.name, mime: row.mime, source: row.source },
          mutationId: row.id,
        })
        changes.request(request.id, request.teamId)
        return { meta: toAttachmentMeta(row), created: true }
      })
    } catch (e) {
      // The same id sent twice at once: the other one's row answers.
      if (isUniqueViolation(e)) {
        const existing = await attachmentRow(db, input.id)
        if (existing) return { meta: sameRequest(existing, input.requestId), created: false }
      }
      // Refused: the bytes just written go, unless a row uses them.
      await queueOrphans(db, [sha256, thumb], now())
      await sweep()
      throw e
    }
    if (!result.created) {
      // The id was stored meanwhile (a retry racing the first upload): these bytes go unless used.
      await queueOrphans(db, [sha256, thumb], now())
      await sweep()
      return result
    }
    // A sweep that ran between the write of the bytes and the commit may have taken them
    // (another attachment with the same bytes removed meanwhile): written again.
    if (!(await blobs.has(sha256))) await blobs.put(file.bytes)
    if (thumb && file.thumbnail && !(await blobs.has(thumb))) await blobs.put(file.thumbnail)
    return result
  }

  function sameRequest(row: AttachmentDbRow, requestId: string): AttachmentMeta {
    // An id is the console's: reused on another request, it is a different file.
    if (row.request_id !== requestId)
      throw new CoreError('version_conflict', 'Cet identifiant de pièce jointe est déjà pris.')
    return toAttachmentMeta(row)
  }

  /**
   * The orphan row is the lock between a sweep and an addition reusing the same bytes: both
   * delete it in their transaction, so one waits for the other (PostgreSQL's row lock;
   * SQLite has one writer). The addition checks its bytes after its commit and writes them
   * again if a sweep took them; the sweep checks again after deleting, and puts back bytes
   * that a row committed in the meantime uses.
   */
  async function sweep(): Promise<number> {
    const queued = await db.all<{ sha256: string }>(
      'SELECT sha256 FROM attachment_orphans ORDER BY at LIMIT 500',
    )
    const usedBy = (sql: Pick<Sql, 'get'>, key: string) =>
      sql.get<{ id: string }>('SELECT id FROM attachments WHERE sha256 = ? OR thumb_sha256 = ? LIMIT 1', [
        key,
        key,
      ])
    let deleted = 0
    for (const { sha256 } of queued) {
      const gone = await db.transaction(async (tx) => {
        const mine = await tx.run('DELETE FROM attachment_orphans WHERE sha256 = ?', [sha256])
        if (mine === 0 || (await usedBy(tx, sha256))) return null
        const bytes = await blobs.get(sha256)
        await blobs.delete(sha256)
        return bytes
      })
      if (!gone) continue
      if (await usedBy(db, sha256)) await blobs.put(gone)
      else deleted++
    }
    return deleted
  }

  return {
    settings,
    async addByAgent(session, input) {
      const request = await getRequest(db, input.requestId)
      if (!request || !canSeeTeam(session, request.teamId))
        throw new CoreError('not_found', REQUEST_NOT_FOUND)
      if (!canChangeRequests(session))
        throw new CoreError('forbidden', 'Votre rôle ne permet pas d’ajouter des pièces jointes.')
      const existing = await attachmentRow(db, input.id)
      // Applied once: a retry answers what the first upload stored, without decoding again.
      if (existing) return { meta: sameRequest(existing, input.requestId), created: false }
      return add({ ...input, source: 'agent', agent: { id: session.agentId, name: session.displayName } })
    },
    async addFromSource(input) {
      return (await add({ ...input, agent: null })).meta
    },
    async noteRefusedFromSource(requestId, reason) {
      await write(async (tx, changes) => {
        const request = await getRequest(tx, requestId)
        if (!request) return
        await appendHistory(tx, {
          requestId,
          kind: 'attachment_refused',
          at: now(),
          actorId: null,
          actorName: null,
          data: { reason, source: 'citizen' },
          mutationId: null,
        })
        changes.request(request.id, request.teamId)
      })
    },
    async read(session, id, what) {
      const { row } = await visibleRow(session, id)
      const key = what === 'content' ? row.sha256 : row.thumb_sha256
      const bytes = key ? await blobs.get(key) : null
      if (!bytes)
        throw new CoreError('not_found', what === 'content' ? NOT_FOUND : 'Pas de vignette pour ce fichier.')
      return { meta: toAttachmentMeta(row), bytes }
    },
    async remove(session, id) {
      const { row, request } = await visibleRow(session, id)
      if (
        !canChangeRequests(session) ||
        (row.created_by !== session.agentId && !canAssign(session, request.teamId))
      )
        throw new CoreError(
          'forbidden',
          'Seul l’agent qui a ajouté cette pièce jointe, ou un responsable de l’équipe, peut la retirer.',
        )
      await write(async (tx, changes) => {
        const at = now()
        const gone = await tx.run('DELETE FROM attachments WHERE id = ?', [id])
        if (gone === 0) return
        await queueOrphans(tx, [row.sha256, row.thumb_sha256], at)
        await appendHistory(tx, {
          requestId: row.request_id,
          kind: 'attachment_removed',
          at,
          actorId: session.agentId,
          actorName: session.displayName,
          data: { attachmentId: row.id, name: row.name },
        })
        changes.request(request.id, request.teamId)
      })
      await sweep()
    },
    sweep,
  }
}
