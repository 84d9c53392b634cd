/**
 * Requests on the server: read (one, several with their comments, history and citizen's
 * name as a session may see them), and write what the core's decisions say, feeding the change set.
 */
import type { SessionInfo } from '../../shared/contract'
import type { Citizen, Comment, Role } from '../../shared/domain'
import type { CitizenRef } from '../../shared/privacy'
import type { RequestEntity, RequestRecord, ServerHistoryEvent } from '../../shared/sync'
import { canReadCitizen, canSeeTeam } from '../../core/authz/permissions'
import type { NewHistoryEvent } from '../../core/requests/records'
import { indexCitizen } from './citizenSearch'
import { attachmentsOf } from '../attachments/rows'
import type { ChangeSet } from './feed'
import {
  citizenParams,
  REQUEST_COLUMNS,
  REQUEST_SELECT,
  requestParams,
  toCitizen,
  toComment,
  toHistoryEvent,
  toRequestRecord,
  type CitizenDbRow,
  type CommentDbRow,
  type HistoryDbRow,
  type RequestDbRow,
} from './rows'
import { placeholders, type Sql } from './sql/client'

/** Lists longer than this are read in several statements. */
const IDS_PER_STATEMENT = 500

async function inChunks<T>(ids: readonly string[], read: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT)
    out.push(...(await read(ids.slice(i, i + IDS_PER_STATEMENT))))
  return out
}

export async function getRequest(sql: Pick<Sql, 'get'>, id: string): Promise<RequestRecord | undefined> {
  const row = await sql.get<RequestDbRow>(`SELECT ${REQUEST_SELECT} FROM requests WHERE id = ?`, [id])
  return row && toRequestRecord(row)
}

/**
 * The requests among `ids`, by id. `lock` (inside a write transaction): PostgreSQL locks
 * their rows in id order, so two instances writing the same requests take turns, never
 * deadlock; SQLite has one writer already.
 */
export async function getRequests(
  sql: Pick<Sql, 'all' | 'dialect'>,
  ids: readonly string[],
  options: { lock?: boolean } = {},
): Promise<Map<string, RequestRecord>> {
  const unique = [...new Set(ids)].sort()
  const lock = options.lock && sql.dialect === 'postgres' ? ' ORDER BY id FOR UPDATE' : ''
  const rows = await inChunks(unique, (part) =>
    sql.all<RequestDbRow>(
      `SELECT ${REQUEST_SELECT} FROM requests WHERE id IN (${placeholders(part.length)})${lock}`,
      part,
    ),
  )
  return new Map(rows.map((r) => [r.id, toRequestRecord(r)]))
}

export async function insertRequest(
  sql: Pick<Sql, 'run'>,
  row: RequestRecord,
  changes: ChangeSet,
): Promise<void> {
  await sql.run(
    `INSERT INTO requests (${REQUEST_COLUMNS.join(', ')}) VALUES (${placeholders(REQUEST_COLUMNS.length)})`,
    requestParams(row),
  )
  changes.request(row.id, row.teamId)
}

/**
 * Write whole requests that exist (read and locked in this transaction) in a few
 * statements: an upsert, which both databases take with several rows.
 */
export async function upsertRequests(
  sql: Pick<Sql, 'run'>,
  records: readonly RequestRecord[],
): Promise<void> {
  const updated = REQUEST_COLUMNS.filter((c) => c !== 'id')
  const row = `(${placeholders(REQUEST_COLUMNS.length)})`
  for (let i = 0; i < records.length; i += 100) {
    const part = records.slice(i, i + 100)
    await sql.run(
      `INSERT INTO requests (${REQUEST_COLUMNS.join(', ')}) VALUES ${part.map(() => row).join(', ')}
       ON CONFLICT (id) DO UPDATE SET ${updated.map((c) => `${c} = excluded.${c}`).join(', ')}`,
      part.flatMap(requestParams),
    )
  }
}

export async function insertComment(sql: Pick<Sql, 'run'>, c: Comment): Promise<void> {
  await sql.run(
    `INSERT INTO comments (id, request_id, kind, body, author_id, author_name, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [c.id, c.requestId, c.kind, c.body, c.authorId, c.authorName, Date.parse(c.createdAt)],
  )
}

export async function appendHistory(sql: Pick<Sql, 'run'>, e: NewHistoryEvent): Promise<void> {
  await sql.run(
    `INSERT INTO history_events (request_id, kind, at, actor_id, actor_name, data, mutation_id)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [e.requestId, e.kind, e.at, e.actorId, e.actorName, JSON.stringify(e.data), e.mutationId ?? null],
  )
}

