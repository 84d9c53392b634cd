/**
 * The queue on a real SQLite file seeded with the demo: keyset pages in every sort, every
 * filter, never a row outside the agent's teams, every row exactly once, counts that match.
 * Expected answers are computed here in plain JavaScript from all rows, not with the
 * store's SQL.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QUEUE_SORTS, type QueueFilter, type QueueSort } from '../../src/shared/contract'
import { PRIORITIES, type RequestSummary } from '../../src/shared/domain'
import { CoreError } from '../../src/shared/result'
import { seedDemo } from '../../src/main/cache/demoSeed'
import { openStore, type Db } from '../../src/main/cache/db'
import {
  applyServerRequest,
  countOverdueByAssignee,
  countQueue,
  getRequestRow,
  insertRequest,
  listInViewport,
  listQueue,
  offsetQueuePage,
  setRequestStatus,
  updateRequestFields,
  type NewRequestRow,
  type RequestRow,
} from '../../src/main/cache/queries/requests'
import type { Scope } from '../../src/core/authz/scope'

const NOW = Date.UTC(2026, 2, 16, 10, 0)
const AGENT: Scope = { kind: 'teams', teamIds: ['voirie', 'voirie-nord'] }
const SUPERVISOR: Scope = { kind: 'all' }
let dir: string
let db: Db

function allRows(): RequestRow[] {
  const ids = db.prepare('SELECT id FROM requests').pluck().all() as string[]
  return ids.map((id) => getRequestRow(db, id)!)
}

const inScope = (scope: Scope, r: RequestRow) => scope.kind === 'all' || scope.teamIds.includes(r.teamId)

/** The filter, spelled out in JavaScript (text excepted: see store.fts.test.ts). */
/** Open, past due, and its SLA clock running (waiting for the citizen stops it: not late). */
const isOverdue = (r: RequestRow) =>
  r.statusKind === 'open' && r.dueAt !== null && r.dueAt < NOW && r.status !== 'waiting_citizen'

function matches(f: QueueFilter, r: RequestRow, ignoreStatus = false): boolean {
  if (!ignoreStatus && f.status?.length && !f.status.includes(r.status)) return false
  if (f.categoryId?.length && !f.categoryId.includes(r.categoryId)) return false
  if (f.teamId?.length && !f.teamId.includes(r.teamId)) return false
  if (f.priority?.length && !f.priority.includes(r.priority)) return false
  const assignees = f.assigneeId ?? []
  if (assignees.length || f.unassigned) {
    const ok =
      (r.assigneeId !== null && assignees.includes(r.assigneeId)) || (!!f.unassigned && r.assigneeId === null)
    if (!ok) return false
  }
  if (f.overdue && !isOverdue(r)) return false
  return true
}

const NO_DUE = Number.MAX_SAFE_INTEGER
const prio = (r: RequestRow) => PRIORITIES.indexOf(r.priority)
const COMPARE: Record<QueueSort, (a: RequestRow, b: RequestRow) => number> = {
  created_desc: (a, b) => b.createdAt - a.createdAt || b.rowid - a.rowid,
  created_asc: (a, b) => a.createdAt - b.createdAt || a.rowid - b.rowid,
  due_asc: (a, b) => (a.dueAt ?? NO_DUE) - (b.dueAt ?? NO_DUE) || a.rowid - b.rowid,
  priority_desc: (a, b) => prio(b) - prio(a) || b.createdAt - a.createdAt || b.rowid - a.rowid,
  updated_desc: (a, b) => b.updatedAt - a.updatedAt || b.rowid - a.rowid,
}

function expected(scope: Scope, filter: QueueFilter, sort: QueueSort): string[] {
  return allRows()
    .filter((r) => inScope(scope, r) && matches(filter, r))
    .sort(COMPARE[sort])
    .map((r) => r.id)
}

function expectedCounts(scope: Scope, filter: QueueFilter) {
  const rows = allRows().filter((r) => inScope(scope, r) && matches(filter, r, true))
  const byStatus: Record<string, number> = {}
  for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1
  const overdue = rows.filter(isOverdue).length
  return { byStatus, total: rows.length, overdue }
}

