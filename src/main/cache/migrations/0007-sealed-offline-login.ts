/**
 * Offline login sealed (auth/offlineVerifier.ts): a MAC over each identity snapshot. The
 * verifiers of before (scrypt N = 2^14, snapshot unprotected) are dropped: each agent's next
 * online login makes a new one; until then that agent has no offline session.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

export const migration: Migration = {
  version: 7,
  name: '0007-sealed-offline-login',
  up(db: Database.Database) {
    db.exec(`
      DELETE FROM offline_verifiers;
      ALTER TABLE offline_verifiers ADD COLUMN mac TEXT;
    `)
  },
}
export default migration
