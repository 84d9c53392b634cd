/**
 * The dashboard's figures, summed from the maintained counts of migration 0011
 * (dashboard_counts): creations and closings by team and UTC hour (exact week boundaries),
 * communes, deadlines met, resolution times and assignees by team and UTC day. No request
 * row is read.
 */
import type { Db } from '../db'
import { KINDS } from '../migrations/0011-dashboard'
import { cached, inList } from '../statements'

const HOUR_MS = 3_600_000

/** A half-open interval: `from` included, `to` excluded (instants in ms, or day numbers). */
export interface Span {
  from: number
  to: number
}

const teamsIn = (params: Record<string, unknown>, teams: readonly string[]) =>
  `team_id IN (${inList(params, 't', teams)})`

/** How many requests one step of the build counts: a few tens of milliseconds of work. */
const BUILD_STEP = 600
/** `through` once every request is counted: the triggers then count every change. */
const BUILT = Number.MAX_SAFE_INTEGER
const building = new WeakMap<Db, Promise<void>>()

/** One step: count the next BUILD_STEP requests after `through`; false once nothing is left. */
function buildStep(db: Db): boolean {
  return db.transaction(() => {
    const through = cached(db, 'SELECT through FROM dashboard_counts_state').pluck().get() as number
    if (through >= BUILT) return false
    const next = cached(
      db,
      'SELECT max(r) FROM (SELECT rowid AS r FROM requests WHERE rowid > ? ORDER BY rowid LIMIT ?)',
    )
      .pluck()
      .get(through, BUILD_STEP) as number | null
    if (next === null) {
      // An empty cache stays unbuilt, so that a bulk load into it pays nothing for the triggers.
      if (through >= 0) cached(db, 'UPDATE dashboard_counts_state SET through = ?').run(BUILT)
      return false
    }
    for (const k of KINDS('r'))
      cached(
        db,
        `INSERT INTO dashboard_counts (team_id, kind, bucket, key, n)
         SELECT r.team_id, '${k.kind}', ${k.bucket} AS b, ${k.key} AS k, count(*) FROM requests r
         WHERE r.rowid > @through AND r.rowid <= @next AND ${k.when} GROUP BY r.team_id, b, k
         ON CONFLICT DO UPDATE SET n = n + excluded.n`,
      ).run({ through, next })
    cached(db, 'UPDATE dashboard_counts_state SET through = ?').run(next)
    return true
  })()
}

/**
 * Count every request not counted yet, BUILD_STEP at a time with a turn of the event loop
 * between steps: the first dashboard read on a large cache takes a while, but never holds
 * the process for more than a step. One build at a time per cache.
 */
export function ensureDashboardCounts(db: Db): Promise<void> {
  const running = building.get(db)
  if (running) return running
  // Nothing to do (the usual case): no promise kept, nothing to forget.
  if (!buildStep(db)) return Promise.resolve()
  const build = (async () => {
    try {
      do await new Promise<void>((resolve) => setImmediate(resolve))
      while (buildStep(db))
    } finally {
      building.delete(db)
    }
  })()
  building.set(db, build)
  return build
}

/** Sum of kind `kind` over `buckets` for `teams`, grouped by key. */
function sumByKey(db: Db, teams: readonly string[], kind: string, buckets: Span): Map<string, number> {
  const params: Record<string, unknown> = { kind, a: buckets.from, b: buckets.to }
  const rows = cached(
    db,
    `SELECT key, sum(n) FROM dashboard_counts
     WHERE ${teamsIn(params, teams)} AND kind = @kind AND bucket >= @a AND bucket < @b GROUP BY key`,
  )
    .raw()
    .all(params) as [string, number][]
  return new Map(rows.filter(([, n]) => n > 0))
}

/** Sum of kind `kind` for `teams` in each span of instants (hour-bucketed kinds). */
function sumPerSpan(db: Db, teams: readonly string[], kind: 'c' | 'x', spans: readonly Span[]): number[] {
  if (teams.length === 0) return spans.map(() => 0)
  const params: Record<string, unknown> = { kind }
  const statement = cached(
    db,
    `SELECT ifnull(sum(n), 0) FROM dashboard_counts
     WHERE ${teamsIn(params, teams)} AND kind = @kind AND bucket >= @a AND bucket < @b`,
  ).pluck()
  return spans.map(
    (s) =>
      statement.get({ ...params, a: Math.ceil(s.from / HOUR_MS), b: Math.ceil(s.to / HOUR_MS) }) as number,
  )
}

