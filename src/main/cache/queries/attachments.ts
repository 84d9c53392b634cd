/**
 * Attachments in the cache (migration 0012): the feed's metadata per request, the bytes
 * fetched from the server (thumbnails, opened files), and this console's uploads waiting
 * for the server or refused by it.
 */
import type { AttachmentMeta, AttachmentSource, AttachmentType } from '../../../shared/attachments'
import type { Db } from '../db'
import { cached } from '../statements'

export type BlobKind = 'thumbnail' | 'content'

interface MetaRow {
  id: string
  request_id: string
  name: string
  mime: string
  size: number
  width: number | null
  height: number | null
  thumbnail: number
  source: string
  created_at: number
  created_by: string | null
  created_by_name: string | null
}

const META_COLUMNS = `id, request_id, name, mime, size, width, height, thumbnail, source, created_at,
  created_by, created_by_name`

const toMeta = (r: MetaRow): AttachmentMeta => ({
  id: r.id,
  requestId: r.request_id,
  name: r.name,
  mime: r.mime as AttachmentType,
  size: r.size,
  width: r.width,
  height: r.height,
  thumbnail: r.thumbnail === 1,
  source: r.source as AttachmentSource,
  createdAt: r.created_at,
  createdBy: r.created_by,
  createdByName: r.created_by_name,
})

/** One attachment as the server described it: inserted, or updated in place (its cached bytes stay). */
export function putAttachment(db: Db, meta: AttachmentMeta): void {
  cached(
    db,
    `INSERT INTO attachments (${META_COLUMNS})
     VALUES (@id, @requestId, @name, @mime, @size, @width, @height, @thumbnail, @source, @createdAt,
             @createdBy, @createdByName)
     ON CONFLICT (id) DO UPDATE SET request_id = excluded.request_id, name = excluded.name,
       mime = excluded.mime, size = excluded.size, width = excluded.width, height = excluded.height,
       thumbnail = excluded.thumbnail, source = excluded.source, created_at = excluded.created_at,
       created_by = excluded.created_by, created_by_name = excluded.created_by_name`,
  ).run({ ...meta, thumbnail: meta.thumbnail ? 1 : 0 })
}

/**
 * The request's attachments become exactly `metas`: those no longer listed go, with their
 * cached bytes (by cascade). @returns the ids removed.
 */
export function replaceRequestAttachments(
  db: Db,
  requestId: string,
  metas: readonly AttachmentMeta[],
): string[] {
  const kept = new Set(metas.map((m) => m.id))
  const removed = (
    cached(db, 'SELECT id FROM attachments WHERE request_id = ?').pluck().all(requestId) as string[]
  ).filter((id) => !kept.has(id))
  for (const id of removed) deleteAttachment(db, id)
  for (const m of metas) putAttachment(db, { ...m, requestId })
  return removed
}

export function deleteAttachment(db: Db, id: string): boolean {
  return cached(db, 'DELETE FROM attachments WHERE id = ?').run(id).changes > 0
}

export function getAttachment(db: Db, id: string): AttachmentMeta | undefined {
  const row = cached(db, `SELECT ${META_COLUMNS} FROM attachments WHERE id = ?`).get(id) as
    MetaRow | undefined
  return row && toMeta(row)
}

/** A request's attachments the server has, newest first. */
export function listAttachments(db: Db, requestId: string): AttachmentMeta[] {
  const rows = cached(
    db,
    `SELECT ${META_COLUMNS} FROM attachments WHERE request_id = ? ORDER BY created_at DESC, id`,
  ).all(requestId) as MetaRow[]
  return rows.map(toMeta)
}

