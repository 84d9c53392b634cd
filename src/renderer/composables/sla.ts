/**
 * The SLA clock as the agent reads it: days or hours left, or how late. Pure, so the list
 * and the detail agree and it can be tested at a fixed instant.
 *
 * The detail and the list read the core's business-time clock (working hours, holidays,
 * stopped while the request waits for the citizen): `useSlaClock` for the open request,
 * `useSlaClocks` for the rows on screen. Wall-clock `slaClock` is only the list's fallback
 * when the core cannot say.
 */
import { onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue'
import type { StatusKind } from '../../shared/domain'
import { SLA_CLOCKS_PER_CALL, type RequestSlaClock } from '../../shared/channels/slaClock'
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

/** What a row's clock depends on: the list asks again only when one of these changes. */
interface ClockedRow {
  id: string
  dueAt: string | null
  status: string
}

/**
 * The business-time clocks of the rows on screen, read in one call when the rows shown,
 * their due dates or statuses change, and each minute. An assignment or a comment asks
 * nothing. `failed`: the core could not say; the list then counts wall-clock time.
 */
export function useSlaClocks(rows: Readonly<Ref<readonly ClockedRow[]>>) {
  const clocks = shallowRef<ReadonlyMap<string, BusinessSlaClock>>(new Map())
  const failed = ref(false)
  const now = useNow()
  let asked = 0
  async function read() {
    const ids = [...new Set(rows.value.map((r) => r.id))].slice(0, SLA_CLOCKS_PER_CALL)
    const mine = ++asked
    if (ids.length === 0) return
    try {
      const answer = await invoke('requests.slaClocks', { ids })
      if (mine !== asked) return
      clocks.value = new Map(Object.entries(answer.clocks).map(([id, c]) => [id, businessSlaClock(c)]))
      failed.value = false
    } catch {
      if (mine === asked) failed.value = true
    }
  }
  const stop = watch(
    () => `${rows.value.map((r) => `${r.id}:${r.dueAt}:${r.status}`).join('|')}@${now.value}`,
    read,
    { immediate: true },
  )
  onBeforeUnmount(stop)
  return { clocks, failed }
}
