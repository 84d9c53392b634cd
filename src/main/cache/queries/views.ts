/** Saved views: an agent's named filter + sort. Each agent only ever reads and changes their own. */
import { QueueFilter, QueueSort, type SavedView } from '../../../shared/contract'
import { CoreError } from '../../../shared/result'
import type { Db } from '../db'
import { cached } from '../statements'

interface DbViewRow {
  id: string
  name: string
  filter: string
  sort: string
}

/** The agent's views, oldest first. A view whose stored filter no longer validates is skipped. */
export function listViews(db: Db, agentId: string): SavedView[] {
  const rows = cached(
    db,
    'SELECT id, name, filter, sort FROM saved_views WHERE agent_id = ? ORDER BY created_at, id',
  ).all(agentId) as DbViewRow[]
  const views: SavedView[] = []
  for (const r of rows) {
    const filter = QueueFilter.safeParse(JSON.parse(r.filter))
    const sort = QueueSort.safeParse(r.sort)
    if (filter.success && sort.success)
      views.push({ id: r.id, name: r.name, filter: filter.data, sort: sort.data })
  }
  return views
}

/**
 * Create or rename/redefine one of the agent's views. A view id belonging to another
 * agent is never overwritten: a new view cannot take it.
 */
export function saveView(db: Db, agentId: string, view: SavedView, now = Date.now()): SavedView {
  const info = cached(
    db,
    `INSERT INTO saved_views (id, agent_id, name, filter, sort, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, filter = excluded.filter, sort = excluded.sort
     WHERE saved_views.agent_id = excluded.agent_id`,
  ).run(view.id, agentId, view.name, JSON.stringify(view.filter), view.sort, now)
  // Answered as missing: another agent's view ids do not leak.
  if (info.changes === 0) throw new CoreError('not_found', 'Vue introuvable.')
  return view
}

/** @returns whether one of the agent's views was deleted. */
export function deleteView(db: Db, agentId: string, id: string): boolean {
  return cached(db, 'DELETE FROM saved_views WHERE id = ? AND agent_id = ?').run(id, agentId).changes > 0
}
