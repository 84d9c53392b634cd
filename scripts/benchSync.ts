/**
 * The sync figures of `npm run bench`, against the reference server over loopback HTTP:
 * - initial_sync_rows_per_s: a fresh console (a supervisor: every team) pulls N requests,
 *   from login until they are all in its cache (queue, counts, search and map usable);
 * - initial_sync_complete_rows_per_s: the same until their comments and history are in too;
 * - initial_sync_max_block_ms: the longest the event loop was held meanwhile (the UI's
 *   main process must stay responsive during the first download);
 * - edit_visible_p95_ms: an edit on console A until console B's cache has it, both online
 *   (A pushes on its own, the server nudges, B pulls).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseConfig } from '../src/core/config'
import { createConsole } from '../src/main/console'
import { spawn, type ChildProcess } from 'node:child_process'

const repoRoot = join(__dirname, '..')

async function openConsole(dir: string, name: string, serverUrl: string, login: string) {
  const config = parseConfig(
    {
      profile: { name, dataDir: join(dir, 'profiles') },
      demo: { seedWhenEmpty: false },
      sync: { serverUrl, intervalSeconds: 3600, timeoutSeconds: 120 },
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

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
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
): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'grc-bench-sync-'))
  const seeding = performance.now()
  const { url, child } = await startServerProcess(join(dir, 'server.db'), rows)
  const server = { url }
  log(`sync: server seeded with ${rows} requests in ${Math.round(performance.now() - seeding)} ms (${url})`)
  try {
    const sara = await openConsole(dir, 'sara', server.url, 'sara.sup')
    const loop = monitorEventLoopDelay({ resolution: 5 })
    loop.enable()
    let requestsIn: number | null = null
    // The queue is usable once the requests are in; their comments and history follow.
    sara.core.on('sync.changed', (status) => {
      if (requestsIn === null && status.initial?.phase === 'details') requestsIn = performance.now()
    })
    const started = performance.now()
    await sara.login()
    await sara.must('sync.now', {})
    const ms = performance.now() - started
    loop.disable()
    const pulled = sara.core.db.prepare('SELECT count(*) FROM requests').pluck().get() as number
    if (pulled !== rows) throw new Error(`initial sync pulled ${pulled} of ${rows} requests`)
    const history = sara.core.db.prepare('SELECT count(*) FROM history_events').pluck().get() as number
    const rate = Math.round(pulled / (((requestsIn ?? performance.now()) - started) / 1000))
    const completeRate = Math.round(pulled / (ms / 1000))
    log(
      `sync: initial sync of ${pulled} requests: in the queue at ${rate} rows/s; ` +
        `with their ${history} history events in ${Math.round(ms)} ms (${completeRate} rows/s)`,
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
      edit_visible_p50_ms: Math.round(percentile(samples, 50)),
      edit_visible_p95_ms: Math.round(p95),
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}

if (require.main === module) {
  const rows = Number(process.argv[2] ?? 100_000)
  syncFigures(rows, (line) => console.log(line))
    .then((figures) => console.log(JSON.stringify(figures, null, 2)))
    .catch((e: unknown) => {
      console.error(e)
      process.exit(1)
    })
}
