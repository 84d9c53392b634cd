import { describe, expect, it } from 'vitest'
import { slaClock } from '../../../src/renderer/composables/sla'

const NOW = Date.parse('2026-03-02T10:00:00.000Z')
const at = (hoursFromNow: number) => new Date(NOW + hoursFromNow * 3_600_000).toISOString()

describe('SLA clock', () => {
  it('counts whole days left when a day or more remains', () => {
    expect(slaClock(at(49), 'open', NOW)).toEqual({ state: 'due', unit: 'd', n: 2, soon: false })
  })

  it('counts hours left, rounded up, on the last day', () => {
    expect(slaClock(at(2.5), 'open', NOW)).toEqual({ state: 'due', unit: 'h', n: 3, soon: true })
  })

  it('says how late in hours, then in days', () => {
    expect(slaClock(at(-3.2), 'open', NOW)).toEqual({ state: 'overdue', unit: 'h', n: 3 })
    expect(slaClock(at(-0.1), 'open', NOW)).toEqual({ state: 'overdue', unit: 'h', n: 1 })
    expect(slaClock(at(-50), 'open', NOW)).toEqual({ state: 'overdue', unit: 'd', n: 2 })
  })

  it('has no clock for closed requests or requests without a due date', () => {
    expect(slaClock(at(-50), 'closed', NOW)).toEqual({ state: 'closed' })
    expect(slaClock(null, 'open', NOW)).toEqual({ state: 'none' })
  })
})
