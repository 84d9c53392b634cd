/**
 * The SLA clock as the agent reads it: days or hours left, or how late. Pure, so the list
 * and the detail agree and it can be tested at a fixed instant.
 *
 * The detail reads the core's business-time clock (`requests.slaClock`: working hours,
 * holidays, stopped while the request waits for the citizen) through `useSlaClock`; the
 * list, which has only the due date, still counts wall-clock time with `slaClock`.
 */
import { onBeforeUnmount, ref, watch, type Ref } from 'vue'
import type { StatusKind } from '../../shared/domain'
import type { RequestSlaClock } from '../../shared/channels/slaClock'
import { invoke } from '../api'
import { useNow } from './useNow'

const HOUR = 3_600_000
const DAY = 24 * HOUR

export type SlaClock =
  | { state: 'none' }
  | { state: 'closed' }
  | { state: 'due'; unit: 'd' | 'h'; n: number; soon: boolean }
  | { state: 'overdue'; unit: 'd' | 'h'; n: number }

/** Where a request stands against its due date at `now` (epoch ms), in wall-clock time. */
export function slaClock(dueAt: string | null, statusKind: StatusKind, now: number): SlaClock {
  if (statusKind === 'closed') return { state: 'closed' }
  if (!dueAt) return { state: 'none' }
  const due = Date.parse(dueAt)
  if (Number.isNaN(due)) return { state: 'none' }
  return countdown(due - now, DAY, false)
}

/** Time left (negative: late) as whole days of `dayMs` or hours. */
function countdown(left: number, dayMs: number, overdue: boolean): SlaClock {
  if (left > 0 && !overdue) {
    if (left >= dayMs) return { state: 'due', unit: 'd', n: Math.floor(left / dayMs), soon: false }
    return { state: 'due', unit: 'h', n: Math.max(1, Math.ceil(left / HOUR)), soon: true }
  }
  const late = Math.max(0, -left)
  if (late >= dayMs) return { state: 'overdue', unit: 'd', n: Math.floor(late / dayMs) }
  return { state: 'overdue', unit: 'h', n: Math.max(1, Math.floor(late / HOUR)) }
}

/** The detail's clock: the list's, or stopped while the request waits for the citizen. */
export type BusinessSlaClock = SlaClock | { state: 'paused' }

/**
 * The core's business-time clock in the same words: working days (of the authority's
 * working hours) and business hours left or late; `paused` while waiting for the citizen.
 */
export function businessSlaClock(clock: RequestSlaClock): BusinessSlaClock {
  switch (clock.state) {
    case 'none':
    case 'closed':
    case 'paused':
      return { state: clock.state }
    case 'overdue':
      return countdown(clock.businessMsLeft, clock.businessDayMs, true)
    case 'due_soon': {
      const c = countdown(clock.businessMsLeft, clock.businessDayMs, false)
      return c.state === 'due' ? { ...c, soon: true } : c
    }
    case 'on_time':
      return countdown(clock.businessMsLeft, clock.businessDayMs, false)
  }
}

/**
 * The open request's business-time clock, read from the core when what it counts from
 * changes (the request, its due date, its status, its pause) and again each minute; null
 * until the first answer or when it fails. An assignment or a comment reads nothing here.
 */
export function useSlaClock(
  request: Readonly<Ref<{ id: string; dueAt: string | null; status: string; slaPausedMs: number } | null>>,
): Ref<BusinessSlaClock | null> {
  const clock = ref<BusinessSlaClock | null>(null)
  const now = useNow()
  let asked = 0
  async function read() {
    const r = request.value
    const mine = ++asked
    if (!r) {
      clock.value = null
      return
    }
    try {
      const answer = await invoke('requests.slaClock', { id: r.id })
      if (mine === asked) clock.value = businessSlaClock(answer)
    } catch {
      if (mine === asked) clock.value = null
    }
  }
  const stop = watch(
    () => [
      request.value?.id,
      request.value?.dueAt,
      request.value?.status,
      request.value?.slaPausedMs,
      now.value,
    ],
    read,
    { immediate: true },
  )
  onBeforeUnmount(stop)
  return clock
}