/** Every page of the queue, following nextCursor to the end. */
function pageThrough(scope: Scope, filter: QueueFilter, sort: QueueSort, limit: number): RequestSummary[] {
  const rows: RequestSummary[] = []
  let after: string | null = null
  for (let guard = 0; guard < 10_000; guard++) {
    const page = listQueue(db, { scope, filter, sort, after, limit, now: NOW })
    rows.push(...page.rows)
    if (!page.nextCursor) return rows
    expect(page.rows).toHaveLength(limit)
    after = page.nextCursor
  }
  throw new Error('the cursor never ended')
}

const extra = (id: string, createdAt: number, dueAt: number | null): NewRequestRow => ({
  id,
  reference: `GRC-2030-${id.slice(-6).padStart(6, '0')}`,
  title: 'Test',
  categoryId: 'voirie',
  subcategory: null,
  channel: 'phone',
  status: 'new',
  statusKind: 'open',
  priority: 'urgent',
  teamId: 'voirie',
  assigneeId: null,
  description: 'Ajout de test',
  address: null,
  lat: null,
  lon: null,
  citizenId: null,
  fields: {},
  createdAt,
  updatedAt: createdAt,
  dueAt,
  closedAt: null,
  slaPausedMs: 0,
  slaPausedSince: null,
  version: 0,
})

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-queue-'))
  db = openStore(join(dir, 'cache.db'))
  seedDemo(db, { count: 1500, seed: 11, now: NOW, history: false })
  // Ties on creation time and requests without a due date, which the demo does not make.
  const t = NOW - 3_600_000
  db.transaction(() => {
    for (let i = 0; i < 5; i++) insertRequest(db, extra(`tie-00000${i}`, t, i % 2 === 0 ? null : t + 1000))
  })()
})
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('keyset paging', () => {
  for (const sort of QUEUE_SORTS)
    it(`visits every row exactly once, in ${sort} order, for an agent and a supervisor`, () => {
      for (const scope of [AGENT, SUPERVISOR])
        for (const filter of [{}, { overdue: true }, { status: ['new', 'done'] }] as QueueFilter[]) {
          const ids = pageThrough(scope, filter, sort, 97).map((r) => r.id)
          expect(new Set(ids).size).toBe(ids.length)
          expect(ids, JSON.stringify(filter)).toEqual(expected(scope, filter, sort))
        }
    })

  it('gives the same pages as OFFSET would', () => {
    const first = listQueue(db, {
      scope: AGENT,
      filter: {},
      sort: 'due_asc',
      after: null,
      limit: 50,
      now: NOW,
    })
    const second = listQueue(db, {
      scope: AGENT,
      filter: {},
      sort: 'due_asc',
      after: first.nextCursor,
      limit: 50,
      now: NOW,
    })
    expect(second.rows).toEqual(
      offsetQueuePage(db, { scope: AGENT, filter: {}, sort: 'due_asc', offset: 50, limit: 50, now: NOW }),
    )
  })

  it('puts requests without a due date last', () => {
    const ids = pageThrough(SUPERVISOR, {}, 'due_asc', 500).map((r) => r.id)
    expect(ids.slice(-3).sort()).toEqual(['tie-000000', 'tie-000002', 'tie-000004'])
  })

  it('ends with a null cursor, also when the last page is exactly full', () => {
    const total = expected(AGENT, { status: ['new'] }, 'created_desc').length
    const page = listQueue(db, {
      scope: AGENT,
      filter: { status: ['new'] },
      sort: 'created_desc',
      after: null,
      limit: total,
      now: NOW,
    })
    expect(page.rows).toHaveLength(total)
    expect(page.nextCursor).toBeNull()
  })

  it('refuses a malformed cursor, or one from another sort, as invalid input', () => {
    const cursor = listQueue(db, {
      scope: AGENT,
      filter: {},
      sort: 'created_desc',
      after: null,
      limit: 5,
      now: NOW,
    }).nextCursor!
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    for (const bad of [
      '',
      '%%%',
      'not-a-cursor',
      b64({ a: 1 }),
      b64(['created_desc', 'x']),
      b64(['due_asc', 1.5, 2]),
      'A'.repeat(600),
    ]) {
      const call = () =>
        listQueue(db, { scope: AGENT, filter: {}, sort: 'created_desc', after: bad, limit: 5, now: NOW })
      expect(call).toThrow(CoreError)
      try {
        call()
      } catch (e) {
        expect((e as CoreError).code).toBe('invalid_input')
      }
    }
    expect(() =>
      listQueue(db, { scope: AGENT, filter: {}, sort: 'due_asc', after: cursor, limit: 5, now: NOW }),
    ).toThrow(CoreError)
  })
})

