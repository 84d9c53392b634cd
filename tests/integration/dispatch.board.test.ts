/**
 * The lead's dispatch board through core.invoke on a real cache: each person's figures equal
 * plain counts of the cache, the suggestion is the least loaded eligible person and passes
 * over whoever is away today, an agent is refused, and an assignment made from the board
 * (the existing `request.assign`) writes one outbox entry and moves the figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertRequest, type NewRequestRow } from '../../src/main/cache/queries/requests'
import { replaceCapacity } from '../../src/main/cache/queries/dispatch'
import { countPendingMutations } from '../../src/main/cache/queries/outbox'
import type { DispatchColumn } from '../../src/shared/channels/dispatch'
import { openTestCore, type TestCore } from '../support/core'
import { requestRow } from '../support/requestRow'

/** Monday 16 March 2026, 11:00 in Paris. */
const NOW = Date.parse('2026-03-16T10:00:00Z')
const HOUR = 3_600_000
const TOM = 'agent-tom.tech'
const ZOE = 'agent-zoe.agent'
/** Nancy, place Stanislas; Laxou, its town hall. */
const NANCY = { lat: 48.6936, lon: 6.1832, address: 'Place Stanislas, 54000 Nancy' }
const LAXOU = { lat: 48.6857, lon: 6.1497, address: 'Rue de la Mairie, 54520 Laxou' }

let t: TestCore
let n = 0
function request(over: Partial<NewRequestRow>): string {
  const id = `disp-${++n}`
  insertRequest(t.db, requestRow(id, { createdAt: NOW - 5 * 24 * HOUR, updatedAt: NOW - 24 * HOUR, ...over }))
  return id
}

/** What the cache holds for a column, counted plainly. */
function plainCounts(assigneeId: string | null, teams: readonly string[]) {
  const who = assigneeId === null ? 'assignee_id IS NULL' : 'assignee_id = @who'
  const inTeams = `team_id IN (${teams.map((x) => `'${x}'`).join(', ')})`
  const count = (extra: string) =>
    t.db
      .prepare(`SELECT count(*) FROM requests WHERE ${inTeams} AND ${who} AND status_kind = 'open' ${extra}`)
      .pluck()
      .get({ who: assigneeId, now: NOW, tonight: Date.parse('2026-03-16T23:00:00Z') }) as number
  return {
    open: count(''),
    overdue: count('AND due_at < @now'),
    dueToday: count('AND due_at >= @now AND due_at < @tonight'),
  }
}

const column = (columns: DispatchColumn[], agentId: string | null) =>
  columns.find((c) => c.agentId === agentId)!

let forSuggestion: string
let inLaxou: string
beforeAll(async () => {
  t = await openTestCore({ requests: 0, now: () => NOW })
  t.db.transaction(() => {
    // Tom: two open in Nancy (one late since yesterday, one due this afternoon), one closed.
    request({ assigneeId: TOM, status: 'assigned', dueAt: NOW - 20 * HOUR, ...NANCY })
    request({ assigneeId: TOM, status: 'assigned', dueAt: NOW + 4 * HOUR, ...NANCY })
    request({ assigneeId: TOM, status: 'closed', statusKind: 'closed', closedAt: NOW - 2 * HOUR, ...NANCY })
    // Zoé: one open in Nancy, due next week; one open of voirie-nord in Laxou.
    request({ assigneeId: ZOE, status: 'assigned', dueAt: NOW + 7 * 24 * HOUR, ...NANCY })
    // Nobody: one late, one due tonight, one without due date.
    inLaxou = request({ dueAt: NOW - HOUR, ...LAXOU, teamId: 'voirie-nord' })
    request({ dueAt: NOW + 2 * HOUR })
    forSuggestion = request({ ...NANCY })
    // Another team's (eclairage): never on Luc's board.
    request({
      teamId: 'eclairage',
      categoryId: 'eclairage-public',
      assigneeId: 'agent-nora.agent',
      dueAt: NOW - HOUR,
    })
  })()
})
afterAll(() => t.close())

