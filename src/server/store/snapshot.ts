/**
 * The first download of a console, made for size (issue 16): everything the agent may see,
 * at one feed cursor, in chunks of requests in id order (keyset pagination: each chunk is
 * a few short statements whatever the table's size, on SQLite as on PostgreSQL).
 *
 * Why nothing falls between the snapshot and the feed: the cursor is read before any row,
 * and sequence order is commit order (feed.ts). A change committed after that read has a
 * higher sequence number, so the feed from the cursor brings it again, whether a chunk saw
 * it or not (the console takes the feed's copy over the snapshot's). Every chunk of one
 * snapshot is read against the same cursor, given back by the console to resume.
 *
 * What a chunk holds is exactly what the feed would give the same session: requests
 * assembled as the feed's `entitiesFor` does (their team in the agent's sight, citizen
 * names only for the roles allowed, contact details never), the reference bundle as the
 * feed numbers and words it, the tours of the agent's teams.
 */
import type { SessionInfo } from '../../shared/contract'
import type { Role } from '../../shared/domain'
import type { Change } from '../../shared/sync'
import { AppConfigSchema } from '../../core/config'
import { canSeeTeam, scopeFor } from '../../core/authz/permissions'
import { assembleEntities, detailsInRange, detailsOf } from './requests'
import { REQUEST_SELECT, toRequestRecord, toTour, type RequestDbRow } from './rows'
import { placeholders, type SqlParam } from './sql/client'
import type { ServerStore } from './types'

export const SNAPSHOT_LIMITS = {
  /** Requests per chunk unless the console asks otherwise. */
  defaultChunk: 2000,
  maxChunk: 5000,
} as const

export interface SnapshotChunk {
  /** The feed continues from here once the last chunk is in. */
  cursor: number
  /** The requests of the whole snapshot (first chunk only: the console's progress). */
  total: number | null
  /** The first chunk: the reference data and the tours, as feed changes. */
  head: Change[]
  requests: Extract<Change, { type: 'request' }>[]
  /** Give it back as `after` for the next chunk; null: this was the last. */
  next: string | null
}

/** The roles that read citizens' names, as the feed's reference bundle says (cached per bundle). */
const rolesSeen = new WeakMap<ServerStore, { seq: number; change: Change | null; roles: readonly Role[] }>()
const DEFAULT_CITIZEN_ROLES = AppConfigSchema.parse({}).privacy.citizenDataRoles

/**
 * The reference change exactly as the feed renders it (the privacy policy in force
 * included): the feed asked for the one change at its sequence number.
 */
async function referenceChange(store: ServerStore, session: SessionInfo) {
  const row = await store.sql.get<{ seq: number | string }>(
    "SELECT seq FROM change_scope WHERE scope = '*' AND entity = 'reference' AND entity_id = 'all'",
  )
  const seq = row ? Number(row.seq) : 0
  const known = rolesSeen.get(store)
  if (known && known.seq === seq) return known
  const change = seq > 0 ? ((await store.changesSince(session, seq - 1, 1)).changes[0] ?? null) : null
  const bundle = change?.type === 'reference' ? change.reference : null
  const entry = {
    seq,
    change: bundle ? change : null,
    roles: bundle?.privacy?.citizenDataRoles ?? DEFAULT_CITIZEN_ROLES,
  }
  rolesSeen.set(store, entry)
  return entry
}

/** `WHERE` of the requests the session may see (every one, or its teams'). */
function sightOf(session: SessionInfo): { where: string; params: SqlParam[]; all: boolean } {
  const scope = scopeFor(session)
  if (scope.kind === 'all') return { where: '1 = 1', params: [], all: true }
  const teams = [...new Set(scope.teamIds)]
  if (teams.length === 0) return { where: '1 = 0', params: [], all: false }
  return { where: `team_id IN (${placeholders(teams.length)})`, params: teams, all: false }
}

/** The counter as committed now: every change numbered up to it is in what is read after. */
async function currentCursor(store: ServerStore): Promise<number> {
  const row = await store.sql.get<{ seq: number | string }>('SELECT seq FROM change_counter WHERE id = 1')
  return row ? Number(row.seq) : 0
}

/**
 * One chunk of the snapshot: the requests after `after` (id order), `limit` of them.
 * `cursor`: the snapshot's, from its first chunk (absent: a new snapshot starts now).
 */
export async function snapshotChunk(
  store: ServerStore,
  session: SessionInfo,
  options: { cursor?: number; after: string; limit: number },
): Promise<SnapshotChunk> {
  // First, before any row is read (see the module's comment).
  const cursor = options.cursor ?? (await currentCursor(store))
  const first = options.after === ''
  const sight = sightOf(session)
  const reference = await referenceChange(store, session)
  // The rows themselves in id order (one statement), their details by range of ids.
  const rows = (
    await store.sql.all<RequestDbRow>(
      `SELECT ${REQUEST_SELECT} FROM requests WHERE ${sight.where} AND id > ? ORDER BY id LIMIT ?`,
      [...sight.params, options.after, options.limit + 1],
    )
  ).map(toRequestRecord)
  const more = rows.length > options.limit
  if (more) rows.length = options.limit
  const ids = rows.map((r) => r.id)
  // Every request in the range is in sight, or only some teams' are (then by their ids:
  // a range would read the other teams' history too).
  const details = sight.all
    ? await detailsInRange(store.sql, options.after, ids)
    : await detailsOf(store.sql, ids)
  const entities = await assembleEntities(store.sql, session, reference.roles, rows, details)
  const requests = ids.flatMap((id) => {
    const entity = entities.get(id)
    return entity ? [{ type: 'request' as const, seq: cursor, entity, partial: false }] : []
  })
  const head: Change[] = []
  let total: number | null = null
  if (first) {
    if (reference.change) head.push(reference.change)
    const tours = await store.sql.all<{ data: string }>('SELECT data FROM tours ORDER BY id')
    for (const tour of tours.map(toTour))
      if (canSeeTeam(session, tour.teamId)) head.push({ type: 'tour', seq: cursor, tour })
    const counted = await store.sql.get<{ n: number | string }>(
      `SELECT count(*) AS n FROM requests WHERE ${sight.where}`,
      sight.params,
    )
    total = Number(counted?.n ?? 0)
  }
  return { cursor, total, head, requests, next: more ? ids[ids.length - 1]! : null }
}
