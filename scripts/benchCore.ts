/**
 * The benchmark's way in: a console core opened on the benchmark's cache (the profile folder
 * bench.ts builds it in), called as the renderer calls it over IPC — `core.invoke` (zod in and
 * out, the handler), then the Result through V8's structured serialisation, which is what
 * Electron's IPC does on the way to the renderer. Timing helpers shared by bench.ts and the
 * feature benches (benchFeatures.ts) live here too.
 */
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { deserialize, serialize } from 'node:v8'
import { parseConfig } from '../src/core/config'
import type { AppConfig } from '../src/core/config'
import { profileCacheKey } from '../src/main/cache/cacheKey'
import { createConsole, profileCachePath } from '../src/main/console'
import type { ChannelName, InputOf, OutputOf } from '../src/shared/contract'
import type { Result } from '../src/shared/result'
import type { BenchContext } from './benchFeatures'

const repoRoot = resolve(__dirname, '..')
export const BENCH_PASSWORD = 'demo'

/** The configuration of the benchmark's profile: no seeding (the bench fills it), no idle lock. */
export function benchConfig(dataDir: string): AppConfig {
  return parseConfig(
    { profile: { name: 'bench', dataDir }, demo: { seedWhenEmpty: false }, auth: { idleLockMinutes: 0 } },
    'bench',
  )
}

/** Where the benchmark's cache lives and the key a console will open it with (made on first call). */
export function benchCache(dataDir: string): { file: string; key: Buffer } {
  const file = profileCachePath(benchConfig(dataDir), dataDir)
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  return { file, key: profileCacheKey(dirname(file), { kind: 'key-file' }).key }
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

/** Run `fn` `warmup` times untimed, then `reps` times; the timings in ms. */
export function time(fn: (i: number) => unknown, reps: number, warmup = Math.ceil(reps / 10)): number[] {
  for (let i = 0; i < warmup; i++) fn(i)
  const samples: number[] = []
  for (let i = 0; i < reps; i++) {
    const t = performance.now()
    fn(i)
    samples.push(performance.now() - t)
  }
  return samples
}

/** `time` for calls that answer a promise (through `invoke`); `before`, untimed, ahead of each call. */
export async function timeAsync(
  fn: (i: number) => Promise<unknown>,
  reps: number,
  warmup = Math.ceil(reps / 10),
  before: (i: number) => void = () => {},
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) {
    before(i)
    await fn(i)
  }
  const samples: number[] = []
  for (let i = 0; i < reps; i++) {
    before(i)
    const t = performance.now()
    await fn(i)
    samples.push(performance.now() - t)
  }
  return samples
}

/**
 * Two ways to the same answer timed turn by turn, so both see the same page cache and heap
 * (one after the other, the second pays for the garbage and evictions of the first).
 */
export async function timePair(
  first: (i: number) => unknown,
  second: (i: number) => Promise<unknown>,
  reps: number,
  warmup = Math.ceil(reps / 10),
): Promise<[number[], number[]]> {
  for (let i = 0; i < warmup; i++) {
    first(i)
    await second(i)
  }
  const a: number[] = []
  const b: number[] = []
  for (let i = 0; i < reps; i++) {
    let t = performance.now()
    first(i)
    a.push(performance.now() - t)
    t = performance.now()
    await second(i)
    b.push(performance.now() - t)
  }
  return [a, b]
}

/** What a figure reporter writes to: key → p95 (ms). */
export function reporter(out: Record<string, number>, log: (line: string) => void) {
  return (key: string, samples: number[], what: string) => {
    const p95 = percentile(samples, 95)
    out[key] = round(p95)
    // The process's resident memory after each figure: which path makes `core_rss_mb` grow.
    const rss = Math.round(process.memoryUsage.rss() / 2 ** 20)
    log(
      `${what}: p50 ${round(percentile(samples, 50))} ms, p95 ${round(p95)} ms (${samples.length} runs) · rss ${rss} MB`,
    )
    return p95
  }
}

export type BenchCore = BenchContext & { close(): Promise<void> }

/**
 * A console core on the cache bench.ts built under `dataDir`; `invoke` answers the value the
 * renderer would receive, or throws with the core's error (a bench never times a refusal).
 */
export async function openBenchCore(options: {
  dataDir: string
  now: number
  report: BenchContext['report']
  log: BenchContext['log']
}): Promise<BenchCore> {
  const { dataDir, now } = options
  const core = await createConsole({
    config: benchConfig(dataDir),
    resourcesDir: resolve(repoRoot, 'resources'),
    userDataDir: dataDir,
    now: () => now,
    demoAccounts: true,
    // What a packaged console checks (src/main/app/start.ts): the big read channels in constant time.
    outputCheck: 'cheap',
  })
  const invoke = async <C extends ChannelName>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> => {
    // What Electron's IPC does with the reply: V8's structured serialisation, then back.
    const result = deserialize(serialize(await core.invoke(channel, input))) as Result<OutputOf<C>>
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`)
    return result.value
  }
  return {
    invoke,
    loginAs: async (login) => {
      await invoke('session.logout', {})
      await invoke('session.login', { login, password: BENCH_PASSWORD })
    },
    db: core.db,
    now,
    report: options.report,
    log: options.log,
    close: () => core.close(),
  }
}
