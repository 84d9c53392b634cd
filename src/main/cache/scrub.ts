/**
 * Erasure on the console (RGPD art. 17, issue 12): what the cache holds of an erased
 * citizen leaves it, and leaves the file's bytes too.
 *
 * - `eraseLocally`, on the feed's `citizen_erased` (in the pull's transaction): pending
 *   changes of those requests that carry free text move to the conflict inbox with the text
 *   taken out (sent as they are, or re-applied on the server's copy, they would bring the
 *   text back); the inbox and the changes kept for a restore are scrubbed; the requests
 *   leave the cache (comments, search entry and history with them: history may only be
 *   deleted once its request is gone); the citizen and any details of theirs go. The
 *   anonymised copies follow in the feed as ordinary request changes.
 * - `scrubFreedSpace`, once the round is over: with `secure_delete` on (db.ts) deleted
 *   rows are zeroed; the search index is merged (`optimize`), or its old segments would
 *   keep the words; the WAL is checkpointed and truncated, or its frames would keep the
 *   old pages. Measured (issue 12's plan): nothing of a unique name or e-mail is left in
 *   the file or its WAL afterwards. A reader holding a snapshot makes the checkpoint
 *   busy: it is tried again at the next round.
 */
import type { FieldChange, Mutation } from '../../shared/sync'
import { stripFreeText } from '../../core/privacy/text'
import type { Db } from './db'
import { SEARCH_INDEXES } from './fts'
import { insertConflict, listConflictsFor, rewriteConflictText } from './queries/conflicts'
import { dropContactsOf } from './queries/contacts'
import { forgetSentFor, listPendingFor, removeMutations } from './queries/outbox'
import { getSyncState, setSyncState } from './queries/syncState'
import { cached } from './statements'

export interface EraseContext {
  db: Db
  now: () => number
  newId: () => string
}

/** The feed's word that a citizen was erased (src/shared/sync.ts `citizen_erased`). */
export interface CitizenErased {
  citizenId: string
  requestIds: readonly string[]
}

export const ERASED_REASON =
  'L’usager de cette demande a été effacé (RGPD) : le texte de cette modification a été retiré et elle n’a pas été envoyée.'

const SCRUB_NEEDED = 'scrub_needed'

/**
 * Whether a queued change carries text an agent typed (which may name the citizen): what
 * `stripQueuedText` would take out of it.
 */
export function carriesFreeText(op: string, payload: unknown): boolean {
  return JSON.stringify(stripQueuedText(op, payload)) !== JSON.stringify(payload)
}

/**
 * A queued change without its free text (comment body, title, description, address,
 * transition text fields): what stays in the inbox to tell the agent what was not sent.
 * Tour ops and unknown ops carry none.
 */
export function stripQueuedText(op: Mutation['op'] | string, payload: unknown): unknown {
  return isRequestOp(op) ? stripFreeText(op, payload) : payload
}

const REQUEST_OPS: ReadonlySet<string> = new Set(['create', 'transition', 'assign', 'comment', 'update'])
const isRequestOp = (op: string): op is Mutation['op'] => REQUEST_OPS.has(op)

/** Fields of the server's side of a conflict that are choices, not text: kept. */
const CHOICE_FIELDS = new Set(['priority', 'status', 'statusKind', 'assigneeId', 'teamId', 'categoryId'])

function scrubTheirs(theirs: readonly FieldChange[]): FieldChange[] {
  return theirs.map((t) => (CHOICE_FIELDS.has(t.field) ? t : { ...t, value: null }))
}

/**
 * Everything this cache holds of one request of an erased citizen, scrubbed and removed:
 * text-bearing pending changes to the inbox (text taken out), the inbox's copies and the
 * changes kept for a restore scrubbed, the request with its comments, search entry and
 * history removed. Pending changes without text (an assignment) stay queued: they are
 * re-applied on the anonymised copy when it arrives. @returns whether the request was cached.
 */
