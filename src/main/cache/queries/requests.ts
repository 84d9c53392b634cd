/**
 * Requests in the cache: the queue (keyset pages, counts), one request, writes, and the
 * map viewport. Every read takes a Scope and never returns a row outside it.
 *
 * Queue pages: each sort has an index led by team_id, so a page is, per team of the
 * effective scope, one short index range after the cursor, and the per-team ranges are
 * merged by a compound SELECT. The cost of a page is then (teams × page size), whatever
 * the depth or the size of the cache.
 *
 * rowid is time-ordered (created_at × 1024 + a sequence): rowid order is creation order,
 * so the created_* sorts need no key of their own, and a text search in creation order
 * walks the FTS index in rowid order and stops at the page size.
 */
import type { QueueFilter, QueueSort } from '../../../shared/contract'
import {
  PRIORITIES,
  type Channel,
  type Priority,
  type RequestDetail,
  type RequestSummary,
  type StatusKind,
} from '../../../shared/domain'
import { CoreError } from '../../../shared/result'
import {
  columnsOfLists,
  COORDINATE_UNITS_PER_DEGREE,
  ID_SEPARATOR,
  type ColumnPoint,
  type MapPointColumns,
} from '../../../shared/mapPoints'
import { bboxOfGeometry, pointInPolygon, type AreaGeometry } from '../../../shared/geo'
import type { RequestFieldsPatch, RequestStatusChange } from '../../../core/requests/operations'
import { parseFields, parseTags } from '../../../core/requests/records'
import { tagKey } from '../../../shared/tags'
import { TAGGED_INDEX, TAGGED_SQL } from '../migrations/0018-tags'
import type { Db } from '../db'
import { prefixTermsOf, TEAM_TERMS_MAX_TEAMS, teamSearchReady, toFtsMatch, toTeamFtsMatch } from '../fts'
import { DUE_BUCKET_MS } from '../migrations/0019-due-counts'
import { effectiveTeams, type Scope } from '../../../core/authz/scope'
import { cached, cachedRaw, inList } from '../statements'
import { MAP_BANDS_PER_DEGREE, MAP_POINTS_INDEX, mapBandSql } from '../migrations/0013-map-points-index'

/** Every column of a request, in camelCase; times in epoch ms. */
export interface RequestRow {
  rowid: number
  id: string
  reference: string
  title: string
  categoryId: string
  subcategory: string | null
  channel: Channel
  status: string
  statusKind: StatusKind
  priority: Priority
  teamId: string
  assigneeId: string | null
  description: string
  address: string | null
  lat: number | null
  lon: number | null
  citizenId: string | null
  fields: Record<string, string>
  createdAt: number
  updatedAt: number
  dueAt: number | null
  closedAt: number | null
  slaPausedMs: number
  slaPausedSince: number | null
  version: number
  /** Its tags as typed (src/shared/tags.ts). */
  tags: string[]
}

/** A request to insert: the cache assigns the rowid; no tags given: none (an older server's). */
export type NewRequestRow = Omit<RequestRow, 'rowid' | 'tags'> & { tags?: readonly string[] }

interface DbRequestRow {
  rowid: number
  id: string
  reference: string
  title: string
  category_id: string
  subcategory: string | null
  channel: string
  status: string
  status_kind: string
  priority: number
  team_id: string
  assignee_id: string | null
  description: string
  address: string | null
  lat: number | null
  lon: number | null
  citizen_id: string | null
  fields: string
  created_at: number
  updated_at: number
  due_at: number | null
  closed_at: number | null
  sla_paused_ms: number
  sla_paused_since: number | null
  version: number
  tags: string
}

const ROW_COLUMNS = `rowid, id, reference, title, category_id, subcategory, channel, status, status_kind, priority,
  team_id, assignee_id, description, address, lat, lon, citizen_id, fields, created_at, updated_at, due_at,
  closed_at, sla_paused_ms, sla_paused_since, version, tags`

/** `tag_keys` as migration 0020 keeps it: each tag's key between unit separators, '' for none. */
export function tagKeysOf(tags: readonly string[]): string {
  const keys = [...new Set(tags.map(tagKey))]
  return keys.length === 0 ? '' : `${TAG_SEPARATOR}${keys.join(TAG_SEPARATOR)}${TAG_SEPARATOR}`
}
const TAG_SEPARATOR = '\u001f'

export const priorityIndex = (p: Priority): number => PRIORITIES.indexOf(p)
const priorityAt = (i: number): Priority => PRIORITIES[i] ?? 'normal'
const iso = (ms: number): string => new Date(ms).toISOString()
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms))

function toRow(r: DbRequestRow): RequestRow {
  return {
    rowid: r.rowid,
    id: r.id,
    reference: r.reference,
    title: r.title,
    categoryId: r.category_id,
    subcategory: r.subcategory,
    channel: r.channel as Channel,
    status: r.status,
    statusKind: r.status_kind as StatusKind,
    priority: priorityAt(r.priority),
    teamId: r.team_id,
    assigneeId: r.assignee_id,
    description: r.description,
    address: r.address,
    lat: r.lat,
    lon: r.lon,
    citizenId: r.citizen_id,
    fields: parseFields(r.fields),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    dueAt: r.due_at,
    closedAt: r.closed_at,
    slaPausedMs: r.sla_paused_ms,
    slaPausedSince: r.sla_paused_since,
    version: r.version,
    tags: parseTags(r.tags),
  }
}

/** One request with every column, or undefined. No scope: callers check visibility (authorization.ts). */
export function getRequestRow(db: Db, id: string): RequestRow | undefined {
  const r = cached(db, `SELECT ${ROW_COLUMNS} FROM requests WHERE id = ?`).get(id) as DbRequestRow | undefined
  return r && toRow(r)
}

/** The contract's view of a request (ISO dates, location as a point, no personal data). */
export function toRequestDetail(row: RequestRow): RequestDetail {
  return {
    id: row.id,
    reference: row.reference,
    title: row.title,
    categoryId: row.categoryId,
    status: row.status,
    statusKind: row.statusKind,
    priority: row.priority,
    teamId: row.teamId,
    assigneeId: row.assigneeId,
    address: row.address,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    dueAt: isoOrNull(row.dueAt),
    subcategory: row.subcategory,
    channel: row.channel,
    description: row.description,
    location: row.lat !== null && row.lon !== null ? { lat: row.lat, lon: row.lon } : null,
    hasCitizen: row.citizenId !== null,
    closedAt: isoOrNull(row.closedAt),
    fields: row.fields,
    slaPausedMs: row.slaPausedMs,
    version: row.version,
    tags: row.tags,
  }
}

