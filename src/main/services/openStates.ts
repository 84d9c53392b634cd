/**
 * Whether a status is an open state in a category's workflow. The maintained counts
 * (`request_counts`) carry the status, not its kind: the dashboard's backlog and the dispatch
 * board's load read them through this.
 */
import type { Db } from '../cache/db'
import type { CoreDeps } from './deps'

export function openStatesOf(
  db: Db,
  workflows: CoreDeps['workflows'],
): (status: string, categoryId: string) => boolean {
  const workflowOf = new Map(
    (db.prepare('SELECT id, workflow_id FROM categories').raw().all() as [string, string][]).map(
      ([id, wf]) => [id, workflows.get(wf)],
    ),
  )
  return (status, categoryId) =>
    workflowOf.get(categoryId)?.states.find((s) => s.id === status)?.kind === 'open'
}
