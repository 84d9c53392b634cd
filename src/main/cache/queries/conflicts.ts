/**
 * The conflict inbox: changes of this console the server did not apply, kept whole until
 * the agent settles them.
 */
import type { FieldChange } from '../../../shared/sync'
import type { Db } from '../db'
import { cached } from '../statements'

export interface StoredConflict {
  id: string
  mutationId: string
  requestId: string
  op: string
  payload: unknown
  baseVersion: number
  madeAt: number
  detectedAt: number
  serverVersion: number
  theirs: FieldChange[]
  kind: 'conflict' | 'rejected'
  reason: string | null
}

interface DbConflictRow {
  id: string
  mutation_id: string
  request_id: string
  op: string
  payload: string
  base_version: number
  made_at: number
  detected_at: number
  server_version: number
  theirs: string
  kind: 'conflict' | 'rejected'
  reason: string | null
}

const toConflict = (r: DbConflictRow): StoredConflict => ({
  id: r.id,
  mutationId: r.mutation_id,
  requestId: r.request_id,
  op: r.op,
  payload: JSON.parse(r.payload) as unknown,
  baseVersion: r.base_version,
  madeAt: r.made_at,
  detectedAt: r.detected_at,
  serverVersion: r.server_version,
  theirs: JSON.parse(r.theirs) as FieldChange[],
  kind: r.kind,
  reason: r.reason,
})

/** Record one; a mutation answered twice (a retried push) is recorded once. */
export function insertConflict(db: Db, c: StoredConflict): void {
  cached(
    db,
    `INSERT INTO conflicts (id, mutation_id, request_id, op, payload, base_version, made_at, detected_at,
       server_version, theirs, kind, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mutation_id) DO NOTHING`,
  ).run(
    c.id,
    c.mutationId,
    c.requestId,
    c.op,
    JSON.stringify(c.payload ?? null),
    c.baseVersion,
    c.madeAt,
    c.detectedAt,
    c.serverVersion,
    JSON.stringify(c.theirs),
    c.kind,
    c.reason,
  )
}

/** Unsettled conflicts, oldest first. */
export function listOpenConflicts(db: Db): StoredConflict[] {
  return (
    cached(
      db,
      'SELECT * FROM conflicts WHERE resolved_at IS NULL ORDER BY detected_at, id',
    ).all() as DbConflictRow[]
  ).map(toConflict)
}

export function getOpenConflict(db: Db, id: string): StoredConflict | undefined {
  const r = cached(db, 'SELECT * FROM conflicts WHERE id = ? AND resolved_at IS NULL').get(id) as
    DbConflictRow | undefined
  return r && toConflict(r)
}

export function countOpenConflicts(db: Db): number {
  return cached(db, 'SELECT count(*) FROM conflicts WHERE resolved_at IS NULL').pluck().get() as number
}

export function resolveConflict(
  db: Db,
  id: string,
  resolution: 'mine' | 'theirs' | 'merge',
  at: number,
): void {
  cached(db, 'UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL').run(
    at,
    resolution,
    id,
  )
}

/** Every conflict of one request, settled or not (erasure scrubs them all). */
export function listConflictsFor(db: Db, requestId: string): StoredConflict[] {
  return (
    cached(db, 'SELECT * FROM conflicts WHERE request_id = ? ORDER BY detected_at, id').all(
      requestId,
    ) as DbConflictRow[]
  ).map(toConflict)
}

/** Replace what a conflict holds of the change and of the server's values (scrubbed text). */
export function rewriteConflictText(
  db: Db,
  id: string,
  payload: unknown,
  theirs: readonly FieldChange[],
): void {
  cached(db, 'UPDATE conflicts SET payload = ?, theirs = ? WHERE id = ?').run(
    JSON.stringify(payload ?? null),
    JSON.stringify(theirs),
    id,
  )
}
