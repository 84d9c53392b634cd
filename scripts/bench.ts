/**
 * `npm run bench [-- --rows N] [-- --json]`: builds a fresh cache of N requests (default
 * 500 000) in a temp folder with the demo generator's bulk path, then times the hot paths
 * of the console many times each and prints their p95 (or one JSON object).
 *
 * Each figure is what the renderer pays: a console core opened on the cache (benchCore.ts),
 * logged in as a demo account, called through `core.invoke` (zod in and out, the handler;
 * the big read channels' outputs checked in constant time, as a packaged console does) and
 * its answer passed through V8's structured clone as IPC does. The query function alone
 * is timed beside it under the same key suffixed `_raw`, for diagnosis. Then every feature's
 * figures (FEATURE_BENCHES, benchFeatures.ts) on the same core, and `core_rss_mb`: the
 * resident memory of that process after all of them.
 *
 * Targets at 500k on the reference 2-core machine: queue page ≤ 5 ms, deep page ≤ 5 ms,
 * facets ≤ 20 ms, FTS ≤ 20 ms, counts while searching (`fts_counts_p95_ms`) ≤ 50 ms,
 * viewport through invoke (`viewport_invoke_p95_ms`) ≤ 10 ms, bulk load ≥ 80k rows/s.
 * The cache is encrypted as a console's is (`cache_encrypted: true`); `--plain` measures a
 * clear cache, to see what encryption costs.
 *
 * Then the sync figures (scripts/benchSync.ts) against the reference server in its own
 * process: `--sync-rows N` requests (default 100 000), `--no-sync` to skip them.
 * Targets: initial sync ≥ 20k rows/s, an edit visible on another console ≤ 1000 ms (p95).
 *
 * Then the first download through the tests' fault proxy (faultySyncFigures in benchSync.ts):
 * `--faulty-rows N` requests (default 5 000), with no fault, then 30 % and 60 % of the
 * console's HTTP requests faulted; `--faulty-cap-s S` bounds each faulty run (default 600),
 * `--no-faulty` skips them (`--no-sync` / `--sync-rows 0` skip the figures above only).
 * Target: initial_sync_faulty_ratio (30 % faults / none) ≤ 3.
 *
 * Then the central server's write throughput (scripts/benchServer.ts): one server process on
 * SQLite and one on PostgreSQL (durable), 4 clients pushing batches of 50 mutations
 * (`--no-server` to skip). Target: server_pg_mutations_per_s ≥ 2000.
 *
 * Then the map figures (scripts/benchMap.ts) in Chromium with SwiftShader's WebGL: the median
 * frame while panning and zooming over `--map-points N` points (default 200 000; `--no-map`
 * to skip), our layers against a plain `ol/source/Cluster` canvas layer. Target: ≥ 10× faster.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEMO_AGENTS } from '../src/core/demo/agents'
import { generateCitizens, generateRequests, type GeneratedRequest } from '../src/core/demo/generate'
import { seedReferenceData } from '../src/main/cache/demoSeed'
import { bulkLoad } from '../src/main/cache/bulkLoad'
import { openStore, type Db } from '../src/main/cache/db'
import { profileCachePath } from '../src/main/console'
import { insertCitizen } from '../src/main/cache/queries/citizens'
import {
  countQueue,
  cursorAfterRequest,
  insertRequest,
  listQueue,
  offsetQueuePage,
  viewportColumns,
} from '../src/main/cache/queries/requests'
import { canReadCitizen, scopeFor } from '../src/core/authz/permissions'
import type { AppConfig } from '../src/core/config'
import { citizenDataRolesOf } from '../src/main/cache/queries/privacyPolicy'
import type { QueueFilter, SessionInfo } from '../src/shared/contract'
import {
  benchCache,
  benchConfig,
  openBenchCore,
  reporter,
  round,
  time,
  timePair,
  type BenchCore,
} from './benchCore'
import { FEATURE_BENCHES } from './benchFeatures'
import { mapFigures } from './benchMap'
import { serverFigures } from './benchServer'
import { faultySyncFigures, syncFigures } from './benchSync'

/** What the map screen asks for per viewport at most (src/renderer/stores/map.ts). */
const VIEWPORT_LIMIT = 50_000

/** The demo's "now": the same data on every run. */
const NOW = Date.UTC(2026, 2, 16, 10, 0)

