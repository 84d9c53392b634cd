/**
 * Likely duplicates (issue 14): a category may carry its own radius and time window
 * (`Category.duplicates`, JSON `{"radiusM": 80, "windowDays": 14}`), kept with the category;
 * NULL: the defaults (50 m, 30 days). The search itself needs no new index: the map's R*Tree
 * finds the places, the request rows give the times.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

export const migration: Migration = {
  version: 9,
  name: '0009-duplicates',
  up(db: Database.Database) {
    db.exec('ALTER TABLE categories ADD COLUMN duplicates TEXT')
  },
}
export default migration