describe('scope', () => {
  const someone = () => allRows().find((r) => r.teamId === 'voirie' && r.assigneeId !== null)!.assigneeId!
  const filters = (): QueueFilter[] => [
    {},
    { status: ['new', 'closed'] },
    { categoryId: ['voirie', 'eclairage-public'] },
    { teamId: ['voirie-nord', 'eclairage'] },
    { priority: ['urgent', 'high'] },
    { assigneeId: [someone()] },
    { unassigned: true },
    { assigneeId: [someone()], unassigned: true },
    { overdue: true },
    { text: 'rue' },
    { status: ['in_progress'], priority: ['normal'], overdue: true },
  ]

  it('never returns a row of another team, whatever the filter and sort', () => {
    for (const filter of filters())
      for (const sort of QUEUE_SORTS) {
        const rows = pageThrough(AGENT, filter, sort, 200)
        expect(rows.every((r) => AGENT.kind === 'teams' && AGENT.teamIds.includes(r.teamId))).toBe(true)
      }
  })

  it('answers an empty list for a team filter outside the scope, and for no team at all', () => {
    expect(
      listQueue(db, {
        scope: AGENT,
        filter: { teamId: ['eclairage'] },
        sort: 'created_desc',
        after: null,
        limit: 10,
        now: NOW,
      }).rows,
    ).toEqual([])
    expect(
      listQueue(db, {
        scope: { kind: 'teams', teamIds: [] },
        filter: {},
        sort: 'created_desc',
        after: null,
        limit: 10,
        now: NOW,
      }).rows,
    ).toEqual([])
    expect(countQueue(db, { scope: { kind: 'teams', teamIds: [] }, filter: {}, now: NOW })).toEqual({
      byStatus: {},
      total: 0,
      overdue: 0,
    })
  })

  it('filters as specified, alone and combined', () => {
    for (const filter of filters().filter((f) => f.text === undefined))
      for (const scope of [AGENT, SUPERVISOR]) {
        const ids = pageThrough(scope, filter, 'created_desc', 250).map((r) => r.id)
        expect(ids, JSON.stringify(filter)).toEqual(expected(scope, filter, 'created_desc'))
      }
  })

  it('keeps the map to the scope and the box', () => {
    const bbox = { minLat: 48.6, maxLat: 48.75, minLon: 6.05, maxLon: 6.3 }
    const points = listInViewport(db, { scope: AGENT, bbox, limit: 10_000 })
    const rows = new Map(allRows().map((r) => [r.id, r]))
    expect(points.length).toBe(allRows().filter((r) => inScope(AGENT, r) && r.lat !== null).length)
    for (const p of points) {
      expect(AGENT.kind === 'teams' && AGENT.teamIds.includes(rows.get(p.id)!.teamId)).toBe(true)
      expect(p.lat).toBe(rows.get(p.id)!.lat)
    }
    expect(listInViewport(db, { scope: SUPERVISOR, bbox, limit: 25 })).toHaveLength(25)
    const nancyCentre = { minLat: 48.688, maxLat: 48.696, minLon: 6.175, maxLon: 6.19 }
    for (const p of listInViewport(db, { scope: SUPERVISOR, bbox: nancyCentre, limit: 10_000 })) {
      expect(p.lat).toBeGreaterThanOrEqual(48.688 - 1e-5)
      expect(p.lon).toBeLessThanOrEqual(6.19 + 1e-5)
    }
  })
})

