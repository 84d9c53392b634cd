/**
 * The dashboard's figures through core.invoke on a real cache, against a small dataset whose
 * every figure is counted by hand below; the lead's scope against the supervisor's, and the
 * roles that are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertRequest, type NewRequestRow } from '../../src/main/cache/queries/requests'
import { openTestCore, type TestCore } from '../support/core'
import { requestRow } from '../support/requestRow'

/** Monday 16 March 2026, 11:00 in Paris (UTC+1 until the 29th). */
const NOW = Date.parse('2026-03-16T10:00:00Z')
const at = (iso: string) => Date.parse(iso)
const PERIOD = { from: '2026-03-02', to: '2026-03-15' }

let t: TestCore
let n = 0

function request(over: Partial<NewRequestRow> & Pick<NewRequestRow, 'teamId' | 'categoryId' | 'createdAt'>) {
  n++
  insertRequest(t.db, requestRow(`dash-${n}`, over))
}

const closed = { status: 'closed', statusKind: 'closed' as const }

beforeAll(async () => {
  t = await openTestCore({ requests: 0, now: () => NOW })
  const zoe = 'agent-zoe.agent'
  const tom = 'agent-tom.tech'
  const nora = 'agent-nora.agent'
  t.db.transaction(() => {
    // voirie (Luc's): A closed in a day on time, B in a week late, C open, D closed in two
    // hours without due date (created on Sunday 1 March in Paris: before the period), E open
    // created at 00:30 on 16 March in Paris (after the period although 15 March in UTC).
    request({
      teamId: 'voirie',
      categoryId: 'voirie',
      createdAt: at('2026-03-02T08:00:00Z'),
      closedAt: at('2026-03-03T08:00:00Z'),
      dueAt: at('2026-03-05T08:00:00Z'),
      assigneeId: zoe,
      address: '3 rue C, 54000 Nancy',
      ...closed,
    })
    request({
      teamId: 'voirie',
      categoryId: 'voirie',
      createdAt: at('2026-03-03T09:00:00Z'),
      closedAt: at('2026-03-10T09:00:00Z'),
      dueAt: at('2026-03-06T09:00:00Z'),
      assigneeId: zoe,
      address: '4 rue D, 54000 Nancy',
      ...closed,
    })
    request({
      teamId: 'voirie',
      categoryId: 'voirie',
      createdAt: at('2026-03-09T10:00:00Z'),
      address: '1 rue A, 54000 Nancy',
    })
    request({
      teamId: 'voirie',
      categoryId: 'voirie',
      createdAt: at('2026-03-01T22:30:00Z'),
      closedAt: at('2026-03-02T00:30:00Z'),
      ...closed,
    })
    request({ teamId: 'voirie', categoryId: 'voirie', createdAt: at('2026-03-15T23:30:00Z') })
    // voirie-nord (Luc's): F closed in 12 hours, on time.
    request({
      teamId: 'voirie-nord',
      categoryId: 'voirie',
      createdAt: at('2026-03-10T12:00:00Z'),
      closedAt: at('2026-03-11T00:00:00Z'),
      dueAt: at('2026-03-12T12:00:00Z'),
      assigneeId: tom,
      address: '5 rue E, 54320 Maxéville',
      ...closed,
    })
    // eclairage (not Luc's): G open, H closed in a day, late.
    request({
      teamId: 'eclairage',
      categoryId: 'eclairage-public',
      createdAt: at('2026-03-04T10:00:00Z'),
      status: 'assigned',
      address: '2 rue B, 54500 Vandœuvre-lès-Nancy',
    })
    request({
      teamId: 'eclairage',
      categoryId: 'eclairage-public',
      createdAt: at('2026-03-05T10:00:00Z'),
      closedAt: at('2026-03-06T10:00:00Z'),
      dueAt: at('2026-03-05T12:00:00Z'),
      assigneeId: nora,
      address: '6 rue F, 54500 Vandœuvre-lès-Nancy',
      ...closed,
    })
  })()
})
afterAll(() => t.close())

