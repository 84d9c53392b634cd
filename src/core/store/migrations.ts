/**
 * The one migration runner's rules, shared by the console's cache (better-sqlite3, run
 * synchronously) and the server's stores (SQLite or PostgreSQL, run asynchronously): one
 * migration per file, numbered from 1 without gaps, each applied in its own transaction
 * with the version it brings, and a database newer than the code refused before anything
 * is written.
 */
export interface Migration<Db> {
  /** The schema version the database has once this migration ran (1, 2, 3…). */
  version: number
  name: string
  up(db: Db): void | Promise<void>
}

/** A database written by newer code: opening it could corrupt what that version wrote. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly known: number,
    words: { database: string; program: string; advice: string } = {
      database: 'database',
      program: 'server',
      advice: 'update the server instead of downgrading the database.',
    },
  ) {
    super(
      `${file}: this ${words.database} has schema version ${found} but this ${words.program} only knows up to ${known}; ${words.advice}`,
    )
    this.name = 'SchemaTooNewError'
  }
}

/** The latest version `migrations` bring. @throws when they are not numbered 1, 2, 3… */
export function latestVersion(migrations: readonly Migration<unknown>[]): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version)
  sorted.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration ${m.name}: expected version ${i + 1}, found ${m.version}`)
  })
  return sorted.at(-1)?.version ?? 0
}

/**
 * The migrations to apply, in order, to a database at `current`.
 * @throws SchemaTooNewError (via `tooNew`) when the database is ahead of the code.
 */
export function pendingMigrations<M extends Migration<never>>(
  migrations: readonly M[],
  current: number,
  tooNew: (found: number, known: number) => Error,
): M[] {
  const latest = latestVersion(migrations as readonly Migration<unknown>[])
  if (current > latest) throw tooNew(current, latest)
  return [...migrations].sort((a, b) => a.version - b.version).filter((m) => m.version > current)
}
