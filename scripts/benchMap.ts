/**
 * The map figures of `npm run bench`: the median time to draw one frame while zooming from
 * the whole territory to street level and back and panning at several zooms, over N points
 * (default 200 000), in Debian's Chromium with WebGL (SwiftShader):
 * - map_frame_ms_webgl: our map (OlMap + RequestPointsLayer: supercluster, WebGL dots);
 * - map_frame_ms_cluster_baseline: the same points in a plain `ol/source/Cluster` on a canvas layer;
 * - map_frame_speedup: baseline ÷ ours (target ≥ 10);
 * - map_{zoom,pan}_frame_ms_*: the same medians for zooms and pans alone (the overall one
 *   depends on their mix: 28 zooms, 20 pans);
 * - map_setup_ms_*: from mounting to the first complete frame (index or clusters built).
 * A frame runs from the view change until the map is drawn with everything it set off (our
 * `moveend` redraw, the WebGL worker's buffers, Chromium handing the canvases to the GPU).
 * Both modes run in the same Chromium, each in a fresh page. The page is bench/map, built
 * here with vite.
 *
 * Alone: `npx tsx scripts/benchMap.ts [--points N] [--json] [--verbose]` (--verbose: each frame).
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize, sep } from 'node:path'
import vue from '@vitejs/plugin-vue'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../tests/support/chromium'
import { build } from 'vite'
import type { MapBenchApi, MapBenchFrame, MapBenchMode, MapBenchResult } from '../bench/map/result'
import web from '../vite.web.config'

const repoRoot = join(__dirname, '..')

/** Compiled the way the renderer is (same compile-time flags), into a temp folder. */
async function buildPage(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: join(repoRoot, 'bench', 'map'),
    base: './',
    logLevel: 'warn',
    publicDir: false,
    plugins: [vue()],
    define: web.define,
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: false,
      modulePreload: { polyfill: false },
      chunkSizeWarningLimit: 10_000,
    },
  })
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
}

/** Module scripts want http(s) and a JavaScript MIME type: a tiny static server on loopback. */
async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)))
    const file = path.endsWith(sep) ? join(path, 'index.html') : path
    if (!file.startsWith(dir + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server }
}

