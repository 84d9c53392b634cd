/**
 * The SQL interface over a pg pool. `?` placeholders are numbered ($1, $2…) once per
 * statement text; BIGINT and NUMERIC come back as JavaScript numbers (epoch ms and counts
 * stay far below 2^53). LISTEN runs on its own connection, reopened if it drops.
 */
import pg from 'pg'
import type { Sql, SqlDatabase, SqlParam } from './client'

const BIGINT = 20
const NUMERIC = 1700

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === BIGINT || oid === NUMERIC) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format)
  },
} as pg.CustomTypesConfig

/** `a = ? AND b = ?` → `a = $1 AND b = $2`, leaving quoted text alone. */
export function numberPlaceholders(sql: string): string {
  let n = 0
  let out = ''
  let quote: string | null = null
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null
      out += ch
    } else if (ch === "'" || ch === '"') {
      quote = ch
      out += ch
    } else out += ch === '?' ? `$${++n}` : ch
  }
  return out
}

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number
  applicationName?: string
}

export function openPostgresDatabase(url: string, options: PostgresOptions = {}): SqlDatabase {
  const config = { connectionString: url, types, application_name: options.applicationName ?? 'grc-server' }
  const pool = new pg.Pool({ ...config, max: options.max ?? 10 })
  // An idle connection dropped by the server must not crash the process: the pool replaces it.
  pool.on('error', () => undefined)

  const texts = new Map<string, string>()
  const text = (sql: string) => {
    let t = texts.get(sql)
    if (t === undefined) {
      t = numberPlaceholders(sql)
      texts.set(sql, t)
    }
    return t
  }
  const on = (q: pg.Pool | pg.PoolClient) => ({
    all: async <T>(sql: string, params: readonly SqlParam[] = []) =>
      (await q.query(text(sql), params as SqlParam[])).rows as T[],
    get: async <T>(sql: string, params: readonly SqlParam[] = []) =>
      (await q.query(text(sql), params as SqlParam[])).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlParam[] = []) =>
      (await q.query(text(sql), params as SqlParam[])).rowCount ?? 0,
    // No parameters: the simple protocol, which runs several statements.
    exec: async (sql: string) => void (await q.query(sql)),
  })

  const channels = new Map<string, Set<(payload: string) => void>>()
  let listener: pg.Client | null = null
  let closing = false
  async function connectListener(): Promise<void> {
    const client = new pg.Client(config)
    client.on('notification', (n) => channels.get(n.channel)?.forEach((l) => l(n.payload ?? '')))
    client.on('error', () => {
      // The database went away: listen again once it is back (nudges missed meanwhile are
      // harmless: consoles also pull on a timer and when their stream reconnects).
      if (listener === client) listener = null
      void client.end().catch(() => undefined)
      relisten()
    })
    await client.connect()
    for (const channel of channels.keys()) await client.query(`LISTEN "${channel}"`)
    listener = client
  }
  /** Try to listen again until it works, waiting longer each time (up to 30 s). */
  function relisten(attempt = 0) {
    if (closing || listener) return
    const wait = Math.min(30_000, 500 * 2 ** attempt)
    setTimeout(() => {
      if (closing || listener) return
      connectListener().catch(() => relisten(attempt + 1))
    }, wait).unref()
  }

  return {
    dialect: 'postgres',
    ...on(pool),
    async transaction(fn) {
      const client = await pool.connect()
      let savepoints = 0
      const tx: Sql = {
        dialect: 'postgres',
        ...on(client),
        async savepoint(inner) {
          const name = `sp${++savepoints}`
          await client.query(`SAVEPOINT ${name}`)
          try {
            const value = await inner()
            await client.query(`RELEASE SAVEPOINT ${name}`)
            return value
          } catch (e) {
            await client.query(`ROLLBACK TO SAVEPOINT ${name}`)
            throw e
          }
        },
      }
      try {
        // The server answers « applied » only once it is on disk: a cluster set to commit
        // asynchronously is overridden for our transactions (stronger settings, such as
        // waiting for a synchronous standby, are kept). One round trip with BEGIN.
        await client.query(
          "BEGIN; SELECT set_config('synchronous_commit', 'on', true) WHERE current_setting('synchronous_commit') = 'off'",
        )
        const value = await fn(tx)
        await client.query('COMMIT')
        client.release()
        return value
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined)
        // A connection in an unknown state is closed rather than given to the next request.
        client.release(e instanceof Error && !(e as { code?: string }).code ? e : undefined)
        throw e
      }
    },
    async notify(tx, channel, payload) {
      await (tx ?? on(pool)).run('SELECT pg_notify(?, ?)', [channel, payload])
    },
    async listen(channel, callback) {
      if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel name ${channel}`)
      const set = channels.get(channel) ?? new Set()
      const isNew = !channels.has(channel)
      channels.set(channel, set)
      set.add(callback)
      if (!listener) await connectListener()
      else if (isNew) await listener.query(`LISTEN "${channel}"`)
      return async () => void set.delete(callback)
    },
    async ping() {
      await pool.query('SELECT 1')
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    // Dead tuples stay until VACUUM reuses their space; nothing to do from here.
    async reclaim() {},
    async close() {
      // Closing twice is harmless (a shutdown hook after a test's own close).
      if (closing) return
      closing = true
      await listener?.end().catch(() => undefined)
      await pool.end()
    },
  }
}
