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
  /** Due in [`from`, `to`): not late yet, due before tonight. */
  dueToday: number
}

/**
 * Open requests of `teams` per assignee and category, and those due in `dueToday`. Read
 * from the partial index of open requests (requests_open_due), never the table.
 */
export function openLoad(
  db: Db,
  teams: readonly string[],
  dueToday: { from: number; to: number },
): OpenLoadRow[] {
  if (teams.length === 0) return []
  const params: Record<string, unknown> = { from: dueToday.from, to: dueToday.to }
  return cached(
    db,
    `SELECT assignee_id AS assigneeId, category_id AS categoryId, count(*) AS open,
            sum(due_at >= @from AND due_at < @to) AS dueToday
     FROM requests INDEXED BY requests_open_due
     WHERE team_id IN (${inList(params, 't', teams)}) AND status_kind = 'open'
     GROUP BY assignee_id, category_id`,
  ).all(params) as OpenLoadRow[]
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

/**
 * What the people of `teams` worked on since `since` (epoch ms): the categories and the
 * places of the latest RECENT_PER_TEAM requests of each team created or changed since then
 * that someone is assigned to (each team read along its index by update time).
 */
export function recentWork(db: Db, teams: readonly string[], since: number): RecentWorkRow[] {
  const rows: RecentWorkRow[] = []
  const statement = cached(
    db,
    `SELECT assignee_id AS assigneeId, category_id AS categoryId, round(lat, 3) AS lat, round(lon, 3) AS lon
     FROM (SELECT assignee_id, category_id, lat, lon FROM requests INDEXED BY requests_team_updated
           WHERE team_id = @team AND updated_at >= @since AND assignee_id IS NOT NULL
           ORDER BY updated_at DESC LIMIT @limit)
     GROUP BY assignee_id, category_id, round(lat, 3), round(lon, 3)`,
  )
  for (const team of teams)
    rows.push(...(statement.all({ team, since, limit: RECENT_PER_TEAM }) as RecentWorkRow[]))
  return rows
}

/** Where a column's next cards start: the due key and rowid of its last card. */
const CardCursor = z.tuple([z.number().int(), z.number().int()])
/** The due key of a request without due date: after every dated one. */
const NO_DUE = 8_000_000_000_000_000

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
  id: string
  assigneeId: string | null
  due: number
  rid: number
}

/** Rows to cards: the ids of each column's first `limit`, and the cursor when there are more. */
function paged(rows: readonly CardRow[], limit: number): { ids: string[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit)
  const last = shown.at(-1)
  return {
    ids: shown.map((r) => r.id),
    nextCursor: rows.length > limit && last ? encodeCardCursor(last.due, last.rid) : null,
  }
}

/**
 * The first `limit` open requests of every column of `teams` (by assignee, null: nobody),
 * most urgent first (due date, undated last, then creation), in one pass over the partial
 * index of open requests.
 */
export function firstCards(
  db: Db,
  teams: readonly string[],
  limit: number,
): Map<string | null, { ids: string[]; nextCursor: string | null }> {
  const out = new Map<string | null, { ids: string[]; nextCursor: string | null }>()
  if (teams.length === 0) return out
  const params: Record<string, unknown> = { keep: limit + 1, noDue: NO_DUE }
  const rows = cached(
    db,
    `SELECT r.id, w.assignee_id AS assigneeId, w.due, w.rid FROM (
       SELECT rowid AS rid, assignee_id, ifnull(due_at, @noDue) AS due,
              row_number() OVER (PARTITION BY assignee_id ORDER BY ifnull(due_at, @noDue), rowid) AS n
       FROM requests INDEXED BY requests_open_due
       WHERE team_id IN (${inList(params, 't', teams)}) AND status_kind = 'open') w
     CROSS JOIN requests r ON r.rowid = w.rid
     WHERE w.n <= @keep ORDER BY w.assignee_id, w.n`,
  ).all(params) as CardRow[]
  const byColumn = new Map<string | null, CardRow[]>()
  for (const row of rows) byColumn.set(row.assigneeId, [...(byColumn.get(row.assigneeId) ?? []), row])
  for (const [assigneeId, list] of byColumn) out.set(assigneeId, paged(list, limit))
  return out
}

/** The next `limit` open requests of one column after `after` (a cursor of this module). */
export function moreCards(
  db: Db,
  teams: readonly string[],
  assigneeId: string | null,
  after: string,
  limit: number,
): { ids: string[]; nextCursor: string | null } {
  const [due, rid] = decodeCardCursor(after)
  if (teams.length === 0) return { ids: [], nextCursor: null }
  const params: Record<string, unknown> = { keep: limit + 1, noDue: NO_DUE, due, rid, who: assigneeId }
  const who = assigneeId === null ? 'assignee_id IS NULL' : 'assignee_id = @who'
  const rows = cached(
    db,
    `SELECT id, assignee_id AS assigneeId, ifnull(due_at, @noDue) AS due, rowid AS rid
     FROM requests INDEXED BY requests_open_due
     WHERE team_id IN (${inList(params, 't', teams)}) AND status_kind = 'open' AND ${who}
       AND (ifnull(due_at, @noDue), rowid) > (@due, @rid)
     ORDER BY ifnull(due_at, @noDue), rowid LIMIT @keep`,
  ).all(params) as CardRow[]
  return paged(rows, limit)
}
