/**
 * Reading what the protocol sends, from the server's SQLite: a request with its comments,
 * history and (for the roles that need it) its citizen; the reference bundle.
 */
import type { SessionInfo } from '../../../shared/contract'
import type { HistoryKind, Role } from '../../../shared/domain'
import type { ReferenceBundle, RequestEntity, RequestRecord, ServerHistoryEvent } from '../../../shared/sync'
import { canReadCitizen, canSeeTeam } from '../../../core/authz/permissions'
import type { Db } from '../../../main/cache/db'
import { getCitizen } from '../../../main/cache/queries/citizens'
import { listComments } from '../../../main/cache/queries/comments'
import {
  listAgents,
  listCategories,
  listRoutingRules,
  listSectors,
  listTeams,
  listWorkflowDefinitionsRaw,
} from '../../../main/cache/queries/reference'
import { getRequestRow, type RequestRow } from '../../../main/cache/queries/requests'
import { cached } from '../../../main/cache/statements'

export function recordOf(row: RequestRow): RequestRecord {
  const { rowid: _rowid, ...record } = row
  return record
}

interface DbHistoryRow {
  id: number
  kind: string
  at: number
  actor_id: string | null
  actor_name: string | null
  data: string
  mutation_id: string | null
}

export function serverHistory(db: Db, requestId: string): ServerHistoryEvent[] {
  const rows = cached(
    db,
    `SELECT id, kind, at, actor_id, actor_name, data, mutation_id FROM history_events
     WHERE request_id = ? ORDER BY at, id`,
  ).all(requestId) as DbHistoryRow[]
  return rows.map((r) => ({
    serverId: r.id,
    kind: r.kind as HistoryKind,
    at: r.at,
    actorId: r.actor_id,
    actorName: r.actor_name,
    data: JSON.parse(r.data) as Record<string, unknown>,
    mutationId: r.mutation_id,
  }))
}

/** The request as `session` may see it, or null when it is gone or outside their teams. */
export function entityFor(
  db: Db,
  session: SessionInfo,
  citizenDataRoles: readonly Role[],
  id: string,
  light = false,
): RequestEntity | null {
  const row = getRequestRow(db, id)
  if (!row || !canSeeTeam(session, row.teamId)) return null
  const citizen =
    row.citizenId && canReadCitizen(session, citizenDataRoles)
      ? (getCitizen(db, row.citizenId) ?? null)
      : null
  return {
    request: recordOf(row),
    citizen,
    comments: light ? [] : listComments(db, id),
    history: light ? [] : serverHistory(db, id),
  }
}

export function referenceBundle(db: Db): ReferenceBundle {
  return {
    teams: listTeams(db),
    categories: listCategories(db),
    agents: listAgents(db),
    sectors: listSectors(db),
    routingRules: listRoutingRules(db),
    workflows: listWorkflowDefinitionsRaw(db).map((w) => ({
      id: w.id,
      version: w.version,
      definition: JSON.parse(w.json) as unknown,
    })),
  }
}
