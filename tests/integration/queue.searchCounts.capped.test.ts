/**
 * Counts while searching read at most a cap of matches, the most recent (issue 16). On a
 * real cache: under the cap they are exact, what the list shows (also after an edit, an
 * erasure and retention); over it they say `capped` and are those of the cap most recent
 * matches the list shows first — the total the cap, each status and the overdue count what
 * those rows hold. Expected answers come from paging the list, not from the count's query.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Scope } from '../../src/core/authz/scope'
import { openStore, type Db } from '../../src/main/cache/db'
import { seedDemo } from '../../src/main/cache/demoSeed'
import { countQueue, getRequestRow, listQueue, SEARCH_COUNT_CAP } from '../../src/main/cache/queries/requests'
import { scrubRequestLocally } from '../../src/main/cache/scrub'
import { applyShortRetention, closeRequest } from '../support/requestEdits'
import type { QueueFilter } from '../../src/shared/contract'
import type { RequestSummary } from '../../src/shared/domain'

const NOW = Date.UTC(2026, 2, 16, 10, 0)
const SCOPES: Record<string, Scope> = {
  agent: { kind: 'teams', teamIds: ['voirie', 'voirie-nord'] },
  supervisor: { kind: 'all' },
}

let dir: string
let db: Db
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-capped-counts-'))
  db = openStore(join(dir, 'cache.db'))
  seedDemo(db, { count: 3000, seed: 33, now: NOW, history: false })
})
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Every row the search lists, newest first: one page as long as the cache (no paging here). */
const listed = (scope: Scope, filter: QueueFilter): RequestSummary[] =>
  listQueue(db, { scope, filter, sort: 'created_desc', after: null, limit: 1_000_000, now: NOW }).rows

/** The counts `rows` hold, `late` being the ids the overdue filter lists. */
function countsOf(rows: readonly RequestSummary[], late: ReadonlySet<string>) {
  const byStatus: Record<string, number> = {}
  for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1
  return { byStatus, total: rows.length, overdue: rows.filter((r) => late.has(r.id)).length }
}

const overdueIds = (scope: Scope, text: string) =>
  new Set(listed(scope, { text, overdue: true }).map((r) => r.id))

describe('counts of a search over the cap', () => {
  for (const [who, scope] of Object.entries(SCOPES))
    it(`are those of the most recent matches, and say so, ${who}`, () => {
      const text = 'trottoir'
      const rows = listed(scope, { text })
      const late = overdueIds(scope, text)
      expect(rows.length).toBeGreaterThan(100)
      expect(late.size).toBeGreaterThan(0)
      const cap = Math.floor(rows.length / 3)
      expect(countQueue(db, { scope, filter: { text }, now: NOW, cap })).toEqual({
        ...countsOf(rows.slice(0, cap), late),
        capped: true,
      })
      // One match more than the cap still says so; exactly the cap's worth is exact.
      expect(countQueue(db, { scope, filter: { text }, now: NOW, cap: rows.length - 1 }).capped).toBe(true)
      expect(countQueue(db, { scope, filter: { text }, now: NOW, cap: rows.length })).toEqual(
        countsOf(rows, late),
      )
      // No cap (an export's total): every match, exactly.
      expect(countQueue(db, { scope, filter: { text }, now: NOW, cap: Infinity })).toEqual(
        countsOf(rows, late),
      )
    })

  it('counts the overdue filter the same way', () => {
    const scope = SCOPES.supervisor!
    const filter = { text: 'trottoir', overdue: true }
    const rows = listed(scope, filter)
    expect(rows.length).toBeGreaterThan(10)
    const cap = Math.floor(rows.length / 2)
    expect(countQueue(db, { scope, filter, now: NOW, cap })).toEqual({
      ...countsOf(rows.slice(0, cap), new Set(rows.map((r) => r.id))),
      capped: true,
    })
  })

  it('is ten thousand by default, which a 3000-request cache never reaches', () => {
    expect(SEARCH_COUNT_CAP).toBe(10_000)
    const counts = countQueue(db, { scope: SCOPES.supervisor!, filter: { text: 'rue' }, now: NOW })
    expect(counts.capped).toBeUndefined()
    expect(counts.total).toBe(listed(SCOPES.supervisor!, { text: 'rue' }).length)
  })
})

describe('counts of a search under the cap', () => {
  const expectExact = (text: string) => {
    for (const scope of Object.values(SCOPES))
      expect(countQueue(db, { scope, filter: { text }, now: NOW })).toEqual(
        countsOf(listed(scope, { text }), overdueIds(scope, text)),
      )
  }

  it('follow an edit, an erasure and retention', () => {
    const text = 'nid-de-poule'
    expectExact(text)
    const [first, second] = listed(SCOPES.agent!, { text })
    // A status change: the request moves from one tab to another.
    const row = getRequestRow(db, first!.id)!
    closeRequest(db, row, NOW)
    expectExact(text)
    // An erased citizen's request leaves the cache, and its counts.
    const before = countQueue(db, { scope: SCOPES.agent!, filter: { text }, now: NOW }).total
    db.transaction(() => scrubRequestLocally({ db, now: () => NOW, newId: () => 'conflict-1' }, second!.id))()
    expect(countQueue(db, { scope: SCOPES.agent!, filter: { text }, now: NOW }).total).toBe(before - 1)
    expectExact(text)
    // Retention on a synced cache: closed requests past two months leave it.
    const report = applyShortRetention(db, NOW)
    expect(report.deleted).toBeGreaterThan(0)
    expectExact(text)
  })
})
