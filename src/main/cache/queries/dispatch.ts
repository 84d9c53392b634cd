/**
 * What the dispatch board reads from the cache (issue 15): people's capacity as the server
 * sent it (migration 0014), the open requests per person and category, and what each
 * person worked on lately. Overdue counts come from the queue's own count (`countQueue`),
 * whose condition is the queue's « En retard » filter.
 */
import { z } from 'zod'
import { Absence, type WorkCapacity } from '../../../shared/capacity'
import { CoreError } from '../../../shared/result'
import type { Db } from '../db'
import { cached, inList } from '../statements'
import { OPEN_CARDS_INDEX } from '../migrations/0017-open-cards-index'

const Absences = z.array(Absence)

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

/** Replace every person's capacity with the server's list (a person left out has the default). */
export function replaceCapacity(db: Db, capacity: readonly WorkCapacity[]): void {
  cached(db, 'DELETE FROM agent_capacity').run()
  const insert = cached(db, 'INSERT INTO agent_capacity (agent_id, weekly_hours, absences) VALUES (?, ?, ?)')
  for (const c of capacity) insert.run(c.agentId, c.weeklyHours, JSON.stringify(c.absences))
}

/** Every capacity the server set, by person. An unreadable absence list counts as none. */
export function capacityByAgent(db: Db): Map<string, WorkCapacity> {
  const rows = cached(db, 'SELECT agent_id, weekly_hours, absences FROM agent_capacity').all() as {
    agent_id: string
    weekly_hours: number
    absences: string
  }[]
  return new Map(
    rows.map((r) => {
      // An unreadable list (never written so by replaceCapacity) counts as no absence.
      const parsed = Absences.safeParse(safeJson(r.absences))
      const absences: Absence[] = parsed.success ? parsed.data : []
      return [r.agent_id, { agentId: r.agent_id, weeklyHours: r.weekly_hours, absences }]
    }),
  )
}

export interface OpenLoadRow {
  /** null: nobody assigned. */
  assigneeId: string | null
  categoryId: string
  open: number
}

/**
 * Open requests of `teams` per assignee and category, from the counts the triggers keep
 * (`request_counts`): a sum over a few thousand rows, where grouping the open requests
 * themselves took 160 ms for a supervisor at 500k.
 */
export function openLoad(
  db: Db,
  teams: readonly string[],
  isOpen: (status: string, categoryId: string) => boolean,
): OpenLoadRow[] {
  if (teams.length === 0) return []
  const params: Record<string, unknown> = {}
  const rows = cached(
    db,
    `SELECT nullif(assignee_key, '') AS assigneeId, category_id AS categoryId, status, sum(n) AS open
     FROM request_counts WHERE team_id IN (${inList(params, 't', teams)})
     GROUP BY assignee_key, category_id, status`,
  ).all(params) as (OpenLoadRow & { status: string })[]
  return rows
    .filter((r) => r.open > 0 && isOpen(r.status, r.categoryId))
    .map(({ assigneeId, categoryId, open }) => ({ assigneeId, categoryId, open }))
}

/** Open requests of `teams` due in [`from`, `to`) per assignee (null: nobody): a range of the open index. */
export function dueBetween(
  db: Db,
  teams: readonly string[],
  span: { from: number; to: number },
): Map<string | null, number> {
  if (teams.length === 0) return new Map()
  const params: Record<string, unknown> = { from: span.from, to: span.to }
  const rows = cached(
    db,
    `SELECT assignee_id AS assigneeId, count(*) AS n FROM requests INDEXED BY requests_open_due
     WHERE team_id IN (${inList(params, 't', teams)}) AND status_kind = 'open'
       AND due_at >= @from AND due_at < @to
     GROUP BY assignee_id`,
  ).all(params) as { assigneeId: string | null; n: number }[]
  return new Map(rows.map((r) => [r.assigneeId, r.n]))
}

export interface RecentWorkRow {
  assigneeId: string
  categoryId: string
  /** A point of the place (rounded to about 100 m: one per neighbourhood is enough to find its sector). */
  lat: number | null
  lon: number | null
}

/** The changes per team « what a person handles » reads at most: its cost stays the same at any cache size. */
export const RECENT_PER_TEAM = 1500

/** A team's recent work as last read: its change count then (migration 0021) and `since`. */
interface KeptWork {
  changes: number
  since: number
  rows: RecentWorkRow[]
}

/** Per connection (a profile's cache), per team. */
const keptWork = new WeakMap<Db, Map<string, KeptWork>>()

