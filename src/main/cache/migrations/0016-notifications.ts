/**
 * The agent's in-console notifications (issue 15): what the core noticed for them after a
 * pull, a push or a deadline check. One row per agent login and event (`dedup_key`: the
 * history event, comment, conflict, or request and deadline it comes from), so an event
 * seen twice notifies once. `params` holds the words' parameters only (who acted, the time
 * left), never the request's text. The agent's own switches per kind sit beside them; the
 * producer's watermark (`notification_watch`) keeps what was there before from notifying.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

export const migration: Migration = {
  version: 16,
  name: '0016-notifications',
  up(db: Database.Database) {
    db.exec(`
CREATE TABLE notifications (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  agent_login TEXT NOT NULL COLLATE NOCASE,
  kind        TEXT NOT NULL CHECK (kind IN ('assigned', 'sla_soon', 'conflict', 'mention')),
  dedup_key   TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  params      TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL,
  read_at     INTEGER,
  UNIQUE (agent_login, dedup_key)
);
CREATE INDEX notifications_agent ON notifications(agent_login, id);
CREATE TABLE notification_settings (
  agent_login TEXT NOT NULL COLLATE NOCASE,
  kind        TEXT NOT NULL,
  enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  PRIMARY KEY (agent_login, kind)
) WITHOUT ROWID;
CREATE TABLE notification_watch (
  agent_login    TEXT PRIMARY KEY COLLATE NOCASE,
  since          INTEGER NOT NULL,
  history_cursor INTEGER NOT NULL
) WITHOUT ROWID;`)
  },
}
export default migration
