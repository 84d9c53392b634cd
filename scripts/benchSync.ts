/**
 * The sync figures of `npm run bench`, against the reference server over loopback HTTP:
 * - initial_sync_rows_per_s: a fresh console (a supervisor: every team) pulls N requests,
 *   from login until they are all in its cache (queue, counts, search and map usable). By
 *   snapshot (issue 16) they come with their comments and history, so it is the same figure
 *   as the next one; by the feed (`--feed`: a server without snapshot), requests first;
 * - initial_sync_complete_rows_per_s: the same until their comments and history are in too;
 * - initial_sync_max_block_ms: the longest the event loop was held meanwhile (the UI's
 *   main process must stay responsive during the first download);
 * - the phases of a snapshot: initial_sync_login_s (login and token until the first chunk
 *   is asked), initial_sync_transfer_s (chunks downloaded, validated and written by the
 *   worker, pipelined), initial_sync_indexing_s (indexes, full-text, map and counts built
 *   once), initial_sync_mb (compressed bytes received);
 * - edit_visible_p95_ms: an edit on console A until console B's cache has it, both online
 *   (A pushes on its own, the server nudges, B pulls).
 *
 * And, on a smaller server (5 000 requests by default), the same first download through the
 * fault-injecting proxy of the tests (faultySyncFigures):
 * - initial_sync_fault_free_s: through the proxy, no fault;
 * - initial_sync_faulty30_s: 30 % of the console's HTTP requests (token, changes, details,
 *   events) get a fault, chosen by a seeded PRNG evenly among drop, drop after forward,
 *   500, 502, 503, truncated body and duplicate; initial_sync_faulty_ratio = faulty30 / fault-free;
 * - initial_sync_faulty60_s: the same with 60 %, null if not complete within the cap.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseConfig } from '../src/core/config'
import { createConsole } from '../src/main/console'
import type { SyncStatus } from '../src/shared/sync'
import { spawn, type ChildProcess } from 'node:child_process'
import { startFaultProxy, type Fault } from '../tests/support/faultProxy'
import { startOlderServerProxy } from '../tests/support/olderServerProxy'

const repoRoot = join(__dirname, '..')

/**
 * A fresh console on its own profile. `realSettings`: the sync settings a real console has
 * (interval, page size, backoff), only the request timeout as in the other figures; otherwise
 * no periodic round, so that only nudges make the edit figure.
 */
async function openConsole(
  dir: string,
  name: string,
  serverUrl: string,
  login: string,
  options: { realSettings?: boolean } = {},
) {
  const config = parseConfig(
    {
      profile: { name, dataDir: join(dir, 'profiles') },
      demo: { seedWhenEmpty: false },
      sync: options.realSettings
        ? { serverUrl, timeoutSeconds: 120 }
        : { serverUrl, intervalSeconds: 3600, timeoutSeconds: 120 },
    },
    'bench',
  )
  const core = await createConsole({ config, resourcesDir: join(repoRoot, 'resources'), userDataDir: dir })
  const must = async (channel: Parameters<typeof core.invoke>[0], input: unknown) => {
    const r = await core.invoke(channel, input)
    if (!r.ok) throw new Error(`${String(channel)}: ${r.error.message}`)
    return r.value
  }
  return { core, must, login: () => must('session.login', { login, password: 'demo' }) }
}

type BenchConsole = Awaited<ReturnType<typeof openConsole>>

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

const countRequests = (c: BenchConsole) =>
  c.core.db.prepare('SELECT count(*) FROM requests').pluck().get() as number

function describeStatus(s: SyncStatus | null): string {
  if (!s) return 'no sync status yet'
  const initial = s.initial
    ? `, first download ${s.initial.phase ?? 'requests'} ${s.initial.done}/${s.initial.total}`
    : ''
  return `state ${s.state}${initial}${s.lastError ? ` (last error: ${s.lastError})` : ''}`
}

type FirstDownload = { ms: number } | { ms: null; reason: string }

/**
 * Logs the console in, then waits until its first download is complete: the sync status idle
 * with no first download under way (`initial === null`: comments and history are in too) and
 * all `rows` requests in the cache. The one completion test of every initial-sync figure.
 *
 * `faults`: failed rounds are expected (they are retried with the engine's own backoff);
 * otherwise a failed round, or a session refused, ends the bench with its error.
 * `capMs`: give up after this long (`ms: null` and why); `progress`: every `progressMs`.
 */
