/**
 * Open311's `status_notes`: the latest public reply of each request (what the citizen was
 * told), never an internal note. Read for a page of requests in one statement.
 */
import { placeholders, type Sql } from '../store/sql/client'

/** GeoReport v2 leaves the length open; portals show it in a list: long replies are cut. */
export const STATUS_NOTES_MAX = 2000

export async function latestPublicReplies(
  sql: Pick<Sql, 'all'>,
  requestIds: readonly string[],
): Promise<Map<string, string>> {
  if (requestIds.length === 0) return new Map()
  const ids = [...new Set(requestIds)]
  const rows = await sql.all<{ request_id: string; body: string }>(
    `SELECT c.request_id, c.body FROM comments c
     WHERE c.kind = 'public' AND c.request_id IN (${placeholders(ids.length)})
       AND NOT EXISTS (SELECT 1 FROM comments d WHERE d.request_id = c.request_id AND d.kind = 'public'
                       AND (d.created_at > c.created_at OR (d.created_at = c.created_at AND d.id > c.id)))`,
    ids,
  )
  return new Map(
    rows.map((r) => [
      r.request_id,
      r.body.length > STATUS_NOTES_MAX ? `${r.body.slice(0, STATUS_NOTES_MAX - 1)}…` : r.body,
    ]),
  )
}
