/**
 * The hot queries read the indexes they were designed around, never a full scan of
 * requests: checked on the plans SQLite chooses for the SQL the store actually runs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { QueueFilter, QueueSort } from '../../src/shared/contract'
import { seedDemo, XSS_REQUEST_ID } from '../../src/main/cache/demoSeed'
import { openStore, type Db } from '../../src/main/cache/db'
import { listComments } from '../../src/main/cache/queries/comments'
import { listHistory } from '../../src/main/cache/queries/history'
import {
  countQueue,
  getRequestRow,
  listInViewport,
  listQueue,
  nextReference,
} from '../../src/main/cache/queries/requests'
import type { Scope } from '../../src/core/authz/scope'

const NOW = Date.UTC(2026, 2, 16, 10, 0)
const AGENT: Scope = { kind: 'teams', teamIds: ['voirie', 'voirie-nord'] }
const SUPERVISOR: Scope = { kind: 'all' }
let dir: string
let db: Db
/** Every statement the store ran since `record()`, with its parameters. */
let runs: { sql: string; params: unknown[] }[] = []

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-plan-'))
  db = openStore(join(dir, 'cache.db'))
  seedDemo(db, { count: 3000, seed: 5, now: NOW })
  // Watch the statements the store prepares from now on (its statement cache is per connection).
  const prepare = db.prepare.bind(db)
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql)
    const watched = stmt as unknown as Record<string, (...params: unknown[]) => unknown>
    for (const method of ['all', 'get', 'run', 'iterate'] as const) {
      const original = watched[method]!.bind(stmt)
      watched[method] = (...params: unknown[]) => {
        runs.push({ sql, params })
        return original(...params)
      }
    }
    return stmt
  }) as Db['prepare']
})
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The query plans (one text per statement) of what `fn` ran. */
function plansOf(fn: () => unknown): string[] {
  runs = []
  fn()
  return runs.map(({ sql, params }) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(params as [])) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n'),
  )
}

/** A scan of requests, of its table or of a whole index: the hot paths only SEARCH it. */
const FULL_SCAN = /\bSCAN (requests|r)\b/