describe('the dispatch board', () => {
  it('gives a lead one column per person of their teams and the unassigned, each figure a plain count', async () => {
    await t.as('luc.lead')
    const board = await t.value('dispatch.board', {})
    const teams = board.teams.map((x) => x.id).sort()
    expect(teams).toEqual(['voirie', 'voirie-nord'])
    expect(board.today).toBe('2026-03-16')
    const ids = board.columns.map((c) => c.agentId)
    expect(ids).toContain(TOM)
    expect(ids).toContain(ZOE)
    expect(ids).not.toContain('agent-nora.agent')
    expect(ids).not.toContain('agent-luc.lead')
    expect(ids.at(-1)).toBeNull()
    for (const c of board.columns) {
      const plain = plainCounts(c.agentId, teams)
      expect({ open: c.open, overdue: c.overdue, dueToday: c.dueToday }, c.name ?? 'non attribuées').toEqual(
        plain,
      )
      // Voirie is a field intervention: FIELD_HOURS (3 h) per open request.
      expect(c.loadHours).toBe(plain.open * 3)
      expect(c.requests.map((r) => r.id).length).toBe(Math.min(plain.open, 20))
    }
    const tom = column(board.columns, TOM)
    expect(tom).toMatchObject({ open: 2, overdue: 1, dueToday: 1, weeklyHours: 35, capacitySet: false })
    expect(tom.categoryIds).toContain('voirie')
    expect(tom.sectorIds).toContain('commune-54395')
    expect(tom.canSetCapacity).toBe(true)
    // Most urgent first: the late one before the one due this afternoon.
    expect(tom.requests.map((r) => r.dueAt)).toEqual([
      new Date(NOW - 20 * HOUR).toISOString(),
      new Date(NOW + 4 * HOUR).toISOString(),
    ])
    expect(column(board.columns, null)).toMatchObject({ open: 3, overdue: 1, dueToday: 1 })
  })

  it('pages a column', async () => {
    await t.as('luc.lead')
    const board = await t.value('dispatch.board', { cards: 1 })
    const tom = column(board.columns, TOM)
    expect(tom.requests).toHaveLength(1)
    expect(tom.nextCursor).not.toBeNull()
    const more = await t.value('dispatch.column', { agentId: TOM, after: tom.nextCursor!, cards: 5 })
    expect(more.requests).toHaveLength(1)
    expect(more.requests[0]!.id).not.toBe(tom.requests[0]!.id)
    expect(more.nextCursor).toBeNull()
    // Most urgent first: the earlier deadline on the first page, an undated request after any dated one.
    const dues = [tom.requests[0]!, more.requests[0]!].map((r) => r.dueAt ?? '9999')
    expect(dues).toEqual([...dues].sort())
  })

  it('lets a supervisor pick the teams', async () => {
    await t.as('sara.sup')
    const board = await t.value('dispatch.board', { teamIds: ['eclairage'] })
    expect(board.teams.map((x) => x.id)).toEqual(['eclairage'])
    expect(board.teamChoices.length).toBeGreaterThan(3)
    const nora = column(board.columns, 'agent-nora.agent')
    expect(nora).toMatchObject({ open: 1, overdue: 1 })
    expect(board.columns.map((c) => c.agentId)).not.toContain(TOM)
  })

  it('suggests the least loaded person who handles the category and the sector, and passes over the absent', async () => {
    await t.as('luc.lead')
    // The demo's other people of these teams (idle, so least loaded) are in training this week.
    const board0 = await t.value('dispatch.board', {})
    const others = board0.columns.filter((c) => c.agentId !== null && c.agentId !== TOM && c.agentId !== ZOE)
    const training = others.map((c) => ({
      agentId: c.agentId!,
      weeklyHours: 35,
      absences: [{ from: '2026-03-16', to: '2026-03-20', reason: 'training' as const }],
    }))
    replaceCapacity(t.db, training)
    const first = await t.value('dispatch.suggest', { requestId: forSuggestion })
    // Zoé: one open request (3 h of 35 h), Tom: two (6 h).
    expect(first.suggestion).toMatchObject({
      agentId: ZOE,
      loadHours: 3,
      availableHours: 35,
      categoryId: 'voirie',
      sector: { id: 'commune-54395', name: 'Nancy' },
    })
    // Zoé is on leave today (as a pulled reference bundle would say): Tom.
    replaceCapacity(t.db, [
      ...training,
      {
        agentId: ZOE,
        weeklyHours: 35,
        absences: [{ from: '2026-03-16', to: '2026-03-17', reason: 'leave' }],
      },
    ])
    const board = await t.value('dispatch.board', {})
    expect(column(board.columns, ZOE)).toMatchObject({
      absentToday: 'leave',
      availableHours: 21,
      capacitySet: true,
    })
    const second = await t.value('dispatch.suggest', { requestId: forSuggestion })
    expect(second.suggestion).toMatchObject({ agentId: TOM, loadHours: 6, availableHours: 35 })
    replaceCapacity(t.db, [])
  })

  it('refuses an agent, and a technician', async () => {
    for (const login of ['zoe.agent', 'tom.tech']) {
      await t.as(login)
      for (const r of [
        await t.call('dispatch.board', {}),
        await t.call('dispatch.suggest', { requestId: forSuggestion }),
        await t.call('dispatch.setCapacity', { agentId: TOM, weeklyHours: 20, absences: [] }),
      ]) {
        expect(r.ok).toBe(false)
        if (!r.ok) expect(r.error.code).toBe('forbidden')
      }
    }
  })

  it('says in words that capacity needs the server on a console without one', async () => {
    await t.as('luc.lead')
    const r = await t.call('dispatch.setCapacity', { agentId: TOM, weeklyHours: 20, absences: [] })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('server_unavailable')
      expect(r.error.message).toContain('serveur central')
    }
    const bad = await t.call('dispatch.setCapacity', {
      agentId: TOM,
      weeklyHours: 20,
      absences: [{ from: '2026-03-20', to: '2026-03-18', reason: 'leave' }],
    })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.code).toBe('invalid_input')
  })

  it('assigns through request.assign: one outbox entry, and the figures follow', async () => {
    await t.as('luc.lead')
    const before = await t.value('dispatch.board', {})
    const pending = countPendingMutations(t.db)
    await t.value('request.assign', { id: forSuggestion, assigneeId: TOM })
    expect(countPendingMutations(t.db)).toBe(pending + 1)
    const after = await t.value('dispatch.board', {})
    expect(column(after.columns, TOM).open).toBe(column(before.columns, TOM).open + 1)
    expect(column(after.columns, TOM).loadHours).toBe(column(before.columns, TOM).loadHours + 3)
    expect(column(after.columns, null).open).toBe(column(before.columns, null).open - 1)
    expect(column(after.columns, TOM).requests.map((r) => r.id)).toContain(forSuggestion)
  })

  it('shows the sector of a request assigned since the last read, and forgets it once the request leaves', async () => {
    await t.as('luc.lead')
    const sectorsOf = async () => column((await t.value('dispatch.board', {})).columns, ZOE).sectorIds
    const before = await sectorsOf()
    // Read twice: the teams' recent work is kept between reads, and must not hide what follows.
    expect(await sectorsOf()).toEqual(before)
    await t.value('request.assign', { id: inLaxou, assigneeId: ZOE })
    const assigned = await sectorsOf()
    expect(assigned).toHaveLength(before.length + 1)
    expect(assigned).toEqual(expect.arrayContaining(before))
    // Moved to a team off Luc's board (as a sync would write it): out of Zoé's recent work there.
    t.db.prepare("UPDATE requests SET team_id = 'eclairage' WHERE id = ?").run(inLaxou)
    expect(await sectorsOf()).toEqual(before)
  })
})