const INSERT_SQL = `INSERT INTO requests (rowid, id, reference, title, category_id, subcategory, channel, status,
  status_kind, priority, team_id, assignee_id, description, address, lat, lon, citizen_id, fields, created_at,
  updated_at, due_at, closed_at, sla_paused_ms, sla_paused_since, version)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
/** A request with tags: their two columns too (without, their defaults say « none »). */
const INSERT_TAGGED_SQL = INSERT_SQL.replace('version)', 'version, tags, tag_keys)').replace('?)', '?, ?, ?)')

/** Requests created in the same millisecond share these rowid slots. */
const ROWIDS_PER_MS = 1024

/** The time-ordered rowid for a request created at `createdAt`: the first free slot of that millisecond. */
function rowidFor(db: Db, createdAt: number): number {
  if (!Number.isSafeInteger(createdAt) || createdAt < 0)
    throw new CoreError('invalid_input', 'Date de création invalide.')
  const base = createdAt * ROWIDS_PER_MS
  const last = cached(db, 'SELECT max(rowid) FROM requests WHERE rowid >= ? AND rowid < ?')
    .pluck()
    .get(base, base + ROWIDS_PER_MS) as number | null
  const rowid = last === null ? base : last + 1
  if (rowid >= base + ROWIDS_PER_MS)
    throw new CoreError('internal', `more than ${ROWIDS_PER_MS} requests created in the same millisecond`)
  return rowid
}

/**
 * Insert a request (its FTS, R*Tree and count entries follow by trigger). Always insert
 * through here: the rowid must follow the creation time (see the file's comment).
 * @returns the new rowid.
 */
export function insertRequest(db: Db, row: NewRequestRow): number {
  const rowid = rowidFor(db, row.createdAt)
  const tags = row.tags ?? []
  cached(db, tags.length > 0 ? INSERT_TAGGED_SQL : INSERT_SQL).run(
    rowid,
    row.id,
    row.reference,
    row.title,
    row.categoryId,
    row.subcategory,
    row.channel,
    row.status,
    row.statusKind,
    priorityIndex(row.priority),
    row.teamId,
    row.assigneeId,
    row.description,
    row.address,
    row.lat,
    row.lon,
    row.citizenId,
    JSON.stringify(row.fields),
    row.createdAt,
    row.updatedAt,
    row.dueAt,
    row.closedAt,
    row.slaPausedMs,
    row.slaPausedSince,
    row.version,
    ...(tags.length > 0 ? [JSON.stringify(tags), tagKeysOf(tags)] : []),
  )
  return rowid
}

/**
 * Write a request as the server sent it (sync pull): insert it, or overwrite every column
 * of the cached copy, version included (the server's). ONLY the sync may call this: the
 * server is the source of truth and its status was reached through the workflow there;
 * local status changes go through the workflow service (`setRequestStatus`).
 * The rowid keeps the first creation time seen: a server correcting `createdAt` afterwards
 * leaves the request at its old place in the created_* sorts.
 */
export function applyServerRequest(db: Db, row: NewRequestRow): 'inserted' | 'updated' {
  const exists = cached(db, 'SELECT 1 FROM requests WHERE id = ?').pluck().get(row.id) === 1
  if (!exists) {
    insertRequest(db, row)
    return 'inserted'
  }
  cached(
    db,
    `UPDATE requests SET reference = @reference, title = @title, category_id = @categoryId,
       subcategory = @subcategory, channel = @channel, status = @status, status_kind = @statusKind,
       priority = @priority, team_id = @teamId, assignee_id = @assigneeId, description = @description,
       address = @address, lat = @lat, lon = @lon, citizen_id = @citizenId, fields = @fields,
       created_at = @createdAt, updated_at = @updatedAt, due_at = @dueAt, closed_at = @closedAt,
       sla_paused_ms = @slaPausedMs, sla_paused_since = @slaPausedSince, version = @version,
       tags = @tags, tag_keys = @tagKeys
     WHERE id = @id`,
  ).run({
    ...row,
    priority: priorityIndex(row.priority),
    fields: JSON.stringify(row.fields),
    tags: JSON.stringify(row.tags ?? []),
    tagKeys: tagKeysOf(row.tags ?? []),
  })
  return 'updated'
}

/**
 * The next free human reference of the year of `at`: `GRC-2026-000124`.
 * References are numbered per year, in the order the cache sees them.
 */
export function nextReference(db: Db, at: number): string {
  const year = new Date(at).getUTCFullYear()
  const prefix = `GRC-${year}-`
  const last = cached(
    db,
    `SELECT max(reference) AS ref FROM requests WHERE reference >= ? AND reference < ?`,
  ).get(prefix, `GRC-${year}.`) as { ref: string | null }
  const n = last.ref ? Number.parseInt(last.ref.slice(prefix.length), 10) : 0
  return `${prefix}${String((Number.isFinite(n) ? n : 0) + 1).padStart(6, '0')}`
}

export type { RequestFieldsPatch, RequestStatusChange }

const COLUMN_OF: Record<string, string> = {
  title: 'title',
  categoryId: 'category_id',
  subcategory: 'subcategory',
  channel: 'channel',
  priority: 'priority',
  teamId: 'team_id',
  assigneeId: 'assignee_id',
  description: 'description',
  address: 'address',
  lat: 'lat',
  lon: 'lon',
  citizenId: 'citizen_id',
  fields: 'fields',
  dueAt: 'due_at',
  updatedAt: 'updated_at',
  status: 'status',
  statusKind: 'status_kind',
  closedAt: 'closed_at',
  slaPausedMs: 'sla_paused_ms',
  slaPausedSince: 'sla_paused_since',
  tags: 'tags',
}

function writeColumns(db: Db, id: string, patch: Record<string, unknown>, expectedVersion?: number): number {
  const params: Record<string, unknown> = { id }
  const sets: string[] = []
  for (const [key, value] of Object.entries(patch)) {
    const column = COLUMN_OF[key]
    if (!column || value === undefined) continue
    params[key] =
      key === 'priority'
        ? priorityIndex(value as Priority)
        : key === 'fields' || key === 'tags'
          ? JSON.stringify(value)
          : value
    sets.push(`${column} = @${key}`)
    if (key === 'tags') {
      params.tagKeys = tagKeysOf(value as string[])
      sets.push('tag_keys = @tagKeys')
    }
  }
  sets.push('version = version + 1')
  let where = 'id = @id'
  if (expectedVersion !== undefined) {
    params.expectedVersion = expectedVersion
    where += ' AND version = @expectedVersion'
  }
  const row = cached(db, `UPDATE requests SET ${sets.join(', ')} WHERE ${where} RETURNING version`).get(
    params,
  ) as { version: number } | undefined
  if (row) return row.version
  const current = cached(db, 'SELECT version FROM requests WHERE id = ?').get(id) as
    { version: number } | undefined
  if (!current) throw new CoreError('not_found', 'Demande introuvable.')
  throw new CoreError(
    'version_conflict',
    'Cette demande a été modifiée entre-temps : rechargez-la avant de recommencer.',
    { currentVersion: current.version },
  )
}

/**
 * Change a request's non-workflow columns (assignee, team, priority, address, location,
 * due date, fields…) and bump its version.
 * @param expectedVersion when given, the write only happens if the request is still at it.
 * @returns the new version.
 * @throws CoreError `version_conflict` when the version moved, `not_found` when the request is gone.
 */
export function updateRequestFields(
  db: Db,
  id: string,
  patch: RequestFieldsPatch,
  expectedVersion?: number,
): number {
  return writeColumns(db, id, patch, expectedVersion)
}

/**
 * Write a status change and bump the version.
 *
 * ONLY the workflow service may call this (through a transition of the request's
 * workflow, after its guards and required fields were checked): the step order the
 * workflow guarantees holds because nothing else sets a status.
 * @returns the new version.
 * @throws CoreError `version_conflict` / `not_found` as `updateRequestFields`.
 */
export function setRequestStatus(
  db: Db,
  id: string,
  change: RequestStatusChange,
  expectedVersion?: number,
): number {
  const patch: Record<string, unknown> = {
    status: change.status,
    statusKind: change.statusKind,
    closedAt: change.closedAt,
    fields: change.fields,
    slaPausedMs: change.slaPausedMs,
    slaPausedSince: change.slaPausedSince,
    dueAt: change.dueAt,
  }
  if (change.updatedAt !== undefined) patch.updatedAt = change.updatedAt
  return writeColumns(db, id, patch, expectedVersion)
}

// ---------------------------------------------------------------------------------------
// The queue

/**
 * The index keys of each sort (after team_id), all in one direction, rowid last. The
 * created_* sorts are rowid order itself (rowid is time-ordered).
 */
const SORT_KEYS: Record<QueueSort, { keys: readonly string[]; desc: boolean }> = {
  created_desc: { keys: [], desc: true },
  created_asc: { keys: [], desc: false },
  due_asc: { keys: ['due_sort'], desc: false },
  priority_desc: { keys: ['priority'], desc: true },
  updated_desc: { keys: ['updated_at'], desc: true },
}

interface Cursor {
  sort: QueueSort
  /** The sort keys of the last row of the page, then its rowid. */
  keys: number[]
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, ...cursor.keys]), 'utf8').toString('base64url')
}

function decodeCursor(raw: string, sort: QueueSort): Cursor {
  const invalid = () => new CoreError('invalid_input', 'Curseur de pagination invalide : rechargez la liste.')
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(raw)) throw invalid()
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
  } catch {
    throw invalid()
  }
  const expected = SORT_KEYS[sort].keys.length + 1
  if (!Array.isArray(parsed) || parsed[0] !== sort || parsed.length !== expected + 1) throw invalid()
  const keys = parsed.slice(1)
  if (!keys.every((k): k is number => Number.isSafeInteger(k))) throw invalid()
  return { sort, keys }
}

/** Teams present in the cache: what "every team" means for a supervisor's queue. */
function teamsInCache(db: Db): string[] {
  return cached(db, 'SELECT DISTINCT team_id FROM request_counts').pluck().all() as string[]
}

interface FilterOptions {
  /** countQueue ignores the status filter so every tab shows its count. */
  ignoreStatus?: boolean
  /** Table alias of requests in the query (`r.`), or '' when unambiguous. */
  alias?: string
}

/** SQL conditions on requests for the filter's columns; the teams and the text are handled by callers. */
function filterConditions(
  db: Db,
  filter: QueueFilter,
  now: number,
  params: Record<string, unknown>,
  options: FilterOptions = {},
): string[] {
  const r = options.alias ?? ''
  const where: string[] = []
  if (!options.ignoreStatus && filter.status?.length)
    where.push(`${r}status IN (${inList(params, 's', filter.status)})`)
  if (filter.categoryId?.length) where.push(`${r}category_id IN (${inList(params, 'c', filter.categoryId)})`)
  if (filter.priority?.length)
    where.push(`${r}priority IN (${inList(params, 'p', filter.priority.map(priorityIndex))})`)
  const assignees = filter.assigneeId ?? []
  if (assignees.length && filter.unassigned)
    where.push(`(${r}assignee_id IN (${inList(params, 'a', assignees)}) OR ${r}assignee_id IS NULL)`)
  else if (assignees.length) where.push(`${r}assignee_id IN (${inList(params, 'a', assignees)})`)
  else if (filter.unassigned) where.push(`${r}assignee_id IS NULL`)
  if (filter.overdue) {
    params.now = now
    where.push(overdueCondition(db, r, params))
  }
  if (filter.tags?.length) where.push(tagCondition(filter.tags, r, params))
  return where
}

/** Requests carrying any of `tags` (by key), through the partial index of tagged requests. */
function tagCondition(tags: readonly string[], r: string, params: Record<string, unknown>): string {
  const found = [...new Set(tags.map(tagKey))].map((key, i) => {
    params[`g${i}`] = `${TAG_SEPARATOR}${key}${TAG_SEPARATOR}`
    return `instr(${r}tag_keys, @g${i}) > 0`
  })
  return `(${r}${TAGGED_SQL} AND (${found.join(' OR ')}))`
}

/** What `pausesSla` says in the cached workflows: per status, the categories whose workflow stops the clock there. */
function pausingStates(db: Db): { everywhere: string[]; byCategory: Map<string, string[]> } {
  const rows = cached(
    db,
    `SELECT json_extract(s.value, '$.id') AS status, c.id AS category,
            ifnull(json_extract(s.value, '$.pausesSla'), 0) AS pauses
     FROM categories c JOIN workflows w ON w.id = c.workflow_id, json_each(w.definition, '$.states') s`,
  ).all() as { status: string; category: string; pauses: number }[]
  const pausing = new Map<string, string[]>()
  const running = new Set<string>()
  for (const { status, category, pauses } of rows) {
    if (pauses) pausing.set(status, [...(pausing.get(status) ?? []), category])
    else running.add(status)
  }
  const everywhere = [...pausing.keys()].filter((status) => !running.has(status))
  const byCategory = new Map([...pausing].filter(([status]) => running.has(status)))
  return { everywhere, byCategory }
}

/**
 * Overdue: open, past its due date, and its clock running. A request waiting for the citizen
 * (a `pausesSla` state of its category's workflow) is not late — the core's slaClock says
 * `paused` — and its due date moves on by the time waited when it comes back
 * (workflow/engine.ts). The paused states are spelled out as values: only columns of
 * requests_open_due are tested, so overdue pages and counts still read the index alone.
 */
function overdueCondition(
  db: Db,
  r: string,
  params: Record<string, unknown>,
  running = runningClock(db, r, params),
): string {
  return [`${r}status_kind = 'open'`, `${r}due_at < @now`, ...running].join(' AND ')
}

/** The conditions on status and category that leave out the requests whose clock is paused. */
function runningClock(db: Db, r: string, params: Record<string, unknown>): string[] {
  const { everywhere, byCategory } = pausingStates(db)
  const conditions: string[] = []
  if (everywhere.length) conditions.push(`${r}status NOT IN (${inList(params, 'ps', everywhere)})`)
  let i = 0
  for (const [status, categories] of byCategory) {
    params[`pc${i}`] = status
    conditions.push(
      `NOT (${r}status = @pc${i} AND ${r}category_id IN (${inList(params, `pc${i}c`, categories)}))`,
    )
    i++
  }
  return conditions
}

/**
 * Where the overdue requests of `teams` are, whatever else they are: those due on a day
 * before today in the kept counts (migrations 0019, 0020), those due earlier today on the
 * open requests' index. Each late request was counted one by one before: 145 000 for a
 * supervisor at 500 000 demo requests.
 */
function overdueSources(db: Db, teams: readonly string[], now: number) {
  const today = Math.floor(now / DUE_BUCKET_MS)
  const params: Record<string, unknown> = { now, today, todayStart: today * DUE_BUCKET_MS }
  const teamList = `team_id IN (${inList(params, 't', teams)})`
  const running = runningClock(db, '', params)
  return {
    params,
    /** In request_due_counts: the days before today. */
    daysBefore: [teamList, 'due_day < @today', ...running].join(' AND '),
    /** In requests (INDEXED BY requests_open_due): late since earlier today. */
    earlierToday: [teamList, overdueCondition(db, '', params, running), 'due_at >= @todayStart'].join(
      ' AND ',
    ),
  }
}

/** The overdue requests of `teams`, whoever they are assigned to: the counts bar's « En retard ». */
function countOverdue(db: Db, teams: readonly string[], now: number): number {
  const { params, daysBefore, earlierToday } = overdueSources(db, teams, now)
  const sum = (sql: string) => cached(db, sql).pluck().get(params) as number
  return (
    sum(`SELECT ifnull(sum(n), 0) FROM request_due_counts WHERE ${daysBefore}`) +
    sum(`SELECT count(*) FROM requests INDEXED BY requests_open_due WHERE ${earlierToday}`)
  )
}

/**
 * Overdue requests of `teams` per assignee (null: nobody), counted as the queue's « En
 * retard » filter counts them (the same condition): the dispatch board's figure for every
 * column at once.
 */
export function countOverdueByAssignee(
  db: Db,
  teams: readonly string[],
  now: number,
): Map<string | null, number> {
  const out = new Map<string | null, number>()
  if (teams.length === 0) return out
  const { params, daysBefore, earlierToday } = overdueSources(db, teams, now)
  const rows = [
    `SELECT nullif(assignee_key, '') AS assigneeId, sum(n) AS n FROM request_due_counts
     WHERE ${daysBefore} GROUP BY assignee_key`,
    `SELECT assignee_id AS assigneeId, count(*) AS n FROM requests INDEXED BY requests_open_due
     WHERE ${earlierToday} GROUP BY assignee_id`,
  ].flatMap((sql) => cached(db, sql).all(params) as Array<{ assigneeId: string | null; n: number }>)
  for (const r of rows) out.set(r.assigneeId, (out.get(r.assigneeId) ?? 0) + r.n)
  return out
}

/**
 * Whether a search may match citizens' names: only for roles that may read them
 * (`canReadCitizen`). Callers acting for a session always say; left out, as for the
 * benchmarks and the cache's own tests, names are searched (the cache's full text).
 */
export interface CitizenNamesOption {
  citizenNames?: boolean
}

/** A text search: which index it reads and the MATCH expression it reads it with. */
interface FtsSearch {
  table: 'requests_fts' | 'requests_team_fts'
  match: string
}

/**
 * The search of `filter.text` within `teams`: in a few teams (an agent's), their scoped terms
 * in requests_team_fts once it holds every request; otherwise the cache's index with the
 * teams, statuses, categories and assignees as tags. Null when there is no word to search.
 */
function ftsSearchFor(
  db: Db,
  filter: QueueFilter,
  teams: readonly string[] | null,
  options: FilterOptions & CitizenNamesOption = {},
): FtsSearch | null {
  const matchOptions = { citizenNames: options.citizenNames ?? true, prefixTerms: prefixTermsOf(db) }
  if (teams?.length && teams.length <= TEAM_TERMS_MAX_TEAMS && teamSearchReady(db)) {
    const match = toTeamFtsMatch(filter.text, teams, matchOptions)
    return match === null ? null : { table: 'requests_team_fts', match }
  }
  const assignees =
    filter.assigneeId?.length || filter.unassigned
      ? [...(filter.assigneeId ?? []), ...(filter.unassigned ? [null] : [])]
      : []
  const match = toFtsMatch(
    filter.text,
    {
      teamIds: teams,
      statuses: options.ignoreStatus ? [] : filter.status,
      categoryIds: filter.categoryId,
      assignees,
    },
    matchOptions,
  )
  return match === null ? null : { table: 'requests_fts', match }
}

/** `r.rowid IN` the matches of `search` (its MATCH bound as @fts). */
const matchedRowids = (search: FtsSearch) =>
  `r.rowid IN (SELECT rowid FROM ${search.table} WHERE ${search.table} MATCH @fts)`

export interface ListQueueArgs extends CitizenNamesOption {
  scope: Scope
  filter: QueueFilter
  sort: QueueSort
  /** The previous page's nextCursor, or null for the first page. */
  after: string | null
  limit: number
  /** For the overdue filter. */
  now: number
}

export interface QueuePage {
  rows: RequestSummary[]
  nextCursor: string | null
}

interface DbSummaryRow {
  rowid: number
  id: string
  reference: string
  title: string
  category_id: string
  status: string
  status_kind: string
  priority: number
  team_id: string
  assignee_id: string | null
  address: string | null
  created_at: number
  updated_at: number
  due_at: number | null
  due_sort: number
  tags: string
}

const SUMMARY_COLUMNS = `r.rowid, r.id, r.reference, r.title, r.category_id, r.status, r.status_kind, r.priority,
  r.team_id, r.assignee_id, r.address, r.created_at, r.updated_at, r.due_at, r.due_sort, r.tags`

function toSummary(r: DbSummaryRow): RequestSummary {
  return {
    id: r.id,
    reference: r.reference,
    title: r.title,
    categoryId: r.category_id,
    status: r.status,
    statusKind: r.status_kind as StatusKind,
    priority: priorityAt(r.priority),
    teamId: r.team_id,
    assigneeId: r.assignee_id,
    address: r.address,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    dueAt: isoOrNull(r.due_at),
    tags: parseTags(r.tags),
  }
}

/** The summaries of the requests at `rowids`, in that order (rows gone meanwhile are left out). */
export function summariesByRowid(db: Db, rowids: readonly number[]): RequestSummary[] {
  if (rowids.length === 0) return []
  const rows = cached(
    db,
    `SELECT ${SUMMARY_COLUMNS} FROM requests r WHERE r.rowid IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(rowids)) as DbSummaryRow[]
  const byRowid = new Map(rows.map((r) => [r.rowid, r]))
  return rowids.flatMap((rowid) => {
    const row = byRowid.get(rowid)
    return row ? [toSummary(row)] : []
  })
}

