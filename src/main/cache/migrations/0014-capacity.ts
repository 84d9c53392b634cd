/**
 * People's capacity for the dispatch board (issue 15): weekly hours and absences as the
 * central server sends them with the reference data (`ReferenceBundle.capacity`). Replaced
 * whole with each bundle that carries it; a person without a row has the default week.
 * Absences are JSON (a few date ranges with a reason category, never free text).
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

export const migration: Migration = {
  version: 14,
  name: '0014-capacity',
  up(db: Database.Database) {
    db.exec(`CREATE TABLE agent_capacity (
      agent_id     TEXT PRIMARY KEY,
      weekly_hours REAL NOT NULL CHECK (weekly_hours >= 0),
      absences     TEXT NOT NULL DEFAULT '[]'
    ) WITHOUT ROWID`)
  },
}
export default migration
