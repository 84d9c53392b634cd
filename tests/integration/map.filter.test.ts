/**
 * The map shows the requests of the queue's filter: for a filter and a scope, the points
 * in a box (or a drawn polygon) are exactly the requests the queue lists for that filter
 * and scope, those located inside; never a request of a team outside the scope.
 * Expected answers come from paging the queue itself and the requests' own lat/lon.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { QueueFilter } from '../../src/shared/contract'
import { pointInPolygon } from '../../src/shared/geo'
import { seedDemo } from '../../src/main/cache/demoSeed'
import { openStore, type Db } from '../../src/main/cache/db'
import { listInPolygon, listInViewport, listQueue, type Bbox } from '../../src/main/cache/queries/requests'
import type { Scope } from '../../src/core/authz/scope'
import { NANCY_C_WITH_HOLE } from '../support/polygons'

const NOW = Date.UTC(2026, 2, 16, 10, 0)
const AGENT: Scope = { kind: 'teams', teamIds: ['voirie', 'voirie-nord'] }
const SUPERVISOR: Scope = { kind: 'all' }
const EVERYTHING = 1_000_000

/** Most of the territory but not all of it, so the box does exclude requests. */
const BOX: Bbox = { minLat: 48.64, maxLat: 48.7087, minLon: 6.12, maxLon: 6.24 }
const TERRITORY: Bbox = { minLat: 48.5, maxLat: 48.9, minLon: 5.9, maxLon: 6.5 }

const POLYGON = NANCY_C_WITH_HOLE

interface Located {
  id: string
  lat: number | null
  lon: number | null
  team_id: string
  assignee_id: string | null
  status: string
  category_id: string
}

let dir: string
let db: Db
let located: Map<string, Located>
/** Every SQL text the store prepared (its statement caches are per connection). */
const prepared: string[] = []

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-map-filter-'))
  db = openStore(join(dir, 'cache.db'))
  seedDemo(db, { count: 5000, seed: 13, now: NOW, history: false })
  located = new Map(
    (
      db
        .prepare('SELECT id, lat, lon, team_id, assignee_id, status, category_id FROM requests')
        .all() as Located[]
    ).map((r) => [r.id, r]),
  )
  const prepare = db.prepare.bind(db)
  db.prepare = ((sql: string) => {
    prepared.push(sql)
    return prepare(sql)
  }) as Db['prepare']
})
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Every id the queue lists for the filter, all pages. */
function queueIds(scope: Scope, filter: QueueFilter): string[] {
  const ids: string[] = []
  let after: string | null = null
  do {
    const page = listQueue(db, { scope, filter, sort: 'created_desc', after, limit: 250, now: NOW })
    ids.push(...page.rows.map((r) => r.id))
    after = page.nextCursor
  } while (after !== null)
  return ids
}

const inBox = (b: Bbox) => (r: Located) =>
  r.lat !== null &&
  r.lon !== null &&
  r.lat >= b.minLat &&
  r.lat <= b.maxLat &&
  r.lon >= b.minLon &&
  r.lon <= b.maxLon

const inPolygon = (r: Located) =>
  r.lat !== null && r.lon !== null && pointInPolygon({ lat: r.lat, lon: r.lon }, POLYGON)

function expectedIds(scope: Scope, filter: QueueFilter, where: (r: Located) => boolean): string[] {
  return queueIds(scope, filter)
    .filter((id) => where(located.get(id)!))
    .sort()
}

const viewportIds = (scope: Scope, filter: QueueFilter, bbox = BOX) =>
  listInViewport(db, { scope, bbox, limit: EVERYTHING, filter, now: NOW })
    .map((p) => p.id)
    .sort()

/** The most frequent value of `key` among the rows that pass `where`. */
function mostCommon(key: keyof Located, where: (r: Located) => boolean = () => true): string {
  const counts = new Map<string, number>()
  for (const r of located.values()) {
    const v = r[key]
    if (where(r) && typeof v === 'string') counts.set(v, (counts.get(v) ?? 0) + 1)
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0]
}