/** A Buffer from SQLite as a plain Uint8Array of its own (the web bridge tags Uint8Array, not Buffer). */
const ownBytes = (b: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(b)

export function getBlob(db: Db, attachmentId: string, kind: BlobKind): Uint8Array<ArrayBuffer> | null {
  const bytes = cached(db, 'SELECT bytes FROM attachment_blobs WHERE attachment_id = ? AND kind = ?')
    .pluck()
    .get(attachmentId, kind) as Buffer | undefined
  return bytes ? ownBytes(bytes) : null
}

/**
 * Keep fetched bytes, if the attachment is still in the cache (the feed may have removed it
 * while they were on their way). @returns whether they were kept.
 */
export function putBlob(
  db: Db,
  attachmentId: string,
  kind: BlobKind,
  bytes: Uint8Array,
  at: number,
): boolean {
  if (!cached(db, 'SELECT 1 FROM attachments WHERE id = ?').pluck().get(attachmentId)) return false
  cached(
    db,
    `INSERT INTO attachment_blobs (attachment_id, kind, bytes, fetched_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (attachment_id, kind) DO UPDATE SET bytes = excluded.bytes, fetched_at = excluded.fetched_at`,
  ).run(attachmentId, kind, bytes, at)
  return true
}

// --- uploads ----------------------------------------------------------------------------

export interface UploadRow {
  id: string
  requestId: string
  name: string
  mime: AttachmentType
  size: number
  createdAt: number
  createdBy: string
  createdByName: string
  state: 'pending' | 'refused'
  error: string | null
}

interface DbUploadRow {
  id: string
  request_id: string
  name: string
  mime: string
  size: number
  created_at: number
  created_by: string
  created_by_name: string
  state: 'pending' | 'refused'
  error: string | null
}

const UPLOAD_COLUMNS =
  'id, request_id, name, mime, size, created_at, created_by, created_by_name, state, error'

const toUpload = (r: DbUploadRow): UploadRow => ({
  id: r.id,
  requestId: r.request_id,
  name: r.name,
  mime: r.mime as AttachmentType,
  size: r.size,
  createdAt: r.created_at,
  createdBy: r.created_by,
  createdByName: r.created_by_name,
  state: r.state,
  error: r.error,
})

export function enqueueUpload(
  db: Db,
  upload: Omit<UploadRow, 'state' | 'error'> & { bytes: Uint8Array },
): void {
  cached(
    db,
    `INSERT INTO attachment_uploads (id, request_id, name, mime, size, bytes, created_at, created_by, created_by_name)
     VALUES (@id, @requestId, @name, @mime, @size, @bytes, @createdAt, @createdBy, @createdByName)`,
  ).run(upload)
}

export function getUpload(db: Db, id: string): UploadRow | undefined {
  const row = cached(db, `SELECT ${UPLOAD_COLUMNS} FROM attachment_uploads WHERE id = ?`).get(id) as
    DbUploadRow | undefined
  return row && toUpload(row)
}

export function getUploadBytes(db: Db, id: string): Uint8Array<ArrayBuffer> | null {
  const bytes = cached(db, 'SELECT bytes FROM attachment_uploads WHERE id = ?').pluck().get(id) as
    Buffer | undefined
  return bytes ? ownBytes(bytes) : null
}

/** A request's uploads still here (pending or refused), newest first. */
export function listUploads(db: Db, requestId: string): UploadRow[] {
  const rows = cached(
    db,
    `SELECT ${UPLOAD_COLUMNS} FROM attachment_uploads WHERE request_id = ? ORDER BY created_at DESC, id`,
  ).all(requestId) as DbUploadRow[]
  return rows.map(toUpload)
}

/**
 * The next upload to send for `agentId` (only an author's own uploads go under their
 * token), oldest first: never one whose request's creation still waits in the outbox, as
 * the server would not know the request yet.
 */
export function nextUpload(
  db: Db,
  agentId: string,
  after: { createdAt: number; id: string } | null,
): UploadRow | undefined {
  const row = cached(
    db,
    `SELECT ${UPLOAD_COLUMNS} FROM attachment_uploads u
     WHERE state = 'pending' AND created_by = @agentId
       AND (created_at, id) > (@createdAt, @id)
       AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity_id = u.request_id AND o.op = 'create')
     ORDER BY created_at, id LIMIT 1`,
  ).get({ agentId, createdAt: after?.createdAt ?? -1, id: after?.id ?? '' }) as DbUploadRow | undefined
  return row && toUpload(row)
}

/** Files of `agentId` still to send (none without a session: they wait for their author). */
export function countPendingUploads(db: Db, agentId: string | null): number {
  if (!agentId) return 0
  return cached(db, `SELECT count(*) FROM attachment_uploads WHERE state = 'pending' AND created_by = ?`)
    .pluck()
    .get(agentId) as number
}

/** Whether any agent's files still wait to be sent (a profile changing hands must keep them). */
export function hasPendingUploads(db: Db): boolean {
  return cached(db, `SELECT 1 FROM attachment_uploads WHERE state = 'pending' LIMIT 1`).pluck().get() === 1
}

export function markUploadRefused(db: Db, id: string, error: string): void {
  cached(
    db,
    `UPDATE attachment_uploads SET state = 'refused', error = ?, attempts = attempts + 1 WHERE id = ?`,
  ).run(error, id)
}

export function deleteUpload(db: Db, id: string): boolean {
  return cached(db, 'DELETE FROM attachment_uploads WHERE id = ?').run(id).changes > 0
}

/** The request left the cache for good (removed, erased, past retention): its uploads go with it. */
export function deleteUploadsOf(db: Db, requestId: string): number {
  return cached(db, 'DELETE FROM attachment_uploads WHERE request_id = ?').run(requestId).changes
}

/** Attachments a request holds or will hold: the server's and the ones waiting here. */
export function countAttachmentsOf(db: Db, requestId: string): number {
  return cached(
    db,
    `SELECT (SELECT count(*) FROM attachments WHERE request_id = @requestId)
          + (SELECT count(*) FROM attachment_uploads WHERE request_id = @requestId AND state = 'pending'
               AND id NOT IN (SELECT id FROM attachments WHERE request_id = @requestId))`,
  )
    .pluck()
    .get({ requestId }) as number
}
