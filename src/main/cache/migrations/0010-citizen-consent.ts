/**
 * When a citizen recorded at intake agreed to be contacted the way they chose (RGPD art. 7-1:
 * the controller shows the consent), as the server keeps it (`citizens.consent_at`, epoch ms).
 * Filled only where the cache holds the citizen's whole record (a local profile); a synced
 * cache holds names only, and the server keeps the consent. A table of its own, gone with
 * its citizen (erasure, retention, a role that may not read citizens).
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

export const migration: Migration = {
  version: 10,
  name: '0010-citizen-consent',
  up(db: Database.Database) {
    db.exec(`CREATE TABLE citizen_consents (
      citizen_id TEXT PRIMARY KEY REFERENCES citizens(id) ON DELETE CASCADE,
      consent_at INTEGER NOT NULL
    )`)
  },
}
export default migration
