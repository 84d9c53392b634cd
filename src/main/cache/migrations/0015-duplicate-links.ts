/**
 * Duplicate links on the map (issue 14): the requests linked as duplicates carry their
 * master's reference in `fields.duplicateOf` (src/core/requests/duplicates.ts), kept in the
 * `fields` JSON like every transition field. A partial expression index over it holds only
 * the few linked requests, so the map's query (queries/mapDuplicates.ts) reads them without
 * scanning the 500k rows. It also carries what that query reads of a duplicate (team,
 * place, id, reference): the duplicates' rows are never read, only their masters' (a third
 * less time at 500k requests with 14k links, for a few hundred kilobytes).
 *
 * SQLite uses an expression index only for the same expression, so the query writes
 * DUPLICATE_OF_SQL, the text below, character for character (the server's store indexes
 * the same expression, src/server/store/migrations/0010-duplicate-links.ts).
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

/** The master's reference of a linked request, as the index and the map's query both write it. */
export const DUPLICATE_OF_SQL = `json_extract(fields, '$.duplicateOf')`

export const migration: Migration = {
  version: 15,
  name: '0015-duplicate-links',
  up(db: Database.Database) {
    db.exec(
      `CREATE INDEX IF NOT EXISTS requests_duplicate_of
         ON requests (${DUPLICATE_OF_SQL}, team_id, lat, lon, id, reference)
         WHERE ${DUPLICATE_OF_SQL} IS NOT NULL`,
    )
  },
}
export default migration