interface Args {
  rows: number
  json: boolean
  /** A clear cache instead of an encrypted one. */
  plain: boolean
  seed: number
  keep: boolean
  /** Internal: measure the cache of the profile under this folder (the child process of a run). */
  measure: string | null
  syncRows: number
  /** Requests of the faulty first downloads; 0: skipped. */
  faultyRows: number
  /** The most each faulty run may take, in seconds. */
  faultyCapS: number
  mapPoints: number
  server: boolean
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    rows: 500_000,
    json: false,
    plain: false,
    seed: 42,
    keep: false,
    measure: null,
    syncRows: 100_000,
    faultyRows: 5000,
    faultyCapS: 600,
    mapPoints: 200_000,
    server: true,
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      const v = argv[++i]
      const n = Number(v)
      if (v === undefined || !Number.isSafeInteger(n) || n < 0)
        throw new Error(`${arg} expects a whole number, got ${v ?? 'nothing'}`)
      return n
    }
    if (arg === '--rows') args.rows = value()
    else if (arg === '--seed') args.seed = value()
    else if (arg === '--sync-rows') args.syncRows = value()
    else if (arg === '--no-sync') args.syncRows = 0
    else if (arg === '--faulty-rows') args.faultyRows = value()
    else if (arg === '--no-faulty') args.faultyRows = 0
    else if (arg === '--faulty-cap-s') args.faultyCapS = value()
    else if (arg === '--map-points') args.mapPoints = value()
    else if (arg === '--no-map') args.mapPoints = 0
    else if (arg === '--no-server') args.server = false
    else if (arg === '--json') args.json = true
    else if (arg === '--plain') args.plain = true
    else if (arg === '--keep') args.keep = true
    else if (arg === '--measure') {
      args.measure = argv[++i] ?? null
      if (!args.measure) throw new Error('--measure expects a folder')
    } else
      throw new Error(
        `unknown argument ${arg} (expected --rows N, --seed S, --sync-rows N, --no-sync, --faulty-rows N, --no-faulty, --faulty-cap-s S, --map-points N, --no-map, --no-server, --json, --plain, --keep)`,
      )
  }
  if (args.rows < 1000) throw new Error('--rows must be at least 1000')
  if (args.faultyCapS < 1) throw new Error('--faulty-cap-s must be at least 1')
  return args
}

/** Requests generated, then inserted, per transaction of the bench's bulk load. */
const LOAD_BATCH = 50_000

/**
 * The bulk load of a fresh cache, phase by phase. Generation (the demo generator, which a
 * first download does not pay) runs batch by batch between the inserts, timed apart: the
 * rows/s figures count only what filling a cache costs, and at 2M rows the generated
 * requests are never all in memory at once.
 */
function build(db: Db, args: Args, log: (line: string) => void) {
  seedReferenceData(db)
  let t = performance.now()
  const citizens = generateCitizens(Math.round(args.rows * 0.45), args.seed)
  const generator = generateRequests({
    count: args.rows,
    seed: args.seed,
    now: NOW,
    citizenIds: citizens.map((c) => c.id),
    history: false,
  })
  const generateBeforeMs = performance.now() - t
  /** The generator's share of `load`, taken out of the figures. */
  let generateInLoadMs = 0
  let citizensMs = 0
  t = performance.now()
  const { timings } = bulkLoad(db, () => {
    let started = performance.now()
    db.transaction(() => citizens.forEach((c) => insertCitizen(db, c)))()
    citizensMs = performance.now() - started
    for (;;) {
      started = performance.now()
      const rows: GeneratedRequest['row'][] = []
      for (let next = generator.next(); !next.done; next = generator.next()) {
        rows.push(next.value.row)
        if (rows.length === LOAD_BATCH) break
      }
      generateInLoadMs += performance.now() - started
      if (rows.length === 0) break
      db.transaction(() => rows.forEach((row) => insertRequest(db, row)))()
    }
  })
  // bulkLoad checkpoints (its `checkpoint` phase); this empties the WAL file too.
  const before = performance.now()
  db.pragma('wal_checkpoint(TRUNCATE)')
  const truncateMs = performance.now() - before
  // The whole fill a user pays, without the generator's share of `load`.
  const fillMs = performance.now() - t - generateInLoadMs
  const insertMs = timings.loadMs - generateInLoadMs
  const generateMs = generateBeforeMs + generateInLoadMs
  const phases = Object.entries(timings.phases).map(([phase, ms]) => `${phase} ${Math.round(ms ?? 0)}`)
  log(
    `bulk load: ${Math.round(fillMs)} ms = rows ${Math.round(insertMs)} (of which citizens ${Math.round(citizensMs)})` +
      ` + indexes ${Math.round(timings.indexesMs)} + FTS/R*Tree/counts/commit/checkpoint ${Math.round(timings.derivedMs)}` +
      ` + WAL truncated ${Math.round(truncateMs)} → ${Math.round(args.rows / (fillMs / 1000))} rows/s` +
      ` (generating the rows, not counted: ${Math.round(generateMs)} ms)`,
  )
  log(`  phases (ms): ${phases.join(', ')}`)
  t = performance.now()
  db.pragma('optimize')
  log(`PRAGMA optimize (statistics for the planner): ${Math.round(performance.now() - t)} ms`)
  const ms = (n: number) => Math.round(n)
  const figures: Record<string, number> = {
    // Rows per second of the whole fill (rows, indexes, derived data, commit, checkpoint)…
    bulk_load_rows_per_s: Math.round(args.rows / (fillMs / 1000)),
    // …and of writing the rows alone (citizens and requests, indexes and derived data off).
    bulk_insert_rows_per_s: Math.round(args.rows / (insertMs / 1000)),
    bulk_load_total_ms: ms(fillMs),
    bulk_load_generate_ms: ms(generateMs),
    bulk_load_insert_ms: ms(insertMs),
    bulk_load_citizens_ms: ms(citizensMs),
    bulk_load_indexes_ms: ms(timings.indexesMs),
    bulk_load_derived_ms: ms(timings.derivedMs),
  }
  // bulk_load_index_<name>_ms, bulk_load_counts_ms, _fts_ms, _fts_optimize_ms, _geo_ms, _commit_ms, _checkpoint_ms.
  for (const [phase, v] of Object.entries(timings.phases))
    figures[`bulk_load_${phase.replace(/^index:/, 'index_')}_ms`] = ms(v ?? 0)
  return figures
}

