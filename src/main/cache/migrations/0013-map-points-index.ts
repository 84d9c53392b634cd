/**
 * The map's points read in order instead of looked up one by one (issue 16): a covering
 * index of the located requests, by team, then by latitude band (a hundredth of a degree,
 * ≈ 1.1 km), then by longitude, holding what the map draws and what its filters test. A
 * viewport is, per team and band, one contiguous range of this index between its west and
 * east edges (queries/requests.ts, `viewportQuery`), read without a seek per point.
 *
 * Why: the R*Tree finds a city centre's 5 000 ids in ≈ 1.5 ms, but then each point costs a
 * lookup — in the tree's `%_rowid` table for its auxiliary columns, or in a rowid-keyed
 * index (tried: about as slow, a B-tree descent per point). Measured at 500k requests on the
 * shared machine: 5 000 points of Nancy's centre in 4.5 ms p50 with this index, 9.5 ms with
 * a rowid-keyed covering index, ≈ 30 ms through the R*Tree's auxiliary columns.
 *
 * An index, not a table kept by triggers: SQLite keeps it in step with every write to
 * requests (the console's edits, the sync, erasure, retention), and the bulk load drops and
 * rebuilds it with the other indexes of requests (bulkLoad.ts reads them from the schema).
 * Built here once for an existing cache: a few seconds at 500k requests.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

/** The index's name: queries/requests.ts names it in `INDEXED BY`, so a plan never drifts to the table. */
export const MAP_POINTS_INDEX = 'requests_map_points'

/** Latitude bands per degree. Queries must spell the band exactly as the index does: `mapBandSql`. */
export const MAP_BANDS_PER_DEGREE = 100

/** The band of a latitude, as SQL over a requests alias: the index's second column. */
export const mapBandSql = (row: string) => `CAST(${row}lat * ${MAP_BANDS_PER_DEGREE} AS INTEGER)`

export const migration: Migration = {
  version: 13,
  name: '0013-map-points-index',
  up(db: Database.Database) {
    db.exec(`CREATE INDEX ${MAP_POINTS_INDEX}
      ON requests(team_id, ${mapBandSql('')}, lon, lat, id, status, category_id, priority,
                  assignee_id, status_kind, due_at)
      WHERE lat IS NOT NULL AND lon IS NOT NULL`)
  },
}
export default migration
