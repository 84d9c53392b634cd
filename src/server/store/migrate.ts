/**
 * The server's migrations, run by the core's migration rules on either database. Each
 * migration runs in its own transaction; on PostgreSQL an advisory lock makes instances
 * that start together take turns, and the one that comes second finds nothing to do.
 */
import { pendingMigrations, SchemaTooNewError, type Migration } from '../../core/store/migrations'
import type { Sql, SqlDatabase } from './sql/client'

/** Any constant: the lock's name among this database's advisory locks. */
const MIGRATION_LOCK = 0x67_72_63_01

async function currentVersion(sql: Pick<Sql, 'get'>): Promise<number> {
  const row = await sql.get<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')
  return row?.v ?? 0
}

export async function migrateServerStore(
  db: SqlDatabase,
  migrations: readonly Migration<Sql>[],
  label: string,
): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`)
  const tooNew = (found: number, known: number) => new SchemaTooNewError(label, found, known)
  const applied: number[] = []
  for (;;) {
    // Checked first outside any lock: a database ahead of this code is refused before anything is written.
    const pending = pendingMigrations(migrations, await currentVersion(db), tooNew)
    if (pending.length === 0) return applied
    await db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK])
      const [next] = pendingMigrations(migrations, await currentVersion(tx), tooNew)
      if (!next) return
      await next.up(tx)
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        next.version,
        next.name,
        new Date().toISOString(),
      ])
      applied.push(next.version)
    })
  }
}