async function firstDownload(
  c: BenchConsole,
  rows: number,
  options: {
    faults?: boolean
    capMs?: number
    progress?: (elapsedMs: number, status: SyncStatus | null) => void
    progressMs?: number
  } = {},
): Promise<FirstDownload> {
  const started = performance.now()
  let last: SyncStatus | null = null
  let loggedIn = false
  const timers: NodeJS.Timeout[] = []
  let off = () => {}
  try {
    return await new Promise<FirstDownload>((resolve, reject) => {
      const check = (s: SyncStatus) => {
        last = s
        if (!loggedIn) return
        if (s.state === 'auth_required') {
          const reason = `the server refused the session: ${describeStatus(s)}`
          if (options.faults) resolve({ ms: null, reason })
          else reject(new Error(`initial sync: ${reason}`))
        } else if ((s.state === 'error' || s.state === 'offline') && !options.faults)
          reject(new Error(`initial sync failed without any fault injected: ${describeStatus(s)}`))
        else if (s.state === 'idle' && s.initial === null) {
          const pulled = countRequests(c)
          // A round ended well without all of them: it would not try again before the next interval.
          if (pulled !== rows) reject(new Error(`initial sync pulled ${pulled} of ${rows} requests`))
          else resolve({ ms: performance.now() - started })
        }
      }
      off = c.core.on('sync.changed', check)
      if (options.capMs !== undefined) {
        const capMs = options.capMs
        timers.push(
          setTimeout(
            () =>
              resolve({
                ms: null,
                reason: `not complete after ${Math.round(capMs / 1000)} s (the cap): ${countRequests(c)} of ${rows} requests in the cache, ${describeStatus(last)}`,
              }),
            capMs,
          ),
        )
      }
      if (options.progress) {
        const progress = options.progress
        timers.push(
          setInterval(() => progress(performance.now() - started, last), options.progressMs ?? 30_000),
        )
      }
      c.login().then(async () => {
        loggedIn = true
        check((await c.must('sync.status', {})) as SyncStatus)
      }, reject)
    })
  } finally {
    off()
    for (const t of timers) clearTimeout(t)
  }
}

/**
 * The central server in its own process, as deployed: its work does not share our event
 * loop. `database`: a SQLite file or a postgres:// URL. GRC_BENCH_CPU_PROF=DIR profiles it.
 */
export async function startServerProcess(
  database: string,
  rows: number,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      // One process (tsx as a loader, not a launcher), so the server's own CPU is what is measured.
      ...(process.env.GRC_BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.GRC_BENCH_CPU_PROF}`]
        : []),
      '--import',
      'tsx',
      join(repoRoot, 'src', 'server', 'cli.ts'),
      ...['--port', '0', '--database', database, '--demo-requests', String(rows)],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: repoRoot },
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const found = /GRC central server: (http:\/\/\S+)/.exec(out)
      if (found) resolve(found[1]!)
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening`)))
  })
  return { url, child }
}

