/**
 * The detail's SLA clock read from the core in business time: the words for each state,
 * and « En pause — attente usager » while the request waits for the citizen.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RequestSlaClock } from '../../../src/shared/channels/slaClock'
import RequestDetail from '../../../src/renderer/components/RequestDetail.vue'
import { businessSlaClock } from '../../../src/renderer/composables/sla'
import { useDetailStore } from '../../../src/renderer/stores/detail'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { answer, answerDetailReads, callsTo, resetFakeApi } from './support/fakeApi'
import { detailFor, sessionFor } from './support/fixtures'
import { mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const HOUR = 3_600_000
const DAY = 9 * HOUR
const clock = (over: Partial<RequestSlaClock>): RequestSlaClock => ({
  state: 'on_time',
  businessMsLeft: 0,
  businessDayMs: DAY,
  pausedSince: null,
  at: '2026-03-16T10:00:00.000Z',
  ...over,
})

describe('the business-time clock in words', () => {
  it('counts working days of the authority’s hours, not 24-hour days', () => {
    expect(businessSlaClock(clock({ businessMsLeft: 15.5 * HOUR }))).toEqual({
      state: 'due',
      unit: 'd',
      n: 1,
      soon: false,
    })
    expect(businessSlaClock(clock({ state: 'due_soon', businessMsLeft: 2.5 * HOUR }))).toEqual({
      state: 'due',
      unit: 'h',
      n: 3,
      soon: true,
    })
  })

  it('says how late in business hours, then working days', () => {
    expect(businessSlaClock(clock({ state: 'overdue', businessMsLeft: -2.5 * HOUR }))).toEqual({
      state: 'overdue',
      unit: 'h',
      n: 2,
    })
    expect(businessSlaClock(clock({ state: 'overdue', businessMsLeft: -20 * HOUR }))).toEqual({
      state: 'overdue',
      unit: 'd',
      n: 2,
    })
    // Due on Friday evening, read on Saturday: late, though no working time has passed.
    expect(businessSlaClock(clock({ state: 'overdue', businessMsLeft: 0 }))).toEqual({
      state: 'overdue',
      unit: 'h',
      n: 1,
    })
  })

  it('keeps paused, closed and no due date as they are', () => {
    expect(businessSlaClock(clock({ state: 'paused', businessMsLeft: 4 * HOUR }))).toEqual({
      state: 'paused',
    })
    expect(businessSlaClock(clock({ state: 'closed' }))).toEqual({ state: 'closed' })
    expect(businessSlaClock(clock({ state: 'none' }))).toEqual({ state: 'none' })
  })
})

describe('the detail shows the core’s clock', () => {
  let wrapper: VueWrapper | null = null

  beforeEach(() => {
    resetFakeApi()
    answerDetailReads()
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = null
  })

  async function open(answerClock: RequestSlaClock) {
    const session = sessionFor(['agent'])
    answer('request.get', () => detailFor(session, { dueAt: '2026-03-13T16:30:00.000Z' }))
    answer('requests.slaClock', () => answerClock)
    wrapper = mountWithApp(RequestDetail, session)
    await useReferenceStore().load()
    await useDetailStore().open('r1')
    await flushPromises()
    return wrapper
  }

  it('says « En pause — attente usager » while the request waits for the citizen', async () => {
    const w = await open(
      clock({ state: 'paused', businessMsLeft: 4 * HOUR, pausedSince: '2026-03-12T10:00:00.000Z' }),
    )
    expect(callsTo('requests.slaClock')).toEqual([{ id: 'r1' }])
    expect(w.find('.state strong.paused').text()).toBe('En pause — attente usager')
    expect(w.text()).not.toContain('En retard')
  })

  it('says how late in business hours after a weekend', async () => {
    const w = await open(clock({ state: 'overdue', businessMsLeft: -2.5 * HOUR }))
    expect(w.find('.state strong.overdue').text()).toBe('En retard +2 h')
  })
})
