/** History events: append-only (the schema refuses updates and deletes). */
import type { HistoryEvent, HistoryKind } from '../../../../shared/domain'
import type { Db } from '../db'
import { cached } from '../statements'

export interface NewHistoryEvent {
  requestId: string
  kind: HistoryKind
  /** Epoch ms. */
  at: number
  actorId: string | null
  actorName: string | null
  data: Record<string, unknown>
}

/**
 * Append one event to a request's history.
 * @returns the event's id.
 */
export function appendHistory(db: Db, event: NewHistoryEvent): number {
  const info = cached(
    db,
    'INSERT INTO history_events (request_id, kind, at, actor_id, actor_name, data) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(event.requestId, event.kind, event.at, event.actorId, event.actorName, JSON.stringify(event.data))
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