describe('counts', () => {
  it('match the rows per status, in total and overdue, ignoring the status filter', () => {
    const assignee = allRows().find((r) => r.teamId === 'voirie-nord' && r.assigneeId)!.assigneeId!
    for (const filter of [
      {},
      { status: ['new'] },
      { categoryId: ['voirie'] },
      { priority: ['low', 'urgent'] as QueueFilter['priority'] },
      { assigneeId: [assignee], unassigned: true },
      { overdue: true },
      { teamId: ['voirie-nord'] },
    ])
      for (const scope of [AGENT, SUPERVISOR])
        expect(countQueue(db, { scope, filter, now: NOW }), JSON.stringify(filter)).toEqual(
          expectedCounts(scope, filter),
        )
  })

  it('follow every change: assignment, status, team, deletion', () => {
    const before = countQueue(db, { scope: SUPERVISOR, filter: {}, now: NOW })
    const row = allRows().find((r) => r.status === 'new' && r.teamId === 'voirie')!
    updateRequestFields(db, row.id, { assigneeId: 'agent-tom.tech', teamId: 'voirie-nord' }, row.version)
    setRequestStatus(db, row.id, {
      status: 'qualified',
      statusKind: 'open',
      closedAt: null,
      fields: {},
      slaPausedMs: 0,
      slaPausedSince: null,
      dueAt: row.dueAt,
      updatedAt: NOW,
    })
    const after = countQueue(db, { scope: SUPERVISOR, filter: {}, now: NOW })
    expect(after.byStatus.new).toBe(before.byStatus.new! - 1)
    expect(after.byStatus.qualified).toBe(before.byStatus.qualified! + 1)
    const gone = allRows().find((r) => r.teamId === 'voirie-nord' && r.id !== row.id)!
    db.prepare('DELETE FROM requests WHERE id = ?').run(gone.id)
    for (const scope of [AGENT, SUPERVISOR, { kind: 'teams', teamIds: ['voirie-nord'] } as Scope])
      expect(countQueue(db, { scope, filter: {}, now: NOW })).toEqual(expectedCounts(scope, {}))
    expect(
      countQueue(db, { scope: SUPERVISOR, filter: { assigneeId: ['agent-tom.tech'] }, now: NOW }),
    ).toEqual(expectedCounts(SUPERVISOR, { assigneeId: ['agent-tom.tech'] }))
  })

  it('count the overdue at any hour: due a day before, earlier the same day, never later', () => {
    const DAY = 86_400_000
    const lateAt = (scope: Scope, now: number) =>
      allRows().filter(
        (r) =>
          inScope(scope, r) &&
          r.statusKind === 'open' &&
          r.dueAt !== null &&
          r.dueAt < now &&
          r.status !== 'waiting_citizen',
      ).length
    /** The dispatch board's figure per column (null: nobody), counted here from every row. */
    const lateByAssignee = (teams: readonly string[], now: number) => {
      const out = new Map<string | null, number>()
      for (const r of allRows())
        if (
          teams.includes(r.teamId) &&
          r.statusKind === 'open' &&
          r.dueAt !== null &&
          r.dueAt < now &&
          r.status !== 'waiting_citizen'
        )
          out.set(r.assigneeId, (out.get(r.assigneeId) ?? 0) + 1)
      return out
    }
    const sorted = (m: Map<string | null, number>) =>
      [...m].filter(([, n]) => n > 0).sort(([a], [b]) => String(a).localeCompare(String(b)))
    const allTeams = [...new Set(allRows().map((r) => r.teamId))]
    const midnight = Math.floor(NOW / DAY) * DAY
    // Due earlier today, later today, exactly at midnight, a minute before it; then moved.
    const today = ['due-100001', 'due-100002', 'due-100003', 'due-100004', 'due-100005']
    const dues = [midnight + 60_000, NOW + 60_000, midnight, midnight - 60_000, midnight - DAY + 60_000]
    db.transaction(() => today.forEach((id, i) => insertRequest(db, extra(id, NOW - DAY, dues[i]!))))()
    const nows = [NOW, midnight, midnight - 1, midnight + 60_000, NOW + 3 * DAY, NOW - 40 * DAY]
    const check = () => {
      for (const now of nows) {
        for (const scope of [AGENT, SUPERVISOR])
          expect(countQueue(db, { scope, filter: {}, now }).overdue, `${scope.kind} at ${now}`).toBe(
            lateAt(scope, now),
          )
        for (const teams of [AGENT.kind === 'teams' ? AGENT.teamIds : [], allTeams])
          expect(sorted(countOverdueByAssignee(db, teams, now)), `per assignee at ${now}`).toEqual(
            sorted(lateByAssignee(teams, now)),
          )
      }
    }
    check()
    // Assigned (a late one since yesterday, one due earlier today), then one given to someone else.
    updateRequestFields(db, today[4]!, { assigneeId: 'agent-zoe.agent' })
    updateRequestFields(db, today[0]!, { assigneeId: 'agent-zoe.agent' })
    check()
    updateRequestFields(db, today[4]!, { assigneeId: 'agent-tom.tech' })
    const [first, second, third] = today.map((id) => getRequestRow(db, id)!)
    setRequestStatus(db, first!.id, {
      status: first!.status,
      statusKind: 'open',
      closedAt: null,
      fields: {},
      slaPausedMs: 0,
      slaPausedSince: null,
      dueAt: midnight - DAY,
      updatedAt: NOW,
    })
    updateRequestFields(db, second!.id, { teamId: 'eclairage' }, second!.version)
    setRequestStatus(db, third!.id, {
      status: 'waiting_citizen',
      statusKind: 'open',
      closedAt: null,
      fields: {},
      slaPausedMs: 0,
      slaPausedSince: NOW,
      dueAt: third!.dueAt,
      updatedAt: NOW,
    })
    db.prepare('DELETE FROM requests WHERE id = ?').run(today[3])
    check()
    expect(lateAt(SUPERVISOR, NOW)).toBeGreaterThan(100)
  })
})

