/**
 * The throwaway PostgreSQL harness, checked with the client the server uses (pg): isolated databases, a
 * unique-key race settled the way PostgreSQL settles it, LISTEN/NOTIFY, a pg_dump / pg_restore round trip with
 * the server's own tools, and no server left running when a test process ends without stop().
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Client, Pool, TypeOverrides, type Notification } from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPostgres, type Postgres } from '../support/postgres'

const execFileAsync = promisify(execFile)
const HARNESS = fileURLToPath(new URL('../support/postgres.ts', import.meta.url))
const REPO = fileURLToPath(new URL('../..', import.meta.url))

let pg: Postgres
let scratch: string
const pools: Pool[] = []
const clients: Client[] = []

// pg returns BIGINT (int8, OID 20) as a string, since it may not fit a double. This test's pools read it as a
// number, refusing values past 2^53; the setting is per pool, not global.
const types = new TypeOverrides()
types.setTypeParser(20, 'text', (value: string) => {
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new Error(`bigint ${value} does not fit a JavaScript number`)
  return n
})

function pool(url: string, max = 10): Pool {
  const p = new Pool({ connectionString: url, max, types })
  p.on('error', () => {}) // an idle client the server drops must not crash the run
  pools.push(p)
  return p
}

async function client(url: string): Promise<Client> {
  const c = new Client({ connectionString: url, types })
  c.on('error', () => {})
  clients.push(c)
  await c.connect()
  return c
}

async function backendPid(c: { query: Client['query'] }): Promise<number> {
  const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
  return rows[0]!.pid
}

/** Resolves 'ECONNREFUSED' once nothing listens on the port any more. */
function probe(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}

beforeAll(async () => {
  const started = Date.now()
  pg = await startPostgres()
  console.info(`postgres harness started in ${Date.now() - started} ms (${pg.url})`)
  scratch = await mkdtemp(join(tmpdir(), 'grc-postgres-test-'))
})

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => {})))
  await Promise.all(pools.map((p) => p.end().catch(() => {})))
  await pg?.stop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

describe('server', () => {
  it('is a UTF8, locale C server on loopback, without durability, with room for 200 connections', async () => {
    expect(pg.url).toMatch(/^postgres:\/\/grc@127\.0\.0\.1:\d+\/postgres$/)
    const c = await client(pg.url)
    const setting = async (name: string) =>
      (await c.query<{ value: string }>('SELECT current_setting($1) AS value', [name])).rows[0]!.value
    expect(await setting('server_encoding')).toBe('UTF8')
    expect(await setting('lc_collate')).toBe('C')
    expect(await setting('listen_addresses')).toBe('127.0.0.1')
    expect(await setting('fsync')).toBe('off')
    expect(await setting('synchronous_commit')).toBe('off')
    expect(await setting('full_page_writes')).toBe('off')
    expect(Number(await setting('max_connections'))).toBeGreaterThanOrEqual(200)
    expect((await c.query('SELECT current_user AS u')).rows[0].u).toBe('grc')
  })

  it('reads BIGINT as a number in this test (its own type overrides), as a string in a plain client', async () => {
    const c = await client(pg.url)
    expect((await c.query('SELECT count(*) AS n FROM pg_database')).rows[0].n).toBeTypeOf('number')
    const plain = new Client({ connectionString: pg.url })
    await plain.connect()
    try {
      expect((await plain.query('SELECT 1::bigint AS n')).rows[0].n).toBe('1')
    } finally {
      await plain.end()
    }
  })
})

