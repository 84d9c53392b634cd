/**
 * The changes the server applied, kept after they left the outbox for a while: when the
 * server is restored from a backup it forgets what it applied after that backup, and the
 * console sends those again (the server applies each mutation id once: what it still has
 * is answered as before). Bounded by age and count; only what the agent did, as sent.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

const SCHEMA = /* sql */ `
CREATE TABLE sent_mutations (
  mutation_id  TEXT PRIMARY KEY,
  entity       TEXT NOT NULL,
  entity_id    TEXT NOT NULL,
  op           TEXT NOT NULL,
  base_version INTEGER,
  payload      TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  applied_at   INTEGER NOT NULL,
  -- The outbox order it was sent in: sent again in the same order.
  seq          INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sent_mutations_applied ON sent_mutations(applied_at);
`

export const migration: Migration = {
  version: 5,
  name: '0005-sent-mutations',
  up(db: Database.Database) {
    db.exec(SCHEMA)
  },
}
export default migration