export async function syncFigures(
  rows: number,
  log: (line: string) => void,
  options: { feed?: boolean } = {},
): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'grc-bench-sync-'))
  const seeding = performance.now()
  const { url, child } = await startServerProcess(join(dir, 'server.db'), rows)
  const server = { url }
  log(`sync: server seeded with ${rows} requests in ${Math.round(performance.now() - seeding)} ms (${url})`)
  // `feed`: the first download as before the snapshot, from a server that has none.
  const older = options.feed ? await startOlderServerProxy(url) : null
  try {
    const sara = await openConsole(dir, 'sara', older?.url ?? server.url, 'sara.sup')
    const loop = monitorEventLoopDelay({ resolution: 5 })
    loop.enable()
    let requestsIn: number | null = null
    const phases: { snapshot?: number; indexing?: number } = {}
    let bytes = 0
    // By the feed, the queue is usable once the requests are in; their comments and history
    // follow. By snapshot, all of it comes at once.
    sara.core.on('sync.changed', (status) => {
      const phase = status.initial?.phase
      if (requestsIn === null && phase === 'details') requestsIn = performance.now()
      if (phase === 'snapshot' || phase === 'indexing') phases[phase] ??= performance.now()
      bytes = Math.max(bytes, status.initial?.bytes ?? 0)
    })
    const started = performance.now()
    const done = await firstDownload(sara, rows)
    loop.disable()
    if (done.ms === null) throw new Error(`initial sync: ${done.reason}`)
    const ms = done.ms
    const ended = started + ms
    const pulled = countRequests(sara)
    const history = sara.core.db.prepare('SELECT count(*) FROM history_events').pluck().get() as number
    const rate = Math.round(pulled / (((requestsIn ?? ended) - started) / 1000))
    const completeRate = Math.round(pulled / (ms / 1000))
    log(
      `sync: initial sync of ${pulled} requests (${bytes > 0 ? 'snapshot' : 'feed'}): in the queue at ${rate} rows/s; ` +
        `with their ${history} history events in ${Math.round(ms)} ms (${completeRate} rows/s), ` +
        `event loop held ${Math.round(loop.max / 1e6)} ms at most`,
    )
    // Bytes received: the download was a snapshot (a server without one answers 404 first).
    const snapshotPhases: Record<string, number> =
      bytes > 0 && phases.snapshot !== undefined && phases.indexing !== undefined
        ? {
            initial_sync_login_s: seconds(phases.snapshot - started),
            initial_sync_transfer_s: seconds(phases.indexing - phases.snapshot),
            initial_sync_indexing_s: seconds(ended - phases.indexing),
            initial_sync_mb: Math.round(bytes / 1e5) / 10,
          }
        : {}
    // The worker's bulk load, as it timed itself (snapshotLoad.ts): rows written while the
    // chunks came, then each index, FTS, R*Tree and counts built once.
    const loadTimings = sara.core.db
      .prepare("SELECT value FROM sync_state WHERE key = 'snapshot_timings'")
      .pluck()
      .get() as string | undefined
    if (loadTimings) {
      const t = JSON.parse(loadTimings) as {
        loadMs: number
        indexesMs: number
        derivedMs: number
        phases: Record<string, number>
        /** The cache's retention, run by the worker once the rows are indexed, before the derived data. */
        retentionMs?: number
      }
      snapshotPhases.initial_sync_bulk_write_s = seconds(t.loadMs)
      snapshotPhases.initial_sync_bulk_indexes_s = seconds(t.indexesMs)
      snapshotPhases.initial_sync_bulk_derived_s = seconds(t.derivedMs)
      if (t.retentionMs !== undefined) snapshotPhases.initial_sync_retention_s = seconds(t.retentionMs)
      log(
        `sync: bulk load in the worker: rows written ${seconds(t.loadMs)} s (with the download), ` +
          `indexes ${seconds(t.indexesMs)} s, derived data ${seconds(t.derivedMs)} s (` +
          Object.entries(t.phases)
            // The retention is said apart (below).
            .filter(([phase]) => phase !== 'before_derived')
            .map(([phase, ms]) => `${phase} ${Math.round(ms)} ms`)
            .join(', ') +
          `), retention ${seconds(t.retentionMs ?? 0)} s`,
      )
    }
    if (snapshotPhases.initial_sync_transfer_s !== undefined)
      log(
        `sync: snapshot phases: login ${snapshotPhases.initial_sync_login_s} s, ` +
          `chunks downloaded and written ${snapshotPhases.initial_sync_transfer_s} s (${snapshotPhases.initial_sync_mb} MB), ` +
          `indexes and derived data ${snapshotPhases.initial_sync_indexing_s} s`,
      )
    await sara.core.close()

    const zoe = await openConsole(dir, 'zoe', server.url, 'zoe.agent')
    const luc = await openConsole(dir, 'luc', server.url, 'luc.lead')
    for (const c of [zoe, luc]) {
      await c.login()
      await c.must('sync.now', {})
    }
    const ids = zoe.core.db
      .prepare("SELECT id FROM requests WHERE team_id = 'voirie' ORDER BY id LIMIT 60")
      .pluck()
      .all() as string[]
    const title = luc.core.db.prepare('SELECT title FROM requests WHERE id = ?').pluck()
    const samples: number[] = []
    for (const [i, id] of ids.entries()) {
      const text = `Mesure ${i}`
      const t0 = performance.now()
      await zoe.must('request.update', { id, patch: { title: text } })
      while (title.get(id) !== text) {
        if (performance.now() - t0 > 10_000)
          throw new Error('edit not visible on the other console after 10 s')
        await new Promise((r) => setTimeout(r, 2))
      }
      samples.push(performance.now() - t0)
      await new Promise((r) => setTimeout(r, 30))
    }
    const p95 = percentile(samples, 95)
    log(
      `sync: edit visible on the other console, p50 ${percentile(samples, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms`,
    )
    await zoe.core.close()
    await luc.core.close()
    return {
      initial_sync_rows: pulled,
      initial_sync_rows_per_s: rate,
      initial_sync_complete_rows_per_s: completeRate,
      initial_sync_max_block_ms: Math.round(loop.max / 1e6),
      ...snapshotPhases,
      edit_visible_p50_ms: Math.round(percentile(samples, 50)),
      edit_visible_p95_ms: Math.round(p95),
    }
  } finally {
    await older?.close()
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The faults of the faulty runs, in equal shares. */
const FAULT_MIX: readonly Fault[] = [
  { kind: 'drop' },
  { kind: 'drop_after_forward' },
  { kind: 'status', status: 500 },
  { kind: 'status', status: 502 },
  { kind: 'status', status: 503 },
  { kind: 'truncate' },
  { kind: 'duplicate' },
]

/** The same faults on the same requests at every run (by the order the proxy receives them). */
const FAULT_SEED = 20261204

/** mulberry32: a small seeded PRNG, uniform on [0, 1). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const seconds = (ms: number) => Math.round(ms / 10) / 100

export interface FaultySyncOptions {
  /** Requests on the server (default 5 000). */
  rows?: number
  /** The most a faulty run may take before it is reported null (default 10 minutes). */
  capMs?: number
  log: (line: string) => void
  /** Why a run did not complete: said even when `log` is silent (--json). */
  warn?: (line: string) => void
}

