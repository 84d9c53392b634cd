/**
 * Bulk loading (demo seed, benchmark, a first sync into an empty cache): the derived
 * structures of requests — full-text index, R*Tree, per-status counts — are not kept
 * row by row during the load but rebuilt once at the end, which is several times faster
 * than firing their triggers for every row.
 *
 * The triggers are read from the schema, dropped, and re-created exactly as they were,
 * so a later migration that changes them needs no change here; only the rebuild
 * statements below restate what the triggers compute (cache.bulkLoad.test.ts checks they
 * agree, entry for entry).
 */
import type { Db } from './db'
import { foldSql, ftsTagsSql, SEARCH_INDEXES, teamNamesSql, teamWordsSql } from './fts'
import { DUE_COUNTS_REBUILD } from './migrations/0020-due-counts-by-assignee'
import { TEAM_CHANGES_REBUILD } from './migrations/0021-team-changes'
import { TEAM_FTS_READY } from './migrations/0022-team-search'

/** Triggers whose work `bulkLoad` does itself at the end of the load. */
const DERIVED_TRIGGER = /^(requests_(fts|geo|counts)|citizens_fts|dashboard_counts)_/

/** While `load` runs: a checkpoint when the WAL holds this many pages (64 MiB of 4 KiB pages). */
const LOAD_AUTOCHECKPOINT_PAGES = 16384

const hasTable = (db: Db, name: string) =>
  db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(name) !== undefined

/**
 * FTS5's settings while the search indexes are built: no merging as rows pour in (not even
 * the "crisis" merge of 16 segments of a level), and terms kept in memory up to 64 MiB
 * before each segment is written, so few large segments that one optimize merges at the end.
 * At 2M requests the cache's index took 50 s to fill instead of 71 with FTS5's defaults (the
 * names read from NAMES both times). (With the default crisis merge, the larger buffer alone
 * measured no faster at 500k.)
 */
const FTS_BUILD_SETTINGS = { automerge: 0, crisismerge: 200, hashsize: 64 * 2 ** 20 }
/** FTS5's defaults, put back after the rebuild (each index keeps its settings in its own table). */
const FTS_DEFAULT_SETTINGS = { automerge: 4, crisismerge: 16, hashsize: 2 ** 20 }

/**
 * Each request's citizen name by request rowid, for the search indexes' builds, which read
 * requests in rowid order: a TEMP table (in memory: `temp_store = MEMORY`), dropped once they
 * are built. Joined to citizens instead, each build looked every name up at random in the
 * cache file while its own pages filled the page cache: at 2M requests the cache's index took
 * 128 s that way and 71 s with this table (built in 7.7 s).
 */
const NAMES = 'temp.bulk_citizen_names'

/**
 * What the derived triggers would have written for every request, phase by phase. `table`:
 * an entry added after the first cache schemas, skipped on a cache that does not have it yet
 * (the tests of a migration fill a cache as an older console did).
 */
