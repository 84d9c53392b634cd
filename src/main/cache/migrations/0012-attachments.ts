/**
 * Photos and documents of requests in the cache (issue 14; src/shared/attachments.ts).
 *
 * - `attachments`: each request's attachments as the feed last described them (metadata,
 *   never the bytes). They leave with their request (retention, erasure, out of sight) by
 *   cascade, like comments and history.
 * - `attachment_blobs`: the bytes this workstation fetched (thumbnails, files the agent
 *   opened), one row per attachment and kind; they leave with their attachment by cascade.
 *   The cache is encrypted (SQLCipher) and `secure_delete` is on: bytes deleted are zeroed.
 * - `attachment_uploads`: files added on this console, bytes included, until the server has
 *   them (`pending`), or refused by it for good (`refused`, with its message, until the
 *   agent removes them). Like the outbox, not tied to the requests table by a foreign key:
 *   the cache's copy of the server is dropped and pulled again after a server restore or an
 *   idle purge, and an agent's unsent files must survive that. Their request leaving the
 *   cache for good (request_removed, erasure, retention) deletes them explicitly (apply.ts,
 *   scrub.ts, retention.ts).
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

const SCHEMA = /* sql */ `
CREATE TABLE attachments (
  id              TEXT PRIMARY KEY,
  request_id      TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  name            TEXT NOT NULL,
  mime            TEXT NOT NULL,
  size            INTEGER NOT NULL,
  width           INTEGER,
  height          INTEGER,
  thumbnail       INTEGER NOT NULL CHECK (thumbnail IN (0, 1)),
  source          TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  created_by      TEXT,
  created_by_name TEXT
);
CREATE INDEX attachments_request ON attachments(request_id, created_at);

-- A rowid table: blobs of several MiB do not belong in a WITHOUT ROWID B-tree.
CREATE TABLE attachment_blobs (
  attachment_id TEXT NOT NULL REFERENCES attachments(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  kind          TEXT NOT NULL CHECK (kind IN ('thumbnail', 'content')),
  bytes         BLOB NOT NULL,
  fetched_at    INTEGER NOT NULL,
  UNIQUE (attachment_id, kind)
);

CREATE TABLE attachment_uploads (
  id              TEXT PRIMARY KEY,
  request_id      TEXT NOT NULL,
  name            TEXT NOT NULL,
  mime            TEXT NOT NULL,
  size            INTEGER NOT NULL,
  bytes           BLOB NOT NULL,
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  created_by_name TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'refused')),
  error           TEXT,
  attempts        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attachment_uploads_request ON attachment_uploads(request_id);
CREATE INDEX attachment_uploads_pending ON attachment_uploads(created_by, created_at) WHERE state = 'pending';
`

export const migration: Migration = {
  version: 12,
  name: '0012-attachments',
  up(db: Database.Database) {
    db.exec(SCHEMA)
  },
}
export default migration