/**
 * What the people of `teams` worked on since `since` (epoch ms): the categories and the
 * places of the latest RECENT_PER_TEAM requests of each team created or changed since then
 * that someone is assigned to (each team read along its index by update time). A team whose
 * requests did not change since its last read (its count in team_changes, kept by
 * triggers) is not read again for the same `since`: a board refreshed after an assignment
 * reads one team, not all of a supervisor's.
 */
export function recentWork(db: Db, teams: readonly string[], since: number): RecentWorkRow[] {
  let kept = keptWork.get(db)
  if (!kept) keptWork.set(db, (kept = new Map()))
  const changesOf = cached(db, 'SELECT n FROM team_changes WHERE team_id = ?').pluck()
  const statement = cached(
    db,
    `SELECT assignee_id AS assigneeId, category_id AS categoryId, round(lat, 3) AS lat, round(lon, 3) AS lon
     FROM (SELECT assignee_id, category_id, lat, lon FROM requests INDEXED BY requests_team_updated
           WHERE team_id = @team AND updated_at >= @since AND assignee_id IS NOT NULL
           ORDER BY updated_at DESC LIMIT @limit)
     GROUP BY assignee_id, category_id, round(lat, 3), round(lon, 3)`,
  )
  const rows: RecentWorkRow[] = []
  for (const team of teams) {
    const changes = (changesOf.get(team) as number | undefined) ?? 0
    let work = kept.get(team)
    if (!work || work.changes !== changes || work.since !== since) {
      work = {
        changes,
        since,
        rows: statement.all({ team, since, limit: RECENT_PER_TEAM }) as RecentWorkRow[],
      }
      kept.set(team, work)
    }
    rows.push(...work.rows)
  }
  return rows
}

/** Where a column's next cards start: the due key and rowid of its last card. */
const CardCursor = z.tuple([z.number().int(), z.number().int()])

const encodeCardCursor = (due: number, rowid: number) =>
  Buffer.from(JSON.stringify([due, rowid]), 'utf8').toString('base64url')

function decodeCardCursor(raw: string): [number, number] {
  try {
    return CardCursor.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')))
  } catch {
    throw new CoreError('invalid_input', 'Curseur de colonne invalide : rechargez la répartition.')
  }
}

interface CardRow {
  due: number
  rid: number
}

/** One page of a column: the rowids of its cards (`summariesByRowid` reads them in one go), and the cursor when there are more. */
export interface ColumnPage {
  rowids: number[]
  nextCursor: string | null
}

/**
 * The next `limit` open requests of one column of `teams` (by assignee, null: nobody) after
 * `after` (due key and rowid; null: from the start), most urgent first: due date (undated
 * last, `due_sort`), then creation. Read along the open requests' index by assignee and due
 * date (0017), so a column costs its own cards, not a sort of every open request.
 */
function cardsOf(
  db: Db,
  teams: readonly string[],
  assigneeId: string | null,
  after: [number, number] | null,
  limit: number,
): ColumnPage {
  if (teams.length === 0) return { rowids: [], nextCursor: null }
  const params: Record<string, unknown> = { keep: limit + 1, who: assigneeId }
  const who = assigneeId === null ? 'assignee_id IS NULL' : 'assignee_id = @who'
  if (after) Object.assign(params, { due: after[0], rid: after[1] })
  const rows = cached(
    db,
    `SELECT due_sort AS due, rowid AS rid FROM requests INDEXED BY ${OPEN_CARDS_INDEX}
     WHERE status_kind = 'open' AND ${who} AND team_id IN (${inList(params, 't', teams)})
       ${after ? 'AND (due_sort, rowid) > (@due, @rid)' : ''}
     ORDER BY due_sort, rowid LIMIT @keep`,
  ).all(params) as CardRow[]
  const shown = rows.slice(0, limit)
  const last = shown.at(-1)
  return {
    rowids: shown.map((r) => r.rid),
    nextCursor: rows.length > limit && last ? encodeCardCursor(last.due, last.rid) : null,
  }
}

/** The first `limit` open requests of each of `columns` (assignee ids, null: nobody) within `teams`. */
export function firstCards(
  db: Db,
  teams: readonly string[],
  columns: readonly (string | null)[],
  limit: number,
): Map<string | null, ColumnPage> {
  return new Map(columns.map((c) => [c, cardsOf(db, teams, c, null, limit)]))
}

/** The next `limit` open requests of one column after `after` (a cursor of this module). */
export function moreCards(
  db: Db,
  teams: readonly string[],
  assigneeId: string | null,
  after: string,
  limit: number,
): ColumnPage {
  return cardsOf(db, teams, assigneeId, decodeCardCursor(after), limit)
}