export function scrubRequestLocally(
  ctx: EraseContext,
  requestId: string,
  /** Changes the server is answering right now: their own answers settle them. */
  answering: ReadonlySet<string> = new Set(),
): boolean {
  const { db } = ctx
  for (const p of listPendingFor(db, requestId)) {
    if (!carriesFreeText(p.op, p.payload) || answering.has(p.mutationId)) continue
    removeMutations(db, [p.mutationId])
    insertConflict(db, {
      id: ctx.newId(),
      mutationId: p.mutationId,
      requestId,
      op: p.op,
      payload: stripQueuedText(p.op, p.payload),
      baseVersion: p.baseVersion ?? 0,
      madeAt: p.createdAt,
      detectedAt: ctx.now(),
      serverVersion: -1,
      theirs: [],
      kind: 'rejected',
      reason: ERASED_REASON,
    })
  }
  for (const c of listConflictsFor(db, requestId))
    rewriteConflictText(db, c.id, stripQueuedText(c.op, c.payload), scrubTheirs(c.theirs))
  forgetSentFor(db, requestId)
  cached(db, 'DELETE FROM sync_backfill WHERE request_id = ?').run(requestId)
  cached(db, 'DELETE FROM comments WHERE request_id = ?').run(requestId)
  // Photos not sent yet may show the citizen or their home: they go with the text (issue 14);
  // the cached attachments and their bytes go by cascade with the request.
  cached(db, 'DELETE FROM attachment_uploads WHERE request_id = ?').run(requestId)
  const citizenId = cached(db, 'SELECT citizen_id FROM requests WHERE id = ?').pluck().get(requestId) as
    string | null | undefined
  // History and the citizen's details on it go by cascade; the search entry by trigger.
  const removed = cached(db, 'DELETE FROM requests WHERE id = ?').run(requestId).changes > 0
  if (citizenId)
    cached(
      db,
      'DELETE FROM citizens WHERE id = ? AND NOT EXISTS (SELECT 1 FROM requests WHERE citizen_id = ?)',
    ).run(citizenId, citizenId)
  markScrubNeeded(db)
  return removed
}

/**
 * A citizen was erased on the server: what this cache holds of them goes (see the file's
 * comment). Runs in the caller's transaction. @returns the ids of the requests removed.
 */
export function eraseLocally(ctx: EraseContext, change: CitizenErased): string[] {
  const { db } = ctx
  // Only the listed requests: one a legal hold keeps still has its citizen (and comes
  // with no new copy in the feed), so it stays, and so does the citizen's name for it.
  const removed = change.requestIds.filter((id) => scrubRequestLocally(ctx, id))
  dropContactsOf(db, change.citizenId)
  cached(
    db,
    'DELETE FROM citizens WHERE id = ? AND NOT EXISTS (SELECT 1 FROM requests WHERE citizen_id = ?)',
  ).run(change.citizenId, change.citizenId)
  // The log holds ids only; rows the server has are gone already, those it has not stay to be uploaded.
  cached(db, 'DELETE FROM access_log WHERE citizen_id = ? AND uploaded_at IS NOT NULL').run(change.citizenId)
  markScrubNeeded(db)
  return removed
}

/** Something personal was deleted: the freed space is scrubbed at the end of the round. */
export function markScrubNeeded(db: Db): void {
  setSyncState(db, SCRUB_NEEDED, '1')
}

export function isScrubNeeded(db: Db): boolean {
  return getSyncState(db, SCRUB_NEEDED) === '1'
}

/**
 * Make deleted personal data unreadable in the file and its WAL: merge the search indexes
 * (`fts`: skip when nothing searchable was deleted), then checkpoint and truncate the WAL.
 * Runs outside any transaction. @returns whether the checkpoint went through (if a reader
 * held it back, or a transaction is open, the need is kept and the next round tries again).
 */
export function scrubFreedSpace(db: Db, options: { fts?: boolean } = {}): { checkpointed: boolean } {
  // Inside a transaction nothing can be checkpointed: the need is kept for the next round.
  if (db.inTransaction) {
    markScrubNeeded(db)
    return { checkpointed: false }
  }
  db.pragma('secure_delete = ON')
  if (options.fts ?? true)
    for (const index of SEARCH_INDEXES)
      cached(db, `INSERT INTO ${index} (${index}) VALUES ('optimize')`).run()
  cached(db, 'DELETE FROM sync_state WHERE key = ?').run(SCRUB_NEEDED)
  const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>
  const checkpointed = !result || result.busy === 0
  if (!checkpointed) markScrubNeeded(db)
  return { checkpointed }
}