/** A new citizen, findable at once by the DPO's search. */
export async function insertCitizen(sql: Pick<Sql, 'run'>, c: Citizen): Promise<void> {
  await sql.run(
    `INSERT INTO citizens (id, name, email, phone, postal_address, contact_preference) VALUES (?, ?, ?, ?, ?, ?)`,
    citizenParams(c),
  )
  await indexCitizen(sql, c)
}

/** The next reference of the year (`GRC-2026-000123`); the counter row hands each number out once. */
export async function nextReference(sql: Pick<Sql, 'get'>, at: number): Promise<string> {
  const year = new Date(at).getUTCFullYear()
  const row = await sql.get<{ last: number }>(
    `INSERT INTO reference_counters (year, last) VALUES (?, 1)
     ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last`,
    [year],
  )
  return `GRC-${year}-${String(row!.last).padStart(6, '0')}`
}

/**
 * The history events and comments that the mutations `mutationIds` made on `requestIds`
 * (a comment mutation names its comment), by request.
 */
export async function changesMadeBy(
  sql: Pick<Sql, 'all'>,
  requestIds: readonly string[],
  mutationIds: readonly string[],
  mutations: ReadonlyArray<{ op: string; payload: unknown }>,
): Promise<{ comments: Map<string, Comment[]>; history: Map<string, ServerHistoryEvent[]> }> {
  const history = new Map<string, ServerHistoryEvent[]>()
  const events = await sql.all<HistoryDbRow>(
    `SELECT id, request_id, kind, at, actor_id, actor_name, data, mutation_id FROM history_events
     WHERE request_id IN (${placeholders(requestIds.length)}) AND mutation_id IN (${placeholders(mutationIds.length)})
     ORDER BY at, id`,
    [...requestIds, ...mutationIds],
  )
  for (const e of events) history.set(e.request_id, [...(history.get(e.request_id) ?? []), toHistoryEvent(e)])
  const commentIds = mutations.flatMap((m) =>
    m.op === 'comment' ? [(m.payload as { commentId: string }).commentId] : [],
  )
  const comments = new Map<string, Comment[]>()
  if (commentIds.length > 0) {
    const rows = await sql.all<CommentDbRow>(
      `SELECT id, request_id, kind, body, author_id, author_name, created_at FROM comments
       WHERE id IN (${placeholders(commentIds.length)})`,
      commentIds,
    )
    for (const c of rows) comments.set(c.request_id, [...(comments.get(c.request_id) ?? []), toComment(c)])
  }
  return { comments, history }
}

/**
 * The citizens of `ids` as the feed names them (id and name, never how to reach them), by
 * id; an erased citizen is named no more.
 */
export async function citizenRefsOf(
  sql: Pick<Sql, 'all'>,
  ids: readonly string[],
): Promise<Map<string, CitizenRef>> {
  const unique = [...new Set(ids)]
  const rows = await inChunks(unique, (part) =>
    sql.all<{ id: string; name: string }>(
      `SELECT id, name FROM citizens WHERE id IN (${placeholders(part.length)}) AND erased_at IS NULL`,
      part,
    ),
  )
  return new Map(rows.map((c) => [c.id, { id: c.id, name: c.name }]))
}

/**
 * The citizen references of `requests` for `session`: the roles that may read citizens'
 * data get names (the queue's search), the others nothing. Contact details never go in bulk:
 * they are delivered one request at a time, logged (contacts.ts).
 */
export async function citizenRefsFor(
  sql: Pick<Sql, 'all'>,
  session: SessionInfo,
  citizenDataRoles: readonly Role[],
  requests: readonly RequestRecord[],
): Promise<Map<string, CitizenRef>> {
  if (!canReadCitizen(session, citizenDataRoles)) return new Map()
  return citizenRefsOf(
    sql,
    requests.flatMap((r) => (r.citizenId ? [r.citizenId] : [])),
  )
}

/** One citizen with their contact details, and when they were erased (null: not erased). */
export async function citizenById(
  sql: Pick<Sql, 'get'>,
  id: string,
): Promise<(Citizen & { erasedAt: number | null }) | undefined> {
  const row = await sql.get<CitizenDbRow & { erased_at: number | string | null }>(
    `SELECT id, name, email, phone, postal_address, contact_preference, erased_at FROM citizens WHERE id = ?`,
    [id],
  )
  return row && { ...toCitizen(row), erasedAt: row.erased_at === null ? null : Number(row.erased_at) }
}