function sortKeysOf(r: DbSummaryRow, sort: QueueSort): number[] {
  const value: Record<string, number> = {
    updated_at: r.updated_at,
    due_sort: r.due_sort,
    priority: r.priority,
  }
  return [...SORT_KEYS[sort].keys.map((k) => value[k] ?? 0), r.rowid]
}

/** `(k1, …, rowid) < (@k0, …)` after the cursor, in the sort's direction. */
function keysetCondition(
  cursor: Cursor | null,
  sort: QueueSort,
  params: Record<string, unknown>,
  alias = '',
  column: (key: string) => string = (k) => k,
): string[] {
  if (!cursor) return []
  const { keys, desc } = SORT_KEYS[sort]
  const names = cursor.keys.map((k, i) => {
    params[`k${i}`] = k
    return `@k${i}`
  })
  const columns = [...keys.map(column), 'rowid'].map((k) => `${alias}${k}`)
  return [`(${columns.join(', ')}) ${desc ? '<' : '>'} (${names.join(', ')})`]
}

const orderBy = (sort: QueueSort, alias = '', column: (key: string) => string = (k) => k) => {
  const { keys, desc } = SORT_KEYS[sort]
  return [...keys.map(column), 'rowid'].map((k) => `${alias}${k} ${desc ? 'DESC' : 'ASC'}`).join(', ')
}

