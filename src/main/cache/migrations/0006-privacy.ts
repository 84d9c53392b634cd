/**
 * The citizen's data lifecycle (RGPD, issue 12) on the console.
 *
 * - Contact details are no longer synced in bulk: a synced cache keeps citizens' names only
 *   (for queue search, roles that may read them), and the details an agent asked for, one
 *   request at a time, in `citizen_contacts` (dropped once no longer needed, see
 *   queries/contacts.ts).
 * - The access log gets an id the server knows it by (an offline read is uploaded once,
 *   idempotently), its purpose and the workstation; a row leaves the workstation only once
 *   the server has it (`uploaded_at`), never before.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

const SCHEMA = /* sql */ `
CREATE TABLE citizen_contacts (
  request_id         TEXT PRIMARY KEY REFERENCES requests(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  citizen_id         TEXT NOT NULL,
  email              TEXT,
  phone              TEXT,
  postal_address     TEXT,
  contact_preference TEXT NOT NULL,
  purpose            TEXT NOT NULL,
  agent_id           TEXT NOT NULL,
  fetched_at         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX citizen_contacts_citizen ON citizen_contacts(citizen_id);

ALTER TABLE access_log ADD COLUMN entry_id TEXT;
ALTER TABLE access_log ADD COLUMN purpose TEXT;
ALTER TABLE access_log ADD COLUMN client_id TEXT;
ALTER TABLE access_log ADD COLUMN uploaded_at INTEGER;
ALTER TABLE access_log ADD COLUMN upload_attempts INTEGER NOT NULL DEFAULT 0;
-- Reads logged before: uploaded once (as 'contact_read_local') by a synced profile.
UPDATE access_log SET entry_id = lower(hex(randomblob(16))) WHERE entry_id IS NULL;
CREATE UNIQUE INDEX access_log_entry ON access_log(entry_id);
CREATE INDEX access_log_upload ON access_log(upload_attempts, id) WHERE uploaded_at IS NULL;
CREATE TRIGGER access_log_until_uploaded BEFORE DELETE ON access_log WHEN old.uploaded_at IS NULL
BEGIN
  SELECT RAISE(ABORT, 'access_log: not uploaded yet');
END;

-- Synced profiles: no bulk contact details any more (names stay for queue search); the
-- freed space is scrubbed after the next sync round (cache/scrub.ts).
UPDATE citizens SET email = NULL, phone = NULL, postal_address = NULL, contact_preference = 'none'
 WHERE EXISTS (SELECT 1 FROM sync_state WHERE key = 'cursor');
INSERT OR REPLACE INTO sync_state (key, value)
SELECT 'scrub_needed', '1' WHERE EXISTS (SELECT 1 FROM sync_state WHERE key = 'cursor');
`

export const migration: Migration = {
  version: 6,
  name: '0006-privacy',
  up(db: Database.Database) {
    db.exec(SCHEMA)
  },
}
export default migration
