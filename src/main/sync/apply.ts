/**
 * Taking the server's state into the cache. The server is the source of truth, but a
 * change this console has not pushed yet must survive a pull: after the server's copy of
 * a request is written, the agent's pending changes to it are re-applied on top (rebase),
 * exactly as they were first applied, without new history or outbox entries.
 */
import type { SessionInfo } from '../../shared/contract'
import type { SavedTour } from '../../shared/savedTour'
import type { DetailsReply, ReferenceBundle, RequestEntity, ServerHistoryEvent } from '../../shared/sync'
import type { WorkflowDefinition } from '../../shared/workflow'
import { canSeeTeam } from '../../core/authz/permissions'
import type { RequestOp } from '../../core/requests/operations'
import { applyRequestOp, type CacheOpContext } from '../cache/requestWrites'
import type { Db } from '../cache/db'
import { putCitizenName } from '../cache/queries/citizens'
import { upsertComment } from '../cache/queries/comments'
import { appendHistory, mergeServerHistoryEvent } from '../cache/queries/history'
import { listPendingFor } from '../cache/queries/outbox'
import {
  upsertAgent,
  upsertCategory,
  upsertRoutingRule,
  upsertSector,
  upsertTeam,
  upsertWorkflowDefinition,
} from '../cache/queries/reference'
import { applyServerRequest, getRequestRow, insertRequest } from '../cache/queries/requests'
import { cached } from '../cache/statements'
import { getSyncState, setSyncState } from '../cache/queries/syncState'
import { CATEGORY_RETENTION_KEY, markRetentionPending } from '../cache/retention'
import { PRIVACY_POLICY_KEY } from '../cache/queries/privacyPolicy'
import { markScrubNeeded } from '../cache/scrub'
import { deleteTour, putTour } from '../cache/queries/tours'
import { replaceCapacity } from '../cache/queries/dispatch'
import { deleteUploadsOf, replaceRequestAttachments } from '../cache/queries/attachments'
import { parseWorkflowDefinition } from '../../core/workflow/definitions'

/**
 * The citizen's name only (queue search): contact details come on demand, one request at a
 * time (issue 12); an older server's whole citizen is kept as a name too.
 */
const citizenNameOf = (entity: RequestEntity) =>
  entity.citizenRef ?? (entity.citizen && { id: entity.citizen.id, name: entity.citizen.name })

/**
 * Write the server's copy of one request, then re-apply this console's pending changes to
 * it. A pending change that no longer applies stays in the outbox: the server decides.
 */
export function applyRequestEntity(
  ctx: CacheOpContext,
  entity: RequestEntity,
  session: SessionInfo | null,
): void {
  const { db } = ctx
  const { request } = entity
  const ref = citizenNameOf(entity)
  if (ref) putCitizenName(db, ref)
  const before = cached(db, 'SELECT citizen_id FROM requests WHERE id = ?').pluck().get(request.id) as
    string | null | undefined
  const isNew = applyServerRequest(db, request) === 'inserted'
  // Attachments (issue 14): the server's list replaces the cached one, bytes of those gone
  // going with them; an older server sends none, and what is cached stays.
  if (entity.attachments) replaceRequestAttachments(db, request.id, entity.attachments)
  // No citizen sent (erased, or no longer for this role): the cached copy goes.
  if (!ref && request.citizenId) forgetCitizen(db, request.citizenId)
  if (before && before !== request.citizenId) forgetCitizenIfOrphan(db, before)
  for (const c of entity.comments) upsertComment(db, c)
  // A request new to this cache has no local events to link to: its history goes straight in.
  takeServerHistory(db, request.id, entity.history, isNew)
  if (!session) return
  for (const pending of listPendingFor(db, request.id)) {
    // A pending comment is still in the cache (the server's copy does not remove it).
    // A merge changes the requests only once the server has applied it (mergeRequests.ts).
    if (pending.op === 'comment' || pending.op === 'create' || pending.op === 'merge') continue
    const row = getRequestRow(db, request.id)
    if (!row) return
    try {
      db.transaction(() =>
        applyRequestOp(
          ctx,
          session,
          row,
          { op: pending.op, payload: pending.payload } as RequestOp,
          pending.createdAt,
        ),
      )()
    } catch {
      // No longer applicable on the server's state: left for the server to answer.
    }
  }
}