/**
 * A page of the queue without text: per team (and, in creation order with a status
 * filter, per team and status), a short index range after the cursor; merged.
 */
function pageByIndex(
  db: Db,
  args: ListQueueArgs,
  teams: readonly string[],
  cursor: Cursor | null,
  params: Record<string, unknown>,
): DbSummaryRow[] {
  const { sort, filter } = args
  const { keys, desc } = SORT_KEYS[sort]
  const dir = desc ? 'DESC' : 'ASC'
  const perStatus = keys.length === 0 && (filter.status?.length ?? 0) > 0 ? [...new Set(filter.status)] : null
  const where = [
    ...filterConditions(db, filter, args.now, params, { ignoreStatus: perStatus !== null }),
    ...keysetCondition(cursor, sort, params),
  ]
  const selectKeys = [...keys.map((k, i) => `${k} AS k${i}`), 'rowid AS rid'].join(', ')
  const arm = (conditions: string[]) =>
    `SELECT * FROM (SELECT ${selectKeys} FROM requests WHERE ${[...conditions, ...where].join(' AND ')} ORDER BY ${orderBy(sort)} LIMIT @limit)`
  teams.forEach((team, i) => (params[`t${i}`] = team))
  perStatus?.forEach((status, j) => (params[`s${j}`] = status))
  const arms = teams.flatMap((_, i) =>
    perStatus
      ? perStatus.map((_s, j) => arm([`team_id = @t${i}`, `status = @s${j}`]))
      : [arm([`team_id = @t${i}`])],
  )
  const merged = [...keys.map((_, i) => `k${i} ${dir}`), `rid ${dir}`]
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM (${arms.join(' UNION ALL ')} ORDER BY ${merged.join(', ')} LIMIT @limit) AS page
    CROSS JOIN requests r ON r.rowid = page.rid ORDER BY ${merged.map((m) => `page.${m}`).join(', ')}`
  return cached(db, sql).all(params) as DbSummaryRow[]
}

/**
 * A page of overdue requests. Every open request past its due date is in the partial index
 * requests_open_due, with the filter's columns: they are collected from it and the page is
 * the top of their sort. (Walking the sort order instead would first read all the recent
 * requests, which are rarely overdue yet.) Costs in proportion to the overdue requests in scope.
 */
function pageOverdue(
  db: Db,
  args: ListQueueArgs,
  teams: readonly string[],
  cursor: Cursor | null,
  params: Record<string, unknown>,
): DbSummaryRow[] {
  const { sort } = args
  // An overdue request has a due date: its due_sort is its due_at, which the index holds.
  const column = (k: string) => (k === 'due_sort' ? 'due_at' : k)
  const where = [
    `team_id IN (${inList(params, 't', teams)})`,
    ...filterConditions(db, args.filter, args.now, params),
    ...keysetCondition(cursor, sort, params, '', column),
  ]
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM requests r WHERE r.rowid IN (
      SELECT rowid FROM requests INDEXED BY requests_open_due WHERE ${where.join(' AND ')}
      ORDER BY ${orderBy(sort, '', column)} LIMIT @limit)
    ORDER BY ${orderBy(sort, 'r.', column)}`
  return cached(db, sql).all(params) as DbSummaryRow[]
}

