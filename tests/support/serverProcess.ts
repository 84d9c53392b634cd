/**
 * The central server as a child process, as it runs in production: `node --import tsx src/server/cli.ts`
 * on a database URL, so a test can kill it for real (SIGKILL: no close handler, no goodbye to the database)
 * and start it again on the same port (a load balancer's upstream list stays valid).
 *
 *   const a = await startServerProcess({ database: url })   // resolves once it prints its URL
 *   await a.kill('SIGKILL')
 *   await a.restart()                                       // same port
 *   await a.close()
 *
 * `node --import tsx`, not the tsx CLI: the CLI runs the script in a grandchild that a signal would miss.
 * No leaked servers: where util-linux' setpriv is present (Debian), the child gets SIGKILL when the test process
 * dies (parent-death signal; setpriv execs node, so the pid stays the server's), and an 'exit' hook kills what is
 * left when the test process exits without close().
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from './core'

export interface ServerProcessOptions {
  /** A postgres:// URL or a SQLite file. */
  database: string
  /** Listen port (default 0: any free port; a restart keeps the one it got). */
  port?: number
  /** Seed the demo authority into a new database (`--demo-requests N`). */
  demoRequests?: number
  /**
   * Start it as the demo (default true), the only way the server accepts the bundled demo accounts the
   * tests log in with: without `demoRequests`, `--demo-requests 0` (a database that has data is left as it
   * is; a new one gets the demo's reference data). false: as a deployment, which needs accounts of its own
   * (`--config`), or is refused.
   */
  demo?: boolean
  /** Serve HTTPS with these PEM files (`--tls-cert`, `--tls-key`). */
  tls?: { cert: string; key: string }
  /** More command-line arguments. */
  args?: readonly string[]
  /** More environment variables. */
  env?: Readonly<Record<string, string>>
  /** Fail when the URL line has not appeared after this long (default 60 s). */
  startTimeoutMs?: number
}

export interface ServerProcess {
  /** http://127.0.0.1:PORT (https:// with `tls`), the same after a restart. */
  readonly url: string
  readonly port: number
  /** The server's own pid (the current process after a restart). */
  readonly pid: number
  /** Whether the current process is still running. */
  readonly alive: boolean
  /** What the server printed (stdout and stderr, all its runs), for failure messages. */
  output(): string
  /** Send `signal` (default SIGKILL) and resolve once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** Start it again on the same port (killing the current process first if it still runs); its URL. */
  restart(): Promise<string>
  /** SIGTERM (the server's clean shutdown), SIGKILL after 5 s. Idempotent. */
  close(): Promise<void>
}

const URL_LINE = /GRC central server: (https?:\/\/\S+)/
const DEFAULT_START_TIMEOUT_MS = 60_000
const CLOSE_GRACE_MS = 5000
/** Kept of a server's output for messages: its last characters. */
const OUTPUT_LIMIT = 64 * 1024

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p))

// A test process that exits without close() must not leave servers behind.
const running = new Set<ChildProcess>()
let exitHookInstalled = false
function track(child: ChildProcess) {
  running.add(child)
  child.once('exit', () => running.delete(child))
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL')
  })
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

function waitForExit(child: ChildProcess): Promise<void> {
  return exited(child) ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))
}

/** The environment without PG* variables: the URL says where the database is, nothing else may. */
function childEnv(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')))
  return { ...env, ...extra }
}

/** `--demo-requests N` as the options say (see `demo`); none when the test's own arguments choose. */
function demoArgs(options: ServerProcessOptions): string[] {
  if (options.demoRequests !== undefined) return ['--demo-requests', String(options.demoRequests)]
  const chosen = options.args?.some((a) => a === '--demo' || a === '--demo-requests' || a === '--reference')
  return options.demo === false || chosen ? [] : ['--demo-requests', '0']
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS
  let output = ''
  const record = (chunk: Buffer | string) => {
    output += chunk.toString()
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT)
  }
  let child: ChildProcess | null = null
  let port = options.port ?? 0
  let url = ''
  let closing: Promise<void> | null = null

  /** One run: resolves with the URL it prints, fails with its output if it exits first or takes too long. */
  async function launch(): Promise<string> {
    const node = [
      '--import',
      'tsx',
      join(repoRoot, 'src', 'server', 'cli.ts'),
      '--database',
      options.database,
      '--port',
      String(port),
      ...demoArgs(options),
      ...(options.tls ? ['--tls-cert', options.tls.cert, '--tls-key', options.tls.key] : []),
      ...(options.args ?? []),
    ]
    const [command, args] = SETPRIV
      ? [SETPRIV, ['--pdeathsig=SIGKILL', '--', process.execPath, ...node]]
      : [process.execPath, node]
    const started = spawn(command, args, {
      cwd: repoRoot,
      env: childEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = started
    track(started)
    record(`--- server start (port ${port}) ---\n`)
    /** What this run printed until it listens: a failure says it. */
    let seen = ''
    let listening = false
    started.stderr!.on('data', (chunk: Buffer) => {
      record(chunk)
      if (!listening) seen += chunk.toString()
    })
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        started.kill('SIGKILL')
        reject(new Error(`the server printed no URL within ${timeoutMs / 1000} s:\n${seen}`))
      }, timeoutMs)
      const onData = (chunk: Buffer) => {
        record(chunk)
        if (listening) return
        seen += chunk.toString()
        const match = URL_LINE.exec(seen)
        if (!match) return
        listening = true
        clearTimeout(timer)
        started.off('close', onExit)
        started.off('error', onError)
        resolve(match[1]!)
      }
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(timer)
        reject(new Error(`the server exited (${signal ?? `code ${code}`}) before listening:\n${seen}`))
      }
      const onError = (err: Error) => {
        clearTimeout(timer)
        reject(new Error(`the server could not start (${err.message})`))
      }
      started.stdout!.on('data', onData)
      // 'close', not 'exit': by then everything it printed has been read.
      started.once('close', onExit)
      started.once('error', onError)
    })
  }

  /** Start on `port`; a port that is still held a moment after a kill is tried again briefly. */
  async function launchOnPort(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch()
      } catch (e) {
        if (attempt >= 3 || port === 0 || !/EADDRINUSE/.test((e as Error).message)) throw e
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt))
      }
    }
  }

  async function kill(signal: NodeJS.Signals = 'SIGKILL') {
    const current = child
    if (!current || exited(current)) return
    current.kill(signal)
    await waitForExit(current)
  }

  url = await launchOnPort()
  port = Number(new URL(url).port)

  return {
    get url() {
      return url
    },
    get port() {
      return port
    },
    get pid() {
      return child?.pid ?? -1
    },
    get alive() {
      return child !== null && !exited(child)
    },
    output: () => output,
    kill,
    async restart() {
      if (closing) throw new Error('the server process was closed')
      await kill('SIGKILL')
      const again = await launchOnPort()
      if (again !== url) throw new Error(`restarted on ${again}, not ${url}`)
      return url
    },
    close() {
      closing ??= (async () => {
        const current = child
        if (!current || exited(current)) return
        current.kill('SIGTERM')
        const timer = setTimeout(() => current.kill('SIGKILL'), CLOSE_GRACE_MS)
        await waitForExit(current)
        clearTimeout(timer)
      })()
      return closing
    },
  }
}
