/** History events: append-only (the schema refuses updates and deletes). */
import type { HistoryEvent, HistoryKind } from '../../../shared/domain'
import type { NewHistoryEvent } from '../../../core/requests/records'
import type { Db } from '../db'
import { cached } from '../statements'

export type { NewHistoryEvent }

const APPEND_HISTORY = `INSERT INTO history_events (request_id, kind, at, actor_id, actor_name, data, server_id, mutation_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

/**
 * Append one event to a request's history.
 * @returns the event's id.
 */
export function appendHistory(db: Db, event: NewHistoryEvent): number {
  const row: HistoryRows = []
  historyRowsOf(event.requestId, [event], row)
  return Number(cached(db, APPEND_HISTORY).run(row).lastInsertRowid)
}

/**
 * History events as flat rows, `HISTORY_ROW_WIDTH` values each in the insert's column order
 * (the data already JSON): how the first download's unpacker thread hands a chunk's
 * events to the thread that writes them, a list of strings and numbers being several
 * times cheaper to pass between threads than as many small objects.
 */
export type HistoryRows = (string | number | null)[]
const HISTORY_ROW_WIDTH = 8

export function historyRowsOf(
  requestId: string,
  events: readonly Omit<NewHistoryEvent, 'requestId'>[],
  into: HistoryRows,
): void {
  for (const e of events)
    into.push(
      requestId,
      e.kind,
      e.at,
      e.actorId,
      e.actorName,
      JSON.stringify(e.data),
      e.serverId ?? null,
      e.mutationId ?? null,
    )
}

/** Append events given as `HistoryRows`, in their order. */
export function appendHistoryRows(db: Db, rows: HistoryRows): void {
  const append = cached(db, APPEND_HISTORY)
  for (let i = 0; i < rows.length; i += HISTORY_ROW_WIDTH)
    append.run(
      rows[i],
      rows[i + 1],
      rows[i + 2],
      rows[i + 3],
      rows[i + 4],
      rows[i + 5],
      rows[i + 6],
      rows[i + 7],
    )
}

interface DbHistoryRow {
  id: number
  request_id: string
  kind: string
  at: number
  actor_id: string | null
  actor_name: string | null
  data: string
  sync_state: 'pending' | 'conflict' | 'rejected' | 'dropped' | null
  sync_reason: string | null
}

/**
 * A request's history, oldest first (events of the same instant in the order they were
 * written). An event this console wrote and the server has not applied says so: it waits
 * in the outbox, or it is in the conflict inbox (in conflict, refused with its reason, or
 * dropped once settled). Applied, it is linked to the server's copy and says nothing more.
 */
export function listHistory(db: Db, requestId: string): HistoryEvent[] {
  const rows = cached(
    db,
    `SELECT h.id, h.request_id, h.kind, h.at, h.actor_id, h.actor_name, h.data,
            CASE WHEN h.server_id IS NOT NULL OR h.mutation_id IS NULL OR h.kind = 'sync_conflict' THEN NULL
                 WHEN o.mutation_id IS NOT NULL THEN 'pending'
                 WHEN c.kind = 'rejected' THEN 'rejected'
                 WHEN c.resolved_at IS NOT NULL THEN 'dropped'
                 WHEN c.kind = 'conflict' THEN 'conflict' END AS sync_state,
            c.reason AS sync_reason
     FROM history_events h
     LEFT JOIN outbox o ON o.mutation_id = h.mutation_id AND h.server_id IS NULL
     LEFT JOIN conflicts c ON c.mutation_id = h.mutation_id AND h.server_id IS NULL
     WHERE h.request_id = ? ORDER BY h.at, h.id`,
  ).all(requestId) as DbHistoryRow[]
  return rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    kind: r.kind as HistoryKind,
    at: new Date(r.at).toISOString(),
    actorId: r.actor_id,
    actorName: r.actor_name,
    data: JSON.parse(r.data) as Record<string, unknown>,
    ...(r.sync_state ? { sync: { state: r.sync_state, reason: r.sync_reason } } : {}),
  }))
}

/** Whether this console's history already tells of the change `mutationId` (an event it wrote). */
export function hasLocalEventOf(db: Db, requestId: string, mutationId: string): boolean {
  return (
    cached(
      db,
      "SELECT 1 FROM history_events WHERE mutation_id = ? AND request_id = ? AND kind <> 'sync_conflict' LIMIT 1",
    )
      .pluck()
      .get(mutationId, requestId) !== undefined
  )
}

/**
 * Take in one event of the server's copy of a request's history: skipped when already
 * here, linked (not duplicated) when it is the server's record of a change this console
 * made, appended otherwise.
 */
export function mergeServerHistoryEvent(db: Db, event: NewHistoryEvent & { serverId: number }): void {
  if (cached(db, 'SELECT 1 FROM history_events WHERE server_id = ?').pluck().get(event.serverId)) return
  if (event.mutationId) {
    const local = cached(
      db,
      `SELECT id FROM history_events
       WHERE mutation_id = ? AND kind = ? AND server_id IS NULL AND request_id = ? LIMIT 1`,
    )
      .pluck()
      .get(event.mutationId, event.kind, event.requestId) as number | undefined
    if (local !== undefined) {
      cached(db, 'UPDATE history_events SET server_id = ? WHERE id = ?').run(event.serverId, local)
      return
    }
  }
  appendHistory(db, event)
}
