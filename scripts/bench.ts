/**
 * `npm run bench [-- --rows N] [-- --json]`: builds a fresh cache of N requests (default
 * 500 000) in a temp folder with the demo generator's bulk path, then times the hot
 * queries of the console many times each and prints their p95 (or one JSON object).
 *
 * Targets at 500k on the reference 2-core machine: queue page ≤ 5 ms, deep page ≤ 5 ms,
 * facets ≤ 20 ms, FTS ≤ 20 ms, viewport ≤ 10 ms, bulk load ≥ 80k rows/s.
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
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEMO_AGENTS } from '../src/core/demo/agents'
import { generateCitizens, generateRequests, type GeneratedRequest } from '../src/core/demo/generate'
import { seedReferenceData } from '../src/main/cache/demoSeed'
import { bulkLoad } from '../src/main/cache/bulkLoad'
import { openStore, type Db } from '../src/main/cache/db'
import { insertCitizen } from '../src/main/cache/queries/citizens'
import {
  countQueue,
  cursorAfterRequest,
  insertRequest,
  listInViewport,
  listQueue,
  offsetQueuePage,
} from '../src/main/cache/queries/requests'
import type { Scope } from '../src/core/authz/scope'
import type { QueueFilter } from '../src/shared/contract'
import { mapFigures } from './benchMap'
import { serverFigures } from './benchServer'
import { faultySyncFigures, syncFigures } from './benchSync'

/** The demo's "now": the same data on every run. */
const NOW = Date.UTC(2026, 2, 16, 10, 0)

interface Args {
  rows: number
  json: boolean
  /** A clear cache instead of an encrypted one. */
  plain: boolean
  seed: number
  keep: boolean
  /** Internal: measure the cache at this path (the child process of a run). */
  measure: string | null
  syncRows: number
  /** Requests of the faulty first downloads; 0: skipped. */
  faultyRows: number
  /** The most each faulty run may take, in seconds. */
  faultyCapS: number
  mapPoints: number
  server: boolean
}

const BENCH_KEY_ENV = 'GRC_BENCH_CACHE_KEY'

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
      if (!args.measure) throw new Error('--measure expects a file')
    } else
      throw new Error(
        `unknown argument ${arg} (expected --rows N, --seed S, --sync-rows N, --no-sync, --faulty-rows N, --no-faulty, --faulty-cap-s S, --map-points N, --no-map, --no-server, --json, --plain, --keep)`,
      )
  }
  if (args.rows < 1000) throw new Error('--rows must be at least 1000')
  if (args.faultyCapS < 1) throw new Error('--faulty-cap-s must be at least 1')
  return args
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

/** Run `fn` `warmup` times untimed, then `reps` times; the timings in ms. */
function time(fn: (i: number) => unknown, reps: number, warmup = Math.ceil(reps / 10)): number[] {
  for (let i = 0; i < warmup; i++) fn(i)
  const samples: number[] = []
  for (let i = 0; i < reps; i++) {
    const t = performance.now()
    fn(i)
    samples.push(performance.now() - t)
  }
  return samples
}

function build(db: Db, args: Args, log: (line: string) => void) {
  const now = NOW
  seedReferenceData(db)
  let t = performance.now()
  const citizens = generateCitizens(Math.round(args.rows * 0.45), args.seed)
  const rows: GeneratedRequest['row'][] = []
  for (const g of generateRequests({
    count: args.rows,
    seed: args.seed,
    now,
    citizenIds: citizens.map((c) => c.id),
    history: false,
  }))
    rows.push(g.row)
  const generateMs = performance.now() - t
  log(
    `generated ${args.rows} requests and ${citizens.length} citizens in memory in ${Math.round(generateMs)} ms (not timed below)`,
  )

  t = performance.now()
  const { timings } = bulkLoad(db, () => {
    db.transaction(() => citizens.forEach((c) => insertCitizen(db, c)))()
    const batch = 20_000
    for (let i = 0; i < rows.length; i += batch)
      db.transaction(() => {
        for (let j = i; j < Math.min(rows.length, i + batch); j++) insertRequest(db, rows[j]!)
      })()
  })
  db.pragma('wal_checkpoint(TRUNCATE)')
  const loadMs = performance.now() - t
  log(
    `bulk load: ${Math.round(loadMs)} ms = rows ${Math.round(timings.loadMs)} + indexes ${Math.round(timings.indexesMs)}` +
      ` + FTS/R*Tree/counts ${Math.round(timings.derivedMs)} + checkpoint → ${Math.round(args.rows / (loadMs / 1000))} rows/s`,
  )
  t = performance.now()
  db.pragma('optimize')
  log(`PRAGMA optimize (statistics for the planner): ${Math.round(performance.now() - t)} ms`)
  return { loadMs, timings, generateMs }
}