/**
 * A request this cache has never held, from a first download into an empty cache: the same
 * rows `applyRequestEntity` writes for it there, without the reads that look for a copy
 * already cached (none can be) or for the agent's pending changes (none wait yet).
 */
export function insertNewRequestEntity(db: Db, entity: RequestEntity): void {
  const ref = citizenNameOf(entity)
  if (ref) putCitizenName(db, ref)
  insertRequest(db, entity.request)
  if (entity.attachments?.length) replaceRequestAttachments(db, entity.request.id, entity.attachments)
  for (const c of entity.comments) upsertComment(db, c)
  takeServerHistory(db, entity.request.id, entity.history, true)
}

/**
 * The request left the agent's sight or was deleted: it leaves the cache, history with it,
 * and its citizen too when no other cached request is theirs (personal data is kept only
 * where the agent's work needs it).
 */
export function removeRequest(db: Db, id: string): void {
  const citizenId = cached(db, 'SELECT citizen_id FROM requests WHERE id = ?').pluck().get(id) as
    string | null | undefined
  cached(db, 'DELETE FROM comments WHERE request_id = ?').run(id)
  // Attachments and their bytes go by cascade; files still waiting here would be refused by
  // the server (the request is gone or out of sight), so they go too (no foreign key: 0012).
  deleteUploadsOf(db, id)
  cached(db, 'DELETE FROM requests WHERE id = ?').run(id)
  if (citizenId) forgetCitizenIfOrphan(db, citizenId)
}

function forgetCitizen(db: Db, citizenId: string) {
  cached(db, 'DELETE FROM citizens WHERE id = ?').run(citizenId)
}

function forgetCitizenIfOrphan(db: Db, citizenId: string) {
  cached(
    db,
    'DELETE FROM citizens WHERE id = ? AND NOT EXISTS (SELECT 1 FROM requests WHERE citizen_id = ?)',
  ).run(citizenId, citizenId)
}

/**
 * Another agent logs in on this profile: what the previous one synced (requests, citizens,
 * the feed's cursor, their server token) leaves the cache, so nothing of theirs is shown
 * to, or sent under the name of, the new agent. Called only when nothing of theirs waits.
 */
export function forgetSyncedData(db: Db): void {
  db.transaction(() => {
    db.exec(`DELETE FROM sync_backfill; DELETE FROM citizen_contacts; DELETE FROM comments; DELETE FROM requests;
             DELETE FROM citizens; DELETE FROM conflicts; DELETE FROM offline_verifiers; DELETE FROM tours;
             DELETE FROM sync_state WHERE key IN ('cursor', 'initial_done', 'refresh_token_encrypted');`)
    // Their bytes leave the file and the WAL after the next round.
    markScrubNeeded(db)
  })()
}

/** Whether the session still sees a request the server sent (its team may have changed). */
export const visibleTo = (session: SessionInfo | null, entity: RequestEntity) =>
  session === null || canSeeTeam(session, entity.request.teamId)

/**
 * Take in the authority's reference data. Routing rules and sectors are replaced whole
 * (their order and set matter); workflows are checked before they replace the running ones.
 * @returns the workflow definitions to run from now on.
 */
/** Rows of a reference table whose id `kept` does not list are deleted. */
function keepOnly(db: Db, table: 'teams' | 'categories' | 'sectors', kept: readonly { id: string }[]) {
  const ids = new Set(kept.map((k) => k.id))
  for (const id of cached(db, `SELECT id FROM ${table}`).pluck().all() as string[])
    if (!ids.has(id)) cached(db, `DELETE FROM ${table} WHERE id = ?`).run(id)
}

