/**
 * The console's presence marks (src/main/presence/marks.ts): a mark goes by itself when its
 * time is up, counted on the console's clock; an agent on two workstations stays until
 * both left; editing wins over viewing; the stream ending forgets everything.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { PresenceMark } from '../../src/shared/presence'
import { createPresenceMarks } from '../../src/main/presence/marks'

const mark = (over: Partial<PresenceMark> = {}): PresenceMark => ({
  requestId: 'r1',
  agentId: 'agent-zoe.agent',
  seat: 'seat-a',
  displayName: 'Zoé Marchal',
  activity: 'viewing',
  field: null,
  expiresInMs: 45_000,
  ...over,
})

let changed: string[]
let marks: ReturnType<typeof createPresenceMarks>
beforeEach(() => {
  vi.useFakeTimers()
  changed = []
  marks = createPresenceMarks({ now: Date.now, changed: (id) => changed.push(id) })
})
afterEach(() => vi.useRealTimers())

describe('presence marks', () => {
  it('lets a mark go by itself when its time is up, and says so', () => {
    marks.hear(mark())
    expect(marks.of('r1')).toHaveLength(1)
    vi.advanceTimersByTime(44_000)
    expect(marks.of('r1')).toHaveLength(1)
    changed = []
    vi.advanceTimersByTime(1_000)
    expect(marks.of('r1')).toEqual([])
    expect(changed).toEqual(['r1'])
  })

  it('keeps a renewed mark past its first end', () => {
    marks.hear(mark())
    vi.advanceTimersByTime(30_000)
    marks.hear(mark())
    vi.advanceTimersByTime(30_000)
    expect(marks.of('r1').map((o) => o.displayName)).toEqual(['Zoé Marchal'])
  })

  it('shows one line per agent, editing first, and keeps an agent while one of their workstations stays', () => {
    marks.hear(mark({ seat: 'seat-a' }))
    marks.hear(mark({ seat: 'seat-b', activity: 'editing', field: 'title' }))
    marks.hear(mark({ agentId: 'agent-luc.lead', seat: 'seat-c', displayName: 'Luc Henrion' }))
    expect(marks.of('r1')).toEqual([
      { agentId: 'agent-zoe.agent', displayName: 'Zoé Marchal', activity: 'editing', field: 'title' },
      { agentId: 'agent-luc.lead', displayName: 'Luc Henrion', activity: 'viewing', field: null },
    ])
    marks.hear(mark({ seat: 'seat-b', activity: 'left' }))
    expect(marks.of('r1')[1]).toMatchObject({ displayName: 'Zoé Marchal', activity: 'viewing' })
  })

  it('forgets every mark when the stream ends or opens again, and tells each request', () => {
    marks.hear(mark())
    marks.hear(mark({ requestId: 'r2' }))
    changed = []
    marks.hear('closed')
    expect(marks.of('r1')).toEqual([])
    expect(marks.of('r2')).toEqual([])
    expect(changed.sort()).toEqual(['r1', 'r2'])
  })
})