describe('query plans', () => {
  it('(the scan detector recognises a scan)', () => {
    const plan = plansOf(() => db.prepare('SELECT id FROM requests WHERE title = ?').all('x')).join('\n')
    expect(plan).toMatch(FULL_SCAN)
  })

  const queue = (scope: Scope, sort: QueueSort, filter: QueueFilter = {}) =>
    plansOf(() => listQueue(db, { scope, filter, sort, after: null, limit: 100, now: NOW })).join('\n')

  it('a queue page reads one index range per team, for each sort', () => {
    const index: Record<QueueSort, string> = {
      created_desc: 'requests_team ',
      created_asc: 'requests_team ',
      due_asc: 'requests_team_due',
      priority_desc: 'requests_team_priority',
      updated_desc: 'requests_team_updated',
    }
    for (const scope of [AGENT, SUPERVISOR])
      for (const [sort, name] of Object.entries(index) as [QueueSort, string][]) {
        const plan = queue(scope, sort)
        expect(plan, sort).toMatch(
          new RegExp(`SEARCH requests USING (COVERING )?INDEX ${name}\\(?.*team_id=\\?`),
        )
        expect(plan, sort).not.toMatch(FULL_SCAN)
      }
  })

  it('a status tab reads the (team, status) index', () => {
    const plan = queue(AGENT, 'created_desc', { status: ['new', 'qualified'] })
    expect(plan).toMatch(
      /SEARCH requests USING COVERING INDEX requests_team_status \(team_id=\? AND status=\?\)/,
    )
    expect(plan).not.toMatch(FULL_SCAN)
  })

  it('the overdue list collects from the partial index of open requests past due', () => {
    for (const scope of [AGENT, SUPERVISOR]) {
      const plan = queue(scope, 'created_desc', { overdue: true, categoryId: ['voirie'] })
      expect(plan).toMatch(
        /SEARCH requests USING COVERING INDEX requests_open_due \(team_id=\? AND due_at<\?\)/,
      )
      expect(plan).not.toMatch(FULL_SCAN)
    }
  })

  it('a search in creation order walks the full-text index in rowid order, without sorting', () => {
    for (const scope of [AGENT, SUPERVISOR]) {
      const plan = queue(scope, 'created_desc', { text: 'trottoir' })
      expect(plan).toMatch(/SCAN f VIRTUAL TABLE INDEX \d+:M/)
      expect(plan).toMatch(/SEARCH r USING INTEGER PRIMARY KEY \(rowid=\?\)/)
      expect(plan).not.toMatch(/TEMP B-TREE/)
    }
    // The next page starts in the index at the cursor: the rowid bound is handed to FTS5 ("<").
    const first = listQueue(db, {
      scope: SUPERVISOR,
      filter: { text: 'rue' },
      sort: 'created_desc',
      after: null,
      limit: 20,
      now: NOW,
    })
    const next = plansOf(() =>
      listQueue(db, {
        scope: SUPERVISOR,
        filter: { text: 'rue' },
        sort: 'created_desc',
        after: first.nextCursor,
        limit: 20,
        now: NOW,
      }),
    ).join('\n')
    expect(next).toMatch(/SCAN f VIRTUAL TABLE INDEX \d+:M\d+</)
  })

  it('counts read the maintained counts, and overdue the covering partial index', () => {
    for (const scope of [AGENT, SUPERVISOR]) {
      const plans = plansOf(() =>
        countQueue(db, { scope, filter: { categoryId: ['voirie'] }, now: NOW }),
      ).join('\n')
      expect(plans).toMatch(/SEARCH request_counts USING PRIMARY KEY \(team_id=\?\)/)
      expect(plans).toMatch(/SEARCH r USING COVERING INDEX requests_open_due \(team_id=\? AND due_at<\?\)/)
      expect(plans).not.toMatch(FULL_SCAN)
    }
  })

  it('the map reads the covering index of map points only, one range per team and band', () => {
    for (const scope of [AGENT, SUPERVISOR]) {
      const plans = plansOf(() =>
        listInViewport(db, {
          scope,
          bbox: { minLat: 48.6, maxLat: 48.8, minLon: 6.1, maxLon: 6.3 },
          limit: 500,
        }),
      ).join('\n')
      // Per team and band (or SQLite's skip-scan over them, by the statistics): lon ranges only.
      expect(plans).toMatch(
        /SEARCH r USING COVERING INDEX requests_map_points \((team_id=\?|ANY\(team_id\)) AND (<expr>=\?|ANY\(<expr>\)) AND lon>\? AND lon<\?\)/,
      )
      expect(plans).not.toMatch(FULL_SCAN)
      expect(plans).not.toMatch(/requests_geo/)
    }
  })

  it('one request, its history and comments, and the next reference are index lookups', () => {
    expect(plansOf(() => getRequestRow(db, XSS_REQUEST_ID)).join()).toMatch(
      /SEARCH requests USING INDEX sqlite_autoindex_requests_\d \(id=\?\)/,
    )
    const history = plansOf(() => listHistory(db, XSS_REQUEST_ID)).join()
    expect(history).toMatch(/SEARCH h USING INDEX history_events_request \(request_id=\?\)/)
    // Whether each event still waits or was refused: one index lookup each, never a scan.
    expect(history).toMatch(/SEARCH o USING (COVERING )?INDEX sqlite_autoindex_outbox_\d \(mutation_id=\?\)/)
    expect(history).toMatch(/SEARCH c USING INDEX sqlite_autoindex_conflicts_\d \(mutation_id=\?\)/)
    expect(history).not.toMatch(/\bSCAN\b/)
    expect(plansOf(() => listComments(db, XSS_REQUEST_ID)).join()).toMatch(
      /SEARCH comments USING INDEX comments_request \(request_id=\?\)/,
    )
    expect(plansOf(() => nextReference(db, NOW)).join()).toMatch(
      /SEARCH requests USING COVERING INDEX sqlite_autoindex_requests_\d \(reference>\? AND reference<\?\)/,
    )
  })
})