/** Filters of every kind, and combinations, with values taken from the demo data. */
function filters(): { filter: QueueFilter; mayBeEmpty?: boolean }[] {
  const status = mostCommon('status')
  const second = mostCommon('status', (r) => r.status !== status)
  const unassignedStatus = mostCommon('status', (r) => r.team_id === 'voirie' && r.assignee_id === null)
  const category = mostCommon('category_id', (r) => r.team_id === 'voirie')
  const assignee = mostCommon('assignee_id', (r) => r.team_id === 'voirie')
  const otherAssignee = mostCommon('assignee_id', (r) => r.team_id === 'voirie-nord')
  return [
    { filter: { status: [status] } },
    { filter: { status: [status, second] } },
    { filter: { categoryId: [category] } },
    { filter: { priority: ['high', 'urgent'] } },
    { filter: { assigneeId: [assignee, otherAssignee] } },
    { filter: { unassigned: true } },
    { filter: { assigneeId: [assignee], unassigned: true } },
    { filter: { overdue: true } },
    { filter: { teamId: ['voirie-nord'] } },
    { filter: { text: 'trottoir' } },
    { filter: { text: 'chauss' } },
    { filter: { status: [unassignedStatus], priority: ['normal', 'high'], unassigned: true } },
    { filter: { overdue: true, categoryId: [category], teamId: ['voirie'] } },
    { filter: { text: 'trottoir', status: [status, second], assigneeId: [assignee], unassigned: true } },
    { filter: { text: 'chauss', overdue: true } },
    { filter: { text: 'trottoir', teamId: ['voirie', 'eclairage'], priority: ['normal'] } },
    // Typed FTS syntax is searched as plain words, never as syntax (nor SQL).
    { filter: { text: '(trottoir*' } },
    { filter: { text: '"trottoir" AND' }, mayBeEmpty: true },
    { filter: { text: 'NEAR(trottoir, 2)' }, mayBeEmpty: true },
    { filter: { text: '" OR 1=1 --' }, mayBeEmpty: true },
    { filter: { text: '* - )' } },
  ]
}

