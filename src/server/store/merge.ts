/**
 * A console's `merge` applied on the server (issue 14), inside the batch's transaction
 * (mutations.ts): the core decides (src/core/requests/merge.ts, checked again here whatever
 * the console said), then the duplicate is written (linked, marked merged), its comments
 * copied onto the master, its attachment rows added to the master over the same stored
 * bytes, and `merged` written in both histories; both requests move in the change feed.
 * The copies' ids come from the master's and the original's, so nothing can be carried twice.
 */
import type { SessionInfo } from '../../shared/contract'
import type { Mutation, RequestRecord } from '../../shared/sync'
import { decideMerge } from '../../core/requests/merge'
import type { OpContext, RequestDecision } from '../../core/requests/operations'
import type { NewHistoryEvent } from '../../core/requests/records'
import { ATTACHMENT_SELECT, type AttachmentDbRow } from '../attachments/rows'
import { parisTime } from './parisTime'
import { toComment, COMMENT_COLUMNS, type CommentDbRow } from './rows'
import { insertRows, type Sql, type SqlParam } from './sql/client'

type MergeMutation = Extract<Mutation, { op: 'merge' }>
type Outcome = { status: 'applied'; version: number } | { status: 'rejected'; code: string; reason: string }

/** What the batch lends a merge: its transaction, its rows (locked), and its writers. */
export interface MergeBatch {
  tx: Sql
  session: SessionInfo
  ctx: OpContext
  rows: ReadonlyMap<string, RequestRecord>
  now(): number
  flush(): Promise<void>
  write(row: RequestRecord, decision: RequestDecision): RequestRecord
  recordVersion(row: RequestRecord, fields: string[], m: Mutation): void
  appendHistory(e: NewHistoryEvent): void
}

/** The fields a merge moves on the duplicate (a later change to them, from a base before it, conflicts). */
const DUPLICATE_FIELDS_TOUCHED = ['status', 'fields.duplicateOf', 'fields.mergedInto']

/** Someone else's change to the duplicate after the version the agent saw: the merge waits for them. */
async function changedByOthers(batch: MergeBatch, m: MergeMutation, duplicate: RequestRecord) {
  if (duplicate.version <= m.payload.duplicateVersion) return undefined
  await batch.flush()
  return batch.tx.get<{ actor_name: string | null; at: number }>(
    `SELECT actor_name, at FROM request_versions
     WHERE request_id = ? AND version > ?
       AND NOT (client_id IS NOT NULL AND client_id = ? AND agent_id IS NOT NULL AND agent_id = ?)
     ORDER BY version DESC LIMIT 1`,
    [duplicate.id, m.payload.duplicateVersion, m.clientId, batch.session.agentId],
  )
}

/** Apply one `merge` of the batch. @throws CoreError (the batch answers it `rejected`). */
export async function applyMerge(batch: MergeBatch, m: MergeMutation): Promise<Outcome> {
  const { tx, session } = batch
  const master = batch.rows.get(m.entityId)
  const duplicate = batch.rows.get(m.payload.duplicateId)
  if (!master || !duplicate)
    return { status: 'rejected', code: 'not_found', reason: 'Cette demande n’existe plus.' }
  const other = await changedByOthers(batch, m, duplicate)
  if (other)
    return {
      status: 'rejected',
      code: 'version_conflict',
      reason:
        `${duplicate.reference} a été modifiée par ${other.actor_name ?? 'un autre agent'} le ${parisTime(Number(other.at))} ` +
        'après que vous l’avez vue : fusion non appliquée. Vérifiez-la puis recommencez.',
    }
  // What earlier changes of this batch wrote (a comment on the duplicate) is carried too.
  await batch.flush()
  const comments = (
    await tx.all<CommentDbRow>(
      `SELECT ${COMMENT_COLUMNS.join(', ')} FROM comments WHERE request_id = ? ORDER BY created_at, id`,
      [duplicate.id],
    )
  ).map(toComment)
  const files = await tx.all<AttachmentDbRow>(
    `SELECT ${ATTACHMENT_SELECT} FROM attachments WHERE request_id = ? ORDER BY created_at, id`,
    [duplicate.id],
  )
  const held = await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM attachments WHERE request_id = ?', [
    master.id,
  ])
  const at = batch.now()
  const decision = decideMerge(
    batch.ctx,
    session,
    master,
    duplicate,
    { comments, attachmentIds: files.map((f) => f.id), masterAttachments: Number(held?.n ?? 0) },
    at,
  )
  const actor = { actorId: session.agentId, actorName: session.displayName, mutationId: m.mutationId }

  const mergedAway = batch.write(duplicate, {
    write: { kind: 'status', change: decision.duplicate },
    history: decision.history.duplicate,
  })
  batch.recordVersion(mergedAway, DUPLICATE_FIELDS_TOUCHED, m)
  if (decision.linked)
    batch.appendHistory({
      requestId: duplicate.id,
      kind: 'transitioned',
      at,
      ...actor,
      data: { ...decision.linked, fields: { duplicateOf: master.reference } },
    })
  batch.appendHistory({ requestId: duplicate.id, ...decision.history.duplicate, at, ...actor })

  // The master's version moves (the feed and the consoles see a change), no field of it does.
  const merged = batch.write(master, {
    write: { kind: 'fields', patch: { updatedAt: at } },
    history: decision.history.master,
  })
  batch.recordVersion(merged, [], m)
  batch.appendHistory({ requestId: master.id, ...decision.history.master, at, ...actor })

  // Through the batch's writer, as a comment mutation's: written with the batch, and in its answer.
  for (const comment of decision.comments)
    batch.write(merged, { write: null, comment, history: decision.history.master })
  await insertRows(
    tx,
    'attachments',
    ATTACHMENT_SELECT.split(', '),
    files.map((f): SqlParam[] => [
      decision.attachmentCopies.get(f.id)!,
      master.id,
      f.name,
      f.mime,
      f.size,
      f.width,
      f.height,
      f.sha256,
      f.thumb_sha256,
      f.source,
      f.created_at,
      f.created_by,
      f.created_by_name,
    ]),
  )
  return { status: 'applied', version: merged.version }
}
