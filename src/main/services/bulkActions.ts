/**
 * Actions on a whole selection (a perimeter drawn on the map, rows picked in the list):
 * every request is checked and changed on its own, exactly as if the agent had done it on
 * that one, so one refusal (another team, a guard) does not hold the others back. All of it
 * commits at once, with one event for the screens.
 */
import type { BulkOutcome, ParsedInputOf, SessionInfo } from '../../shared/contract'
import type { TransitionOption } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import { withFullSync } from '../cache/db'
import { getRequestRow } from '../cache/queries/requests'
import type { CoreDeps } from './deps'
import type { RequestService } from './requests'
import type { RequestOp } from '../../core/requests/operations'

export function createBulkService(deps: CoreDeps, requests: RequestService) {
  const { db } = deps

  function eachRequest(session: SessionInfo, ids: readonly string[], op: RequestOp): BulkOutcome {
    const outcome: BulkOutcome = { done: [], refused: [] }
    withFullSync(db, () => {
      for (const id of new Set(ids)) {
        try {
          // A savepoint each: a refused request leaves nothing half-written behind it.
          db.transaction(() => requests.applyQuietly(session, id, op))()
          outcome.done.push(id)
        } catch (e) {
          if (!(e instanceof CoreError)) throw e
          const reference = getRequestRow(db, id)?.reference ?? '—'
          outcome.refused.push({ id, reference, code: e.code, reason: e.message })
        }
      }
    })
    if (outcome.done.length > 0) {
      deps.localChange?.()
      deps.emit('requests.changed', { ids: outcome.done })
    }
    return outcome
  }

  return {
    assign(session: SessionInfo, input: ParsedInputOf<'requests.bulkAssign'>): BulkOutcome {
      return eachRequest(session, input.ids, { op: 'assign', payload: { assigneeId: input.assigneeId } })
    },

    transition(session: SessionInfo, input: ParsedInputOf<'requests.bulkTransition'>): BulkOutcome {
      const { transitionId, fields } = input
      return eachRequest(session, input.ids, { op: 'transition', payload: { transitionId, fields } })
    },

    /** Tags put on and taken off every request, each on the tags it has (a tag change never conflicts). */
    tag(session: SessionInfo, input: ParsedInputOf<'requests.bulkTag'>): BulkOutcome {
      const { add, remove } = input
      return eachRequest(session, input.ids, { op: 'tag', payload: { add, remove } })
    },

    /** One priority for every request: an edit of each, as from its detail. */
    priority(session: SessionInfo, input: ParsedInputOf<'requests.bulkPriority'>): BulkOutcome {
      return eachRequest(session, input.ids, { op: 'update', payload: { priority: input.priority } })
    },

    /** The transitions every one of the requests allows the agent now (in the first one's order). */
    commonTransitions(session: SessionInfo, ids: readonly string[]): TransitionOption[] {
      let common: TransitionOption[] | null = null
      for (const id of new Set(ids)) {
        let allowed: TransitionOption[]
        try {
          allowed = requests.transitions(session, id).allowed
        } catch (e) {
          // Gone from the agent's sight since it was selected (a sync moved it): the others still count.
          if (e instanceof CoreError && e.code === 'not_found') continue
          throw e
        }
        const here = new Set(allowed.map((t) => t.id))
        common = (common ?? allowed).filter((t) => here.has(t.id))
        if (common.length === 0) break
      }
      return common ?? []
    },
  }
}
