/**
 * A real, throwaway PostgreSQL server for the tests that need one (the reference server's PostgreSQL store).
 *
 * `startPostgres()` runs `initdb` in a fresh temp dir (trust auth, superuser `grc`, UTF8, locale C), then starts
 * the `postgres` binary itself on a free loopback port (127.0.0.1 only; its unix socket inside the temp dir) and
 * waits until a `pg` client gets an answer to `SELECT 1`. Durability is off by default (fsync, synchronous_commit,
 * full_page_writes), since the data dies with the test; `{ fsync: true }` keeps PostgreSQL's defaults for
 * benchmarks. Each test creates its own empty database with `createDatabase()` (grc_test_<random>).
 *
 * Needs Debian's `postgresql` package: the newest /usr/lib/postgresql/<version>/bin, or PG_BIN_DIR, or a `postgres`
 * on PATH. PostgreSQL refuses to run as root: under root (CI) initdb and the server run as the `postgres` OS user
 * (the package creates it), in a temp dir chowned to it, so the temp dir must be reachable by that user.
 *
 * No leaked servers: the server gets SIGQUIT when the test process exits without stop() (an 'exit' hook) and, where
 * util-linux' setpriv is present (Debian), also when that process dies of a signal, which runs no 'exit' hook
 * (setpriv --pdeathsig). Vitest ends its fork workers with SIGTERM, so the second one matters.
 * Close your pools before stop(): the server ends their connections, and an idle pg.Pool without an 'error'
 * listener turns that into an uncaught error.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chownSync, closeSync, existsSync, openSync, readdirSync, rmSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { delimiter, join } from 'node:path'
import { tmpdir } from 'node:os'
import { Client } from 'pg'

export interface Postgres {
  /** postgres://grc@127.0.0.1:PORT/postgres (superuser `grc`, no password) */
  url: string
  /** Creates a fresh empty database (default name grc_test_<random>) and returns its postgres:// URL. */
  createDatabase(name?: string): Promise<string>
  /** Drops the database of this URL, ending its open connections first. */
  dropDatabase(url: string): Promise<void>
  /** The PostgreSQL bin directory: pg_dump, pg_restore, psql… of the server's own version. */
  binDir: string
  /** Kills the server and removes its temp dir. Idempotent. */
  stop(): Promise<void>
}

export interface PostgresOptions {
  /** Keep PostgreSQL's durable defaults (fsync, synchronous_commit, full_page_writes on), for benchmarks. */
  fsync?: boolean
}

const SUPERUSER = 'grc'
const START_TIMEOUT_MS = 30_000

// ---------------------------------------------------------------------------------------------------------
// Where the binaries are, and as whom they run
// ---------------------------------------------------------------------------------------------------------

function findBinDir(): string {
  const fromEnv = process.env.PG_BIN_DIR
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'postgres')))
      throw new Error(`PG_BIN_DIR=${fromEnv} has no postgres binary`)
    return fromEnv
  }
  // Debian: /usr/lib/postgresql/<major>/bin, several majors side by side; take the newest.
  const debian = '/usr/lib/postgresql'
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(debian, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (versions[0]) return join(debian, versions[0], 'bin')
  const onPath = (process.env.PATH ?? '').split(delimiter).find((d) => d && existsSync(join(d, 'postgres')))
  if (onPath) return onPath
  throw new Error(
    'No PostgreSQL server binaries (postgres, initdb) found under /usr/lib/postgresql/*/bin or on PATH: ' +
      'install Debian\'s "postgresql" package (psql alone is not enough) or set PG_BIN_DIR',
  )
}

interface RunAs {
  uid: number
  gid: number
}

/** Under root, the `postgres` OS user (PostgreSQL will not run as root); otherwise undefined: the current user. */
function serverUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string) => {
    try {
      return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
    } catch {
      throw new Error(
        'Running as root, and PostgreSQL refuses to: the server runs as the "postgres" OS user, which does not ' +
          'exist here (Debian\'s "postgresql" package creates it)',
      )
    }
  }
  return { uid: id('-u'), gid: id('-g') }
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p))

/**
 * The command line and spawn options that run `command` as `user`. With setpriv, the child also gets a
 * parent-death signal (`deathSignal`), so a test process killed by SIGKILL/SIGTERM takes its server along.
 */
