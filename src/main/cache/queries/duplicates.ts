/**
 * The requests a likely-duplicate search compares (issue 14): those near a point (the map's
 * R*Tree, a box of the radius, then each row's creation time), or, for a request without a
 * place, those sharing words with it (the full-text index, title and description only: a
 * citizen's name never makes two requests alike). Both within the session's scope.
 */
import type { Scope } from '../../../core/authz/scope'
import { effectiveTeams } from '../../../core/authz/scope'
import type { DuplicateSource } from '../../../core/requests/duplicates'
import { CategoryDuplicates } from '../../../shared/domain'
import { foldLetters } from '../../../core/privacy/text'
import type { Db } from '../db'
import { cachedRaw, inList, cached } from '../statements'
import { getRequestRow, type RequestRow } from './requests'

/** rowid is creation time × 1024 + a sequence (queries/requests.ts): a time range is a rowid range. */
const ROWIDS_PER_MS = 1024

/** A request by its human reference (the master a `duplicateOf` names). No scope: callers check visibility. */
export function getRequestByReference(db: Db, reference: string): RequestRow | undefined {
  const id = cached(db, 'SELECT id FROM requests WHERE reference = ?').pluck().get(reference) as
    string | undefined
  return id === undefined ? undefined : getRequestRow(db, id)
}

/** A category's own radius and window (migration 0009), or undefined: the defaults apply. */
export function categoryDuplicateRules(db: Db, categoryId: string): CategoryDuplicates | undefined {
  const raw = cached(db, 'SELECT duplicates FROM categories WHERE id = ?').pluck().get(categoryId) as
    string | null | undefined
  if (!raw) return undefined
  try {
    const parsed = CategoryDuplicates.safeParse(JSON.parse(raw))
    return parsed.success ? parsed.data : undefined
  } catch {
    // A malformed value is no rule: the defaults are safer than no search at all.
    return undefined
  }
}

const SOURCE_COLUMNS = `r.id, r.reference, r.title, r.description, r.status, r.status_kind, r.category_id,
  r.team_id, r.created_at, r.lat, r.lon, json_extract(r.fields, '$.duplicateOf')`

type SourceRow = [
  string,
  string,
  string,
  string,
  string,
  'open' | 'closed',
  string,
  string,
  number,
  number | null,
  number | null,
  string | null,
]

const toSource = (r: SourceRow): DuplicateSource => ({
  id: r[0],
  reference: r[1],
  title: r[2],
  description: r[3],
  status: r[4],
  statusKind: r[5],
  categoryId: r[6],
  teamId: r[7],
  createdAt: r[8],
  lat: r[9],
  lon: r[10],
  duplicateOf: typeof r[11] === 'string' && r[11] !== '' ? r[11] : null,
})

/** The rowids of the requests created in the window (the rows' created_at is checked as well). */
const rowidRange = (args: { since: number; until: number }) => ({
  lo: Math.max(0, Math.floor(args.since) * ROWIDS_PER_MS),
  hi: Math.floor(args.until) * ROWIDS_PER_MS + ROWIDS_PER_MS - 1,
})

export interface NeighbourArgs {
  scope: Scope
  /** Categories compared (the subject's and its related ones). */
  categoryIds: readonly string[]
  /** Created within [since, until] (epoch ms). */
  since: number
  until: number
  limit: number
}

/** Scope and categories as conditions on `r.` (null: nothing can match). */
function scoped(args: NeighbourArgs, params: Record<string, unknown>): string[] | null {
  const teams = effectiveTeams(args.scope)
  if ((teams && teams.length === 0) || args.categoryIds.length === 0) return null
  params.since = args.since
  params.until = args.until
  params.limit = args.limit
  const where = [
    `r.category_id IN (${inList(params, 'c', args.categoryIds)})`,
    'r.created_at BETWEEN @since AND @until',
  ]
  if (teams) where.push(`r.team_id IN (${inList(params, 't', teams)})`)
  return where
}

/**
 * Requests located in `box`, of the given categories, created in the window, within the
 * scope: the R*Tree finds the box's points, keeps those of the categories (its aux column)
 * and of the window (its id is the rowid, which is the creation time), and only their rows
 * are read, by rowid, for the team and the text.
 */
export function requestsInBox(
  db: Db,
  args: NeighbourArgs & { box: { minLat: number; maxLat: number; minLon: number; maxLon: number } },
): DuplicateSource[] {
  const params: Record<string, unknown> = { ...args.box, ...rowidRange(args) }
  const where = scoped(args, params)
  if (!where) return []
  const select = (
    team: string[],
  ) => `SELECT ${SOURCE_COLUMNS} FROM requests_geo g CROSS JOIN requests r ON r.rowid = g.id
    WHERE ${[
      'g.max_lat >= @minLat AND g.min_lat <= @maxLat AND g.max_lon >= @minLon AND g.min_lon <= @maxLon',
      ...team,
      `g.category_id IN (${inList(params, 'g', args.categoryIds)})`,
      'g.id BETWEEN @lo AND @hi',
      ...where,
    ].join(' AND ')}`
  // Only the teams holding requests of these categories (within the scope) are searched:
  // the team key is the tree's third dimension, so each is a small part of the tree.
  const teams = effectiveTeams(args.scope)
  const keys = cached(
    db,
    `SELECT key FROM team_keys WHERE team_id IN (SELECT DISTINCT team_id FROM request_counts
       WHERE n > 0 AND category_id IN (${inList(params, 'kc', args.categoryIds)})
       ${teams ? `AND team_id IN (${inList(params, 'kt', teams)})` : ''})`,
  )
    .pluck()
    .all(params) as number[]
  if (keys.length === 0) return []
  const arms = keys.map((key, i) => {
    params[`key${i}`] = key
    return `SELECT * FROM (${select([`g.min_team <= @key${i}`, `g.max_team >= @key${i}`])})`
  })
  const sql = `${arms.join(' UNION ALL ')} LIMIT @limit`
  return (cachedRaw(db, sql).all(params) as SourceRow[]).map(toSource)
}

/** The words a text search uses, quoted for FTS5 (each token a word, never syntax). */
const quoted = (word: string) => `"${foldLetters(word).replace(/"/g, '""')}"`

/**
 * Requests (located or not) whose title or description holds one of `words`, of the given
 * categories, created in the window, within the scope; the most recent first. The window is
 * a rowid range of the index, so only its part of each word's list is read.
 */
export function requestsSharingWords(
  db: Db,
  args: NeighbourArgs & { words: readonly string[] },
): DuplicateSource[] {
  if (args.words.length === 0) return []
  const params: Record<string, unknown> = {}
  const where = scoped(args, params)
  if (!where) return []
  params.match = `{title description} : (${args.words.map(quoted).join(' OR ')})`
  Object.assign(params, rowidRange(args))
  const sql = `SELECT ${SOURCE_COLUMNS} FROM requests_fts f CROSS JOIN requests r ON r.rowid = f.rowid
    WHERE f.requests_fts MATCH @match AND f.rowid BETWEEN @lo AND @hi AND ${where.join(' AND ')}
    ORDER BY f.rowid DESC LIMIT @limit`
  return (cachedRaw(db, sql).all(params) as SourceRow[]).map(toSource)
}