export function applyReference(db: Db, bundle: ReferenceBundle): Map<string, WorkflowDefinition> {
  const workflows = new Map<string, WorkflowDefinition>()
  for (const w of bundle.workflows) {
    // A definition the console cannot run is refused here, before any of the bundle is written.
    workflows.set(w.id, parseWorkflowDefinition(w.definition, `serveur:${w.id}`))
  }
  // The bundle is whole: a team, category or sector it no longer has was deleted by an administrator.
  keepOnly(db, 'teams', bundle.teams)
  bundle.teams.forEach((t) => upsertTeam(db, t))
  keepOnly(db, 'categories', bundle.categories)
  bundle.categories.forEach((c) => upsertCategory(db, c))
  bundle.agents.forEach((a) => upsertAgent(db, a))
  cached(db, 'DELETE FROM routing_rules').run()
  bundle.routingRules.forEach((r) => upsertRoutingRule(db, r))
  keepOnly(db, 'sectors', bundle.sectors)
  bundle.sectors.forEach((s) => upsertSector(db, s))
  for (const w of bundle.workflows)
    upsertWorkflowDefinition(db, w.id, w.version, JSON.stringify(w.definition))
  // People's capacity for the dispatch board (issue 15), whole; an older server sends none and what is cached stays.
  if (bundle.capacity) replaceCapacity(db, bundle.capacity)
  // Who reads citizens (`citizenDataRolesOf`) and the retention this cache applies
  // (cache/retention.ts) as the server says, each category's own rule with it (the cache's
  // categories table has no column for it). A change runs the cache's retention again.
  const own = Object.fromEntries(bundle.categories.flatMap((c) => (c.retention ? [[c.id, c.retention]] : [])))
  const policyChanged = keepIfChanged(
    db,
    PRIVACY_POLICY_KEY,
    bundle.privacy && JSON.stringify(bundle.privacy),
  )
  const rulesChanged = keepIfChanged(db, CATEGORY_RETENTION_KEY, JSON.stringify(own))
  if (policyChanged || rulesChanged) markRetentionPending(db)
  return workflows
}

/** Keep `value` under `key` (nothing: the key stays as it was). @returns whether it changed. */
function keepIfChanged(db: Db, key: string, value: string | undefined): boolean {
  if (value === undefined || getSyncState(db, key) === value) return false
  setSyncState(db, key, value)
  return true
}

/** Comments and history of a request first pulled without them (a light first download). */
export function applyRequestDetails(db: Db, details: DetailsReply['details'][number]): void {
  if (!getRequestRow(db, details.id)) return
  for (const c of details.comments) upsertComment(db, c)
  const fresh = !cached(db, 'SELECT 1 FROM history_events WHERE request_id = ?').pluck().get(details.id)
  takeServerHistory(db, details.id, details.history, fresh)
}

/** The server's history of a request: appended as is when nothing of ours can match, merged otherwise. */
function takeServerHistory(db: Db, requestId: string, events: readonly ServerHistoryEvent[], fresh: boolean) {
  const take = fresh ? appendHistory : mergeServerHistoryEvent
  for (const h of events)
    take(db, {
      requestId,
      kind: h.kind,
      at: h.at,
      actorId: h.actorId,
      actorName: h.actorName,
      data: h.data,
      serverId: h.serverId,
      mutationId: h.mutationId,
    })
}

/** Requests still waiting for their comments and history, and marking them. */
export const backfill = {
  add: (db: Db, id: string) =>
    cached(db, 'INSERT OR IGNORE INTO sync_backfill (request_id) VALUES (?)').run(id),
  done: (db: Db, id: string) => cached(db, 'DELETE FROM sync_backfill WHERE request_id = ?').run(id),
  next: (db: Db, limit: number) =>
    cached(db, 'SELECT request_id FROM sync_backfill LIMIT ?').pluck().all(limit) as string[],
}

/**
 * The server's copy of a tour (or its removal). A save of the agent's own still waiting in
 * the outbox is newer than it: the local copy stays until the server has answered that save.
 * @returns whether the cache changed.
 */
export function takeServerTour(db: Db, id: string, tour: SavedTour | null): boolean {
  if (listPendingFor(db, id).length > 0) return false
  if (tour) putTour(db, tour)
  else deleteTour(db, id)
  return true
}