function asUser(
  user: RunAs | undefined,
  command: string,
  args: string[],
  deathSignal?: string,
): { command: string; args: string[]; ids: Partial<RunAs> } {
  if (!SETPRIV) return { command, args, ids: user ?? {} }
  const prefix = user ? [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups'] : []
  // setpriv sets the death signal after switching users (a uid change would clear it).
  if (deathSignal) prefix.push(`--pdeathsig=${deathSignal}`)
  if (prefix.length === 0) return { command, args, ids: {} }
  return { command: SETPRIV, args: [...prefix, '--', command, ...args], ids: {} }
}

/** The environment without PG* variables (PGDATA, PGPORT, PGOPTIONS… of the machine must not leak in). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')))
}

function run(user: RunAs | undefined, command: string, args: string[], cwd: string): Promise<string> {
  const how = asUser(user, command, args)
  return new Promise((resolve, reject) => {
    const child = spawn(how.command, how.args, { cwd, env: cleanEnv(), ...how.ids })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', (err) => reject(new Error(`${command} could not start (${err.message})`)))
    child.on('close', (code) => {
      if (code === 0) resolve(output)
      else reject(new Error(`${command} failed (exit ${code}):\n${output.trim()}`))
    })
  })
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

// ---------------------------------------------------------------------------------------------------------
// The server process
// ---------------------------------------------------------------------------------------------------------

// A test process that exits without stop() must not leave a server (and its temp dir) behind.
const running = new Map<ChildProcess, { dir: string; dataDir: string }>()
let exitHookInstalled = false
function track(child: ChildProcess, dir: string, dataDir: string) {
  running.set(child, { dir, dataDir })
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    // Immediate shutdown: the postmaster ends its backends and exits, no checkpoint.
    for (const proc of running.keys()) proc.kill('SIGQUIT')
    // The postmaster removes postmaster.pid last, once its backends are gone: wait for that (briefly, this
    // hook cannot await), so the temp dir is not removed under a server still writing to it.
    const pause = new Int32Array(new SharedArrayBuffer(4))
    const deadline = Date.now() + 3000
    for (const { dir, dataDir } of running.values()) {
      while (existsSync(join(dataDir, 'postmaster.pid')) && Date.now() < deadline)
        Atomics.wait(pause, 0, 0, 10)
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
      } catch {
        // a leftover temp dir is harmless; a leftover server is what this hook prevents
      }
    }
  })
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

async function logTail(logFile: string): Promise<string> {
  const log = await readFile(logFile, 'utf8').catch(() => '')
  return log.trim().split('\n').slice(-30).join('\n')
}

function serverArgs(dataDir: string, socketDir: string, port: number, options: PostgresOptions): string[] {
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port,
    unix_socket_directories: socketDir,
    max_connections: 200,
    logging_collector: 'off',
    ...(options.fsync ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
  }
  return ['-D', dataDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])]
}

/** Connects and runs SELECT 1 until it answers; fails early if the server exits, with the log's tail. */
async function waitUntilReady(url: string, child: ChildProcess, logFile: string) {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (exited(child)) {
      throw new Error(
        `postgres exited (${child.signalCode ?? child.exitCode}) while starting:\n${await logTail(logFile)}`,
      )
    }
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 })
    client.on('error', () => {}) // a connection the server drops must not become an uncaught error
    try {
      await client.connect()
      await client.query('SELECT 1')
      return
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(
          `postgres at ${url} does not answer after ${START_TIMEOUT_MS} ms (${(err as Error).message}):\n` +
            (await logTail(logFile)),
          { cause: err },
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      await client.end().catch(() => {})
    }
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (exited(child)) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    // Immediate shutdown: the data is thrown away, so no shutdown checkpoint to wait for.
    child.kill('SIGQUIT')
  })
}

// ---------------------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------------------

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1))
}

async function asSuperuser<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  client.on('error', () => {})
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end().catch(() => {})
  }
}

// ---------------------------------------------------------------------------------------------------------
// startPostgres
// ---------------------------------------------------------------------------------------------------------

export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const binDir = findBinDir()
  const user = serverUser()
  const dir = await mkdtemp(join(tmpdir(), 'grc-postgres-'))
  try {
    if (user) await chown(dir, user.uid, user.gid)
    const dataDir = join(dir, 'data')
    const logFile = join(dir, 'postgres.log')
    await run(
      user,
      join(binDir, 'initdb'),
      ['-D', dataDir, '-A', 'trust', '-U', SUPERUSER, '--encoding', 'UTF8', '--locale', 'C', '--no-sync'],
      dir,
    )

    // The free port is only "probably free" until postgres binds it: retry on the rare collision.
    let started: { child: ChildProcess; url: string } | undefined
    for (let attempt = 1; !started; attempt++) {
      const port = await freePort()
      const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`
      const log = openSync(logFile, 'w') // this attempt's log only, for the "address in use" check
      if (user) chownSync(logFile, user.uid, user.gid)
      const how = asUser(user, join(binDir, 'postgres'), serverArgs(dataDir, dir, port, options), 'QUIT')
      const child = spawn(how.command, how.args, {
        cwd: dir,
        env: cleanEnv(),
        stdio: ['ignore', log, log],
        ...how.ids,
      })
      closeSync(log)
      child.on('error', () => {}) // a failed spawn shows as an exit, reported by waitUntilReady
      child.unref() // a test process that forgot stop() still exits, and its exit hook stops the server
      track(child, dir, dataDir)
      try {
        await waitUntilReady(url, child, logFile)
        started = { child, url }
      } catch (err) {
        await stopProcess(child)
        running.delete(child)
        if (attempt >= 3 || !/Address already in use/.test((err as Error).message)) throw err
      }
    }
    const { child, url } = started

    let stopped: Promise<void> | undefined
    const stop = () =>
      (stopped ??= (async () => {
        await stopProcess(child)
        running.delete(child)
        await rm(dir, { recursive: true, force: true, maxRetries: 3 })
      })())

    const urlOf = (name: string) => {
      const u = new URL(url)
      u.pathname = `/${encodeURIComponent(name)}`
      return u.toString()
    }

    return {
      url,
      binDir,
      async createDatabase(name = `grc_test_${randomBytes(6).toString('hex')}`) {
        await asSuperuser(url, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`))
        return urlOf(name)
      },
      async dropDatabase(databaseUrl: string) {
        const name = databaseName(databaseUrl)
        if (name === 'postgres' || name.startsWith('template')) {
          throw new Error(`refusing to drop the ${name} database`)
        }
        // WITH (FORCE) ends the connections a test left open, instead of failing on them.
        await asSuperuser(url, (c) =>
          c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`),
        )
      },
      stop,
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 })
    throw err
  }
}
