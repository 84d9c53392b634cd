/**
 * A duplicate follows its master (issue 14): when the master is resolved, each request
 * linked to it gets a `master_resolved` event in the same transaction, and the notices job
 * (src/server/notifications/queue.ts) tells its citizen. « Resolved » is the workflow's own
 * word for it: a transition to a closed state that stamps a resolution (`close`), so a
 * master rejected or itself marked a duplicate tells its duplicates nothing.
 */
import type { NewHistoryEvent } from '../../core/requests/records'
import type { RequestRecord } from '../../shared/sync'
import type { WorkflowDefinition } from '../../shared/workflow'
import type { Sql } from './sql/client'

/** Whether `transitionId` of `def` resolves the request (closed, with a resolution). */
export function resolves(def: WorkflowDefinition, transitionId: string): boolean {
  const transition = def.transitions.find((t) => t.id === transitionId)
  const target = transition && def.states.find((s) => s.id === transition.to)
  return target?.kind === 'closed' && (transition?.effects ?? []).includes('stamp_resolution')
}

/**
 * The expression of migration 0010's index on each store, written the same here: the
 * planners use an expression index only for the very same expression.
 */
const linkedTo = (dialect: Sql['dialect']) =>
  dialect === 'postgres' ? `((fields::jsonb) ->> 'duplicateOf')` : `json_extract(fields, '$.duplicateOf')`

/** The requests linked as duplicates of the request whose reference is `reference`. */
export async function duplicatesOf(
  tx: Pick<Sql, 'all' | 'dialect'>,
  reference: string,
): Promise<Array<{ id: string; teamId: string }>> {
  const rows = await tx.all<{ id: string; team_id: string }>(
    `SELECT id, team_id FROM requests WHERE ${linkedTo(tx.dialect)} = ? ORDER BY id`,
    [reference],
  )
  return rows.map((r) => ({ id: r.id, teamId: r.team_id }))
}

/** The events telling each duplicate of `master` (as just resolved) that it is. */
export async function masterResolvedEvents(
  tx: Pick<Sql, 'all' | 'dialect'>,
  master: RequestRecord,
  at: number,
): Promise<Array<{ teamId: string; event: NewHistoryEvent }>> {
  const followers = await duplicatesOf(tx, master.reference)
  return followers.map(({ id, teamId }) => ({
    teamId,
    event: {
      requestId: id,
      kind: 'master_resolved',
      at,
      // The server's doing, not the agent's: they closed the master, not this request.
      actorId: null,
      actorName: null,
      data: { masterId: master.id, masterReference: master.reference, masterStatus: master.status },
    },
  }))
}