describe('writes', () => {
  it('bump the version and refuse a stale one', () => {
    const row = allRows().find((r) => r.status === 'new')!
    expect(updateRequestFields(db, row.id, { priority: 'high' }, row.version)).toBe(row.version + 1)
    expect(getRequestRow(db, row.id)).toMatchObject({ priority: 'high', version: row.version + 1 })
    expect(() => updateRequestFields(db, row.id, { priority: 'low' }, row.version)).toThrow(
      expect.objectContaining({ code: 'version_conflict' }),
    )
    expect(getRequestRow(db, row.id)!.priority).toBe('high')
    expect(() => updateRequestFields(db, 'nope', { priority: 'low' })).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    )
  })
})

describe('server copies', () => {
  it('are inserted, then overwritten whole with the server version, keeping counts and search in step', () => {
    const row = extra('srv-900001', NOW - 86_400_000, NOW)
    expect(applyServerRequest(db, row)).toBe('inserted')
    expect(
      applyServerRequest(db, { ...row, status: 'closed', statusKind: 'closed', title: 'Réparé', version: 7 }),
    ).toBe('updated')
    expect(getRequestRow(db, 'srv-900001')).toMatchObject({ status: 'closed', title: 'Réparé', version: 7 })
    expect(countQueue(db, { scope: SUPERVISOR, filter: {}, now: NOW })).toEqual(
      expectedCounts(SUPERVISOR, {}),
    )
    const found = listQueue(db, {
      scope: SUPERVISOR,
      filter: { text: 'GRC-2030-900001' },
      sort: 'created_desc',
      after: null,
      limit: 5,
      now: NOW,
    })
    expect(found.rows.map((r) => r.id)).toEqual(['srv-900001'])
    const byTitle = listQueue(db, {
      scope: SUPERVISOR,
      filter: { text: 'répar', status: ['closed'] },
      sort: 'created_desc',
      after: null,
      limit: 5,
      now: NOW,
    })
    expect(byTitle.rows.map((r) => r.id)).toContain('srv-900001')
  })
})