/** The hot queries, timed on an existing cache (run in a fresh process: no leftover heap). */
function measure(
  file: string,
  key: Buffer | undefined,
  now: number,
  log: (line: string) => void,
): Record<string, number> {
  const db = openStore(file, { key })
  try {
    const zoe = DEMO_AGENTS.find((a) => a.login === 'zoe.agent')!
    const scopes: Record<string, Scope> = {
      agent: { kind: 'teams', teamIds: zoe.teamIds },
      supervisor: { kind: 'all' },
    }
    const out: Record<string, number> = {}
    const report = (key: string, samples: number[], what: string) => {
      const p95 = percentile(samples, 95)
      out[key] = round(p95)
      log(`${what}: p50 ${round(percentile(samples, 50))} ms, p95 ${round(p95)} ms (${samples.length} runs)`)
      return p95
    }
    const empty: QueueFilter = {}
    const worst: Record<string, number> = {}
    const keepWorst = (key: string, v: number) => (worst[key] = Math.max(worst[key] ?? 0, v))

    for (const [who, scope] of Object.entries(scopes)) {
      const base = { scope, filter: empty, sort: 'created_desc' as const, limit: 100, now }
      keepWorst(
        'queue_page_p95_ms',
        report(
          `queue_page_${who}_p95_ms`,
          time(() => listQueue(db, { ...base, after: null }), 300),
          `queue first page, ${who}`,
        ),
      )
      const counts = countQueue(db, { scope, filter: empty, now })
      const deep = Math.floor(counts.total / 2)
      const atDeep = offsetQueuePage(db, { ...base, offset: deep - 1, limit: 1 })[0]!
      const cursor = cursorAfterRequest(db, 'created_desc', atDeep.id)!
      const keyset = listQueue(db, { ...base, after: cursor })
      const offset = offsetQueuePage(db, { ...base, offset: deep })
      if (keyset.rows.map((r) => r.id).join() !== offset.map((r) => r.id).join())
        throw new Error('keyset and OFFSET disagree on the deep page')
      keepWorst(
        'queue_deep_page_p95_ms',
        report(
          `queue_deep_page_${who}_p95_ms`,
          time(() => listQueue(db, { ...base, after: cursor }), 300),
          `queue page at row ${deep} by keyset, ${who}`,
        ),
      )
      keepWorst(
        'offset_deep_page_p95_ms',
        report(
          `offset_deep_page_${who}_p95_ms`,
          time(() => offsetQueuePage(db, { ...base, offset: deep }), 20, 2),
          `the same page by OFFSET, ${who}`,
        ),
      )
      for (const sort of ['due_asc', 'priority_desc', 'updated_desc'] as const)
        report(
          `queue_page_${sort}_${who}_p95_ms`,
          time(() => listQueue(db, { ...base, sort, after: null }), 100),
          `queue first page sorted ${sort}, ${who}`,
        )
      report(
        `queue_page_status_${who}_p95_ms`,
        time(() => listQueue(db, { ...base, filter: { status: ['waiting_citizen'] }, after: null }), 100),
        `queue first page, status waiting_citizen, ${who}`,
      )
      report(
        `queue_page_overdue_${who}_p95_ms`,
        time(() => listQueue(db, { ...base, filter: { overdue: true }, after: null }), 50),
        `queue first page, overdue, ${who}`,
      )
      keepWorst(
        'facet_counts_ms',
        report(
          `facet_counts_${who}_p95_ms`,
          time(() => countQueue(db, { scope, filter: empty, now }), 200),
          `counts per status + overdue, ${who}`,
        ),
      )
      report(
        `facet_counts_filtered_${who}_p95_ms`,
        time(
          () =>
            countQueue(db, {
              scope,
              filter: { categoryId: ['voirie', 'eclairage-public'], priority: ['high', 'urgent'] },
              now,
            }),
          100,
        ),
        `counts with category + priority filters, ${who}`,
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
      keepWorst(
        'fts_p95_ms',
        report(
          `fts_${who}_p95_ms`,
          time(
            (i) =>
              listQueue(db, { ...base, limit: 50, filter: { text: words[i % words.length] }, after: null }),
            320,
          ),
          `search, first 50 hits of ${words.join(' / ')}, ${who}`,
        ),
      )
      report(
        `fts_counts_${who}_p95_ms`,
        time((i) => countQueue(db, { scope, filter: { text: words[i % words.length] }, now }), 40, 8),
        `counts for a search, ${who}`,
      )
      const nancy = { minLat: 48.67, maxLat: 48.705, minLon: 6.15, maxLon: 6.21 }
      keepWorst(
        'viewport_query_p95_ms',
        report(
          `viewport_${who}_p95_ms`,
          time(() => listInViewport(db, { scope, bbox: nancy, limit: 5000 }), 200),
          `map viewport of Nancy (≤ 5000 points), ${who}`,
        ),
      )
    }
    return { ...out, ...Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, round(v)])) }
  } finally {
    db.close()
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  if (args.measure) {
    // Child: human lines on stderr, the figures as one JSON line on stdout.
    const hex = process.env[BENCH_KEY_ENV]
    const key = hex ? Buffer.from(hex, 'hex') : undefined
    const figures = measure(args.measure, key, NOW, args.json ? () => {} : (line) => console.error(line))
    console.log(JSON.stringify(figures))
    return
  }
  const log = args.json ? () => {} : (line: string) => console.log(line)
  const dir = mkdtempSync(join(tmpdir(), 'grc-bench-'))
  const file = join(dir, 'cache.db')
  // A throw-away key for a throw-away cache, handed to the measuring child.
  const key = args.plain ? undefined : randomBytes(32)
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
      [...process.execArgv, process.argv[1]!, '--measure', file, ...(args.json ? ['--json'] : [])],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 16 * 1024 * 1024,
        env: key ? { ...process.env, [BENCH_KEY_ENV]: key.toString('hex') } : process.env,
      },
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
      bulk_load_rows_per_s: Math.round(args.rows / (built.loadMs / 1000)),
      bulk_insert_rows_per_s: Math.round(args.rows / (built.timings.loadMs / 1000)),
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
