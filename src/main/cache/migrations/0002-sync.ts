/**
 * Sync with the central server: history events learn where they came from (the server's
 * id, the console change that made them), and conflicts the server answered wait in an
 * inbox until the agent settles them.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

const SCHEMA = /* sql */ `
ALTER TABLE history_events ADD COLUMN server_id INTEGER;
ALTER TABLE history_events ADD COLUMN mutation_id TEXT;
CREATE UNIQUE INDEX history_events_server_id ON history_events(server_id) WHERE server_id IS NOT NULL;
CREATE INDEX history_events_mutation ON history_events(mutation_id) WHERE mutation_id IS NOT NULL;

-- Still append-only: what happened never changes. Only the link to the server's copy of an
-- event this console wrote first may be filled in, once.
DROP TRIGGER history_events_no_update;
CREATE TRIGGER history_events_no_update BEFORE UPDATE ON history_events
WHEN old.server_id IS NOT NULL
  OR new.request_id IS NOT old.request_id OR new.kind IS NOT old.kind OR new.at IS NOT old.at
  OR new.actor_id IS NOT old.actor_id OR new.actor_name IS NOT old.actor_name OR new.data IS NOT old.data
  OR new.mutation_id IS NOT old.mutation_id
BEGIN
  SELECT RAISE(ABORT, 'history_events is append-only');
END;

-- A change of this console the server did not apply: another agent changed the same fields
-- first (conflict), or it was refused for good (rejected, with the reason). Kept whole (op
-- and payload) so the agent sees it and can send it again: nothing typed is dropped silently.
CREATE TABLE conflicts (
  id             TEXT PRIMARY KEY,
  mutation_id    TEXT NOT NULL UNIQUE,
  request_id     TEXT NOT NULL,
  op             TEXT NOT NULL,
  payload        TEXT NOT NULL,
  base_version   INTEGER NOT NULL,
  made_at        INTEGER NOT NULL,
  detected_at    INTEGER NOT NULL,
  server_version INTEGER NOT NULL,
  theirs         TEXT NOT NULL DEFAULT '[]',
  kind           TEXT NOT NULL CHECK (kind IN ('conflict', 'rejected')),
  reason         TEXT,
  resolved_at    INTEGER,
  resolution     TEXT CHECK (resolution IN ('mine', 'theirs', 'merge'))
);
CREATE INDEX conflicts_open ON conflicts(detected_at) WHERE resolved_at IS NULL;
CREATE INDEX outbox_entity ON outbox(entity_id, seq);

-- Requests a first (light) download brought without comments and history: fetched next.
CREATE TABLE sync_backfill (request_id TEXT PRIMARY KEY) WITHOUT ROWID;
`

export const migration: Migration = {
  version: 2,
  name: '0002-sync',
  up(db: Database.Database) {
    db.exec(SCHEMA)
  },
}
export default migration
