/**
 * The SQL interface over one better-sqlite3 connection. SQLite has one writer at a time;
 * here the whole connection is one queue: a transaction holds it across its awaits, and
 * any other statement waits for it, so no request ever reads another's uncommitted write.
 */
import Database from 'better-sqlite3-multiple-ciphers'
import type { Sql, SqlDatabase, SqlParam } from './client'

type Db = Database.Database

export function openSqliteDatabase(file: string): SqlDatabase & { raw: Db } {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  // The server answers for what it acknowledged: a commit survives a power cut.
  db.pragma('synchronous = FULL')
  db.pragma('busy_timeout = 5000')
  // A deleted or overwritten row's bytes are zeroed, not left in free pages (an erased
  // citizen must not stay readable in the file); measured at no visible cost.
  db.pragma('secure_delete = ON')
  db.defaultSafeIntegers(false)

  const statements = new Map<string, Database.Statement>()
  const prepare = (sql: string) => {
    let s = statements.get(sql)
    if (!s) {
      s = db.prepare(sql)
      statements.set(sql, s)
    }
    return s
  }
  const all = <T>(sql: string, params: readonly SqlParam[] = []) => prepare(sql).all(...params) as T[]
  const get = <T>(sql: string, params: readonly SqlParam[] = []) =>
    prepare(sql).get(...params) as T | undefined
  const run = (sql: string, params: readonly SqlParam[] = []) => {
    const s = prepare(sql)
    return s.reader ? s.all(...params).length : s.run(...params).changes
  }

  // The queue: each unit (a statement, or a whole transaction) starts when the previous ends.
  let tail: Promise<unknown> = Promise.resolve()
  function queued<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = tail.then(fn)
    tail = result.catch(() => undefined)
    return result
  }

  const listeners = new Map<string, Set<(payload: string) => void>>()
  let savepoints = 0
  /** Nudges sent inside the open transaction: delivered after its commit, dropped by a rollback. */
  let pendingNudges: Array<[string, string]> = []
  const deliver = (channel: string, payload: string) => {
    const set = listeners.get(channel)
    if (set) queueMicrotask(() => set.forEach((l) => l(payload)))
  }
  const tx: Sql = {
    dialect: 'sqlite',
    all: async (sql, params) => all(sql, params),
    get: async (sql, params) => get(sql, params),
    run: async (sql, params) => run(sql, params),
    exec: async (sql) => void db.exec(sql),
    async savepoint(fn) {
      const name = `sp${++savepoints}`
      db.exec(`SAVEPOINT ${name}`)
      try {
        const value = await fn()
        db.exec(`RELEASE ${name}`)
        return value
      } catch (e) {
        db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`)
        throw e
      }
    },
  }

  return {
    dialect: 'sqlite',
    raw: db,
    all: (sql, params) => queued(() => all(sql, params)),
    get: (sql, params) => queued(() => get(sql, params)),
    run: (sql, params) => queued(() => run(sql, params)),
    exec: (sql) => queued(() => void db.exec(sql)),
    transaction: (fn) =>
      queued(async () => {
        db.exec('BEGIN IMMEDIATE')
        pendingNudges = []
        try {
          const value = await fn(tx)
          db.exec('COMMIT')
          pendingNudges.forEach(([channel, payload]) => deliver(channel, payload))
          return value
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK')
          throw e
        } finally {
          pendingNudges = []
        }
      }),
    async notify(inTx, channel, payload) {
      // One process owns a SQLite file: a nudge stays in it (after the commit, as PostgreSQL does).
      if (inTx) pendingNudges.push([channel, payload])
      else deliver(channel, payload)
    },
    async listen(channel, listener) {
      const set = listeners.get(channel) ?? new Set()
      listeners.set(channel, set)
      set.add(listener)
      return async () => void set.delete(listener)
    },
    ping: () => queued(() => void db.prepare('SELECT 1').get()),
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    reclaim: () => queued(() => void db.pragma('wal_checkpoint(TRUNCATE)')),
    close: () => queued(() => void (db.open && db.close())),
  }
}