describe('databases', () => {
  it('creates empty databases that do not see each other', async () => {
    const [urlA, urlB] = await Promise.all([pg.createDatabase(), pg.createDatabase()])
    expect(urlA).toMatch(/^postgres:\/\/grc@127\.0\.0\.1:\d+\/grc_test_[0-9a-f]{12}$/)
    expect(urlB).not.toBe(urlA)
    const a = pool(urlA!)
    const b = pool(urlB!)
    await a.query('CREATE TABLE request (id bigint PRIMARY KEY, title text NOT NULL)')
    await a.query("INSERT INTO request VALUES (1, 'Nid-de-poule rue Victor Hugo')")
    expect((await a.query('SELECT title FROM request')).rows).toEqual([
      { title: 'Nid-de-poule rue Victor Hugo' },
    ])
    expect((await b.query("SELECT to_regclass('request') AS t")).rows[0].t).toBeNull()
    await expect(b.query('SELECT * FROM request')).rejects.toMatchObject({ code: '42P01' })
    const tables = "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'"
    expect((await b.query(tables)).rows[0].n).toBe(0)
  })

  it('creates a database under a given name, and drops a database even with connections open', async () => {
    const name = `grc_test_named_${process.pid}`
    const url = await pg.createDatabase(name)
    expect(new URL(url).pathname).toBe(`/${name}`)
    await expect(pg.createDatabase(name)).rejects.toMatchObject({ code: '42P04' })
    const open = pool(url)
    await open.query('SELECT 1')
    await pg.dropDatabase(url)
    const admin = await client(pg.url)
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    expect(exists.rowCount).toBe(0)
    await pg.dropDatabase(url) // already gone: no error
    await expect(pg.dropDatabase(pg.url)).rejects.toThrow(/refusing/)
  })
})

describe('PostgreSQL semantics', () => {
  it('settles a unique-key race between two pool clients: the second insert waits, then fails with 23505', async () => {
    const db = pool(await pg.createDatabase(), 2)
    const admin = await client(pg.url)
    await db.query('CREATE TABLE claim (key text PRIMARY KEY, owner text NOT NULL)')
    const a = await db.connect()
    const b = await db.connect()
    try {
      const [aPid, bPid] = [await backendPid(a), await backendPid(b)]
      const blockers = async () =>
        (await admin.query<{ p: number[] }>('SELECT pg_blocking_pids($1) AS p', [bPid])).rows[0]!.p

      // Commit: the waiting insert fails on the key the first transaction committed.
      await a.query('BEGIN')
      await b.query('BEGIN')
      await a.query("INSERT INTO claim VALUES ('k1', 'a')")
      const second = b.query("INSERT INTO claim VALUES ('k1', 'b')").then(
        () => 'inserted',
        (err: unknown) => err,
      )
      await expect.poll(blockers).toEqual([aPid])
      await a.query('COMMIT')
      expect(await second).toMatchObject({ code: '23505', constraint: 'claim_pkey' })
      await b.query('ROLLBACK')

      // Rollback: the waiting insert goes through.
      await a.query('BEGIN')
      await b.query('BEGIN')
      await a.query("INSERT INTO claim VALUES ('k2', 'a')")
      const third = b.query("INSERT INTO claim VALUES ('k2', 'b')")
      await expect.poll(blockers).toEqual([aPid])
      await a.query('ROLLBACK')
      await third
      await b.query('COMMIT')
    } finally {
      a.release()
      b.release()
    }
    expect((await db.query('SELECT key, owner FROM claim ORDER BY key')).rows).toEqual([
      { key: 'k1', owner: 'a' },
      { key: 'k2', owner: 'b' },
    ])
  })

  it('delivers a NOTIFY payload to a LISTEN connection, at commit', async () => {
    const url = await pg.createDatabase()
    const listener = await client(url)
    const notifier = await client(url)
    await listener.query('LISTEN request_changed')
    const received: Notification[] = []
    listener.on('notification', (n) => received.push(n))
    const payload = JSON.stringify({ id: 42, title: 'Éclairage public, rue de l’Église' })
    await notifier.query('BEGIN')
    await notifier.query("SELECT pg_notify('request_changed', $1)", [payload])
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(received).toEqual([]) // not before the transaction commits
    await notifier.query('COMMIT')
    await expect.poll(() => received.length).toBe(1)
    expect(received[0]).toMatchObject({
      channel: 'request_changed',
      payload,
      processId: await backendPid(notifier),
    })
  })
})