/**
 * A page of requests carrying a tag: collected from the partial index of tagged requests
 * (migration 0018) and the top of their sort taken. Few requests carry tags, so this costs
 * in proportion to them, where walking a team's sort index would read its untagged ones.
 */
function pageTagged(
  db: Db,
  args: ListQueueArgs,
  teams: readonly string[],
  cursor: Cursor | null,
  params: Record<string, unknown>,
): DbSummaryRow[] {
  const { sort } = args
  const where = [
    `team_id IN (${inList(params, 't', teams)})`,
    ...filterConditions(db, args.filter, args.now, params),
    ...keysetCondition(cursor, sort, params),
  ]
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM requests r WHERE r.rowid IN (
      SELECT rowid FROM requests INDEXED BY ${TAGGED_INDEX} WHERE ${where.join(' AND ')}
      ORDER BY ${orderBy(sort)} LIMIT @limit)
    ORDER BY ${orderBy(sort, 'r.')}`
  return cached(db, sql).all(params) as DbSummaryRow[]
}

/**
 * A page of a text search. In creation order, the FTS index is read in rowid order (which
 * is creation order) and stops at the page size; in another order, every match in scope
 * is sorted, which costs in proportion to the number of matches.
 */
function pageBySearch(
  db: Db,
  args: ListQueueArgs,
  teams: readonly string[] | null,
  search: FtsSearch,
  cursor: Cursor | null,
  params: Record<string, unknown>,
): DbSummaryRow[] {
  const { sort } = args
  params.fts = search.match
  const where = filterConditions(db, args.filter, args.now, params, { alias: 'r.' })
  if (teams) where.push(`r.team_id IN (${inList(params, 't', teams)})`)
  let sql: string
  if (SORT_KEYS[sort].keys.length === 0) {
    where.push(...keysetCondition(cursor, sort, params, 'f.'))
    sql = `SELECT ${SUMMARY_COLUMNS} FROM ${search.table} f CROSS JOIN requests r ON r.rowid = f.rowid
      WHERE ${[`f.${search.table} MATCH @fts`, ...where].join(' AND ')}
      ORDER BY f.rowid ${SORT_KEYS[sort].desc ? 'DESC' : 'ASC'} LIMIT @limit`
  } else {
    where.push(...keysetCondition(cursor, sort, params, 'r.'))
    sql = `SELECT ${SUMMARY_COLUMNS} FROM requests r
      WHERE ${[matchedRowids(search), ...where].join(' AND ')}
      ORDER BY ${orderBy(sort, 'r.')} LIMIT @limit`
  }
  return cached(db, sql).all(params) as DbSummaryRow[]
}

/**
 * One keyset page of the queue: the rows after `after` in `sort` order, within `scope`.
 * @throws CoreError `invalid_input` for a cursor this function did not produce (or of another sort).
 */
export function listQueue(db: Db, args: ListQueueArgs): QueuePage {
  const { sort, filter, limit } = args
  const cursor = args.after === null ? null : decodeCursor(args.after, sort)
  const scoped = effectiveTeams(args.scope, filter.teamId)
  if ((scoped && scoped.length === 0) || limit <= 0) return { rows: [], nextCursor: null }
  const params: Record<string, unknown> = { limit: limit + 1 }
  const search = ftsSearchFor(db, filter, scoped, { citizenNames: args.citizenNames })
  const found =
    search !== null
      ? pageBySearch(db, args, scoped, search, cursor, params)
      : filter.tags?.length
        ? pageTagged(db, args, scoped ?? teamsInCache(db), cursor, params)
        : filter.overdue
          ? pageOverdue(db, args, scoped ?? teamsInCache(db), cursor, params)
          : pageByIndex(db, args, scoped ?? teamsInCache(db), cursor, params)
  const rows = found.slice(0, limit)
  const last = rows.at(-1)
  return {
    rows: rows.map(toSummary),
    nextCursor: found.length > limit && last ? encodeCursor({ sort, keys: sortKeysOf(last, sort) }) : null,
  }
}

/**
 * The same page as `listQueue` reached through OFFSET. ONLY for the benchmark's
 * comparison: the queue itself always pages by keyset.
 */
export function offsetQueuePage(
  db: Db,
  args: Omit<ListQueueArgs, 'after'> & { offset: number },
): RequestSummary[] {
  const { sort, filter } = args
  const teams = effectiveTeams(args.scope, filter.teamId)
  if (teams && teams.length === 0) return []
  const params: Record<string, unknown> = { limit: args.limit, offset: args.offset }
  const where = filterConditions(db, filter, args.now, params, { alias: 'r.' })
  if (teams) where.push(`r.team_id IN (${inList(params, 't', teams)})`)
  const search = ftsSearchFor(db, filter, teams, { citizenNames: args.citizenNames })
  if (search !== null) {
    params.fts = search.match
    where.push(matchedRowids(search))
  }
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM requests r ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${orderBy(sort, 'r.')} LIMIT @limit OFFSET @offset`
  return (cached(db, sql).all(params) as DbSummaryRow[]).map(toSummary)
}