const REBUILD: readonly { phase: BulkLoadPhase; sql: string; table?: string }[] = [
  {
    phase: 'counts',
    // Read in the table's order and sorted: SQLite would rather walk the index of team and
    // status, then look each row up in the table, at random (35 s at 2M requests, 11.6 s so).
    sql: `INSERT INTO request_counts (team_id, status, category_id, priority, assignee_key, n)
   SELECT team_id, status, category_id, priority, ifnull(assignee_id, ''), count(*) FROM requests NOT INDEXED
   GROUP BY 1, 2, 3, 4, 5`,
  },
  { phase: 'counts', sql: DUE_COUNTS_REBUILD, table: 'request_due_counts' },
  { phase: 'counts', sql: TEAM_CHANGES_REBUILD, table: 'team_changes' },
  { phase: 'fts', sql: `CREATE TABLE ${NAMES} (rid INTEGER PRIMARY KEY, name TEXT)` },
  {
    phase: 'fts',
    sql: `INSERT INTO ${NAMES} (rid, name) SELECT r.rowid, c.name FROM requests r JOIN citizens c ON c.id = r.citizen_id`,
  },
  {
    phase: 'fts',
    sql: `INSERT INTO requests_fts (rowid, reference, title, description, address, citizen_name, tags)
   SELECT r.rowid, ${['r.reference', 'r.title', 'r.description', 'r.address', 'n.name'].map(foldSql).join(', ')},
          ${ftsTagsSql('r')}
   FROM requests r LEFT JOIN ${NAMES} n ON n.rid = r.rowid ORDER BY r.rowid`,
  },
  {
    phase: 'fts_optimize',
    // One segment for the searches; merging the few large segments of the rebuild once.
    sql: `INSERT INTO requests_fts (requests_fts) VALUES ('optimize')`,
  },
  // The agents' search index (0022), built the same way, its entries as its triggers write them.
  ...[
    `INSERT INTO requests_team_fts (rowid, team_words, team_names)
     SELECT r.rowid, ${teamWordsSql('r')}, ${teamNamesSql('r', 'n.name')}
     FROM requests r LEFT JOIN ${NAMES} n ON n.rid = r.rowid ORDER BY r.rowid`,
    `INSERT INTO requests_team_fts (requests_team_fts) VALUES ('optimize')`,
    TEAM_FTS_READY,
  ].map((sql) => ({ phase: 'fts_team' as const, sql, table: 'requests_team_fts' })),
  { phase: 'fts_team', sql: `DROP TABLE ${NAMES}` },
  {
    phase: 'geo',
    sql: `INSERT OR IGNORE INTO team_keys (team_id) SELECT DISTINCT team_id FROM requests`,
  },
  {
    phase: 'geo',
    sql: `INSERT INTO requests_geo (id, min_lat, max_lat, min_lon, max_lon, min_team, max_team,
                            request_id, lat, lon, status, category_id, priority)
   SELECT r.rowid, r.lat, r.lat, r.lon, r.lon, k.key, k.key, r.id, r.lat, r.lon, r.status, r.category_id, r.priority
   FROM requests r JOIN team_keys k ON k.team_id = r.team_id
   WHERE r.lat IS NOT NULL AND r.lon IS NOT NULL ORDER BY r.rowid`,
  },
  // The dashboard's counts are built lazily on its first read (0011-dashboard): start over,
  // since a rowid reused after the cache was emptied may sit below where the last build went.
  { phase: 'counts', sql: `DELETE FROM dashboard_counts` },
  { phase: 'counts', sql: `UPDATE dashboard_counts_state SET through = -1` },
]

/**
 * The phases of a bulk load after `load`: `index:<name>` for each secondary index of
 * requests, `before_derived` (the caller's step, BulkLoadOptions), the per-status `counts`,
 * the full-text index (`fts`, then `fts_optimize`), the agents' one (`fts_team`, migration
 * 0022), the map's R*Tree (`geo`), `commit` (the two commits: the indexes' and the derived
 * pages encrypted into the WAL), and `checkpoint` (both copied from the WAL into the cache file).
 */
export type BulkLoadPhase =
  | `index:${string}`
  | 'before_derived'
  | 'counts'
  | 'fts'
  | 'fts_optimize'
  | 'fts_team'
  | 'geo'
  | 'commit'
  | 'checkpoint'

export interface BulkLoadOptions {
  /**
   * Run once the rows are in and indexed, before the derived data is built, with the
   * derived triggers still off (only when `load` returned): what it changes in requests
   * costs no trigger and is in the full-text index, the counts and the R*Tree built after.
   * It runs its own transactions. A throw is passed on once the cache is whole again.
   */
  beforeDerived?: () => void
}

export interface BulkLoadTimings {
  /** Running `load`: writing the rows (and whatever `load` does besides, such as generating them). */
  loadMs: number
  /** Building the secondary indexes of requests, all of them. */
  indexesMs: number
  /** The derived data (counts, FTS, R*Tree), the triggers put back, the commit and the checkpoint. */
  derivedMs: number
  /** Where `indexesMs` and `derivedMs` went, in ms per phase, in the order they ran. */
  phases: Partial<Record<BulkLoadPhase, number>>
}

/**
 * Fill an EMPTY cache: run `load` (which inserts requests and citizens, in its own
 * transactions) with the derived triggers and the secondary indexes of requests off, then
 * build the indexes (one sort each beats row-by-row B-tree inserts), then the derived data
 * with the triggers back, in a second transaction: whatever happens in `load`, the rows it
 * committed stay, indexed, with all their derived data.
 *
 * The rebuild reads each request's citizen name at the end, so citizens and requests may
 * come in any order. Nothing else may write meanwhile: call it synchronously, never across
 * event-loop turns.
 *
 * The journal stays WAL. `journal_mode = OFF` would write each page once instead of three
 * times encrypted (into the WAL, out of it and into the cache at the checkpoint), but
 * SQLite refuses to leave WAL while another connection has the cache open (the main
 * process, when a worker fills it: "database is locked" after the busy timeout), and a
 * crash meanwhile would leave a torn file where the first download resumes from its
 * staged chunks.
 * @throws when requests is not empty (use the normal inserts, whose triggers keep everything in step).
 */
