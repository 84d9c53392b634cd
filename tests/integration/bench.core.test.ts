/**
 * The benchmark measures what a user pays: its figures go through a console core opened on
 * the cache it built (openBenchCore, scripts/benchCore.ts), logged in as a demo account,
 * with each answer passed through the structured clone IPC does. Here on a small cache:
 * the core sees the cache bench.ts fills, answers as the agent logged in, refuses what the
 * core refuses, and the feature benches get a context that reports figures.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { benchCache, openBenchCore, reporter, type BenchCore } from '../../scripts/benchCore'
import { seedDemo } from '../../src/main/cache/demoSeed'
import { openStore } from '../../src/main/cache/db'
import { pointsOfColumns } from '../../src/shared/contract'

const NOW = Date.UTC(2026, 2, 16, 10, 0)
const TERRITORY = { minLat: 48.5, maxLat: 48.9, minLon: 5.9, maxLon: 6.5 }

let dir: string
let core: BenchCore
const figures: Record<string, number> = {}
const lines: string[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'grc-bench-core-'))
  const { file, key } = benchCache(dir)
  const db = openStore(file, { key })
  seedDemo(db, { count: 300, seed: 5, now: NOW, history: false })
  db.close()
  core = await openBenchCore({
    dataDir: dir,
    now: NOW,
    report: reporter(figures, (l) => lines.push(l)),
    log: () => {},
  })
})
afterAll(async () => {
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the benchmark’s core', () => {
  it('opens the cache bench.ts built, with its key, and answers as the account logged in', async () => {
    await core.loginAs('sara.sup')
    const all = await core.invoke('queue.counts', { filter: {} })
    expect(all.total).toBe(300)
    await core.loginAs('zoe.agent')
    const page = await core.invoke('queue.list', { limit: 100 })
    expect(page.rows.length).toBeGreaterThan(0)
    expect(page.rows.every((r) => ['voirie', 'voirie-nord'].includes(r.teamId))).toBe(true)
    expect((await core.invoke('queue.counts', { filter: {} })).total).toBeLessThan(300)
  })

  it('hands over answers as IPC would, typed arrays kept through the structured clone', async () => {
    await core.loginAs('sara.sup')
    const points = await core.invoke('map.points', { bbox: TERRITORY, limit: 50_000 })
    expect(points.lat).toBeInstanceOf(Float64Array)
    expect(pointsOfColumns(points).length).toBeGreaterThan(100)
  })

  it('throws the core’s refusal instead of timing it', async () => {
    await expect(core.loginAs('nobody.here')).rejects.toThrow(/session\.login/)
    await expect(core.invoke('queue.list', { limit: 10 })).rejects.toThrow(/unauthenticated/)
    await expect(core.invoke('queue.list', { limit: 0 } as never)).rejects.toThrow(/invalid_input/)
  })

  it('gives feature benches a reporter: the p95 under the key, the p50 and p95 in the log', () => {
    const p95 = core.report('feature_x_p95_ms', [5, 1, 2, 3, 4, 6, 7, 8, 9, 10], 'feature x')
    expect(p95).toBe(10)
    expect(figures.feature_x_p95_ms).toBe(10)
    expect(lines.at(-1)).toMatch(/feature x: p50 5 ms, p95 10 ms \(10 runs\)/)
  })
})
