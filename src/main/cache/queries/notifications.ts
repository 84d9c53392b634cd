/**
 * The agent's notifications in the cache (migration 0016): written once per event
 * (`dedup_key`), read newest first with their request's reference, marked read, pruned.
 * Every query is per agent login: a workstation shared by two agents keeps them apart.
 */
import type { NotificationKind } from '../../../shared/channels/notifications'
import type { Db } from '../db'
import { cached } from '../statements'

/** Notifications older than this go (a month), and no agent keeps more than MAX_KEPT. */
export const NOTIFICATION_RETENTION_MS = 30 * 86_400_000
export const MAX_KEPT = 500

export interface NewNotification {
  login: string
  kind: NotificationKind
  /** What it comes from (a history event, a comment, a conflict, a request and its deadline). */
  dedupKey: string
  requestId: string
  params: NotificationParams
  createdAt: number
}

/** The words' parameters: who acted, the time left, the server's answer; never the request's text. */
export interface NotificationParams {
  actorName?: string | null
  minutesLeft?: number
  conflictKind?: 'conflict' | 'rejected'
}

export interface NotificationRow {
  id: number
  kind: NotificationKind
  requestId: string
  reference: string
  params: NotificationParams
  createdAt: number
  readAt: number | null
}

/** @returns whether it is new (an event already notified changes nothing). */
export function insertNotification(db: Db, n: NewNotification): boolean {
  return (
    cached(
      db,
      `INSERT OR IGNORE INTO notifications (agent_login, kind, dedup_key, request_id, params, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(n.login, n.kind, n.dedupKey, n.requestId, JSON.stringify(n.params), n.createdAt).changes > 0
  )
}

/** Whether this event was already notified (kept or read). */
export function wasNotified(db: Db, login: string, dedupKey: string): boolean {
  return (
    cached(db, 'SELECT 1 FROM notifications WHERE agent_login = ? AND dedup_key = ?')
      .pluck()
      .get(login, dedupKey) !== undefined
  )
}

/**
 * The newest first. Only those whose request is still in the cache: a request that left the
 * agent's sight (another team, erased) takes its notifications out of the list.
 */
export function listNotifications(db: Db, login: string, limit: number): NotificationRow[] {
  const rows = cached(
    db,
    `SELECT n.id, n.kind, n.request_id AS requestId, r.reference, n.params, n.created_at AS createdAt,
            n.read_at AS readAt
     FROM notifications n JOIN requests r ON r.id = n.request_id
     WHERE n.agent_login = ? ORDER BY n.id DESC LIMIT ?`,
  ).all(login, limit) as Array<Omit<NotificationRow, 'params'> & { params: string }>
  return rows.map((r) => ({ ...r, params: JSON.parse(r.params) as NotificationParams }))
}

export function countUnread(db: Db, login: string): number {
  return cached(
    db,
    `SELECT count(*) FROM notifications n JOIN requests r ON r.id = n.request_id
     WHERE n.agent_login = ? AND n.read_at IS NULL`,
  )
    .pluck()
    .get(login) as number
}

/** The notification's request, when it is the agent's. */
export function notificationRequest(db: Db, login: string, id: number): string | undefined {
  return cached(db, 'SELECT request_id FROM notifications WHERE agent_login = ? AND id = ?')
    .pluck()
    .get(login, id) as string | undefined
}

/** @returns how many changed. */
export function markNotificationsRead(db: Db, login: string, which: number | 'all', at: number): number {
  return which === 'all'
    ? cached(db, 'UPDATE notifications SET read_at = ? WHERE agent_login = ? AND read_at IS NULL').run(
        at,
        login,
      ).changes
    : cached(
        db,
        'UPDATE notifications SET read_at = ? WHERE agent_login = ? AND id = ? AND read_at IS NULL',
      ).run(at, login, which).changes
}

/** A month at most, MAX_KEPT at most per agent. */
export function pruneNotifications(db: Db, login: string, now: number): void {
  cached(db, 'DELETE FROM notifications WHERE agent_login = ? AND created_at < ?').run(
    login,
    now - NOTIFICATION_RETENTION_MS,
  )
  cached(
    db,
    `DELETE FROM notifications WHERE agent_login = ? AND id <= (
       SELECT id FROM notifications WHERE agent_login = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
  ).run(login, login, MAX_KEPT)
}

/** The kinds the agent turned off (all others are on). */
export function kindsTurnedOff(db: Db, login: string): Set<NotificationKind> {
  return new Set(
    cached(db, 'SELECT kind FROM notification_settings WHERE agent_login = ? AND enabled = 0')
      .pluck()
      .all(login) as NotificationKind[],
  )
}

export function setKindEnabled(db: Db, login: string, kind: NotificationKind, enabled: boolean): void {
  cached(
    db,
    `INSERT INTO notification_settings (agent_login, kind, enabled) VALUES (?, ?, ?)
     ON CONFLICT (agent_login, kind) DO UPDATE SET enabled = excluded.enabled`,
  ).run(login, kind, enabled ? 1 : 0)
}

/** Where the producer stands for an agent: since when, and the last history event looked at. */
export interface NotificationWatch {
  since: number
  historyCursor: number
}

export function getWatch(db: Db, login: string): NotificationWatch | undefined {
  return cached(
    db,
    'SELECT since, history_cursor AS historyCursor FROM notification_watch WHERE agent_login = ?',
  ).get(login) as NotificationWatch | undefined
}

export function putWatch(db: Db, login: string, watch: NotificationWatch): void {
  cached(
    db,
    `INSERT INTO notification_watch (agent_login, since, history_cursor) VALUES (?, ?, ?)
     ON CONFLICT (agent_login) DO UPDATE SET since = excluded.since, history_cursor = excluded.history_cursor`,
  ).run(login, watch.since, watch.historyCursor)
}

/**
 * History events in (`cursor`, `upTo`] that may concern the agent `me`: assignments and
 * comments made at or after `since` by someone else. Filtered in SQL: after a first
 * download the range holds every request's past, which must not come back as JavaScript
 * objects one by one (seconds of a blocked main thread at 500k requests).
 */
export function historyAfter(
  db: Db,
  range: { cursor: number; upTo: number },
  since: number,
  me: string,
  limit: number,
): Array<{
  id: number
  serverId: number | null
  requestId: string
  kind: string
  at: number
  actorId: string | null
  actorName: string | null
  data: string
}> {
  return cached(
    db,
    `SELECT id, server_id AS serverId, request_id AS requestId, kind, at, actor_id AS actorId,
            actor_name AS actorName, data
     FROM history_events
     WHERE id > @cursor AND id <= @upTo AND kind IN ('assigned', 'commented') AND at >= @since
       AND (actor_id IS NULL OR actor_id <> @me)
     ORDER BY id LIMIT @limit`,
  ).all({ ...range, since, me, limit }) as never
}

export function lastHistoryId(db: Db): number {
  return (cached(db, 'SELECT max(id) FROM history_events').pluck().get() as number | null) ?? 0
}

export function commentOf(
  db: Db,
  id: string,
): { body: string; authorId: string | null; authorName: string | null } | undefined {
  return cached(
    db,
    'SELECT body, author_id AS authorId, author_name AS authorName FROM comments WHERE id = ?',
  ).get(id) as never
}

/** Open conflicts noticed since `since` (the inbox holds few). */
export function conflictsSince(
  db: Db,
  since: number,
): Array<{ id: string; requestId: string; kind: 'conflict' | 'rejected' }> {
  return cached(
    db,
    `SELECT id, request_id AS requestId, kind FROM conflicts
     WHERE resolved_at IS NULL AND detected_at >= ? ORDER BY detected_at`,
  ).all(since) as never
}

/**
 * The agent's open requests due before `before`. Written on `due_sort` (undated requests sort
 * last) so the open cards' index (assignee, due_sort) where open answers it in a short range.
 */
export function openDeadlinesOf(
  db: Db,
  agentId: string,
  before: number,
): Array<{ id: string; dueAt: number; slaPausedSince: number | null }> {
  return cached(
    db,
    `SELECT id, due_at AS dueAt, sla_paused_since AS slaPausedSince FROM requests
     WHERE assignee_id = ? AND status_kind = 'open' AND due_sort <= ? AND due_at IS NOT NULL`,
  ).all(agentId, before) as never
}
