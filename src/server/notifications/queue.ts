/**
 * The notice queue, on SQLite and PostgreSQL alike. It reads what was applied instead of
 * being called by the writers: after its cursor in the change feed (commit order, on any
 * number of instances), the requests that moved, and among their history events those
 * that call for a notice (a public reply; a transition whose workflow effect is
 * `notify_citizen`; a duplicate's master resolved). Each becomes one row of `notices` (the
 * event id is unique: queued once whichever instance saw it). Sending takes rows by lease
 * (PostgreSQL also skips the rows another instance is taking), so each notice is sent by
 * one instance; the outcome is a history event of the request, which reaches consoles
 * through the feed.
 */
import { randomUUID } from 'node:crypto'
import type { WorkflowDefinition } from '../../shared/workflow'
import { ChangeSet } from '../store/feed'
import { loadReference, type ReferenceSnapshot } from '../store/reference'
import { appendHistory, citizenById, getRequest, getRequests } from '../store/requests'
import { placeholders, type Sql, type SqlDatabase } from '../store/sql/client'
import { reachOf, type Reach } from './channel'

/** How long a taken notice stays with its instance (a send that hangs longer is taken again). */
export const NOTICE_LEASE_MS = 5 * 60_000

export interface NoticeRow {
  id: string
  event_id: number
  request_id: string
  event: string
  channel: 'email' | 'sms' | 'none'
  attempts: number
}

interface EventRow {
  id: number
  request_id: string
  kind: string
  data: string
}

/** The workflow definition a category follows, as stored with the reference data. */
export function workflowOf(ref: ReferenceSnapshot, categoryId: string): WorkflowDefinition | undefined {
  const workflowId = ref.category(categoryId)?.workflowId
  return ref.bundle.workflows.find((w) => w.id === workflowId)?.definition as WorkflowDefinition | undefined
}

/** The notice event a history event calls for (`public_reply`, `transition:<id>`, `master_resolved`) or null. */
export function noticeEventOf(
  e: { kind: string; data: Record<string, unknown> },
  workflow: WorkflowDefinition | undefined,
): string | null {
  if (e.kind === 'commented') return e.data.kind === 'public' ? 'public_reply' : null
  // A duplicate's citizen hears that the master request, the same problem, was resolved.
  if (e.kind === 'master_resolved') return 'master_resolved'
  if (e.kind !== 'transitioned' || typeof e.data.transitionId !== 'string') return null
  const transition = workflow?.transitions.find((t) => t.id === e.data.transitionId)
  return transition?.effects?.includes('notify_citizen') ? `transition:${transition.id}` : null
}

export interface QueueContext {
  db: SqlDatabase
  now: () => number
  newId?: () => string
}

/**
 * Queue the notices of what was applied since the cursor (up to `limit` feed rows); how
 * many feed rows were read and how many notices queued. The first call only places the
 * cursor: nothing that happened before notices were switched on is ever sent. One
 * instance at a time (the cursor's row lock; PostgreSQL's others skip it rather than wait).
 */