/**
 * A fresh supervisor console's first download of `rows` requests through the fault proxy of
 * the tests, with the sync settings a real console has: no fault, then 30 % and 60 % of its
 * HTTP requests faulted. Each run on a fresh profile and a fresh proxy, one server for all,
 * warmed up first by an untimed fault-free download.
 */
export async function faultySyncFigures(options: FaultySyncOptions): Promise<Record<string, number | null>> {
  const rows = options.rows ?? 5000
  const capMs = options.capMs ?? 10 * 60_000
  const { log } = options
  const warn = options.warn ?? log
  const dir = mkdtempSync(join(tmpdir(), 'grc-bench-faulty-'))
  const seeding = performance.now()
  const { url, child } = await startServerProcess(join(dir, 'server.db'), rows)
  log(
    `faulty sync: server seeded with ${rows} requests in ${Math.round(performance.now() - seeding)} ms (${url})`,
  )

  const run = async (
    ratio: number,
    label = `${Math.round(ratio * 100)} % faults`,
  ): Promise<number | null> => {
    const proxy = await startFaultProxy(url)
    const random = seededRandom(FAULT_SEED)
    proxy.setPlan(() => {
      const faulted = random() < ratio
      const which = FAULT_MIX[Math.floor(random() * FAULT_MIX.length)]!
      return faulted ? which : { kind: 'pass' }
    })
    const c = await openConsole(dir, `faulty-${label.replace(/\W+/g, '-')}`, proxy.url, 'sara.sup', {
      realSettings: true,
    })
    const faultCount = () => proxy.stats.requests - proxy.stats.faults.pass
    try {
      const done = await firstDownload(c, rows, {
        faults: ratio > 0,
        capMs: ratio > 0 ? capMs : undefined,
        progress: (elapsed, status) =>
          log(
            `faulty sync: ${label}, ${Math.round(elapsed / 1000)} s: ${countRequests(c)} of ${rows} requests in, ` +
              `${describeStatus(status)}; ${proxy.stats.requests} HTTP requests, ${faultCount()} faulted`,
          ),
      })
      const faults = Object.entries(proxy.stats.faults)
        .filter(([kind, n]) => kind !== 'pass' && n > 0)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ')
      const through = `${proxy.stats.requests} HTTP requests, ${faultCount()} faulted${faults ? ` (${faults})` : ''}`
      if (done.ms === null) {
        warn(`faulty sync: ${label}: null, ${done.reason}; ${through}`)
        return null
      }
      log(`faulty sync: ${label}: ${rows} requests with their history in ${seconds(done.ms)} s; ${through}`)
      return done.ms
    } finally {
      // The proxy first: a round still under way fails at once instead of being waited for.
      await proxy.close()
      await c.core.close()
    }
  }

  try {
    // The server's first answers are slower (cold page cache, code not yet optimised): a
    // first download nobody times, so that the fault-free figure is not the cold one.
    await run(0, 'warm-up, no fault')
    const clean = await run(0)
    const faulty30 = await run(0.3)
    const faulty60 = await run(0.6)
    return {
      initial_sync_faulty_rows: rows,
      initial_sync_fault_free_s: clean === null ? null : seconds(clean),
      initial_sync_faulty30_s: faulty30 === null ? null : seconds(faulty30),
      initial_sync_faulty_ratio:
        clean === null || faulty30 === null ? null : Math.round((faulty30 / clean) * 100) / 100,
      initial_sync_faulty60_s: faulty60 === null ? null : seconds(faulty60),
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}

if (require.main === module) {
  // `npx tsx scripts/benchSync.ts [ROWS]`, `… --faulty [ROWS]` for the faulty figures alone,
  // `… --feed [ROWS]` for the first download by the feed (a server without snapshot).
  const flag = process.argv[2]?.startsWith('--') ? process.argv[2] : null
  const rows = process.argv[flag ? 3 : 2]
  const log = (line: string) => console.log(line)
  ;(flag === '--faulty'
    ? faultySyncFigures({ rows: rows === undefined ? undefined : Number(rows), log })
    : syncFigures(Number(rows ?? 100_000), log, { feed: flag === '--feed' })
  )
    .then((figures) => console.log(JSON.stringify(figures, null, 2)))
    .catch((e: unknown) => {
      console.error(e)
      process.exit(1)
    })
}
