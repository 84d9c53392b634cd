/**
 * Attachments of requests (issue 14): one row per photo or document, its bytes in the blob
 * store under their SHA-256 (`sha256`; `thumb_sha256` for an image's thumbnail), so
 * identical files are kept once. `attachment_orphans` lists the blobs whose last row may
 * have gone (a removal, an erasure, retention): the attachments module deletes them after
 * the commit, so a rolled-back transaction never loses a file.
 */
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'
import { types } from './0001-initial'

const migration: Migration<Sql> = {
  version: 11,
  name: '0011-attachments',
  async up(sql) {
    const t = types(sql)
    await sql.exec(/* sql */ `
CREATE TABLE attachments (
  id              TEXT PRIMARY KEY,
  request_id      TEXT NOT NULL,
  name            TEXT NOT NULL,
  mime            TEXT NOT NULL,
  size            ${t.big} NOT NULL,
  width           INTEGER,
  height          INTEGER,
  sha256          TEXT NOT NULL,
  thumb_sha256    TEXT,
  source          TEXT NOT NULL CHECK (source IN ('agent', 'citizen', 'partner')),
  created_at      ${t.big} NOT NULL,
  created_by      TEXT,
  created_by_name TEXT
);
CREATE INDEX attachments_request ON attachments (request_id, created_at);
CREATE INDEX attachments_sha256 ON attachments (sha256);
CREATE INDEX attachments_thumb ON attachments (thumb_sha256);

CREATE TABLE attachment_orphans (
  sha256 TEXT PRIMARY KEY,
  at     ${t.big} NOT NULL
);
`)
  },
}

export default migration
