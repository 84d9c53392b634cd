/**
 * The change feed. A write transaction collects what it touched (`ChangeSet`: a request in
 * its old and new team, a tour, the reference data, an erased citizen) and, last thing
 * before its commit, takes that many sequence numbers from the one-row counter and records
 * them per scope.
 * The counter's row lock is held only from there to the commit, so sequence order is
 * commit order on any number of server instances: a console that read up to N never
 * misses a change numbered below N that commits later.
 */
import type { SessionInfo } from '../../shared/contract'
import { scopeFor } from '../../core/authz/permissions'
import type { Sql, SqlDatabase, SqlParam } from './sql/client'

export type FeedEntity = 'request' | 'tour' | 'reference' | 'citizen'

/** The nudge channel every instance listens to; the payload lists the scopes that moved. */
export const CHANGES_CHANNEL = 'grc_changes'

export class ChangeSet {
  private readonly touched = new Map<string, [string, FeedEntity, string]>()

  touch(scope: string, entity: FeedEntity, id: string): void {
    this.touched.set(`${scope}\u0000${entity}\u0000${id}`, [scope, entity, id])
  }

  /** A request seen by its team (both teams when it moved). */
  request(id: string, ...teamIds: string[]): void {
    for (const team of new Set(teamIds)) this.touch(team, 'request', id)
  }

  reference(): void {
    this.touch('*', 'reference', 'all')
  }

  /**
   * A citizen erased: every console hears of it (scope '*', which every session reads),
   * including one whose requests of that citizen have since moved to another team and
   * that must still scrub what it kept. Touch it before the requests it anonymised, so
   * they get the later sequence numbers.
   */
  citizen(id: string): void {
    this.touch('*', 'citizen', id)
  }

  get size(): number {
    return this.touched.size
  }

  /**
   * Number what was touched and record it; call last in the transaction. Tells every
   * instance (at the commit) which scopes moved.
   */
  async publish(db: SqlDatabase, tx: Sql): Promise<void> {
    const rows = [...this.touched.values()]
    if (rows.length === 0) return
    const scopes = [...new Set(rows.map(([scope]) => scope))]
    // NOTIFY payloads stop at 8000 bytes: many teams at once simply nudge everyone.
    const payload = JSON.stringify(scopes.join('').length > 4000 ? ['*'] : scopes)
    if (tx.dialect === 'postgres' && rows.length <= 2000) {
      // One statement from taking the counter to the commit: the lock every writer waits
      // for is held for one round trip, not three (and the nudge leaves at the commit).
      await tx.get(
        `WITH counter AS (UPDATE change_counter SET seq = seq + ? WHERE id = 1 RETURNING seq),
              touched (scope, entity, entity_id, k) AS (VALUES ${rows.map((_r, i) => `(?::text, ?::text, ?::text, ${i + 1})`).join(', ')}),
              fed AS (
                INSERT INTO change_scope (scope, entity, entity_id, seq)
                SELECT t.scope, t.entity, t.entity_id, counter.seq - ? + t.k FROM touched t, counter
                ON CONFLICT (scope, entity, entity_id) DO UPDATE SET seq = excluded.seq)
         SELECT pg_notify(?, ?) FROM counter`,
        [rows.length, ...rows.flat(), rows.length, CHANGES_CHANNEL, payload],
      )
      return
    }
    const counter = await tx.get<{ seq: number }>(
      'UPDATE change_counter SET seq = seq + ? WHERE id = 1 RETURNING seq',
      [rows.length],
    )
    let seq = counter!.seq - rows.length
    for (let i = 0; i < rows.length; i += 200) {
      const part = rows.slice(i, i + 200)
      await tx.run(
        `INSERT INTO change_scope (scope, entity, entity_id, seq) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')}
         ON CONFLICT (scope, entity, entity_id) DO UPDATE SET seq = excluded.seq`,
        part.flatMap(([scope, entity, id]): SqlParam[] => [scope, entity, id, ++seq]),
      )
    }
    await db.notify(tx, CHANGES_CHANNEL, payload)
  }
}

/** A write transaction whose change set is published last, before its commit. */
export function writeFed<T>(db: SqlDatabase, fn: (tx: Sql, changes: ChangeSet) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const changes = new ChangeSet()
    const value = await fn(tx, changes)
    await changes.publish(db, tx)
    return value
  })
}

export interface ChangeRow {
  entity: FeedEntity
  entity_id: string
  seq: number
}

/** The scopes a session reads: every one, or '*' and its teams. */
function scopesOf(session: SessionInfo): string[] | null {
  const scope = scopeFor(session)
  return scope.kind === 'all' ? null : ['*', ...new Set(scope.teamIds)]
}

/** The next `limit` changes after `since` that `session` may see, in sequence order. */
export async function changeRows(
  sql: Pick<Sql, 'all'>,
  session: SessionInfo,
  since: number,
  limit: number,
): Promise<ChangeRow[]> {
  const scopes = scopesOf(session)
  if (!scopes)
    return sql.all<ChangeRow>(
      'SELECT entity, entity_id, seq FROM change_scope WHERE seq > ? ORDER BY seq LIMIT ?',
      [since, limit],
    )
  // One short index range per scope, merged: the cost is (scopes × limit), not the feed's length.
  const part = `SELECT * FROM (SELECT entity, entity_id, seq FROM change_scope
                WHERE scope = ? AND seq > ? ORDER BY seq LIMIT ?) AS s`
  return sql.all<ChangeRow>(`${scopes.map(() => part).join(' UNION ALL ')} ORDER BY seq LIMIT ?`, [
    ...scopes.flatMap((s) => [s, since, limit]),
    limit,
  ])
}

/** How many changes `session` may see after `after` (the console shows the progress). */
export async function remainingAfter(
  sql: Pick<Sql, 'get'>,
  session: SessionInfo,
  after: number,
): Promise<number> {
  const scopes = scopesOf(session)
  const row = scopes
    ? await sql.get<{ n: number }>(
        `SELECT count(*) AS n FROM change_scope WHERE scope IN (${scopes.map(() => '?').join(', ')}) AND seq > ?`,
        [...scopes, after],
      )
    : await sql.get<{ n: number }>('SELECT count(*) AS n FROM change_scope WHERE seq > ?', [after])
  return row?.n ?? 0
}