export function bulkLoad<T>(
  db: Db,
  load: () => T,
  options: BulkLoadOptions = {},
): { result: T; timings: BulkLoadTimings } {
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
  const autocheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number
  db.pragma('cache_size = -262144')
  db.pragma('threads = 2')
  // The load's commits copy the WAL into the cache file only every 64 MiB, not every 4 MiB:
  // each of those copies rewrites and syncs the file, which, once per chunk of a first
  // download, cost more than writing the chunk.
  db.pragma(`wal_autocheckpoint = ${LOAD_AUTOCHECKPOINT_PAGES}`)
  const t0 = performance.now()
  const timings: BulkLoadTimings = { loadMs: 0, indexesMs: 0, derivedMs: 0, phases: {} }
  let result: T
  let loaded = false
  let beforeDerivedError: unknown = null
  try {
    result = load()
    loaded = true
  } finally {
    // Whatever happened, leave the cache consistent: indexes, derived data, triggers back.
    const t1 = performance.now()
    let t2: number
    const phases = timings.phases
    const timed = (phase: BulkLoadPhase, fn: () => unknown) => {
      const t = performance.now()
      fn()
      phases[phase] = (phases[phase] ?? 0) + performance.now() - t
    }
    // Every search index the cache has. Inlined: FTS5 takes integers, and a bound JS number is a double.
    const ftsSettings = (settings: Record<string, number>) => {
      for (const index of SEARCH_INDEXES)
        if (hasTable(db, index))
          for (const [name, value] of Object.entries(settings))
            db.exec(`INSERT INTO ${index} (${index}, rank) VALUES ('${name}', ${Math.trunc(value)})`)
    }
    // The commits do not checkpoint by themselves: the checkpoint is timed apart, below.
    db.pragma('wal_autocheckpoint = 0')
    /** `fn` in a transaction, its commit timed as the `commit` phase. */
    const committed = (fn: () => void) => {
      let done = 0
      db.transaction(() => {
        fn()
        done = performance.now()
      })()
      phases.commit = (phases.commit ?? 0) + performance.now() - done
    }
    try {
      // The indexes committed before the derived data is built: their pages are then clean
      // in the page cache, dropped at no cost when the FTS and R*Tree builds need room
      // (dirty, each would first be written to the WAL mid-transaction).
      committed(() => {
        for (const i of indexes) timed(`index:${i.name}`, () => db.exec(i.sql))
      })
      t2 = performance.now()
      if (loaded && options.beforeDerived)
        try {
          timed('before_derived', options.beforeDerived)
        } catch (e) {
          // Thrown once the derived data is built: the cache is left whole whatever happens.
          beforeDerivedError = e
        }
      committed(() => {
        // FTS: no merging while rows pour in; one optimize at the end leaves a single segment.
        ftsSettings(FTS_BUILD_SETTINGS)
        for (const { phase, sql, table } of REBUILD)
          if (!table || hasTable(db, table)) timed(phase, () => db.prepare(sql).run())
        ftsSettings(FTS_DEFAULT_SETTINGS)
        for (const t of triggers) db.exec(t.sql)
      })
    } finally {
      db.pragma(`cache_size = ${Math.trunc(cacheSize)}`)
      db.pragma(`threads = ${Math.trunc(threads)}`)
      db.pragma(`wal_autocheckpoint = ${Math.trunc(autocheckpoint)}`)
    }
    // Right away, as the commit would have, rather than at the next commit of whoever writes
    // next (the main process, when a worker loads). Encrypted, it costs as much as the commit:
    // each page is decrypted out of the WAL and encrypted again into the cache file. PASSIVE:
    // it copies what no reader still needs, without waiting for anyone.
    timed('checkpoint', () => db.pragma('wal_checkpoint(PASSIVE)'))
    // The caller's own step (before_derived) counts in neither.
    const derivedMs = performance.now() - t2 - (phases.before_derived ?? 0)
    Object.assign(timings, { loadMs: t1 - t0, indexesMs: t2 - t1, derivedMs })
  }
  if (beforeDerivedError) throw beforeDerivedError
  return { result, timings }
}