describe('dashboard figures', () => {
  it('gives a supervisor every team, each figure as counted by hand', async () => {
    await t.as('sara.sup')
    const f = await t.value('dashboard.figures', PERIOD)
    expect(f.teams.map((x) => x.id)).toEqual(expect.arrayContaining(['voirie', 'voirie-nord', 'eclairage']))
    expect(f.weeks).toEqual([
      { weekStart: '2026-03-02', incoming: 4, closed: 3 },
      { weekStart: '2026-03-09', incoming: 2, closed: 2 },
    ])
    expect(f.sla).toEqual({ closedWithDue: 4, closedOnTime: 2 })
    // Closed in the period: 2, 12, 24, 24 and 168 hours.
    expect(f.resolution).toEqual({ closed: 5, medianHours: 24, p90Hours: 168 })
    expect(f.topPlaces).toEqual([
      { place: '54000 Nancy', n: 3 },
      { place: '54500 Vandœuvre-lès-Nancy', n: 2 },
      { place: '54320 Maxéville', n: 1 },
    ])
    expect(f.throughput.map((p) => [p.assigneeId, p.closed])).toEqual([
      ['agent-zoe.agent', 2],
      [null, 1],
      ['agent-nora.agent', 1],
      ['agent-tom.tech', 1],
    ])
    expect(f.throughput[0]!.name).toBeTruthy()
    expect(f.backlogByStatus).toEqual([
      { status: 'new', n: 2 },
      { status: 'assigned', n: 1 },
    ])
    expect(f.backlogByCategory).toEqual([
      { categoryId: 'voirie', n: 2 },
      { categoryId: 'eclairage-public', n: 1 },
    ])
  })

  it('narrows a supervisor to the teams chosen', async () => {
    await t.as('sara.sup')
    const f = await t.value('dashboard.figures', { ...PERIOD, teamIds: ['eclairage'] })
    expect(f.teams.map((x) => x.id)).toEqual(['eclairage'])
    expect(f.weeks.map((w) => [w.incoming, w.closed])).toEqual([
      [2, 1],
      [0, 0],
    ])
    expect(f.sla).toEqual({ closedWithDue: 1, closedOnTime: 0 })
  })

  it('gives a lead their own teams only, even when asking for another', async () => {
    await t.as('luc.lead')
    const f = await t.value('dashboard.figures', PERIOD)
    expect(f.teamChoices.map((x) => x.id).sort()).toEqual(['voirie', 'voirie-nord'])
    expect(f.weeks).toEqual([
      { weekStart: '2026-03-02', incoming: 2, closed: 2 },
      { weekStart: '2026-03-09', incoming: 2, closed: 2 },
    ])
    expect(f.sla).toEqual({ closedWithDue: 3, closedOnTime: 2 })
    // 2, 12, 24 and 168 hours.
    expect(f.resolution).toEqual({ closed: 4, medianHours: 12, p90Hours: 168 })
    expect(f.topPlaces).toEqual([
      { place: '54000 Nancy', n: 3 },
      { place: '54320 Maxéville', n: 1 },
    ])
    expect(f.throughput.map((p) => p.assigneeId)).not.toContain('agent-nora.agent')
    expect(f.backlogByCategory).toEqual([{ categoryId: 'voirie', n: 2 }])

    const other = await t.value('dashboard.figures', { ...PERIOD, teamIds: ['eclairage'] })
    expect(other.teams).toEqual([])
    expect(other.weeks.every((w) => w.incoming === 0 && w.closed === 0)).toBe(true)
    expect(other.throughput).toEqual([])
    expect(other.backlogByStatus).toEqual([])
  })

  it('refuses agents and technicians with a sentence that says why', async () => {
    for (const login of ['zoe.agent', 'tom.tech']) {
      await t.as(login)
      const r = await t.call('dashboard.figures', PERIOD)
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      if (!r.ok) expect(r.error.message).toMatch(/chefs d’équipe et aux superviseurs/)
    }
  })

  it('keeps its counts in step with every change, as a rebuild would count them', async () => {
    await t.as('sara.sup')
    const before = await t.value('dashboard.figures', PERIOD)
    t.db.transaction(() => {
      // A new request, one closed (C), one moved to another team (A), one erased (H).
      request({
        teamId: 'voirie',
        categoryId: 'voirie',
        createdAt: at('2026-03-12T10:00:00Z'),
        address: '7 rue G, 54000 Nancy',
      })
      t.db
        .prepare(
          `UPDATE requests SET status = 'closed', status_kind = 'closed', closed_at = ?, assignee_id = ? WHERE id = 'dash-3'`,
        )
        .run(at('2026-03-13T10:00:00Z'), 'agent-tom.tech')
      t.db.prepare(`UPDATE requests SET team_id = 'eclairage' WHERE id = 'dash-1'`).run()
      t.db.prepare(`DELETE FROM requests WHERE id = 'dash-8'`).run()
    })()
    const after = await t.value('dashboard.figures', PERIOD)
    expect(after.weeks).toEqual([
      { weekStart: '2026-03-02', incoming: 3, closed: 2 },
      { weekStart: '2026-03-09', incoming: 3, closed: 3 },
    ])
    expect(after.topPlaces[0]).toEqual({ place: '54000 Nancy', n: 4 })
    expect(after).not.toEqual(before)
    t.db.exec('DELETE FROM dashboard_counts; UPDATE dashboard_counts_state SET through = -1')
    expect(await t.value('dashboard.figures', PERIOD)).toEqual(after)
  })

  it('refuses a period that ends before it starts, or is too long', async () => {
    await t.as('sara.sup')
    expect(await t.call('dashboard.figures', { from: '2026-03-10', to: '2026-03-01' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    })
    expect(await t.call('dashboard.figures', { from: '2024-01-01', to: '2026-03-01' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    })
  })
})

describe('dashboard counts on a demo cache', () => {
  it('counts, in several build steps, what the requests say row by row', async () => {
    const demo = await openTestCore({ requests: 5000, now: () => NOW })
    try {
      await demo.as('sara.sup')
      const from = '2025-12-01'
      const to = '2026-03-15'
      const f = await demo.value('dashboard.figures', { from, to })
      const count = (sql: string, ...args: unknown[]) =>
        (demo.db
          .prepare(sql)
          .pluck()
          .get(...args) as number) ?? 0
      const start = Date.parse('2025-12-01T00:00:00+01:00')
      const end = Date.parse('2026-03-16T00:00:00+01:00')
      expect(f.weeks.reduce((s, w) => s + w.incoming, 0)).toBe(
        count('SELECT count(*) FROM requests WHERE created_at >= ? AND created_at < ?', start, end),
      )
      expect(f.weeks.reduce((s, w) => s + w.closed, 0)).toBe(
        count(
          `SELECT count(*) FROM requests WHERE status_kind = 'closed' AND closed_at >= ? AND closed_at < ?`,
          start,
          end,
        ),
      )
      const dayStart = Date.parse('2025-12-01T00:00:00Z')
      const dayEnd = Date.parse('2026-03-16T00:00:00Z')
      expect(f.sla.closedOnTime).toBe(
        count(
          `SELECT count(*) FROM requests WHERE status_kind = 'closed' AND closed_at >= ? AND closed_at < ? AND closed_at <= due_at`,
          dayStart,
          dayEnd,
        ),
      )
      expect(f.weeks.reduce((s, w) => s + w.incoming, 0)).toBeGreaterThan(2000)
    } finally {
      await demo.close()
    }
  })
})