/** Requests of `teams` created in each span. */
export const countCreated = (db: Db, teams: readonly string[], spans: readonly Span[]) =>
  sumPerSpan(db, teams, 'c', spans)

/** Requests of `teams` closed in each span. */
export const countClosed = (db: Db, teams: readonly string[], spans: readonly Span[]) =>
  sumPerSpan(db, teams, 'x', spans)

/** Open requests of `teams` now, by status and category, from the maintained counts. */
export function backlog(
  db: Db,
  teams: readonly string[],
  isOpen: (status: string, categoryId: string) => boolean,
): { byStatus: Map<string, number>; byCategory: Map<string, number> } {
  const byStatus = new Map<string, number>()
  const byCategory = new Map<string, number>()
  if (teams.length === 0) return { byStatus, byCategory }
  const params: Record<string, unknown> = {}
  const rows = cached(
    db,
    `SELECT status, category_id AS categoryId, sum(n) AS n FROM request_counts
     WHERE ${teamsIn(params, teams)} GROUP BY status, category_id`,
  ).all(params) as { status: string; categoryId: string; n: number }[]
  for (const { status, categoryId, n } of rows) {
    if (n <= 0 || !isOpen(status, categoryId)) continue
    byStatus.set(status, (byStatus.get(status) ?? 0) + n)
    byCategory.set(categoryId, (byCategory.get(categoryId) ?? 0) + n)
  }
  return { byStatus, byCategory }
}

export interface ClosedFigures {
  closedWithDue: number
  closedOnTime: number
  /** Requests closed in the days, by resolution hours (to the step of migration 0011): [hours, n], shortest first. */
  resolutionHistogram: [hours: number, n: number][]
  /** Closed in the days per assignee (null: nobody), most first. */
  byAssignee: { assigneeId: string | null; closed: number }[]
}

/** What the requests of `teams` closed on `days` (UTC day numbers) say about deadlines and who closed them. */
export function closedFigures(db: Db, teams: readonly string[], days: Span): ClosedFigures {
  if (teams.length === 0)
    return { closedWithDue: 0, closedOnTime: 0, resolutionHistogram: [], byAssignee: [] }
  const sla = sumByKey(db, teams, 's', days)
  const onTime = sla.get('on_time') ?? 0
  const resolutionHistogram = [...sumByKey(db, teams, 'r', days)]
    .map(([hours, n]): [number, number] => [Number(hours), n])
    .sort((a, b) => a[0] - b[0])
  const byAssignee = [...sumByKey(db, teams, 'w', days)]
    .map(([key, closed]) => ({ assigneeId: key === '' ? null : key, closed }))
    .sort((a, b) => b.closed - a.closed || (a.assigneeId ?? '').localeCompare(b.assigneeId ?? ''))
  return {
    closedWithDue: onTime + (sla.get('late') ?? 0),
    closedOnTime: onTime,
    resolutionHistogram,
    byAssignee,
  }
}

/** The communes with the most requests of `teams` created on `days` (UTC day numbers), most first. */
export function topPlaces(
  db: Db,
  teams: readonly string[],
  days: Span,
  limit: number,
): { place: string; n: number }[] {
  if (teams.length === 0) return []
  return [...sumByKey(db, teams, 'p', days)]
    .map(([place, n]) => ({ place, n }))
    .sort((a, b) => b.n - a.n || a.place.localeCompare(b.place, 'fr'))
    .slice(0, limit)
}

/**
 * The `p`-th percentile (0–1) of a histogram of whole hours, nearest-rank: the smallest
 * value with at least p of the requests at or below it; null for an empty histogram.
 */
export function histogramPercentile(histogram: readonly [number, number][], p: number): number | null {
  const total = histogram.reduce((sum, [, n]) => sum + n, 0)
  if (total === 0) return null
  const rank = Math.max(1, Math.ceil(p * total))
  let seen = 0
  for (const [hours, n] of histogram) {
    seen += n
    if (seen >= rank) return hours
  }
  return histogram.at(-1)![0]
}
