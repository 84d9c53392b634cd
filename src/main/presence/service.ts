/**
 * Who is on a request (issue 15), on the console's side: what the agent does is told to the
 * server (best effort: never queued in the outbox, nothing sent while the event stream is
 * down or on a local-only profile), and what the others do is read from the marks the
 * stream brought (marks.ts). The core checks the session may see the request, as the
 * server checks again.
 */
import type { SessionInfo } from '../../shared/contract'
import type { PresenceOther } from '../../shared/channels/presence'
import type { PresenceField } from '../../shared/presence'
import { CoreError } from '../../shared/result'
import { assertCanSeeTeam, canChangeRequests } from '../../core/authz/permissions'
import type { Db } from '../cache/db'
import { getRequestRow } from '../cache/queries/requests'
import type { SyncTransport } from '../sync/transport'
import { createPresenceMarks, type PresenceHeard } from './marks'

/** What presence needs of the sync side: the access token, the HTTP call, the stream's marks. */
export interface PresenceRemote {
  withAccess<T>(fn: (token: string) => Promise<T>): Promise<T>
  transport: Pick<SyncTransport, 'presence'>
  onPresence(listener: (heard: PresenceHeard) => void): () => void
}

export interface PresenceServiceDeps {
  db: Db
  now: () => number
  remote: PresenceRemote | null
  /** Who is on `requestId` changed. */
  changed: (requestId: string) => void
}

export interface PresenceReportInput {
  requestId: string
  activity: 'viewing' | 'editing' | 'left'
  field: PresenceField | null
}

export function createPresenceService(deps: PresenceServiceDeps) {
  const marks = createPresenceMarks({ now: deps.now, changed: deps.changed })
  /** The stream is open: the server is there to hear a report (otherwise it is not sent). */
  let streamOpen = false
  deps.remote?.onPresence((heard) => {
    if (heard === 'open') streamOpen = true
    if (heard === 'closed') streamOpen = false
    marks.hear(heard)
  })

  /** The request as the session may see it in the cache; another team's is « not found ». */
  function visible(session: SessionInfo, requestId: string) {
    const row = getRequestRow(deps.db, requestId)
    if (!row) throw new CoreError('not_found', 'Demande introuvable.')
    assertCanSeeTeam(session, row.teamId)
  }

  return {
    async report(session: SessionInfo, input: PresenceReportInput): Promise<{ sent: boolean }> {
      visible(session, input.requestId)
      if (input.activity === 'editing' && !canChangeRequests(session))
        throw new CoreError('forbidden', 'Ce rôle consulte les demandes sans les modifier.')
      if (input.activity !== 'editing' && input.field !== null)
        throw new CoreError('invalid_input', 'Un champ ne se donne qu’avec l’activité « editing ».')
      const remote = deps.remote
      if (!remote || !streamOpen) return { sent: false }
      const report =
        input.activity === 'left' ? ('left' as const) : { activity: input.activity, field: input.field }
      try {
        await remote.withAccess((token) => remote.transport.presence(token, input.requestId, report))
        return { sent: true }
      } catch {
        // Best effort: the mark runs out on the server by itself, the next renewal tries again.
        return { sent: false }
      }
    },

    of(session: SessionInfo, requestId: string): PresenceOther[] {
      visible(session, requestId)
      return marks.of(requestId)
    },
  }
}

export type PresenceService = ReturnType<typeof createPresenceService>
