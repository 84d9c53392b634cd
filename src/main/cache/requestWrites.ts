/**
 * The console's writer for the core's request decisions: what `decideRequestOp` says to
 * write, written to the cache (the request, its comment). History and outbox stay with the
 * caller: an agent's action queues a mutation, a re-applied pending change does not.
 */
import type { SessionInfo } from '../../shared/contract'
import type { WorkflowDefinition } from '../../shared/workflow'
import {
  decideRequestOp,
  type OpContext,
  type RequestDecision,
  type RequestOp,
} from '../../core/requests/operations'
import type { TourLookup } from '../../core/tours/operations'
import type { BusinessCalendar } from '../../core/workflow/sla'
import type { Db } from './db'
import { insertComment } from './queries/comments'
import { getRequestByReference } from './queries/duplicates'
import { getAgentById, getCategory, listRoutingRules, listSectors } from './queries/reference'
import { getRequestRow, setRequestStatus, updateRequestFields, type RequestRow } from './queries/requests'

/** The core's context on the console: the reference data read from the cache, and the cache to write to. */
export interface CacheOpContext extends OpContext {
  db: Db
  ref: OpContext['ref'] & TourLookup
}

export function cacheOpContext(
  db: Db,
  workflows: Map<string, WorkflowDefinition>,
  calendar: BusinessCalendar,
): CacheOpContext {
  return {
    db,
    workflows,
    calendar,
    requestByReference: (reference) => getRequestByReference(db, reference),
    ref: {
      category: (id) => getCategory(db, id),
      agent: (id) => getAgentById(db, id),
      routingRules: () => listRoutingRules(db),
      sectors: () => listSectors(db),
      request: (id) => getRequestRow(db, id),
    },
  }
}

/**
 * Decide and write one change to `row` (read in the caller's transaction).
 * @throws CoreError as `decideRequestOp`, and `version_conflict` when the row moved.
 */
export function applyRequestOp(
  ctx: CacheOpContext,
  session: SessionInfo,
  row: RequestRow,
  op: RequestOp,
  at: number,
): RequestDecision {
  const decision = decideRequestOp(ctx, session, row, op, at)
  const { write } = decision
  if (write?.kind === 'status') setRequestStatus(ctx.db, row.id, write.change, row.version)
  else if (write?.kind === 'fields') updateRequestFields(ctx.db, row.id, write.patch, row.version)
  if (decision.comment) insertComment(ctx.db, decision.comment)
  return decision
}