type Details = Map<string, { comments: Comment[]; history: ServerHistoryEvent[] }>

/** Comments and history rows grouped by request, for `ids` only, in each request's order. */
function groupDetails(ids: readonly string[], comments: CommentDbRow[], history: HistoryDbRow[]): Details {
  const out: Details = new Map(ids.map((id) => [id, { comments: [], history: [] }]))
  for (const c of comments) out.get(c.request_id)?.comments.push(toComment(c))
  for (const h of history) out.get(h.request_id)?.history.push(toHistoryEvent(h))
  return out
}

const COMMENT_SELECT = 'SELECT id, request_id, kind, body, author_id, author_name, created_at FROM comments'
const HISTORY_SELECT =
  'SELECT id, request_id, kind, at, actor_id, actor_name, data, mutation_id FROM history_events'

/** Comments and history of `ids`, by request. */
export async function detailsOf(sql: Pick<Sql, 'all'>, ids: readonly string[]): Promise<Details> {
  if (ids.length === 0) return new Map()
  const comments = await inChunks(ids, (part) =>
    sql.all<CommentDbRow>(
      `${COMMENT_SELECT} WHERE request_id IN (${placeholders(part.length)}) ORDER BY created_at, id`,
      part,
    ),
  )
  const history = await inChunks(ids, (part) =>
    sql.all<HistoryDbRow>(
      `${HISTORY_SELECT} WHERE request_id IN (${placeholders(part.length)}) ORDER BY at, id`,
      part,
    ),
  )
  return groupDetails(ids, comments, history)
}

/**
 * Comments and history of `ids`, all of them between `after` (excluded) and the last of
 * `ids` in id order (the snapshot's chunks): two statements that walk the indexes by
 * request in order, where a list of ids is a sort over the whole page.
 */
export async function detailsInRange(
  sql: Pick<Sql, 'all'>,
  after: string,
  ids: readonly string[],
): Promise<Details> {
  if (ids.length === 0) return new Map()
  const range = [after, ids[ids.length - 1]!]
  const comments = await sql.all<CommentDbRow>(
    `${COMMENT_SELECT} WHERE request_id > ? AND request_id <= ? ORDER BY request_id, created_at, id`,
    range,
  )
  const history = await sql.all<HistoryDbRow>(
    `${HISTORY_SELECT} WHERE request_id > ? AND request_id <= ? ORDER BY request_id, at, id`,
    range,
  )
  return groupDetails(ids, comments, history)
}

/**
 * `rows` as `session` may see them (`rows` already in their sight), with `details` (their
 * comments and history; a request without an entry there goes light): citizens' names for
 * the roles allowed, attachments' metadata.
 */
export async function assembleEntities(
  sql: Pick<Sql, 'all'>,
  session: SessionInfo,
  citizenDataRoles: readonly Role[],
  rows: readonly RequestRecord[],
  details: Details,
): Promise<Map<string, RequestEntity>> {
  const citizens = await citizenRefsFor(sql, session, citizenDataRoles, rows)
  // Attachments as metadata, light or not (they are few and small): one read for the page.
  const attachments = await attachmentsOf(
    sql,
    rows.map((r) => r.id),
  )
  return new Map(
    rows.map((request) => [
      request.id,
      {
        request,
        // Contact details never travel in the feed (contacts.ts delivers them, logged).
        citizen: null,
        citizenRef: (request.citizenId && citizens.get(request.citizenId)) || null,
        comments: details.get(request.id)?.comments ?? [],
        history: details.get(request.id)?.history ?? [],
        attachments: attachments.get(request.id) ?? [],
      },
    ]),
  )
}

/**
 * The requests among `ids` as `session` may see them (absent: gone or outside their teams),
 * read in a few statements whatever their number. `light` (for all, or by id): without
 * comments and history.
 */
export async function entitiesFor(
  sql: Pick<Sql, 'all' | 'dialect'>,
  session: SessionInfo,
  citizenDataRoles: readonly Role[],
  ids: readonly string[],
  light: boolean | ((id: string) => boolean) = false,
): Promise<Map<string, RequestEntity>> {
  const rows = [...(await getRequests(sql, ids)).values()].filter((r) => canSeeTeam(session, r.teamId))
  const isLight = typeof light === 'function' ? light : () => light
  const details = await detailsOf(
    sql,
    rows.filter((r) => !isLight(r.id)).map((r) => r.id),
  )
  return assembleEntities(sql, session, citizenDataRoles, rows, details)
}
