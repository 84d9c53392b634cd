/**
 * Schema migrations: one file per version under ./migrations, each applied in its own
 * transaction that also bumps `PRAGMA user_version`, so a crash leaves the cache at a
 * whole version, never between two.
 */
import type Database from 'better-sqlite3'

export interface Migration {
  /** The `user_version` the database has once this migration ran (1, 2, 3…). */
  version: number
  name: string
  up(db: Database.Database): void
}

/** A cache written by a newer console: opening it could corrupt what that version wrote. */
export class StoreTooNewError extends Error {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `${file}: this cache has schema version ${found} but this console only knows up to ${known}; ` +
        'update the console (or open another profile) instead of downgrading the cache.',
    )
    this.name = 'StoreTooNewError'
  }
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/** Refuse, before anything is written, a database newer than `migrations` know. */
export function assertKnownVersion(
  db: Database.Database,
  migrations: readonly Migration[],
  file = db.name,
): void {
  const known = Math.max(0, ...migrations.map((m) => m.version))
  const found = schemaVersion(db)
  if (found > known) throw new StoreTooNewError(file, found, known)
}

/**
 * Bring the database to the latest version of `migrations` (sorted, contiguous from 1).
 * @returns the versions that were applied, in order.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], file = db.name): number[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version)
  sorted.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration ${m.name}: expected version ${i + 1}, found ${m.version}`)
  })
  const latest = sorted.at(-1)?.version ?? 0
  const current = schemaVersion(db)
  if (current > latest) throw new StoreTooNewError(file, current, latest)

  const applied: number[] = []
  for (const m of sorted) {
    if (m.version <= current) continue
    db.transaction(() => {
      m.up(db)
      // PRAGMA takes no bound parameters; the version is an integer we own.
      db.pragma(`user_version = ${Math.trunc(m.version)}`)
    }).immediate()
    applied.push(m.version)
  }
  return applied
}
