/**
 * The map's points read through the covering index of located requests (migration 0013,
 * issue 16) are what the requests say, on a real cache: built by the migration on a cache
 * filled before it, then after every kind of write — a console's edit (moved, re-prioritised,
 * a status change), a new request, an erasure, retention's deletions. Expected points come
 * from a plain read of the requests table, not from the map's query.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3-multiple-ciphers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Scope } from '../../src/core/authz/scope'
import { openStore, type Db } from '../../src/main/cache/db'
import { seedDemo } from '../../src/main/cache/demoSeed'
import { registerSearchFunctions } from '../../src/main/cache/fts'
import { migrate, schemaVersion } from '../../src/main/cache/migrate'
import { MIGRATIONS } from '../../src/main/cache/migrations'
import {
  getRequestRow,
  insertRequest,
  updateRequestFields,
  viewportColumns,
} from '../../src/main/cache/queries/requests'
import { scrubRequestLocally } from '../../src/main/cache/scrub'
import { applyShortRetention, closeRequest } from '../support/requestEdits'
import { pointsOfColumns } from '../../src/shared/contract'
import { PRIORITIES } from '../../src/shared/domain'

const NOW = Date.UTC(2026, 2, 16, 10, 0)
/** Wider than the demo's territory: every located request is in it, none sits on an edge. */
const EVERYWHERE = { minLat: 40, maxLat: 52, minLon: -2, maxLon: 10 }
const SCOPES: Record<string, Scope> = {
  agent: { kind: 'teams', teamIds: ['voirie', 'voirie-nord'] },
  supervisor: { kind: 'all' },
}

let dir: string
let db: Db
/** The version the cache had before this file's migration ran on it. */
let builtAt = 0

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-map-index-'))
  const file = join(dir, 'cache.db')
  // A cache of the version before 0013, filled as a console of that version would have.
  const old = new Database(file)
  registerSearchFunctions(old)
  migrate(
    old,
    MIGRATIONS.filter((m) => m.version < 13),
  )
  builtAt = schemaVersion(old)
  seedDemo(old, { count: 1500, seed: 5, now: NOW, history: false })
  old.close()
  db = openStore(file)
})
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The located requests of `scope` as the table holds them, sorted by id. */
function fromTable(scope: Scope) {
  const teams = scope.kind === 'teams' ? scope.teamIds : null
  const rows = db
    .prepare(
      `SELECT id, lat, lon, status, category_id AS categoryId, priority FROM requests
       WHERE lat IS NOT NULL AND lon IS NOT NULL ${teams ? `AND team_id IN (${teams.map(() => '?').join(', ')})` : ''}`,
    )
    .all(...(teams ?? [])) as {
    id: string
    lat: number
    lon: number
    status: string
    categoryId: string
    priority: number
  }[]
  return rows
    .map((r) => ({ ...r, priority: PRIORITIES[r.priority] }))
    .sort((a, b) => a.id.localeCompare(b.id))
}

/** What `map.points` answers for the whole territory, sorted by id. */
function onMap(scope: Scope, bbox = EVERYWHERE) {
  return pointsOfColumns(viewportColumns(db, { scope, bbox, limit: 100_000 })).sort((a, b) =>
    a.id.localeCompare(b.id),
  )
}

function expectMapToFollowTheTable() {
  for (const scope of Object.values(SCOPES)) expect(onMap(scope)).toEqual(fromTable(scope))
}

describe('map points through the covering index', () => {
  it('are built by the migration on a cache filled before it', () => {
    expect(builtAt).toBe(12)
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(13)
    expect(fromTable(SCOPES.supervisor!).length).toBeGreaterThan(500)
    expectMapToFollowTheTable()
  })

  it('follow an edit: a moved request leaves its old place, a new priority and status show', () => {
    const [target] = onMap(SCOPES.agent!)
    const row = getRequestRow(db, target!.id)!
    // Marseille: far from every demo request, so the small box below holds it alone.
    const version = updateRequestFields(
      db,
      row.id,
      { lat: 43.2965, lon: 5.3698, priority: 'urgent' },
      row.version,
    )
    closeRequest(db, row, NOW, 'rejected', version)
    const marseille = { minLat: 43.2, maxLat: 43.4, minLon: 5.3, maxLon: 5.5 }
    expect(onMap(SCOPES.agent!, marseille)).toEqual([
      {
        id: row.id,
        lat: 43.2965,
        lon: 5.3698,
        status: 'rejected',
        categoryId: row.categoryId,
        priority: 'urgent',
      },
    ])
    // Taken off the map when its location is.
    updateRequestFields(db, row.id, { lat: null, lon: null })
    expect(onMap(SCOPES.agent!, marseille)).toEqual([])
    expectMapToFollowTheTable()
  })

  it('show a new request at once', () => {
    const model = getRequestRow(db, onMap(SCOPES.agent!)[0]!.id)!
    const { rowid: _rowid, ...rest } = model
    insertRequest(db, {
      ...rest,
      id: 'map-index-new',
      reference: 'GRC-2026-999001',
      lat: 48.69,
      lon: 6.18,
      createdAt: NOW,
      updatedAt: NOW,
    })
    expect(onMap(SCOPES.agent!).some((p) => p.id === 'map-index-new')).toBe(true)
    expectMapToFollowTheTable()
  })

  it('lose an erased citizen’s requests and retention’s deletions', () => {
    const ctx = { db, now: () => NOW, newId: () => `conflict-${Math.random()}` }
    const erased = onMap(SCOPES.supervisor!)
      .slice(0, 5)
      .map((p) => p.id)
    db.transaction(() => erased.forEach((id) => scrubRequestLocally(ctx, id)))()
    const left = new Set(onMap(SCOPES.supervisor!).map((p) => p.id))
    expect(erased.some((id) => left.has(id))).toBe(false)

    // A synced cache: retention applies. Closed requests past 2 months leave it.
    const before = fromTable(SCOPES.supervisor!).length
    const report = applyShortRetention(db, NOW)
    expect(report.deleted).toBeGreaterThan(0)
    expect(fromTable(SCOPES.supervisor!).length).toBeLessThan(before)
    expectMapToFollowTheTable()
  })
})
