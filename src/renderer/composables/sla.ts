/**
 * The SLA clock as the agent reads it: days or hours left, or how late. Pure, so the list
 * and the detail agree and it can be tested at a fixed instant.
 */
import type { StatusKind } from '../../shared/domain'

const HOUR = 3_600_000
const DAY = 24 * HOUR

export type SlaClock =
  | { state: 'none' }
  | { state: 'closed' }
  | { state: 'due'; unit: 'd' | 'h'; n: number; soon: boolean }
  | { state: 'overdue'; unit: 'd' | 'h'; n: number }

/** Where a request stands against its due date at `now` (epoch ms). */
export function slaClock(dueAt: string | null, statusKind: StatusKind, now: number): SlaClock {
  if (statusKind === 'closed') return { state: 'closed' }
  if (!dueAt) return { state: 'none' }
  const due = Date.parse(dueAt)
  if (Number.isNaN(due)) return { state: 'none' }
  const left = due - now
  if (left > 0) {
    if (left >= DAY) return { state: 'due', unit: 'd', n: Math.floor(left / DAY), soon: false }
    return { state: 'due', unit: 'h', n: Math.max(1, Math.ceil(left / HOUR)), soon: true }
  }
  const late = -left
  if (late >= DAY) return { state: 'overdue', unit: 'd', n: Math.floor(late / DAY) }
  return { state: 'overdue', unit: 'h', n: Math.max(1, Math.floor(late / HOUR)) }
}