/** The session's arguments the handlers add to a query, for the raw figures beside the invoked ones. */
function sessionArgs(db: Db, session: SessionInfo, config: AppConfig) {
  return {
    scope: scopeFor(session),
    citizenNames: canReadCitizen(session, citizenDataRolesOf(db, config.privacy.citizenDataRoles)),
  }
}

/**
 * The hot paths, timed on an existing cache (run in a fresh process: no leftover heap):
 * each through `core.invoke` as the renderer calls it (the figure), and the query function
 * alone under the same key suffixed `_raw` (for diagnosis: the difference is validation,
 * the handler and serialisation). `plain`: a clear cache, which a console never opens, so
 * only the raw figures.
 */
async function measure(
  dataDir: string,
  plain: boolean,
  now: number,
  log: (line: string) => void,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  const report = reporter(out, log)
  const core = plain ? null : await openBenchCore({ dataDir, now, report, log })
  const config = benchConfig(dataDir)
  const db = core?.db ?? openStore(profileCachePath(config, dataDir))
  try {
    const worst: Record<string, number> = {}
    const keepWorst = (key: string, v: number) => (worst[key] = Math.max(worst[key] ?? 0, v))
    /** One figure: the query alone (`key_raw`), then through invoke (`key`); `worstKey` keeps the worse of agent/supervisor. */
    const both = async (
      key: string,
      what: string,
      reps: number,
      raw: (i: number) => unknown,
      invoked: (invoke: BenchCore['invoke'], i: number) => Promise<unknown>,
      options: { warmup?: number; worstKey?: string } = {},
    ) => {
      const [rawSamples, samples] = core
        ? await timePair(raw, (i) => invoked(core.invoke, i), reps, options.warmup)
        : [time(raw, reps, options.warmup), null]
      const rawP95 = report(`${key}_raw`, rawSamples, `${what} (query alone)`)
      if (options.worstKey) keepWorst(`${options.worstKey}_raw`, rawP95)
      if (!samples) return
      const p95 = report(key, samples, what)
      if (options.worstKey) keepWorst(options.worstKey, p95)
    }
    const empty: QueueFilter = {}
    const accounts = { agent: 'zoe.agent', supervisor: 'sara.sup' }
    for (const [who, login] of Object.entries(accounts)) {
      const account = DEMO_AGENTS.find((a) => a.login === login)!
      await core?.loginAs(login)
      const session: SessionInfo = {
        agentId: account.id,
        login,
        displayName: account.displayName,
        roles: account.roles,
        teamIds: account.teamIds,
        kind: 'offline',
        startedAt: new Date(now).toISOString(),
      }
      const { scope, citizenNames } = sessionArgs(db, session, config)
      const base = { scope, citizenNames, filter: empty, sort: 'created_desc' as const, limit: 100, now }
      await both(
        `queue_page_${who}_p95_ms`,
        `queue first page, ${who}`,
        300,
        () => listQueue(db, { ...base, after: null }),
        (invoke) => invoke('queue.list', { sort: 'created_desc', limit: 100, after: null }),
        { worstKey: 'queue_page_p95_ms' },
      )
      const counts = countQueue(db, { scope, filter: empty, now })
      const deep = Math.floor(counts.total / 2)
      const atDeep = offsetQueuePage(db, { ...base, offset: deep - 1, limit: 1 })[0]!
      const cursor = cursorAfterRequest(db, 'created_desc', atDeep.id)!
      const keyset = listQueue(db, { ...base, after: cursor })
      const offset = offsetQueuePage(db, { ...base, offset: deep })
      if (keyset.rows.map((r) => r.id).join() !== offset.map((r) => r.id).join())
        throw new Error('keyset and OFFSET disagree on the deep page')
      if (core) {
        const invoked = await core.invoke('queue.list', { sort: 'created_desc', limit: 100, after: cursor })
        if (invoked.rows.map((r) => r.id).join() !== offset.map((r) => r.id).join())
          throw new Error('queue.list and the query disagree on the deep page')
      }
      await both(
        `queue_deep_page_${who}_p95_ms`,
        `queue page at row ${deep} by keyset, ${who}`,
        300,
        () => listQueue(db, { ...base, after: cursor }),
        (invoke) => invoke('queue.list', { sort: 'created_desc', limit: 100, after: cursor }),
        { worstKey: 'queue_deep_page_p95_ms' },
      )
      // No channel pages by OFFSET: the baseline keyset paging is measured against.
      keepWorst(
        'offset_deep_page_p95_ms',
        report(
          `offset_deep_page_${who}_p95_ms`,
          time(() => offsetQueuePage(db, { ...base, offset: deep }), 20, 2),
          `the same page by OFFSET (query alone), ${who}`,
        ),
      )
      for (const sort of ['due_asc', 'priority_desc', 'updated_desc'] as const)
        await both(
          `queue_page_${sort}_${who}_p95_ms`,
          `queue first page sorted ${sort}, ${who}`,
          100,
          () => listQueue(db, { ...base, sort, after: null }),
          (invoke) => invoke('queue.list', { sort, limit: 100, after: null }),
        )
      const waiting: QueueFilter = { status: ['waiting_citizen'] }
      await both(
        `queue_page_status_${who}_p95_ms`,
        `queue first page, status waiting_citizen, ${who}`,
        100,
        () => listQueue(db, { ...base, filter: waiting, after: null }),
        (invoke) => invoke('queue.list', { filter: waiting, limit: 100, after: null }),
      )
      await both(
        `queue_page_overdue_${who}_p95_ms`,
        `queue first page, overdue, ${who}`,
        50,
        () => listQueue(db, { ...base, filter: { overdue: true }, after: null }),
        (invoke) => invoke('queue.list', { filter: { overdue: true }, limit: 100, after: null }),
      )
      await both(
        `facet_counts_${who}_p95_ms`,
        `counts per status + overdue, ${who}`,
        200,
        () => countQueue(db, { scope, citizenNames, filter: empty, now }),
        (invoke) => invoke('queue.counts', { filter: empty }),
        { worstKey: 'facet_counts_ms' },
      )
      const narrowed: QueueFilter = {
        categoryId: ['voirie', 'eclairage-public'],
        priority: ['high', 'urgent'],
      }
      await both(
        `facet_counts_filtered_${who}_p95_ms`,
        `counts with category + priority filters, ${who}`,
        100,
        () => countQueue(db, { scope, citizenNames, filter: narrowed, now }),
        (invoke) => invoke('queue.counts', { filter: narrowed }),
      )
      const words = [
        'lampadaire',
        'eclairage',
        'depot',
        'trottoir',
        'martin',
        'lampa',
        'rue saint',
        'nid-de-poule',
      ]
      const word = (i: number) => words[i % words.length]
      await both(
        `fts_${who}_p95_ms`,
        `search, first 50 hits of ${words.join(' / ')}, ${who}`,
        320,
        (i) => listQueue(db, { ...base, limit: 50, filter: { text: word(i) }, after: null }),
        (invoke, i) => invoke('queue.list', { filter: { text: word(i) }, limit: 50, after: null }),
        { worstKey: 'fts_p95_ms' },
      )
      await both(
        `fts_counts_${who}_p95_ms`,
        `counts for a search, ${who}`,
        40,
        (i) => countQueue(db, { scope, citizenNames, filter: { text: word(i) }, now }),
        (invoke, i) => invoke('queue.counts', { filter: { text: word(i) } }),
        { warmup: 8, worstKey: 'fts_counts_p95_ms' },
      )
      const nancy = { minLat: 48.67, maxLat: 48.705, minLon: 6.15, maxLon: 6.21 }
      await both(
        `viewport_${who}_p95_ms`,
        `map viewport of Nancy (≤ 5000 points), ${who}`,
        200,
        () => viewportColumns(db, { scope, citizenNames, bbox: nancy, limit: 5000 }),
        (invoke) => invoke('map.points', { bbox: nancy, limit: 5000 }),
        { worstKey: 'viewport_invoke_p95_ms' },
      )
      // What the map screen asks for (VIEWPORT_LIMIT points at most) over the whole metropole.
      const metropole = { minLat: 48.6, maxLat: 48.76, minLon: 6.05, maxLon: 6.3 }
      await both(
        `viewport_50k_${who}_p95_ms`,
        `map viewport of the metropole (≤ ${VIEWPORT_LIMIT} points), ${who}`,
        20,
        () => viewportColumns(db, { scope, citizenNames, bbox: metropole, limit: VIEWPORT_LIMIT }),
        (invoke) => invoke('map.points', { bbox: metropole, limit: VIEWPORT_LIMIT }),
        { worstKey: 'viewport_50k_p95_ms' },
      )
    }
    // The figure's name before it went through invoke: the query alone.
    if (worst.viewport_invoke_p95_ms_raw !== undefined)
      keepWorst('viewport_query_p95_ms', worst.viewport_invoke_p95_ms_raw)
    if (core)
      for (const bench of FEATURE_BENCHES) {
        await core.loginAs('zoe.agent')
        await bench(core)
      }
    else log('a clear cache (--plain): the feature benches, which go through a console core, are skipped')
    const figures = { ...out, ...Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, round(v)])) }
    // The core's process after every figure: its heap, the cache's page cache and the native side.
    const memory = process.memoryUsage()
    return {
      ...figures,
      core_rss_mb: Math.round(memory.rss / 2 ** 20),
      // Of which JavaScript's heap (the rest: SQLite's page cache, native code, buffers).
      core_heap_mb: Math.round(memory.heapUsed / 2 ** 20),
    }
  } finally {
    if (core) await core.close()
    else db.close()
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  if (args.measure) {
    // Child: human lines on stderr, the figures as one JSON line on stdout.
    const figures = await measure(
      args.measure,
      args.plain,
      NOW,
      args.json ? () => {} : (line) => console.error(line),
    )
    console.log(JSON.stringify(figures))
    return
  }
  const log = args.json ? () => {} : (line: string) => console.log(line)
  const dir = mkdtempSync(join(tmpdir(), 'grc-bench-'))
  // The cache where a console profile's is, with its key file: the measuring child opens a
  // console core on it as the app would.
  const cache = benchCache(dir)
  const file = cache.file
  const key = args.plain ? undefined : cache.key
  try {
    const db = openStore(file, { key })
    let built: ReturnType<typeof build>
    try {
      built = build(db, args, log)
    } finally {
      db.close()
    }
    log(`cache file: ${Math.round(statSync(file).size / 1e6)} MB; measuring in a fresh process…`)
    const child = execFileSync(
      process.execPath,
      [
        ...process.execArgv,
        process.argv[1]!,
        '--measure',
        dir,
        ...(args.json ? ['--json'] : []),
        ...(args.plain ? ['--plain'] : []),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 },
    )
    const figures = JSON.parse(child.trim().split('\n').at(-1) ?? '{}') as Record<string, number>
    const sync = args.syncRows > 0 ? await syncFigures(args.syncRows, log) : {}
    const faulty =
      args.faultyRows > 0
        ? await faultySyncFigures({
            rows: args.faultyRows,
            capMs: args.faultyCapS * 1000,
            log,
            // A run that did not complete is said even with --json (on stderr: stdout stays one JSON line).
            warn: args.json ? (line) => console.error(line) : log,
          })
        : {}
    const server = args.server ? await serverFigures(log) : {}
    const map = args.mapPoints > 0 ? await mapFigures({ points: args.mapPoints, log }) : {}
    const out = {
      rows: args.rows,
      cache_encrypted: !args.plain,
      ...built,
      ...figures,
      ...sync,
      ...faulty,
      ...server,
      ...map,
    }
    if (args.json) console.log(JSON.stringify(out))
    else log(JSON.stringify(out, null, 2))
  } finally {
    if (args.keep) console.error(`kept ${file}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error(`bench: ${(e as Error).message}`)
  process.exit(1)
})
