/**
 * The cache's migrations, run synchronously by the core's migration rules
 * (src/core/store/migrations.ts): one file per version under ./migrations, each applied in
 * its own transaction that also bumps `PRAGMA user_version`, so a crash leaves the cache at
 * a whole version, never between two.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import {
  latestVersion,
  pendingMigrations,
  SchemaTooNewError,
  type Migration as CoreMigration,
} from '../../core/store/migrations'

export interface Migration extends CoreMigration<Database.Database> {
  up(db: Database.Database): void
}

/** A cache written by a newer console: opening it could corrupt what that version wrote. */
export class StoreTooNewError extends SchemaTooNewError {
  constructor(file: string, found: number, known: number) {
    super(file, found, known, {
      database: 'cache',
      program: 'console',
      advice: 'update the console (or open another profile) instead of downgrading the cache.',
    })
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
  const known = latestVersion(migrations)
  const found = schemaVersion(db)
  if (found > known) throw new StoreTooNewError(file, found, known)
}

/**
 * Bring the database to the latest version of `migrations` (contiguous from 1).
 * @returns the versions that were applied, in order.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], file = db.name): number[] {
  const pending = pendingMigrations(
    migrations,
    schemaVersion(db),
    (found, known) => new StoreTooNewError(file, found, known),
  )
  for (const m of pending)
    db.transaction(() => {
      m.up(db)
      // PRAGMA takes no bound parameters; the version is an integer we own.
      db.pragma(`user_version = ${Math.trunc(m.version)}`)
    }).immediate()
  return pending.map((m) => m.version)
}
