/**
 * Backups and restores of the server's database, online:
 * - SQLite: the online backup API (a consistent copy while the server writes);
 * - PostgreSQL: `pg_dump` in custom format, restored by `pg_restore` (for point-in-time
 *   recovery, continuous WAL archiving: see docs/server.md).
 * A restore goes into an empty database only, and gives the server a new epoch: consoles
 * see it in every reply and send again what the restored server no longer has.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3-multiple-ciphers'
import { openPostgresDatabase } from './store/sql/postgres'
import { describeTarget, type DatabaseTarget } from './store/open'

export class BackupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackupError'
  }
}

/** Where pg_dump and pg_restore are: PG_BIN_DIR, then Debian's newest /usr/lib/postgresql/N/bin, then PATH. */
export function postgresTool(name: 'pg_dump' | 'pg_restore', env = process.env): string {
  if (env.PG_BIN_DIR) return join(env.PG_BIN_DIR, name)
  const root = '/usr/lib/postgresql'
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', name)))
      .sort((a, b) => Number(b) - Number(a))
    if (versions[0]) return join(root, versions[0], 'bin', name)
  }
  return name
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
    child.on('error', (e) =>
      reject(new BackupError(`${command}: ${e.message} (install PostgreSQL's client tools)`)),
    )
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new BackupError(`${command} failed (${code}): ${stderr.trim()}`)),
    )
  })
}

/** The database as `pg_dump` needs it: the URL, with the password in PGPASSWORD-free form left to libpq. */
export async function backupDatabase(target: DatabaseTarget, file: string): Promise<void> {
  if (existsSync(file)) throw new BackupError(`${file}: already exists (a backup never overwrites a file)`)
  if (target.kind === 'sqlite') {
    if (!existsSync(target.file)) throw new BackupError(`${target.file}: no such database`)
    const db = new Database(target.file, { readonly: true, fileMustExist: true })
    try {
      await db.backup(file)
    } finally {
      db.close()
    }
    return
  }
  await run(postgresTool('pg_dump'), [
    '--format=custom',
    '--no-owner',
    '--no-privileges',
    `--file=${file}`,
    target.url,
  ])
}

async function assertEmptyPostgres(url: string, label: string): Promise<void> {
  const db = openPostgresDatabase(url, { max: 1 })
  try {
    const row = await db.get<{ n: number }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
    )
    if ((row?.n ?? 0) > 0)
      throw new BackupError(`${label}: not empty (a restore goes into an empty database)`)
  } finally {
    await db.close()
  }
}

/** Restore `file` into the empty database `target`, then give the server a new epoch. */
export async function restoreDatabase(target: DatabaseTarget, file: string): Promise<{ epoch: string }> {
  if (!existsSync(file)) throw new BackupError(`${file}: no such backup`)
  const epoch = randomUUID()
  if (target.kind === 'sqlite') {
    if (existsSync(target.file) && statSync(target.file).size > 0)
      throw new BackupError(`${target.file}: already exists (a restore goes into an empty database)`)
    const check = new Database(file, { readonly: true, fileMustExist: true })
    try {
      const ok = check.prepare("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").get()
      if (!ok) throw new BackupError(`${file}: not a backup of a GRC server database`)
    } catch (e) {
      throw e instanceof BackupError
        ? e
        : new BackupError(`${file}: not a SQLite backup (${(e as Error).message})`)
    } finally {
      check.close()
    }
    mkdirSync(dirname(target.file), { recursive: true })
    copyFileSync(file, target.file)
    const db = new Database(target.file)
    try {
      db.prepare("UPDATE server_info SET value = ? WHERE key = 'epoch'").run(epoch)
    } finally {
      db.close()
    }
    return { epoch }
  }
  await assertEmptyPostgres(target.url, describeTarget(target))
  await run(postgresTool('pg_restore'), [
    '--no-owner',
    '--no-privileges',
    '--exit-on-error',
    `--dbname=${target.url}`,
    file,
  ])
  const db = openPostgresDatabase(target.url, { max: 1 })
  try {
    await db.run("UPDATE server_info SET value = ? WHERE key = 'epoch'", [epoch])
  } finally {
    await db.close()
  }
  return { epoch }
}
