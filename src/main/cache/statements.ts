/**
 * Prepared statements cached per connection: the queue builds its SQL from the filter's
 * shape, and preparing it again on every page would cost more than running it.
 */
import type { Statement } from 'better-sqlite3-multiple-ciphers'
import type { Db } from './db'

const caches = new WeakMap<Db, Map<string, Statement>>()
/** Enough for every filter shape an agent uses in a session; the oldest shapes are dropped. */
const MAX_CACHED = 400

/** The prepared statement for `sql` on `db`, prepared once. */
export function cached(db: Db, sql: string): Statement {
  let cache = caches.get(db)
  if (!cache) {
    cache = new Map()
    caches.set(db, cache)
  }
  const hit = cache.get(sql)
  if (hit) return hit
  const stmt = db.prepare(sql)
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next().value
    if (oldest !== undefined) cache.delete(oldest)
  }
  cache.set(sql, stmt)
  return stmt
}

const rawCaches = new WeakMap<Db, Map<string, Statement>>()

/**
 * Like `cached`, in raw mode (rows as arrays, in column order): for the big result sets
 * (map points) where building one object per row twice costs more than the query.
 */
export function cachedRaw(db: Db, sql: string): Statement {
  let cache = rawCaches.get(db)
  if (!cache) {
    cache = new Map()
    rawCaches.set(db, cache)
  }
  const hit = cache.get(sql)
  if (hit) return hit
  const stmt = db.prepare(sql).raw(true)
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next().value
    if (oldest !== undefined) cache.delete(oldest)
  }
  cache.set(sql, stmt)
  return stmt
}

/** `@p0, @p1…` placeholders for `values`, added to `params` under `prefix`. */
export function inList(params: Record<string, unknown>, prefix: string, values: readonly unknown[]): string {
  return values
    .map((v, i) => {
      params[`${prefix}${i}`] = v
      return `@${prefix}${i}`
    })
    .join(', ')
}
