/**
 * The presence marks one server instance knows (issue 15): every instance holds all of
 * them, as each mark reaches every instance through the database's notifications. Held in
 * memory only: a mark lives seconds, and one lost at a restart is renewed by its console
 * within the renewal period.
 */
import type { SessionInfo } from '../../shared/contract'
import type { PresenceField, PresenceMark } from '../../shared/presence'
import { canSeeTeam } from '../../core/authz/permissions'

/** A mark as instances pass it to each other: with the team that decides who may hear of it. */
export interface TeamMark {
  requestId: string
  teamId: string
  agentId: string
  seat: string
  displayName: string
  activity: 'viewing' | 'editing' | 'left'
  field: PresenceField | null
  /** Left to live when it was sent (each instance counts it on its own clock). */
  ttlMs: number
}

interface HeldMark extends TeamMark {
  expiresAt: number
}

const keyOf = (m: Pick<TeamMark, 'requestId' | 'agentId' | 'seat'>) => `${m.requestId}|${m.agentId}|${m.seat}`

/** A mark as a stream of `session` may receive it; undefined when it must not (another team, their own). */
export function markFor(session: SessionInfo, mark: TeamMark, expiresInMs: number): PresenceMark | undefined {
  if (session.agentId === mark.agentId || !canSeeTeam(session, mark.teamId)) return undefined
  return {
    requestId: mark.requestId,
    agentId: mark.agentId,
    seat: mark.seat,
    displayName: mark.displayName,
    activity: mark.activity,
    field: mark.field,
    expiresInMs,
  }
}

export function createPresenceRegistry(now: () => number) {
  const marks = new Map<string, HeldMark>()

  const purge = () => {
    const t = now()
    for (const [key, m] of marks) if (m.expiresAt <= t) marks.delete(key)
  }

  return {
    /** Take a mark heard from any instance (this one included); `left` ends it. */
    apply(mark: TeamMark): void {
      purge()
      if (mark.activity === 'left') marks.delete(keyOf(mark))
      else marks.set(keyOf(mark), { ...mark, expiresAt: now() + mark.ttlMs })
    },

    /** The live marks `session` may see, for a stream that just opened. */
    visibleTo(session: SessionInfo): PresenceMark[] {
      purge()
      const t = now()
      const out: PresenceMark[] = []
      for (const m of marks.values()) {
        const seen = markFor(session, m, m.expiresAt - t)
        if (seen) out.push(seen)
      }
      return out
    },

    /** Live marks of `agentId` on requests other than `requestId` (a bound on what one agent holds). */
    heldElsewhere(agentId: string, requestId: string): number {
      purge()
      let n = 0
      for (const m of marks.values()) if (m.agentId === agentId && m.requestId !== requestId) n++
      return n
    },

    clear(): void {
      marks.clear()
    },
  }
}

export type PresenceRegistry = ReturnType<typeof createPresenceRegistry>
