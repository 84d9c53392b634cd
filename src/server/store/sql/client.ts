/**
 * The one SQL interface the server's store is written against, so every query and every
 * decision is written once for both databases: SQLite (better-sqlite3, the embedded
 * default) and PostgreSQL (pg, production). Statements use `?` placeholders; the
 * PostgreSQL client numbers them. Times are epoch ms in BIGINT/INTEGER columns and come
 * back as JavaScript numbers from both.
 */
export type Dialect = 'sqlite' | 'postgres'

export type SqlParam = string | number | null

export interface Sql {
  readonly dialect: Dialect
  all<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]>
  get<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>
  /** @returns how many rows the statement changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>
  /**
   * A nested unit of work (a savepoint): its writes are undone when `fn` throws, and the
   * error goes on to the caller. Only inside a transaction.
   */
  savepoint<T>(fn: () => Promise<T>): Promise<T>
}

export interface SqlDatabase extends Omit<Sql, 'savepoint'> {
  /**
   * Run `fn` in one transaction (committed when it returns, rolled back when it throws).
   * Every statement of the transaction goes through the `tx` it gets.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>
  /**
   * Tell every server instance on this database (PostgreSQL: NOTIFY, delivered at commit
   * when sent inside a transaction; SQLite: this process only).
   */
  notify(tx: Sql | null, channel: string, payload: string): Promise<void>
  listen(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>>
  /** Is the database answering? (readiness) */
  ping(): Promise<void>
  /** Connections in use and idle (metrics). */
  poolStats(): { total: number; idle: number; waiting: number }
  /**
   * Give back the space of rows just deleted or overwritten so their bytes leave the files
   * (after an erasure or a retention purge). SQLite: `wal_checkpoint(TRUNCATE)` after the
   * queue's previous units (with `secure_delete` on, freed pages are already zeroed; this
   * empties the WAL, which still holds the old pages); a reader holding a snapshot makes it
   * partial, and the next call finishes it. PostgreSQL: nothing (dead tuples go when VACUUM
   * reuses them; the WAL and backups keep them, see the documentation).
   */
  reclaim(): Promise<void>
  close(): Promise<void>
}

/** A unique constraint refused the row (SQLite: SQLITE_CONSTRAINT_PRIMARYKEY/UNIQUE; PostgreSQL: 23505). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
}

/** `?, ?, ?` for a list of n values. */
export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ')

/** Rows per INSERT: PostgreSQL takes up to 65 535 parameters, SQLite 32 766. */
const ROWS_PER_INSERT = 200

/** Insert many rows in a few multi-row statements. */
export async function insertRows(
  sql: Pick<Sql, 'run'>,
  table: string,
  columns: readonly string[],
  rows: readonly SqlParam[][],
): Promise<void> {
  const row = `(${columns.map(() => '?').join(', ')})`
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const part = rows.slice(i, i + ROWS_PER_INSERT)
    await sql.run(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${part.map(() => row).join(', ')}`,
      part.flat(),
    )
  }
}

/** `insertRows`, reading back `returning` of each inserted row (both databases take RETURNING). */
export async function insertRowsReturning<T>(
  sql: Pick<Sql, 'all'>,
  table: string,
  columns: readonly string[],
  rows: readonly SqlParam[][],
  returning: string,
): Promise<T[]> {
  const row = `(${columns.map(() => '?').join(', ')})`
  const out: T[] = []
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const part = rows.slice(i, i + ROWS_PER_INSERT)
    out.push(
      ...(await sql.all<T>(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${part.map(() => row).join(', ')} RETURNING ${returning}`,
        part.flat(),
      )),
    )
  }
  return out
}
