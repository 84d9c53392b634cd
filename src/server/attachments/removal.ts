/**
 * Attachments removed in bulk by erasure (the citizen's own photos) and retention (all of a
 * request's), inside their transaction, with the request's history where it remains. The
 * bytes go after the commit (the blobs are queued as orphans, see service.ts).
 */
import type { AttachmentSource } from '../../shared/attachments'
import { appendHistory } from '../store/requests'
import { placeholders, type Sql } from '../store/sql/client'
import { ATTACHMENT_SELECT, queueOrphans, rowsOf, type AttachmentDbRow } from './rows'

const PER_STATEMENT = 500

export type RemovalReason = 'erasure' | 'retention'

/**
 * Remove the attachments of `requestIds` (only those from `sources` when given), inside the
 * caller's transaction. `history`: the requests remain, so each removal is a history event
 * `attachment_removed` with its reason (the caller feeds the requests it touched).
 * @returns how many were removed.
 */
export async function removeAttachmentsOf(
  tx: Sql,
  requestIds: readonly string[],
  options: RemovalOptions & { sources?: readonly AttachmentSource[] | null },
): Promise<number> {
  if (requestIds.length === 0) return 0
  return removeRows(tx, await rowsOf(tx, requestIds, options.sources ?? null), options)
}

/** Remove the attachments `ids` (the copies a merge made on a master, say), as `removeAttachmentsOf` does. */
export async function removeAttachmentsById(
  tx: Sql,
  ids: readonly string[],
  options: RemovalOptions,
): Promise<number> {
  const rows: AttachmentDbRow[] = []
  for (let i = 0; i < ids.length; i += PER_STATEMENT) {
    const part = ids.slice(i, i + PER_STATEMENT)
    rows.push(
      ...(await tx.all<AttachmentDbRow>(
        `SELECT ${ATTACHMENT_SELECT} FROM attachments WHERE id IN (${placeholders(part.length)}) ORDER BY created_at, id`,
        part,
      )),
    )
  }
  return removeRows(tx, rows, options)
}

interface RemovalOptions {
  reason: RemovalReason
  at: number
  history: boolean
  actor?: { id: string; name: string } | null
}

async function removeRows(
  tx: Sql,
  rows: readonly AttachmentDbRow[],
  options: RemovalOptions,
): Promise<number> {
  if (rows.length === 0) return 0
  const ids = rows.map((r) => r.id)
  for (let i = 0; i < ids.length; i += PER_STATEMENT) {
    const part = ids.slice(i, i + PER_STATEMENT)
    await tx.run(`DELETE FROM attachments WHERE id IN (${placeholders(part.length)})`, part)
  }
  await queueOrphans(
    tx,
    rows.flatMap((r) => [r.sha256, r.thumb_sha256]),
    options.at,
  )
  if (options.history)
    for (const r of rows)
      await appendHistory(tx, {
        requestId: r.request_id,
        kind: 'attachment_removed',
        at: options.at,
        actorId: options.actor?.id ?? null,
        actorName: options.actor?.name ?? null,
        data: { attachmentId: r.id, name: r.name, reason: options.reason },
      })
  return rows.length
}