export interface QueueCounts {
  byStatus: Record<string, number>
  total: number
  overdue: number
  /**
   * Set (true) when a search matches more requests than SEARCH_COUNT_CAP: the counts are
   * those of the CAP most recent matches, each a lower bound, and `total` is the cap.
   */
  capped?: true
}

/**
 * How many matches the counts of a search read at most. A common word matches a quarter of
 * the cache (124 000 requests of 500 000 for « trottoir »): counting them all costs a
 * request row each (≈ 300 ms at 500k, seconds at 2M) on every keystroke. Beyond the cap the
 * screen says « plus de 10 000 » (StatusCounts.vue), which is all a tab needs to say.
 */
export const SEARCH_COUNT_CAP = 10_000

/**
 * Counts for the queue's tabs: per status, in total, and overdue, for `filter` within
 * `scope`. The status filter is ignored so every tab shows its count. Without text or
 * overdue filter, the answer comes from the maintained counts (a few hundred rows); with
 * text, from the `cap` most recent matches (see SEARCH_COUNT_CAP).
 */
export function countQueue(
  db: Db,
  args: {
    scope: Scope
    filter: QueueFilter
    now: number
    /** The most matches a search's counts read (default SEARCH_COUNT_CAP; Infinity: exact). */
    cap?: number
  } & CitizenNamesOption,
): QueueCounts {
  const { filter, now } = args
  const scoped = effectiveTeams(args.scope, filter.teamId)
  if (scoped && scoped.length === 0) return { byStatus: {}, total: 0, overdue: 0 }
  // The team list is always spelled out: it lets each count seek per team in its index.
  const teams = scoped ?? teamsInCache(db)
  if (teams.length === 0) return { byStatus: {}, total: 0, overdue: 0 }
  const params: Record<string, unknown> = {}
  const teamList = `r.team_id IN (${inList(params, 't', teams)})`
  const conditions = filterConditions(db, filter, now, params, { ignoreStatus: true, alias: 'r.' })
  const search = ftsSearchFor(db, filter, scoped, { ignoreStatus: true, citizenNames: args.citizenNames })
  if (search !== null) {
    params.fts = search.match
    return countSearch(db, search.table, [teamList, ...conditions], now, params, args.cap ?? SEARCH_COUNT_CAP)
  }

  let perStatus: { status: string; n: number }[]
  if (!filter.overdue && !filter.tags?.length) {
    // Only columns the maintained counts carry: a sum over a few hundred rows.
    const where = [`team_id IN (${inList(params, 'u', teams)})`]
    if (filter.categoryId?.length) where.push(`category_id IN (${inList(params, 'uc', filter.categoryId)})`)
    if (filter.priority?.length)
      where.push(`priority IN (${inList(params, 'up', filter.priority.map(priorityIndex))})`)
    const keys = [...(filter.assigneeId ?? []), ...(filter.unassigned ? [''] : [])]
    if (keys.length) where.push(`assignee_key IN (${inList(params, 'ua', keys)})`)
    perStatus = cached(
      db,
      `SELECT status, sum(n) AS n FROM request_counts WHERE ${where.join(' AND ')} GROUP BY status`,
    ).all(params) as { status: string; n: number }[]
  } else {
    perStatus = cached(
      db,
      `SELECT r.status, count(*) AS n FROM requests r ${filter.tags?.length ? `INDEXED BY ${TAGGED_INDEX}` : ''}
       WHERE ${[teamList, ...conditions].join(' AND ')} GROUP BY r.status`,
    ).all(params) as { status: string; n: number }[]
  }

  const counts = countsOf(perStatus, 0)
  let overdue: number
  if (filter.overdue) overdue = counts.total
  else if (conditions.length === 0) overdue = countOverdue(db, teams, now)
  else {
    params.now = now
    const where = [teamList, overdueCondition(db, 'r.', params), ...conditions]
    overdue = cached(db, `SELECT count(*) FROM requests r WHERE ${where.join(' AND ')}`)
      .pluck()
      .get(params) as number
  }
  return { ...counts, overdue }
}

