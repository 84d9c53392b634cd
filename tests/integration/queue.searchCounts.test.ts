/**
 * The tabs' counts while searching (one walk over the matches since issue 16) say what the
 * list shows: for a word and a scope, each status's count is the number of requests the
 * search lists with that status, the total their number, and the overdue count the number
 * the search lists with the overdue filter on. Expected answers come from paging the list.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Scope } from '../../src/core/authz/scope'
import { seedDemo } from '../../src/main/cache/demoSeed'
import { openStore, type Db } from '../../src/main/cache/db'
import { countQueue, listQueue } from '../../src/main/cache/queries/requests'
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
  dir = mkdtempSync(join(tmpdir(), 'grc-search-counts-'))
  db = openStore(join(dir, 'cache.db'))
  seedDemo(db, { count: 3000, seed: 21, now: NOW, history: false })
})
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

function listed(scope: Scope, filter: QueueFilter): RequestSummary[] {
  const rows: RequestSummary[] = []
  let after: string | null = null
  do {
    const page = listQueue(db, { scope, filter, sort: 'created_desc', after, limit: 500, now: NOW })
    rows.push(...page.rows)
    after = page.nextCursor
  } while (after !== null)
  return rows
}

describe('counts while searching', () => {
  for (const [who, scope] of Object.entries(SCOPES))
    for (const text of ['trottoir', 'nid-de-poule', 'rue saint'])
      it(`match the list for « ${text} », ${who}`, () => {
        const rows = listed(scope, { text })
        expect(rows.length).toBeGreaterThan(5)
        const byStatus: Record<string, number> = {}
        for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1
        const late = listed(scope, { text, overdue: true })
        expect(late.length).toBeGreaterThan(0)
        expect(countQueue(db, { scope, filter: { text }, now: NOW })).toEqual({
          byStatus,
          total: rows.length,
          overdue: late.length,
        })
      })
})