describe('the map with the queue’s filter', () => {
  it('the test box has no request on its edges (the R*Tree stores coordinates as 32-bit floats)', () => {
    const near = (a: number, b: number) => Math.abs(a - b) < 1e-5
    for (const r of located.values()) {
      if (r.lat === null || r.lon === null) continue
      expect(near(r.lat, BOX.minLat) || near(r.lat, BOX.maxLat), r.id).toBe(false)
      expect(near(r.lon, BOX.minLon) || near(r.lon, BOX.maxLon), r.id).toBe(false)
    }
  })

  it('shows in a box exactly the requests the queue lists, for every filter and scope', () => {
    for (const scope of [AGENT, SUPERVISOR]) {
      const unfiltered = expectedIds(scope, {}, inBox(BOX))
      expect(viewportIds(scope, {})).toEqual(unfiltered)
      expect(located.size - unfiltered.length).toBeGreaterThan(0)
      for (const { filter, mayBeEmpty } of filters()) {
        const label = `${scope.kind} ${JSON.stringify(filter)}`
        const expected = expectedIds(scope, filter, inBox(BOX))
        if (!mayBeEmpty) expect(expected.length, label).toBeGreaterThan(0)
        expect(viewportIds(scope, filter), label).toEqual(expected)
      }
    }
  })

  it('narrows the map: a filter shows fewer points than no filter, text that is only punctuation none fewer', () => {
    const all = viewportIds(AGENT, {}, TERRITORY)
    expect(viewportIds(AGENT, { unassigned: true }, TERRITORY).length).toBeLessThan(all.length)
    expect(viewportIds(AGENT, { text: 'trottoir' }, TERRITORY).length).toBeLessThan(all.length)
    expect(viewportIds(AGENT, { overdue: true }, TERRITORY).length).toBeLessThan(all.length)
    expect(viewportIds(AGENT, { text: '* - )' }, TERRITORY)).toEqual(all)
    // Without a filter, every located request of the scope, as before.
    expect(
      listInViewport(db, { scope: AGENT, bbox: TERRITORY, limit: EVERYTHING })
        .map((p) => p.id)
        .sort(),
    ).toEqual(all)
  })

  it('selects in a concave polygon exactly the requests the queue lists', () => {
    for (const scope of [AGENT, SUPERVISOR])
      for (const { filter, mayBeEmpty } of [{ filter: {} }, ...filters()]) {
        const label = `${scope.kind} ${JSON.stringify(filter)}`
        const expected = expectedIds(scope, filter, inPolygon)
        if (!mayBeEmpty) expect(expected.length, label).toBeGreaterThan(0)
        const { points, truncated } = listInPolygon(db, {
          scope,
          polygon: POLYGON,
          limit: EVERYTHING,
          filter,
          now: NOW,
        })
        expect(truncated, label).toBe(false)
        expect(points.map((p) => p.id).sort(), label).toEqual(expected)
      }
  })

  it('keeps the limits: at most `limit` in a box; a polygon says when the limit cut its list', () => {
    const filter: QueueFilter = { unassigned: true, priority: ['normal', 'high'] }
    const inBoxIds = new Set(expectedIds(AGENT, filter, inBox(BOX)))
    const few = listInViewport(db, { scope: AGENT, bbox: BOX, limit: 7, filter, now: NOW })
    expect(few).toHaveLength(7)
    expect(few.every((p) => inBoxIds.has(p.id))).toBe(true)

    const expected = expectedIds(AGENT, filter, inPolygon)
    const select = (limit: number) =>
      listInPolygon(db, { scope: AGENT, polygon: POLYGON, limit, filter, now: NOW })
    const exact = select(expected.length)
    expect(exact.truncated).toBe(false)
    expect(exact.points.map((p) => p.id).sort()).toEqual(expected)
    const cut = select(expected.length - 1)
    expect(cut.truncated).toBe(true)
    expect(cut.points).toHaveLength(expected.length - 1)
    expect(cut.points.every((p) => expected.includes(p.id))).toBe(true)
  })

  it('never shows another team’s request, even with a team filter naming that team', () => {
    const voirieOnly: Scope = { kind: 'teams', teamIds: ['voirie'] }
    const other = mostCommon('team_id', (r) => r.team_id !== 'voirie' && r.lat !== null)
    for (const filter of [
      { teamId: [other] },
      { teamId: ['voirie-nord'] },
      { teamId: [other], text: 'chauss' },
    ]) {
      expect(
        listInViewport(db, { scope: voirieOnly, bbox: TERRITORY, limit: EVERYTHING, filter, now: NOW }),
      ).toEqual([])
      expect(
        listInPolygon(db, { scope: voirieOnly, polygon: POLYGON, limit: EVERYTHING, filter, now: NOW }),
      ).toEqual({ points: [], truncated: false })
    }
    for (const filter of [
      { teamId: ['voirie', other] },
      { teamId: [other, 'voirie'], unassigned: true },
      { teamId: [other, 'voirie'], text: 'trottoir' },
      { overdue: true },
    ]) {
      const points = listInViewport(db, {
        scope: voirieOnly,
        bbox: TERRITORY,
        limit: EVERYTHING,
        filter,
        now: NOW,
      })
      expect(points.length, JSON.stringify(filter)).toBeGreaterThan(0)
      expect(points.every((p) => located.get(p.id)!.team_id === 'voirie')).toBe(true)
      expect(points.map((p) => p.id).sort()).toEqual(expectedIds(voirieOnly, filter, inBox(TERRITORY)))
    }
    // A supervisor's team filter is the map's team filter.
    const theirs = viewportIds(SUPERVISOR, { teamId: [other] }, TERRITORY)
    expect(theirs.length).toBeGreaterThan(0)
    expect(theirs.every((id) => located.get(id)!.team_id === other)).toBe(true)
  })

  it('reads no request row for any filter: the covering index of map points holds what they test', () => {
    const sqlOf = (filter: QueueFilter) => {
      const before = prepared.length
      listInViewport(db, { scope: AGENT, bbox: TERRITORY, limit: 10, filter, now: NOW })
      const sql = prepared.slice(before).join('\n')
      expect(sql).toMatch(/FROM requests r INDEXED BY requests_map_points/)
      return sql
    }
    const readsRows = /\bJOIN requests\b|\bFROM requests(?! r INDEXED BY requests_map_points)\b/
    // The statements are cached per SQL text: use filter shapes no other test of this file ran.
    expect(sqlOf({ categoryId: ['voirie', 'proprete', 'tags'] })).not.toMatch(readsRows)
    expect(sqlOf({ priority: ['low', 'normal', 'high', 'urgent'] })).not.toMatch(readsRows)
    expect(sqlOf({ assigneeId: ['a', 'b', 'c'] })).not.toMatch(readsRows)
  })

  it('measures the whole territory with 5000 requests: no filter, a status filter, a text filter', () => {
    const status = mostCommon('status')
    const median = (run: () => unknown) => {
      run()
      const times: number[] = []
      for (let i = 0; i < 25; i++) {
        const started = performance.now()
        run()
        times.push(performance.now() - started)
      }
      return times.sort((a, b) => a - b)[12]!
    }
    const lines: string[] = []
    const found: Record<string, number> = {}
    for (const scope of [SUPERVISOR, AGENT]) {
      const args = { scope, bbox: TERRITORY, limit: EVERYTHING }
      const cases: [string, () => unknown[]][] = [
        ['no filter', () => listInViewport(db, args)],
        [`status ${status}`, () => listInViewport(db, { ...args, filter: { status: [status] }, now: NOW })],
        ['text "trottoir"', () => listInViewport(db, { ...args, filter: { text: 'trottoir' }, now: NOW })],
        ['unassigned (join)', () => listInViewport(db, { ...args, filter: { unassigned: true }, now: NOW })],
      ]
      for (const [name, run] of cases) {
        const n = run().length
        found[`${scope.kind} ${name}`] = n
        lines.push(
          `${scope.kind.padEnd(5)} ${name.padEnd(20)} ${String(n).padStart(5)} points ${median(run).toFixed(2)} ms`,
        )
      }
    }
    console.log(`listInViewport, whole territory, 5000 requests (median of 25):\n${lines.join('\n')}`)
    const all = found['all no filter']!
    expect(all).toBeGreaterThan(3000)
    expect(found[`all status ${status}`]).toBeLessThan(all)
    expect(found['all text "trottoir"']).toBeLessThan(all)
  })
})