/**
 * The counts of a search (`params.fts`): its matches within `where`, newest first, at most
 * `cap` of them, walked once, the late ones counted on the way. The walk reads one match
 * past the cap to know whether there are more, and takes it back out of the counts: the
 * group holding the oldest row read gives back that row (SQLite gives a bare column the
 * values of the row `min()` picked, here its `late`). One FTS query, not two: a prefix
 * query's setup merges the doclists of every word it stands for, whatever the LIMIT.
 */
function countSearch(
  db: Db,
  table: FtsSearch['table'],
  where: readonly string[],
  now: number,
  params: Record<string, unknown>,
  cap: number,
): QueueCounts {
  params.now = now
  // LIMIT -1: no limit (an exact count, `cap: Infinity`, e.g. an export's total).
  params.walk = Number.isFinite(cap) ? Math.max(0, Math.trunc(cap)) + 1 : -1
  const rows = cached(
    db,
    `SELECT status, count(*) AS n, sum(late) AS late, min(rid) AS oldest, late AS oldestLate FROM (
       SELECT r.status, f.rowid AS rid, CASE WHEN ${overdueCondition(db, 'r.', params)} THEN 1 ELSE 0 END AS late
       FROM ${table} f CROSS JOIN requests r ON r.rowid = f.rowid
       WHERE ${[`f.${table} MATCH @fts`, ...where].join(' AND ')}
       ORDER BY f.rowid DESC LIMIT @walk)
     GROUP BY status`,
  ).all(params) as { status: string; n: number; late: number; oldest: number; oldestLate: number }[]
  const walked = rows.reduce((sum, r) => sum + r.n, 0)
  if (walked > cap) {
    const last = rows.reduce((a, b) => (b.oldest < a.oldest ? b : a))
    last.n -= 1
    last.late -= last.oldestLate
  }
  const counts = countsOf(
    rows,
    rows.reduce((sum, r) => sum + r.late, 0),
  )
  return walked > cap ? { ...counts, capped: true } : counts
}

function countsOf(perStatus: readonly { status: string; n: number }[], overdue: number): QueueCounts {
  const byStatus: Record<string, number> = {}
  let total = 0
  for (const { status, n } of perStatus) {
    if (n <= 0) continue
    byStatus[status] = n
    total += n
  }
  return { byStatus, total, overdue }
}

// ---------------------------------------------------------------------------------------
// The map

export interface Bbox {
  minLat: number
  minLon: number
  maxLat: number
  maxLon: number
}

/** A request as the map draws it (the contract's MapPoint). */
export type MapPoint = ColumnPoint

/** The queue's filter, for the map: the same requests as the queue, those located in the area. */
export type MapFilterArgs = CitizenNamesOption &
  (
    | { filter?: undefined; now?: number }
    | {
        filter: QueueFilter
        /** What is overdue is decided at this time (epoch ms), as in the queue. */
        now: number
      }
  )

type GeoRow = [string, number, number, string, string, number]

/** What the map draws of a point, in the order of GeoRow. */
const GEO_COLUMNS = 'r.id, r.lat, r.lon, r.status, r.category_id, r.priority'
/** The covering index of map points is partial: a query must say it only wants located requests. */
const LOCATED = 'r.lat IS NOT NULL AND r.lon IS NOT NULL'
/**
 * Past this many latitude bands (a box taller than 4°, a region or more), the box is read
 * through the R*Tree rather than one index range per band and team.
 */
const MAX_BANDS = 400

/**
 * The filter as conditions on the point (`r.`), all on columns of the covering index of map
 * points (migration 0013); the text on the FTS index, with the same restrictions as the
 * queue's search.
 */
function geoFilter(
  db: Db,
  filter: QueueFilter | undefined,
  teams: readonly string[] | null,
  now: number,
  params: Record<string, unknown>,
  citizenNames: boolean | undefined,
): string[] {
  if (!filter) return []
  const { status, categoryId, priority, assigneeId, unassigned, overdue, tags } = filter
  const conditions = filterConditions(
    db,
    { status, categoryId, priority, assigneeId, unassigned, overdue, tags },
    now,
    params,
    { alias: 'r.' },
  )
  const search = ftsSearchFor(db, filter, teams, { citizenNames })
  if (search !== null) {
    params.fts = search.match
    conditions.push(matchedRowids(search))
  }
  return conditions
}

/** The latitude bands a box spans (as the index computes them), or null when they are too many. */
function bandsOf(bbox: Bbox): number[] | null {
  // Multiplying by a positive constant and truncating are both monotonic: every latitude of
  // the box falls in a band between those of its edges. The exact box is tested on top.
  const first = Math.trunc(bbox.minLat * MAP_BANDS_PER_DEGREE)
  const last = Math.trunc(bbox.maxLat * MAP_BANDS_PER_DEGREE)
  if (!(last >= first) || last - first >= MAX_BANDS) return null
  return Array.from({ length: last - first + 1 }, (_, i) => first + i)
}

/**
 * The query of the requests in a box, within a scope and the queue's filter, or null when
 * nothing can match. A city or a district: per team of the scope and latitude band, one
 * range of the covering index of map points between the box's west and east edges, read
 * in order (no lookup per point). A taller box: the R*Tree (its third dimension, the team,
 * one search per team), each point's columns read from the request row.
 */