export async function queueNotices(
  ctx: QueueContext,
  limit = 500,
): Promise<{ read: number; queued: number }> {
  const newId = ctx.newId ?? randomUUID
  // Most calls find nothing new: look before taking the cursor's lock (a write on SQLite).
  const [mark, counter] = await Promise.all([
    ctx.db.get<{ seq: number | null }>('SELECT seq FROM notice_cursor WHERE id = 1'),
    ctx.db.get<{ seq: number }>('SELECT seq FROM change_counter WHERE id = 1'),
  ])
  if (mark?.seq != null && Number(counter?.seq ?? 0) <= Number(mark.seq)) return { read: 0, queued: 0 }
  return ctx.db.transaction(async (tx) => {
    const lock = tx.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''
    const cursor = await tx.get<{ seq: number | null; history_floor: number | null }>(
      `SELECT seq, history_floor FROM notice_cursor WHERE id = 1${lock}`,
    )
    if (!cursor) return { read: 0, queued: 0 }
    if (cursor.seq === null || cursor.history_floor === null) {
      const counter = await tx.get<{ seq: number }>('SELECT seq FROM change_counter WHERE id = 1')
      const floor = await tx.get<{ id: number | null }>('SELECT max(id) AS id FROM history_events')
      await tx.run('UPDATE notice_cursor SET seq = ?, history_floor = ? WHERE id = 1', [
        Number(counter?.seq ?? 0),
        Number(floor?.id ?? 0),
      ])
      return { read: 0, queued: 0 }
    }
    const fed = await tx.all<{ entity: string; entity_id: string; seq: number }>(
      'SELECT entity, entity_id, seq FROM change_scope WHERE seq > ? ORDER BY seq LIMIT ?',
      [Number(cursor.seq), limit],
    )
    if (fed.length === 0) return { read: 0, queued: 0 }
    const requestIds = [...new Set(fed.filter((r) => r.entity === 'request').map((r) => r.entity_id))]
    const events =
      requestIds.length === 0
        ? []
        : await tx.all<EventRow>(
            `SELECT h.id, h.request_id, h.kind, h.data FROM history_events h
             WHERE h.request_id IN (${placeholders(requestIds.length)})
               AND h.kind IN ('commented', 'transitioned', 'master_resolved') AND h.id > ?
               AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.event_id = h.id)
             ORDER BY h.id`,
            [...requestIds, Number(cursor.history_floor)],
          )
    let queued = 0
    if (events.length > 0) {
      const ref = await loadReference(tx)
      const requests = await getRequests(tx, [...new Set(events.map((e) => e.request_id))])
      const changes = new ChangeSet()
      const at = ctx.now()
      for (const e of events) {
        const request = requests.get(e.request_id)
        if (!request) continue
        const data = JSON.parse(e.data) as Record<string, unknown>
        const event = noticeEventOf({ kind: e.kind, data }, workflowOf(ref, request.categoryId))
        if (!event) continue
        const citizen = request.citizenId ? await citizenById(tx, request.citizenId) : undefined
        const reach: Reach = reachOf(citizen && citizen.erasedAt === null ? citizen : undefined)
        const id = newId()
        await tx.run(
          `INSERT INTO notices (id, event_id, request_id, event, channel, status, attempts, next_attempt_at, last_error, created_at, done_at)
           VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
          [
            id,
            Number(e.id),
            request.id,
            event,
            reach.channel,
            reach.channel === 'none' ? 'skipped' : 'pending',
            at,
            reach.channel === 'none' ? reach.reason : null,
            at,
            reach.channel === 'none' ? at : null,
          ],
        )
        if (reach.channel !== 'none') queued++
        else if (reach.reason) {
          // A citizen who cannot be reached this way: the agent reads why, and what to do.
          await appendHistory(tx, {
            requestId: request.id,
            kind: 'notice_failed',
            at,
            actorId: null,
            actorName: null,
            data: { noticeId: id, event, channel: 'none', reason: reach.reason, final: true },
          })
          changes.request(request.id, request.teamId)
        }
      }
      await changes.publish(ctx.db, tx)
    }
    await tx.run('UPDATE notice_cursor SET seq = ? WHERE id = 1', [Number(fed[fed.length - 1]!.seq)])
    return { read: fed.length, queued }
  })
}

/** Take up to `limit` notices due now for `owner`, for `NOTICE_LEASE_MS`. */
export async function claimDueNotices(
  db: SqlDatabase,
  owner: string,
  at: number,
  limit = 20,
): Promise<NoticeRow[]> {
  const skip = db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''
  // The conditions again outside the sub-select: PostgreSQL re-checks them on a row another
  // instance updated meanwhile, so a notice is never taken twice.
  const rows = await db.all<NoticeRow>(
    `UPDATE notices SET lease_owner = ?, lease_until = ?
     WHERE id IN (SELECT id FROM notices
                  WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
                  ORDER BY next_attempt_at, id LIMIT ?${skip})
       AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)
     RETURNING id, event_id, request_id, event, channel, attempts`,
    [owner, at + NOTICE_LEASE_MS, at, at, limit, at],
  )
  return rows.map((r) => ({ ...r, event_id: Number(r.event_id), attempts: Number(r.attempts) }))
}

/** The earliest time a pending notice is due (null: none waits). */
export async function nextDueAt(db: Pick<Sql, 'get'>): Promise<number | null> {
  const row = await db.get<{ at: number | null }>(
    "SELECT min(next_attempt_at) AS at FROM notices WHERE status = 'pending'",
  )
  return row?.at === null || row?.at === undefined ? null : Number(row.at)
}

export interface RetryPolicy {
  maxAttempts: number
  initialDelayMs: number
  maxDelayMs: number
}

/** The wait after the `attempt`-th failure: initial × 2^(attempt−1), capped. */
export const backoffMs = (policy: RetryPolicy, attempt: number) =>
  Math.min(policy.initialDelayMs * 2 ** Math.max(0, attempt - 1), policy.maxDelayMs)

export type Outcome =
  | { status: 'sent' }
  | { status: 'failed'; reason: string; final?: boolean }
  | { status: 'bounced'; reason: string }
  /** Nothing to send any more (the request or its citizen is gone): closed without a word. */
  | { status: 'skipped'; reason: string }

/**
 * Record what became of an attempt at `notice` (still leased by `owner`; otherwise
 * nothing is written): the notice's new state and, unless skipped, a history event.
 */
export async function recordOutcome(
  db: SqlDatabase,
  notice: NoticeRow,
  owner: string,
  outcome: Outcome,
  policy: RetryPolicy,
  at: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    const attempt = notice.attempts + 1
    const retry =
      outcome.status === 'failed' && !outcome.final && attempt < policy.maxAttempts
        ? at + backoffMs(policy, attempt)
        : null
    const status = outcome.status === 'failed' ? (retry !== null ? 'pending' : 'failed') : outcome.status
    const changed = await tx.run(
      `UPDATE notices SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, done_at = ?,
                          lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
      [
        status,
        attempt,
        retry ?? at,
        outcome.status === 'sent' ? null : outcome.reason,
        status === 'pending' ? null : at,
        notice.id,
        owner,
      ],
    )
    if (changed !== 1 || outcome.status === 'skipped') return
    const request = await getRequest(tx, notice.request_id)
    if (!request) return
    const base = { noticeId: notice.id, event: notice.event, channel: notice.channel, attempt }
    const data =
      outcome.status === 'sent'
        ? base
        : outcome.status === 'bounced'
          ? { ...base, reason: outcome.reason }
          : {
              ...base,
              reason: outcome.reason,
              final: retry === null,
              retryAt: retry === null ? null : new Date(retry).toISOString(),
            }
    const changes = new ChangeSet()
    await appendHistory(tx, {
      requestId: request.id,
      kind: `notice_${outcome.status}`,
      at,
      actorId: null,
      actorName: null,
      data,
    })
    changes.request(request.id, request.teamId)
    await changes.publish(db, tx)
  })
}
