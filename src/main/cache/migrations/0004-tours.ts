/**
 * Saved tours (tournées): the stops stay a JSON list of request ids in visiting order,
 * because a tour is read and written whole. Indexed for the two ways it is read: a
 * technician's own tours by day, a team's tours by day.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

export const migration: Migration = {
  version: 4,
  name: '0004-tours',
  up(db: Database.Database) {
    db.exec(`
      CREATE TABLE tours (
        id               TEXT PRIMARY KEY,
        team_id          TEXT NOT NULL,
        technician_id    TEXT,
        day              TEXT NOT NULL,
        name             TEXT NOT NULL,
        depot            TEXT NOT NULL,
        stop_ids         TEXT NOT NULL,
        distance_km      REAL NOT NULL,
        duration_minutes INTEGER NOT NULL,
        created_by       TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        version          INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX tours_technician ON tours(technician_id, day);
      CREATE INDEX tours_team ON tours(team_id, day);
    `)
  },
}
export default migration
