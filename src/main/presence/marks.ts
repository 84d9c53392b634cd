/**
 * The other agents' presence marks this console heard on the server's event stream
 * (issue 15), in memory only. Each mark goes by itself when its time is up (one timer, set
 * for the nearest end), and all go when the stream ends: its next opening tells the live
 * ones again.
 */
import type { PresenceOther } from '../../shared/channels/presence'
import type { PresenceMark } from '../../shared/presence'

/** What the sync engine passes on from the stream: a mark, or the stream opened or ended. */
export type PresenceHeard = PresenceMark | 'open' | 'closed'

interface Held {
  agentId: string
  displayName: string
  activity: 'viewing' | 'editing'
  field: PresenceMark['field']
  expiresAt: number
}

export interface PresenceMarksOptions {
  now: () => number
  /** Who is on `requestId` changed (someone came, left, or their mark ran out). */
  changed: (requestId: string) => void
}

export function createPresenceMarks(options: PresenceMarksOptions) {
  /** requestId → (agentId|seat) → mark: an agent on two workstations holds two marks. */
  const byRequest = new Map<string, Map<string, Held>>()
  let timer: NodeJS.Timeout | null = null

  function expire() {
    timer = null
    const t = options.now()
    for (const [requestId, marks] of byRequest) {
      let dropped = false
      for (const [key, m] of marks)
        if (m.expiresAt <= t) {
          marks.delete(key)
          dropped = true
        }
      if (marks.size === 0) byRequest.delete(requestId)
      if (dropped) options.changed(requestId)
    }
    arm()
  }

  /** One timer, for the mark that ends first. */
  function arm() {
    if (timer) clearTimeout(timer)
    timer = null
    let next = Infinity
    for (const marks of byRequest.values()) for (const m of marks.values()) next = Math.min(next, m.expiresAt)
    if (next === Infinity) return
    timer = setTimeout(expire, Math.max(0, next - options.now()))
    timer.unref?.()
  }

  function clear() {
    const requestIds = [...byRequest.keys()]
    byRequest.clear()
    arm()
    requestIds.forEach(options.changed)
  }

  return {
    hear(heard: PresenceHeard): void {
      if (heard === 'open' || heard === 'closed') return clear()
      const key = `${heard.agentId}|${heard.seat}`
      const marks = byRequest.get(heard.requestId) ?? new Map<string, Held>()
      if (heard.activity === 'left' || heard.expiresInMs === 0) marks.delete(key)
      else
        marks.set(key, {
          agentId: heard.agentId,
          displayName: heard.displayName,
          activity: heard.activity,
          field: heard.field,
          expiresAt: options.now() + heard.expiresInMs,
        })
      if (marks.size > 0) byRequest.set(heard.requestId, marks)
      else byRequest.delete(heard.requestId)
      arm()
      options.changed(heard.requestId)
    },

    /** The others on `requestId`, one line per agent (editing wins over viewing), editors first. */
    of(requestId: string): PresenceOther[] {
      const t = options.now()
      const byAgent = new Map<string, PresenceOther>()
      for (const m of byRequest.get(requestId)?.values() ?? []) {
        if (m.expiresAt <= t) continue
        const known = byAgent.get(m.agentId)
        if (known?.activity === 'editing') continue
        byAgent.set(m.agentId, {
          agentId: m.agentId,
          displayName: m.displayName,
          activity: m.activity,
          field: m.field,
        })
      }
      return [...byAgent.values()].sort(
        (a, b) =>
          Number(b.activity === 'editing') - Number(a.activity === 'editing') ||
          a.displayName.localeCompare(b.displayName, 'fr'),
      )
    },

    clear,
  }
}

export type PresenceMarks = ReturnType<typeof createPresenceMarks>
