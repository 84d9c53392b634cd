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

/** How long, and how many, applied changes are kept to be sent again after a restore. */
export const SENT_KEEP_MS = 30 * 24 * 3600_000
const SENT_KEEP_COUNT = 20_000

/** A change the server applied: kept a while in case the server is restored from an older backup. */
export function recordSent(db: Db, p: PendingMutation, appliedAt: number): void {
  cached(
    db,
    `INSERT INTO sent_mutations (mutation_id, entity, entity_id, op, base_version, payload, created_at, applied_at, seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM sent_mutations))
     ON CONFLICT (mutation_id) DO UPDATE SET applied_at = excluded.applied_at`,
  ).run(
    p.mutationId,
    p.entity,
    p.entityId,
    p.op,
    p.baseVersion,
    JSON.stringify(p.payload ?? null),
    p.createdAt,
    appliedAt,
  )
}

/** Forget applied changes older than the keeping period, and beyond the count. */
export function pruneSent(db: Db, now: number): void {
  cached(db, 'DELETE FROM sent_mutations WHERE applied_at < ?').run(now - SENT_KEEP_MS)
  cached(
    db,
    `DELETE FROM sent_mutations WHERE seq <= (SELECT max(seq) FROM sent_mutations) - ${SENT_KEEP_COUNT}`,
  ).run()
}

/**
 * The server went back in time: every change it applied lately goes back to the outbox, in
 * the order it was sent, before what is pending now (the server answers what it still has
 * as before and applies the rest). @returns how many.
 */
export function requeueSent(db: Db): number {
  const sent = cached(db, 'SELECT * FROM sent_mutations ORDER BY seq').all() as Array<{
    mutation_id: string
    entity: string
    entity_id: string
    op: string
    base_version: number | null
    payload: string
    created_at: number
  }>
  const pending = cached(db, 'SELECT * FROM outbox ORDER BY seq').all() as DbOutboxRow[]
  cached(db, 'DELETE FROM outbox').run()
  const insert = cached(
    db,
    `INSERT INTO outbox (mutation_id, entity, entity_id, op, base_version, payload, created_at, attempts, last_error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mutation_id) DO NOTHING`,
  )
  for (const s of sent)
    insert.run(s.mutation_id, s.entity, s.entity_id, s.op, s.base_version, s.payload, s.created_at, 0, null)
  for (const p of pending)
    insert.run(
      p.mutation_id,
      p.entity,
      p.entity_id,
      p.op,
      p.base_version,
      p.payload,
      p.created_at,
      p.attempts,
      p.last_error,
    )
  cached(db, 'DELETE FROM sent_mutations').run()
  return sent.length
}

/** Forget the applied changes of one entity kept for a restore (their citizen was erased). */
export function forgetSentFor(db: Db, entityId: string): number {
  return cached(db, 'DELETE FROM sent_mutations WHERE entity_id = ?').run(entityId).changes
}
