/**
 * `dashboard_p95_ms`: every figure of the default dashboard (the last twelve weeks, every
 * team) and of the last 30 days for a supervisor, through `core.invoke`. Target at 500k
 * cached requests: ≤ 100 ms. The first call builds the maintained counts (once per cache,
 * migration 0011): it is not timed, and its duration is logged.
 */
import type { BenchContext } from './benchFeatures'

const DAY_MS = 86_400_000
const day = (t: number) => new Date(t).toISOString().slice(0, 10)

export async function benchDashboard(ctx: BenchContext): Promise<void> {
  await ctx.loginAs('sara.sup')
  const queries = [
    { from: day(ctx.now - 83 * DAY_MS), to: day(ctx.now) },
    { from: day(ctx.now - 30 * DAY_MS), to: day(ctx.now) },
  ]
  const build = performance.now()
  await ctx.invoke('dashboard.figures', queries[0]!)
  ctx.log(
    `dashboard: counts built and first figures in ${Math.round(performance.now() - build)} ms (once per cache)`,
  )
  for (const q of queries) await ctx.invoke('dashboard.figures', q)
  const samples: number[] = []
  for (let i = 0; i < 40; i++) {
    const t = performance.now()
    await ctx.invoke('dashboard.figures', queries[i % queries.length]!)
    samples.push(performance.now() - t)
  }
  ctx.report(
    'dashboard_p95_ms',
    samples,
    'dashboard, all figures of the last 12 weeks and of the last 30 days, supervisor (every team)',
  )
}
