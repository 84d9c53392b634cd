/**
 * The outbox: changes made on this workstation that the server has not applied yet,
 * written in the same transaction as the change itself. Sync pushes them in `seq` order.
 */
import type { Db } from '../db'
import { cached } from '../statements'

export interface NewMutation {
  /** Client-generated, so a retried push is applied at most once by the server. */
  mutationId: string
  entity: string
  entityId: string
  op: string
  /** The entity's version the change was made on (null for a creation without one). */
  baseVersion: number | null
  payload: unknown
  createdAt: number
}

export interface PendingMutation extends NewMutation {
  seq: number
  attempts: number
  lastError: string | null
}

/** @returns the mutation's place in the outbox (`seq`). */
export function enqueueMutation(db: Db, m: NewMutation): number {
  const info = cached(
    db,
    `INSERT INTO outbox (mutation_id, entity, entity_id, op, base_version, payload, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    m.mutationId,
    m.entity,
    m.entityId,
    m.op,
    m.baseVersion,
    JSON.stringify(m.payload ?? null),
    m.createdAt,
  )
  return Number(info.lastInsertRowid)
}

interface DbOutboxRow {
  seq: number
  mutation_id: string
  entity: string
  entity_id: string
  op: string
  base_version: number | null
  payload: string
  created_at: number
  attempts: number
  last_error: string | null
}

/** The oldest `limit` pending mutations, in the order they were made. */
export function listPendingMutations(db: Db, limit: number): PendingMutation[] {
  const rows = cached(db, 'SELECT * FROM outbox ORDER BY seq LIMIT ?').all(limit) as DbOutboxRow[]
  return rows.map(toPending)
}

function toPending(r: DbOutboxRow): PendingMutation {
  return {
    seq: r.seq,
    mutationId: r.mutation_id,
    entity: r.entity,
    entityId: r.entity_id,
    op: r.op,
    baseVersion: r.base_version,
    payload: JSON.parse(r.payload) as unknown,
    createdAt: r.created_at,
    attempts: r.attempts,
    lastError: r.last_error,
  }
}

export function countPendingMutations(db: Db): number {
  return (cached(db, 'SELECT count(*) AS n FROM outbox').get() as { n: number }).n
}

/** Forget mutations the server has answered (applied, or settled as a conflict/rejection). */
export function removeMutations(db: Db, mutationIds: readonly string[]): number {
  const stmt = cached(db, 'DELETE FROM outbox WHERE mutation_id = ?')
  let n = 0
  for (const id of mutationIds) n += stmt.run(id).changes
  return n
}

/** Note a failed push attempt (network, server error): the mutation stays pending. */
export function recordMutationFailure(db: Db, mutationId: string, error: string): void {
  cached(db, 'UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE mutation_id = ?').run(
    error.slice(0, 1000),
    mutationId,
  )
}

/**
 * The server version the first pending change of `entityId` was made on: later changes
 * chain on the agent's own, so they carry the same base (the server tells apart the
 * changes of this console from those of others).
 */
export function pendingBaseVersion(db: Db, entityId: string): number | undefined {
  const v = cached(db, 'SELECT base_version FROM outbox WHERE entity_id = ? ORDER BY seq LIMIT 1')
    .pluck()
    .get(entityId) as number | null | undefined
  return v ?? undefined
}

/** Pending changes of one entity, oldest first (re-applied on top of pulled state). */
export function listPendingFor(db: Db, entityId: string): PendingMutation[] {
  const rows = cached(db, 'SELECT * FROM outbox WHERE entity_id = ? ORDER BY seq').all(
    entityId,
  ) as DbOutboxRow[]
  return rows.map(toPending)
}

export function isPending(db: Db, mutationId: string): boolean {
  return cached(db, 'SELECT 1 FROM outbox WHERE mutation_id = ?').pluck().get(mutationId) === 1
}