function viewportQuery(db: Db, args: { scope: Scope; bbox: Bbox; limit: number } & MapFilterArgs) {
  const { filter } = args
  // Narrowed by the filter's teams exactly as the queue is: a team outside the scope never widens it.
  const scoped = effectiveTeams(args.scope, filter?.teamId)
  if (scoped && scoped.length === 0) return null
  const params: Record<string, unknown> = { ...args.bbox, limit: args.limit }
  const conditions = geoFilter(db, filter, scoped, args.now ?? 0, params, args.citizenNames)
  const bands = bandsOf(args.bbox)
  if (bands !== null) {
    const teams = scoped ?? teamsInCache(db)
    if (teams.length === 0) return null
    params.bands = JSON.stringify(bands)
    const where = [
      `r.team_id IN (${inList(params, 't', teams)})`,
      `${mapBandSql('r.')} IN (SELECT value FROM json_each(@bands))`,
      'r.lon BETWEEN @minLon AND @maxLon',
      'r.lat BETWEEN @minLat AND @maxLat',
      LOCATED,
      ...conditions,
    ]
    return {
      sql: `SELECT ${GEO_COLUMNS} FROM requests r INDEXED BY ${MAP_POINTS_INDEX} WHERE ${where.join(' AND ')} LIMIT @limit`,
      params,
    }
  }
  // The tree's boxes are rounded outwards (32-bit floats): the exact box is tested on the row, as above.
  const g = 'requests_geo.'
  const inBox = `${g}max_lat >= @minLat AND ${g}min_lat <= @maxLat AND ${g}max_lon >= @minLon AND ${g}min_lon <= @maxLon`
  const select = (extra: string[]) =>
    `SELECT ${GEO_COLUMNS} FROM requests_geo CROSS JOIN requests r ON r.rowid = ${g}id
     WHERE ${[inBox, ...extra, 'r.lat BETWEEN @minLat AND @maxLat', 'r.lon BETWEEN @minLon AND @maxLon', ...conditions].join(' AND ')}
     LIMIT @limit`
  if (scoped === null) return { sql: select([]), params }
  const keys = cached(db, `SELECT key FROM team_keys WHERE team_id IN (${inList(params, 't', scoped)})`)
    .pluck()
    .all(params) as number[]
  if (keys.length === 0) return null
  const arms = keys.map((key, i) => {
    params[`k${i}`] = key
    return `SELECT * FROM (${select([`${g}min_team <= @k${i}`, `${g}max_team >= @k${i}`])})`
  })
  return { sql: `${arms.join(' UNION ALL ')} LIMIT @limit`, params }
}

const toPoint = ([id, lat, lon, status, categoryId, priority]: GeoRow): MapPoint => ({
  id,
  lat,
  lon,
  status,
  categoryId,
  priority: priorityAt(priority),
})

/**
 * Requests located in `bbox`, at most `limit` of them: with a filter, exactly those the
 * queue lists for it within `scope`; without, every request of the scope. Read from the
 * covering index of map points (the R*Tree for a box taller than a few degrees).
 */
export function listInViewport(
  db: Db,
  args: { scope: Scope; bbox: Bbox; limit: number } & MapFilterArgs,
): MapPoint[] {
  const query = viewportQuery(db, args)
  if (!query) return []
  const rows = cachedRaw(db, query.sql).all(query.params) as GeoRow[]
  const points: MapPoint[] = new Array<MapPoint>(rows.length)
  for (let i = 0; i < rows.length; i++) points[i] = toPoint(rows[i]!)
  return points
}

/**
 * The same points as listInViewport, as the `map.points` channel answers them: in columns
 * (shared/mapPoints.ts). SQLite gathers each column into one value (the ids joined, the
 * rest as JSON arrays): handing JavaScript 5 000 rows of six values one by one cost more than
 * the index scan and the aggregation together (12 against 7 ms for a district at 500k). The
 * coordinates come as whole ten-millionths of a degree: SQLite writes a double as text in
 * ≈ 0.25 µs, an integer in a fifth of that (7.5 → 6.4 ms for that district's aggregation).
 */
export function viewportColumns(
  db: Db,
  args: { scope: Scope; bbox: Bbox; limit: number } & MapFilterArgs,
): MapPointColumns {
  const query = viewportQuery(db, args)
  if (!query) return columnsOfLists({ ids: '', lon: [], lat: [], status: [], categoryId: [], priority: [] })
  const [ids, lon, lat, status, categoryId, priority] = cachedRaw(
    db,
    `SELECT group_concat(id, char(${ID_SEPARATOR.codePointAt(0)})),
            json_group_array(CAST(round(lon * ${COORDINATE_UNITS_PER_DEGREE}) AS INTEGER)),
            json_group_array(CAST(round(lat * ${COORDINATE_UNITS_PER_DEGREE}) AS INTEGER)),
            json_group_array(status), json_group_array(category_id), json_group_array(priority)
     FROM (${query.sql})`,
  ).get(query.params) as [string | null, string, string, string, string, string]
  return columnsOfLists({
    ids: ids ?? '',
    lon: JSON.parse(lon) as number[],
    lat: JSON.parse(lat) as number[],
    status: JSON.parse(status) as string[],
    categoryId: JSON.parse(categoryId) as string[],
    priority: JSON.parse(priority) as number[],
    unitsPerDegree: COORDINATE_UNITS_PER_DEGREE,
  })
}

/**
 * The cursor that continues a queue in `sort` order right after request `id` (to resume
 * a list at a known row); undefined when the request is not in the cache.
 */
export function cursorAfterRequest(db: Db, sort: QueueSort, id: string): string | undefined {
  const { keys } = SORT_KEYS[sort]
  const row = cached(db, `SELECT ${[...keys, 'rowid'].join(', ')} FROM requests WHERE id = ?`).get(id) as
    Record<string, number> | undefined
  return row && encodeCursor({ sort, keys: [...keys, 'rowid'].map((k) => row[k] ?? 0) })
}

/** How many requests the cache holds, whatever their team (is the cache empty?). */
export function countAllRequests(db: Db): number {
  return cached(db, 'SELECT count(*) FROM requests').pluck().get() as number
}

/**
 * Requests inside a drawn polygon or lasso (holes and concave shapes honoured), within
 * `scope` and, when given, the queue's filter (as `listInViewport`): the viewport query
 * narrows to the polygon's bounding box, then each point is tested exactly.
 * @returns the points inside, and whether `limit` cut the list.
 */
export function listInPolygon(
  db: Db,
  args: { scope: Scope; polygon: AreaGeometry; limit: number } & MapFilterArgs,
): { points: MapPoint[]; truncated: boolean } {
  const box = bboxOfGeometry(args.polygon)
  if (!box) return { points: [], truncated: false }
  const [minLon, minLat, maxLon, maxLat] = box
  const query = viewportQuery(db, {
    ...args,
    bbox: { minLat, minLon, maxLat, maxLon },
    limit: Number.MAX_SAFE_INTEGER,
  })
  if (!query) return { points: [], truncated: false }
  // Walk the box's points and stop one past the limit: a city-wide lasso reads no more than it keeps.
  const points: MapPoint[] = []
  for (const row of cachedRaw(db, query.sql).iterate(query.params) as Iterable<GeoRow>) {
    const [, lat, lon] = row
    if (!pointInPolygon({ lat, lon }, args.polygon)) continue
    if (points.length === args.limit) return { points, truncated: true }
    points.push(toPoint(row))
  }
  return { points, truncated: false }
}