async function runMode(
  browser: Browser,
  url: string,
  mode: MapBenchMode,
  points: number,
): Promise<MapBenchResult> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
  try {
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${url}index.html?mode=${mode}&points=${points}`)
    await page.waitForFunction(() => 'mapBench' in globalThis, null, { timeout: 30_000 })
    try {
      return await page.evaluate(() => (globalThis as unknown as { mapBench: MapBenchApi }).mapBench.run())
    } catch (e) {
      throw new Error(
        `${mode}: ${(e as Error).message}${errors.length ? ` (page errors: ${errors.join('; ')})` : ''}`,
        { cause: e },
      )
    }
  } finally {
    await context.close()
  }
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function summary(result: MapBenchResult): string {
  const all = result.frames.map((f) => f.ms)
  const of = (kind: 'zoom' | 'pan') => result.frames.filter((f) => f.kind === kind).map((f) => f.ms)
  const slowest = result.frames.reduce((a, b) => (b.ms > a.ms ? b : a))
  return (
    `median ${round(median(all))} ms (zooms ${round(median(of('zoom')))}, pans ${round(median(of('pan')))}), ` +
    `p95 ${round(percentile(all, 95))} ms, slowest ${round(slowest.ms)} ms (${slowest.label}); ` +
    `setup ${Math.round(result.setupMs)} ms; ${result.frames.length} frames`
  )
}

export async function mapFigures(opts: {
  points: number
  log: (line: string) => void
  /** Also log each frame. */
  verbose?: boolean
}): Promise<Record<string, number>> {
  const { points, log } = opts
  const details = (result: MapBenchResult) => {
    if (opts.verbose) frameLines(result).forEach((line) => log(line))
  }
  const dir = mkdtempSync(join(tmpdir(), 'grc-bench-map-'))
  const started = performance.now()
  try {
    const outDir = join(dir, 'page')
    await buildPage(outDir)
    log(`map: bench page built in ${Math.round(performance.now() - started)} ms`)
    const { url, server } = await serve(outDir)
    const browser = await launchChromium({ webgl: true })
    try {
      const ours = await runMode(browser, url, 'webgl', points)
      log(`map: WebGL renderer ${ours.webglRenderer}`)
      details(ours)
      log(`map: ours (WebGL + supercluster), ${points} points: ${summary(ours)}`)
      const baseline = await runMode(browser, url, 'baseline', points)
      details(baseline)
      log(`map: baseline (ol/source/Cluster + canvas), ${points} points: ${summary(baseline)}`)
      const ms = (result: MapBenchResult, kind?: MapBenchFrame['kind']) =>
        result.frames.filter((f) => !kind || f.kind === kind).map((f) => f.ms)
      const oursMedian = median(ms(ours))
      const baselineMedian = median(ms(baseline))
      log(
        `map: ${round(baselineMedian / oursMedian, 1)}× faster per frame (target ≥ 10×), ` +
          `run ${Math.round((performance.now() - started) / 1000)} s`,
      )
      return {
        map_points: points,
        map_frame_ms_webgl: round(oursMedian),
        map_frame_ms_cluster_baseline: round(baselineMedian),
        map_frame_speedup: round(baselineMedian / oursMedian, 1),
        map_frame_p95_ms_webgl: round(percentile(ms(ours), 95)),
        map_frame_p95_ms_cluster_baseline: round(percentile(ms(baseline), 95)),
        // The median depends on the mix of zooms and pans: each kind on its own.
        map_zoom_frame_ms_webgl: round(median(ms(ours, 'zoom'))),
        map_zoom_frame_ms_cluster_baseline: round(median(ms(baseline, 'zoom'))),
        map_pan_frame_ms_webgl: round(median(ms(ours, 'pan'))),
        map_pan_frame_ms_cluster_baseline: round(median(ms(baseline, 'pan'))),
        map_setup_ms_webgl: Math.round(ours.setupMs),
        map_setup_ms_cluster_baseline: Math.round(baseline.setupMs),
      }
    } finally {
      await browser.close()
      await new Promise((resolve) => server.close(resolve))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** One line per frame: where the time of each went. */
function frameLines(result: MapBenchResult): string[] {
  return result.frames.map(
    (f) =>
      `  ${result.mode} ${f.label}: ${round(f.ms, 1)} ms = ${f.renders} renders ${round(f.renderMs, 1)} ms` +
      ` + waited ${round(f.waitedMs, 1)} ms + flush ${round(f.flushMs, 1)} ms; ${f.drawn} drawn`,
  )
}

function parseArgs(argv: string[]): { points: number; json: boolean; verbose: boolean } {
  const args = { points: 200_000, json: false, verbose: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--json') args.json = true
    else if (arg === '--verbose') args.verbose = true
    else if (arg === '--points') {
      const v = argv[++i]
      const n = Number(v)
      if (!Number.isSafeInteger(n) || n < 1)
        throw new Error(`--points expects a whole number, got ${v ?? 'nothing'}`)
      args.points = n
    } else throw new Error(`unknown argument ${arg} (expected --points N, --json, --verbose)`)
  }
  return args
}

if (require.main === module) {
  const args = parseArgs(process.argv.slice(2))
  const log = args.json ? () => {} : (line: string) => console.log(line)
  mapFigures({ points: args.points, log, verbose: args.verbose })
    .then((figures) => console.log(args.json ? JSON.stringify(figures) : JSON.stringify(figures, null, 2)))
    .catch((e: unknown) => {
      console.error(`bench map: ${(e as Error).message}`)
      process.exit(1)
    })
}
