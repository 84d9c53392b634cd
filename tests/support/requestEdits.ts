/**
 * Writes to a test cache as the console's own paths make them: a status change as the
 * workflow service writes it (`setRequestStatus`), retention as a synced console runs it.
 */
import type { Db } from '../../src/main/cache/db'
import { setRequestStatus, type RequestRow } from '../../src/main/cache/queries/requests'
import { setSyncState } from '../../src/main/cache/queries/syncState'
import { applyCacheRetention } from '../../src/main/cache/retention'

/** The request closed in `status` at `at`, its other fields kept. @returns its new version. */
export function closeRequest(
  db: Db,
  row: RequestRow,
  at: number,
  status = 'rejected',
  version = row.version,
): number {
  return setRequestStatus(
    db,
    row.id,
    {
      status,
      statusKind: 'closed',
      closedAt: at,
      fields: row.fields,
      slaPausedMs: 0,
      slaPausedSince: null,
      dueAt: row.dueAt,
      updatedAt: at,
    },
    version,
  )
}

/**
 * Retention on a test cache made a synced one (retention applies to those only): closed
 * requests lose their citizen after one month and leave the cache after two.
 */
export function applyShortRetention(db: Db, now: number) {
  setSyncState(db, 'cursor', '1')
  return applyCacheRetention(
    db,
    {
      anonymiseAfterClosedMonths: 1,
      deleteAfterClosedMonths: 2,
      keepInternalComments: false,
      runAt: '02:30',
    },
    now,
  )
}
