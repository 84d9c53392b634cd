/**
 * Offline login: after a directory login, a salted scrypt verifier of the password and the
 * roles/teams the directory gave, until an expiry. Never the password itself.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

export const migration: Migration = {
  version: 3,
  name: '0003-offline-login',
  up(db: Database.Database) {
    db.exec(`
      CREATE TABLE offline_verifiers (
        login      TEXT PRIMARY KEY COLLATE NOCASE,
        verifier   TEXT NOT NULL,
        identity   TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `)
  },
}
export default migration
