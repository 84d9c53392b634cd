/**
 * The bulk load (src/main/cache/bulkLoad.ts) fills an empty cache with the derived data of
 * requests — full-text index, map R*Tree, per-status counts — built once at the end
 * instead of by trigger: what it builds must be what the triggers would have built, entry
 * for entry, whatever order citizens and requests come in; and a load that fails half-way
 * leaves the rows it had committed searchable, on the map and counted, with the triggers
 * and indexes back for the writes that follow.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateCitizens, generateRequests } from '../../src/core/demo/generate'
import { bulkLoad } from '../../src/main/cache/bulkLoad'
import { openStore, type Db } from '../../src/main/cache/db'
import { SEARCH_INDEXES } from '../../src/main/cache/fts'
import { seedReferenceData } from '../../src/main/cache/demoSeed'
import { insertCitizen } from '../../src/main/cache/queries/citizens'
import { recentWork } from '../../src/main/cache/queries/dispatch'
import { insertRequest, listQueue } from '../../src/main/cache/queries/requests'
import type { Citizen } from '../../src/shared/domain'

const NOW = Date.UTC(2026, 2, 16, 10, 0)
const COUNT = 1500
let dir: string
let files = 0
const opened: Db[] = []

function freshCache(): Db {
  const db = openStore(join(dir, `cache-${++files}.db`))
  seedReferenceData(db)
  opened.push(db)
  return db
}

const citizens: Citizen[] = generateCitizens(Math.round(COUNT * 0.45), 9)
const rows = [
  ...generateRequests({
    count: COUNT,
    seed: 9,
    now: NOW,
    citizenIds: citizens.map((c) => c.id),
    history: false,
  }),
].map((g) => g.row)

const insertCitizens = (db: Db, list = citizens) =>
  db.transaction(() => list.forEach((c) => insertCitizen(db, c)))()
const insertRequests = (db: Db, list = rows) =>
  db.transaction(() => list.forEach((r) => insertRequest(db, r)))()

/** Everything derived from requests, in a form two caches can be compared by. */
function derived(db: Db) {
  db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, requests_fts, instance)`)
  db.exec(
    `CREATE VIRTUAL TABLE IF NOT EXISTS temp.team_fts_terms USING fts5vocab(main, requests_team_fts, instance)`,
  )
  return {
    counts: db.prepare('SELECT * FROM request_counts ORDER BY 1, 2, 3, 4, 5').all(),
    dueCounts: db.prepare('SELECT * FROM request_due_counts ORDER BY 1, 2, 3, 4, 5').all(),
    // Team keys are numbered in the order teams are first seen: compared by the team they stand for.
    geo: db
      .prepare(
        `SELECT g.id, g.min_lat, g.max_lat, g.min_lon, g.max_lon, k.team_id, g.max_team = g.min_team AS one_team,
                g.request_id, g.lat, g.lon, g.status, g.category_id, g.priority
         FROM requests_geo g JOIN team_keys k ON k.key = g.min_team ORDER BY g.id`,
      )
      .all(),
    // Every token of every column of every request, where the index holds it.
    fts: db
      .prepare('SELECT term, doc, col, offset FROM temp.fts_terms ORDER BY doc, col, offset')
      .raw()
      .all(),
    ftsSizes: db.prepare('SELECT id, hex(sz) FROM requests_fts_docsize ORDER BY id').raw().all(),
    // The same of the agents' index (0022), and whether searches may read it.
    teamFts: db
      .prepare('SELECT term, doc, col, offset FROM temp.team_fts_terms ORDER BY doc, col, offset')
      .raw()
      .all(),
    teamSearchReady: db.prepare('SELECT ready FROM team_search_state').pluck().get(),
  }
}

const schemaOf = (db: Db) =>
  db
    .prepare(`SELECT type, name, sql FROM sqlite_schema WHERE type IN ('trigger', 'index') ORDER BY name`)
    .all()

const search = (db: Db, text: string) =>
  listQueue(db, {
    scope: { kind: 'all' },
    filter: { text },
    sort: 'created_desc',
    after: null,
    limit: 2000,
    now: NOW,
  })
    .rows.map((r) => r.id)
    .sort()

let byTriggers: Db
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-bulk-'))
  byTriggers = freshCache()
  insertCitizens(byTriggers)
  insertRequests(byTriggers)
})
afterAll(() => {
  for (const db of opened) db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('bulk load', () => {
  it('builds the same search index, map index and counts as the triggers, entry for entry', () => {
    const db = freshCache()
    const { timings } = bulkLoad(db, () => {
      insertCitizens(db)
      insertRequests(db)
    })
    const expected = derived(byTriggers)
    expect(expected.fts.length).toBeGreaterThan(COUNT * 10)
    expect(expected.teamFts.length).toBeGreaterThan(COUNT * 10)
    expect(expected.teamSearchReady).toBe(1)
    expect(expected.geo.length).toBeGreaterThan(COUNT / 2)
    expect(expected.dueCounts.length).toBeGreaterThan(10)
    expect(derived(db)).toEqual(expected)
    expect(schemaOf(db)).toEqual(schemaOf(byTriggers))
    // The connection back to checkpointing after its commits, as it was before the load.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
    // Both search indexes merge again as FTS5 does by default (the load had them not merge).
    for (const index of SEARCH_INDEXES)
      expect(
        Object.fromEntries(
          db.prepare(`SELECT k, v FROM ${index}_config WHERE k <> 'version'`).raw().all() as [
            string,
            number,
          ][],
        ),
      ).toEqual({ automerge: 4, crisismerge: 16, hashsize: 1048576 })
    // The names read for the search indexes are not kept beside them.
    expect(db.prepare(`SELECT name FROM temp.sqlite_schema WHERE name LIKE '%names%'`).all()).toEqual([])
    // A citizen's name is found on their requests; a word of a title on its requests.
    const named = rows.find((r) => r.citizenId !== null)!
    const name = citizens.find((c) => c.id === named.citizenId)!.name
    expect(search(db, name)).toContain(named.id)
    expect(search(db, name)).toEqual(search(byTriggers, name))
    // Each phase the bench reports: every index of requests, then the derived data.
    const indexes = db
      .prepare(
        `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'requests' AND sql IS NOT NULL`,
      )
      .pluck()
      .all() as string[]
    expect(Object.keys(timings.phases).sort()).toEqual(
      [
        ...indexes.map((i) => `index:${i}`),
        'counts',
        'fts',
        'fts_optimize',
        'fts_team',
        'geo',
        'commit',
        'checkpoint',
      ].sort(),
    )
  })

  it('gives the same result when the citizens come after their requests', () => {
    const db = freshCache()
    bulkLoad(db, () => {
      insertRequests(db)
      insertCitizens(db)
    })
    expect(derived(db)).toEqual(derived(byTriggers))
  })

  it('keeps what a failed load had committed, derived and searchable, and the triggers work again after', () => {
    const db = freshCache()
    const half = rows.slice(0, COUNT / 2)
    expect(() =>
      bulkLoad(db, () => {
        insertCitizens(db)
        insertRequests(db, half)
        db.transaction(() => {
          insertRequest(db, rows[COUNT / 2]!)
          throw new Error('connexion coupée')
        })()
      }),
    ).toThrow('connexion coupée')
    expect(db.prepare('SELECT count(*) FROM requests').pluck().get()).toBe(half.length)

    const reference = freshCache()
    insertCitizens(reference)
    insertRequests(reference, half)
    expect(derived(db)).toEqual(derived(reference))
    expect(schemaOf(db)).toEqual(schemaOf(byTriggers))

    // The rest, the normal way: the triggers are back and keep the index in step.
    insertRequests(db, rows.slice(COUNT / 2))
    expect(derived(db)).toEqual(derived(byTriggers))
  })

  it('builds the derived data from what the step before it left, and passes on its failure with the cache whole', () => {
    const db = freshCache()
    const renamed = rows[0]!
    const removed = rows[1]!
    const { timings } = bulkLoad(
      db,
      () => {
        insertCitizens(db)
        insertRequests(db)
      },
      {
        beforeDerived: () => {
          db.prepare("UPDATE requests SET title = 'Zygomorphe' WHERE id = ?").run(renamed.id)
          db.prepare('DELETE FROM requests WHERE id = ?').run(removed.id)
        },
      },
    )
    expect(timings.phases.before_derived).toBeGreaterThan(0)
    expect(search(db, 'zygomorphe')).toEqual([renamed.id])
    // Built as if the triggers had seen both changes.
    const reference = freshCache()
    insertCitizens(reference)
    insertRequests(reference)
    reference.prepare("UPDATE requests SET title = 'Zygomorphe' WHERE id = ?").run(renamed.id)
    reference.prepare('DELETE FROM requests WHERE id = ?').run(removed.id)
    expect(derived(db)).toEqual(derived(reference))

    const failing = freshCache()
    expect(() =>
      bulkLoad(failing, () => insertRequests(failing), {
        beforeDerived: () => {
          throw new Error('rétention impossible')
        },
      }),
    ).toThrow('rétention impossible')
    expect(derived(failing).counts).toEqual(derived(byTriggers).counts)
    expect(schemaOf(failing)).toEqual(schemaOf(byTriggers))
  })

  it('refuses a cache that already holds requests, and leaves it as it was', () => {
    const db = freshCache()
    insertRequests(db, rows.slice(0, 10))
    const before = derived(db)
    expect(() => bulkLoad(db, () => insertRequests(db, rows.slice(10, 20)))).toThrow(/empty cache/)
    expect(db.prepare('SELECT count(*) FROM requests').pluck().get()).toBe(10)
    expect(derived(db)).toEqual(before)
    expect(schemaOf(db)).toEqual(schemaOf(byTriggers))
  })

  it('leaves no team’s recent work kept from before the load (the dispatch board reads it again)', () => {
    const db = freshCache()
    const teams = [...new Set(rows.map((r) => r.teamId))]
    const since = NOW - 90 * 86_400_000
    expect(recentWork(db, teams, since)).toEqual([])
    bulkLoad(db, () => insertRequests(db))
    const loaded = recentWork(db, teams, since)
    expect(loaded.length).toBeGreaterThan(0)
    expect(loaded).toEqual(recentWork(byTriggers, teams, since))
  })
})
