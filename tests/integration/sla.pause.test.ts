/**
 * The SLA clock in business time and its pause, through core.invoke on a real cache: the
 * detail's clock (`requests.slaClock`), and the queue's overdue filter and count, which must
 * not call late a request that waits for the citizen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertRequest, type NewRequestRow } from '../../src/main/cache/queries/requests'
import { openTestCore, type TestCore } from '../support/core'
import { requestRow } from '../support/requestRow'

/** Monday 16 March 2026, 11:00 in Paris; working hours 08:30–17:30. */
const NOW = Date.parse('2026-03-16T10:00:00Z')
const HOUR = 3_600_000

let t: TestCore

function request(id: string, over: Partial<NewRequestRow>) {
  insertRequest(
    t.db,
    requestRow(id, { status: 'assigned', createdAt: Date.parse('2026-03-09T09:00:00Z'), ...over }),
  )
}

beforeAll(async () => {
  t = await openTestCore({ requests: 0, now: () => NOW })
  t.db.transaction(() => {
    // Due Friday 13 at 17:30 in Paris: late by Monday's 08:30–11:00 only, in business time.
    request('sla-00001', { dueAt: Date.parse('2026-03-13T16:30:00Z') })
    // The same due date, but waiting for the citizen since Thursday: paused, not late.
    request('sla-00002', {
      dueAt: Date.parse('2026-03-13T16:30:00Z'),
      status: 'waiting_citizen',
      slaPausedSince: Date.parse('2026-03-12T10:00:00Z'),
    })
    // Due Tuesday 17 at 17:30: 6.5 h today and 9 h tomorrow are left.
    request('sla-00003', { dueAt: Date.parse('2026-03-17T16:30:00Z') })
  })()
  await t.as('zoe.agent')
})
afterAll(() => t.close())

describe('the SLA clock in business time', () => {
  it('counts only working hours late after a weekend', async () => {
    const clock = await t.value('requests.slaClock', { id: 'sla-00001' })
    expect(clock.state).toBe('overdue')
    expect(clock.businessMsLeft).toBe(-2.5 * HOUR)
    expect(clock.businessDayMs).toBe(9 * HOUR)
    expect(clock.pausedSince).toBeNull()
  })

  it('says paused while the request waits for the citizen', async () => {
    const clock = await t.value('requests.slaClock', { id: 'sla-00002' })
    expect(clock.state).toBe('paused')
    expect(clock.pausedSince).toBe('2026-03-12T10:00:00.000Z')
    // What was left when it stopped: Thursday 11:00 → Friday 17:30 in Paris.
    expect(clock.businessMsLeft).toBe((6.5 + 9) * HOUR)
  })

  it('counts what is left in working hours', async () => {
    const clock = await t.value('requests.slaClock', { id: 'sla-00003' })
    expect(clock.state).toBe('on_time')
    expect(clock.businessMsLeft).toBe((6.5 + 9) * HOUR)
  })

  it('answers « not found » for a request of another team', async () => {
    request('sla-00004', { teamId: 'eclairage', categoryId: 'eclairage-public' })
    expect(await t.call('requests.slaClock', { id: 'sla-00004' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
  })

  it('gives the list the same clocks in one call, leaving out another team’s and unknown ids', async () => {
    const ids = ['sla-00001', 'sla-00002', 'sla-00003', 'sla-00004', 'no-such-request']
    const { clocks } = await t.value('requests.slaClocks', { ids })
    expect(Object.keys(clocks).sort()).toEqual(['sla-00001', 'sla-00002', 'sla-00003'])
    for (const id of ['sla-00001', 'sla-00002', 'sla-00003'])
      expect(clocks[id]).toEqual(await t.value('requests.slaClock', { id }))
  })
})

describe('the overdue filter and count respect the pause', () => {
  it('lists and counts the late request, not the paused one', async () => {
    const page = await t.value('queue.list', { filter: { overdue: true }, limit: 50 })
    expect(page.rows.map((r) => r.id)).toEqual(['sla-00001'])
    const counts = await t.value('queue.counts', {})
    expect(counts.overdue).toBe(1)
    const overdueCounts = await t.value('queue.counts', { filter: { overdue: true } })
    expect(overdueCounts.total).toBe(1)
    expect(overdueCounts.byStatus).toEqual({ assigned: 1 })
  })
})
