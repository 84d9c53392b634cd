/** History events: append-only (the schema refuses updates and deletes). */
import type { HistoryEvent, HistoryKind } from '../../../shared/domain'
import type { NewHistoryEvent } from '../../../core/requests/records'
import type { Db } from '../db'
import { cached } from '../statements'

export type { NewHistoryEvent }

/**
 * Append one event to a request's history.
 * @returns the event's id.
 */
export function appendHistory(db: Db, event: NewHistoryEvent): number {
  const info = cached(
    db,
    `INSERT INTO history_events (request_id, kind, at, actor_id, actor_name, data, server_id, mutation_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    event.requestId,
    event.kind,
    event.at,
    event.actorId,
    event.actorName,
    JSON.stringify(event.data),
    event.serverId ?? null,
    event.mutationId ?? null,
  )
  return Number(info.lastInsertRowid)
}

interface DbHistoryRow {
  id: number
  request_id: string
  kind: string
  at: number
  actor_id: string | null
  actor_name: string | null
  data: string
}

/** A request's history, oldest first (events of the same instant in the order they were written). */
export function listHistory(db: Db, requestId: string): HistoryEvent[] {
  const rows = cached(
    db,
    'SELECT id, request_id, kind, at, actor_id, actor_name, data FROM history_events WHERE request_id = ? ORDER BY at, id',
  ).all(requestId) as DbHistoryRow[]
  return rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    kind: r.kind as HistoryKind,
    at: new Date(r.at).toISOString(),
    actorId: r.actor_id,
    actorName: r.actor_name,
    data: JSON.parse(r.data) as Record<string, unknown>,
  }))
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
