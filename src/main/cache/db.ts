/**
 * Opening the profile's SQLite cache: one file, encrypted with the profile's key
 * (cache/encryption.ts), readable by its user alone, WAL, foreign keys on, migrated to the
 * latest schema before anything reads it.
 */
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs'
import Database from 'better-sqlite3-multiple-ciphers'
import {
  assertKeyOpens,
  encryptPlainCache,
  isPlainSqliteFile,
  keyDatabase,
  type EncryptionProgress,
} from './encryption'
import { registerSearchFunctions } from './fts'
import { assertKnownVersion, migrate } from './migrate'
import { MIGRATIONS } from './migrations'

export type Db = Database.Database

export interface OpenStoreOptions {
  /** better-sqlite3 built for another ABI (Electron's), see src/main/app. */
  nativeBinding?: string
  /** How long a write waits for another connection's lock before failing. */
  busyTimeoutMs?: number
  /**
   * The profile's key (cache/cacheKey.ts): the console always gives one; without it the
   * file is in clear (unit tests of the schema, the demo seeding script).
   */
  key?: Buffer
  /** A cache from before encryption is converted once, at its first keyed start. */
  onEncryptProgress?: (progress: EncryptionProgress) => void
}

/** Pragmas every connection gets; `synchronous` is NORMAL (see `withFullSync`). */
function configure(db: Db, options: OpenStoreOptions): void {
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  // NORMAL in WAL mode: a power cut may lose the last commits but never corrupts the cache,
  // and the cache can always be pulled again from the server. The outbox cannot: see withFullSync.
  db.pragma('synchronous = NORMAL')
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`)
  // Sorting and FTS merges in memory; a 64 MiB page cache holds the hot indexes of 500k requests.
  db.pragma('temp_store = MEMORY')
  // Encrypted, SQLite cannot map the file (below): every page it does not keep is read and
  // decrypted again, so it keeps more (256 MiB at most, used only as pages are read).
  db.pragma(options.key ? 'cache_size = -262144' : 'cache_size = -65536')
  // Clear, SQLite reads pages straight from the OS page cache instead of copying them:
  // random row lookups (search, filters) are about twice as fast on a large cache.
  // Encrypted, every page is copied and decrypted anyway, and a mapping only puts the file's
  // pages in the process's resident memory (850 MB more at 2M requests once the dashboard's
  // counts were built, issue 16): none.
  db.pragma(options.key ? 'mmap_size = 0' : 'mmap_size = 1073741824')
  // Deleted content is overwritten with zeros, not left in free pages: an erased citizen's
  // name or e-mail must not stay readable in the file (with `scrubFreedSpace`, cache/scrub.ts).
  // Measured at no cost on 100k inserts and 20k FTS-updating updates.
  db.pragma('secure_delete = ON')
}

/**
 * Open (creating if needed) the cache at `file` and migrate it.
 * @throws StoreTooNewError when the file was written by a newer console.
 */
export function openStore(file: string, options: OpenStoreOptions = {}): Db {
  if (options.key && isPlainSqliteFile(file))
    encryptPlainCache(file, options.key, {
      nativeBinding: options.nativeBinding,
      onProgress: options.onEncryptProgress,
    })
  createPrivately(file)
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
  try {
    if (options.key) {
      keyDatabase(db, options.key)
      assertKeyOpens(db, file)
    }
    assertKnownVersion(db, MIGRATIONS, file)
    configure(db, options)
    // The FTS triggers fold what they index through it (cache/fts.ts).
    registerSearchFunctions(db)
    migrate(db, MIGRATIONS, file)
    restrictToOwner(file)
  } catch (e) {
    db.close()
    throw e
  }
  return db
}

/**
 * The cache file made readable by its user alone before SQLite writes a byte: SQLite gives
 * its WAL and shared-memory files the mode of the database file.
 */
function createPrivately(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600))
  chmodSync(file, 0o600)
}

/** Files left by an older console (0644) or another umask. */
function restrictToOwner(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600)
}

/** An in-memory cache with the full schema, for unit tests. */
export function openMemoryStore(options: OpenStoreOptions = {}): Db {
  const db = new Database(':memory:', options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
  db.pragma('foreign_keys = ON')
  db.pragma('secure_delete = ON')
  registerSearchFunctions(db)
  migrate(db, MIGRATIONS, ':memory:')
  return db
}

/** Connections inside a `withFullSync` transaction: nested calls join it. */
const inFullSync = new WeakSet<Db>()

/**
 * Run `fn` in one transaction committed with `synchronous = FULL`: for writes that must
 * survive a power cut once the call returns (the outbox holds work the agent typed and
 * the server has not seen yet). Nested in another `withFullSync`, it joins that
 * transaction (a savepoint), so several changes commit together, durably. It must not be
 * called inside an ordinary transaction, whose commit would not be FULL.
 */
export function withFullSync<T>(db: Db, fn: () => T): T {
  if (inFullSync.has(db)) return db.transaction(fn)()
  if (db.inTransaction)
    throw new Error('withFullSync must be called outside a transaction (other than its own)')
  const previous = db.pragma('synchronous', { simple: true }) as number
  db.pragma('synchronous = FULL')
  inFullSync.add(db)
  try {
    return db.transaction(fn).immediate()
  } finally {
    inFullSync.delete(db)
    db.pragma(`synchronous = ${Math.trunc(previous)}`)
  }
}
