/**
 * Bulk loading (demo seed, benchmark, a first sync into an empty cache): the derived
 * structures of requests — full-text index, R*Tree, per-status counts — are not kept
 * row by row during the load but rebuilt once at the end, which is several times faster
 * than firing their triggers for every row.
 *
 * The triggers are read from the schema, dropped, and re-created exactly as they were,
 * so a later migration that changes them needs no change here; only the rebuild
 * statements below restate what the triggers compute (demo.seed.test.ts checks they agree).
 */
import type { Db } from './db'
import { foldSql, ftsTagsSql } from './fts'

/** Triggers whose work `bulkLoad` does itself at the end of the load. */
const DERIVED_TRIGGER = /^(requests_(fts|geo|counts)|citizens_fts|dashboard_counts)_/

/** What the derived triggers would have written for every request. */
const REBUILD = [
  `INSERT INTO request_counts (team_id, status, category_id, priority, assignee_key, n)
   SELECT team_id, status, category_id, priority, ifnull(assignee_id, ''), count(*) FROM requests
   GROUP BY 1, 2, 3, 4, 5`,
  `INSERT INTO requests_fts (rowid, reference, title, description, address, citizen_name, tags)
   SELECT r.rowid, ${['r.reference', 'r.title', 'r.description', 'r.address', 'c.name'].map(foldSql).join(', ')},
          ${ftsTagsSql('r')}
   FROM requests r LEFT JOIN citizens c ON c.id = r.citizen_id ORDER BY r.rowid`,
  `INSERT OR IGNORE INTO team_keys (team_id) SELECT DISTINCT team_id FROM requests`,
  `INSERT INTO requests_geo (id, min_lat, max_lat, min_lon, max_lon, min_team, max_team,
                            request_id, lat, lon, status, category_id, priority)
   SELECT r.rowid, r.lat, r.lat, r.lon, r.lon, k.key, k.key, r.id, r.lat, r.lon, r.status, r.category_id, r.priority
   FROM requests r JOIN team_keys k ON k.team_id = r.team_id
   WHERE r.lat IS NOT NULL AND r.lon IS NOT NULL ORDER BY r.rowid`,
  // The dashboard's counts are built lazily on its first read (0011-dashboard): start over,
  // since a rowid reused after the cache was emptied may sit below where the last build went.
  `DELETE FROM dashboard_counts`,
  `UPDATE dashboard_counts_state SET through = -1`,
]

export interface BulkLoadTimings {
  loadMs: number
  indexesMs: number
  derivedMs: number
}

/**
 * Fill an EMPTY cache: run `load` (which inserts requests and citizens, in its own
 * transactions) with the derived triggers and the secondary indexes of requests off, then
 * build the indexes (one sort each beats row-by-row B-tree inserts) and the derived data.
 *
 * The rebuild reads each request's citizen name at the end, so citizens and requests may
 * come in any order. Nothing else may write meanwhile: call it synchronously, never across
 * event-loop turns.
 * @throws when requests is not empty (use the normal inserts, whose triggers keep everything in step).
 */
export function bulkLoad<T>(db: Db, load: () => T): { result: T; timings: BulkLoadTimings } {
  if (db.inTransaction) throw new Error('bulkLoad must be called outside a transaction')
  if (db.prepare('SELECT EXISTS (SELECT 1 FROM requests) AS busy').pluck().get() === 1)
    throw new Error('bulkLoad fills an empty cache; this one already has requests')
  const triggers = (
    db
      .prepare(
        `SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name IN ('requests', 'citizens')`,
      )
      .all() as {
      name: string
      sql: string
    }[]
  ).filter((t) => DERIVED_TRIGGER.test(t.name))
  const indexes = db
    .prepare(
      `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'requests' AND sql IS NOT NULL`,
    )
    .all() as { name: string; sql: string }[]

  db.transaction(() => {
    for (const t of triggers) db.exec(`DROP TRIGGER "${t.name.replace(/"/g, '""')}"`)
    for (const i of indexes) db.exec(`DROP INDEX "${i.name.replace(/"/g, '""')}"`)
  })()

  // A bigger page cache and a sorter thread while building: index and FTS builds are
  // sorts and merges over the whole table.
  const cacheSize = db.pragma('cache_size', { simple: true }) as number
  const threads = db.pragma('threads', { simple: true }) as number
  db.pragma('cache_size = -262144')
  db.pragma('threads = 2')
  const t0 = performance.now()
  const timings: BulkLoadTimings = { loadMs: 0, indexesMs: 0, derivedMs: 0 }
  let result: T
  try {
    result = load()
  } finally {
    // Whatever happened, leave the cache consistent: indexes, derived data, triggers back.
    const t1 = performance.now()
    db.transaction(() => {
      for (const i of indexes) db.exec(i.sql)
    })()
    const t2 = performance.now()
    db.transaction(() => {
      // FTS: no merging while rows pour in; one optimize at the end leaves a single segment.
      db.prepare(`INSERT INTO requests_fts (requests_fts, rank) VALUES ('automerge', 0)`).run()
      for (const sql of REBUILD) db.prepare(sql).run()
      db.prepare(`INSERT INTO requests_fts (requests_fts) VALUES ('optimize')`).run()
      db.prepare(`INSERT INTO requests_fts (requests_fts, rank) VALUES ('automerge', 4)`).run()
      for (const t of triggers) db.exec(t.sql)
    })()
    db.pragma(`cache_size = ${Math.trunc(cacheSize)}`)
    db.pragma(`threads = ${Math.trunc(threads)}`)
    Object.assign(timings, { loadMs: t1 - t0, indexesMs: t2 - t1, derivedMs: performance.now() - t2 })
  }
  return { result, timings }
}