describe('pg_dump and pg_restore', () => {
  it('binDir holds the tools of the server version', async () => {
    const c = await client(pg.url)
    const major = (await c.query('SHOW server_version_num')).rows[0].server_version_num.slice(0, -4)
    for (const tool of ['pg_dump', 'pg_restore', 'psql']) {
      const { stdout } = await execFileAsync(join(pg.binDir, tool), ['--version'])
      expect(stdout, tool).toMatch(new RegExp(`\\) ${major}\\.`))
    }
  })

  it('dumps a database (custom format) and restores it into a new empty database', async () => {
    const sourceUrl = await pg.createDatabase()
    const source = pool(sourceUrl)
    await source.query(`
      CREATE TABLE request (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ref bigint NOT NULL UNIQUE,
        title text NOT NULL,
        details jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`)
    await source.query(
      `INSERT INTO request (ref, title, details)
       VALUES (9007199254740991, 'Dépôt sauvage', '{"zone": "Nord"}'), (2, 'Tag « ACAB »', NULL)`,
    )
    const rows = async (p: Pool) =>
      (await p.query('SELECT id, ref, title, details, created_at FROM request ORDER BY id')).rows
    const before = await rows(source)

    const file = join(scratch, 'source.dump')
    await execFileAsync(join(pg.binDir, 'pg_dump'), ['-Fc', '-f', file, '-d', sourceUrl])
    const targetUrl = await pg.createDatabase()
    await execFileAsync(join(pg.binDir, 'pg_restore'), [
      '--exit-on-error',
      '--no-owner',
      '-d',
      targetUrl,
      file,
    ])

    const target = pool(targetUrl)
    expect(await rows(target)).toEqual(before)
    expect(before[0]).toMatchObject({ id: 1, ref: 9007199254740991, details: { zone: 'Nord' } })
    // The identity sequence and the constraints came back too.
    const next = await target.query("INSERT INTO request (ref, title) VALUES (3, 'nouvelle') RETURNING id")
    expect(next.rows[0].id).toBe(3)
    await expect(
      target.query("INSERT INTO request (ref, title) VALUES (2, 'doublon')"),
    ).rejects.toMatchObject({
      code: '23505',
    })
  })
})

describe('lifecycle', () => {
  it('a second server runs alongside; stop() frees its port and deletes its files', async () => {
    const other = await startPostgres()
    const port = Number(new URL(other.url).port)
    expect(other.url).not.toBe(pg.url)
    const c = new Client({ connectionString: other.url })
    await c.connect()
    const dataDir = (await c.query('SHOW data_directory')).rows[0].data_directory as string
    await c.end()
    expect(existsSync(dataDir)).toBe(true)
    await other.stop()
    expect(await probe(port)).toBe('ECONNREFUSED')
    expect(existsSync(dirname(dataDir))).toBe(false)
    await other.stop() // idempotent
  })

  /**
   * Starts a server in a child Node process, then ends that process without stop(), one way or another.
   * `node --import tsx`, not the tsx CLI: the CLI runs the script in a grandchild that a signal would miss.
   */
  async function orphan(end: 'exit' | 'SIGTERM'): Promise<{ port: number; dataDir: string }> {
    const script = join(scratch, `orphan-${end}.mts`)
    await writeFile(
      script,
      `import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { startPostgres } from ${JSON.stringify(HARNESS)}
const pg = await startPostgres()
const psql = join(pg.binDir, 'psql')
const dataDir = execFileSync(psql, ['-Atc', 'SHOW data_directory', pg.url], { encoding: 'utf8' }).trim()
console.log(JSON.stringify({ url: pg.url, dataDir }))
${end === 'exit' ? "process.stdin.once('data', () => process.exit(0))" : 'setInterval(() => {}, 1000)'}
`,
    )
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!)
      })
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before starting:\n${stderr}`)))
    })
    const { url, dataDir } = JSON.parse(line) as { url: string; dataDir: string }
    const port = Number(new URL(url).port)
    expect(await probe(port)).toBe('connected')
    if (end === 'SIGTERM') child.kill('SIGTERM')
    else child.stdin.write('exit\n')
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))
    return { port, dataDir }
  }

  it('a test process that exits without stop() takes its server and temp dir along', async () => {
    const { port, dataDir } = await orphan('exit')
    await expect.poll(() => probe(port), { timeout: 10_000 }).toBe('ECONNREFUSED')
    expect(existsSync(dirname(dataDir))).toBe(false)
  })

  // Vitest ends its fork workers with SIGTERM, which runs no 'exit' hook: the parent-death signal covers that.
  it.skipIf(!existsSync('/usr/bin/setpriv'))(
    'a test process killed by a signal takes its server along (parent-death signal)',
    async () => {
      const { port, dataDir } = await orphan('SIGTERM')
      try {
        await expect.poll(() => probe(port), { timeout: 10_000 }).toBe('ECONNREFUSED')
      } finally {
        await rm(dirname(dataDir), { recursive: true, force: true })
      }
    },
  )
})
