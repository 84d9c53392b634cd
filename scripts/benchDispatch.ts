/**
 * `dispatch_board_p95_ms`: the lead's dispatch board (`dispatch.board`, issue 15) through
 * `core.invoke`: a lead's teams (Luc) and a supervisor's every team (Sara), the worse of the
 * two; and `dispatch_suggest_p95_ms`, a suggestion for unassigned open requests of Luc's
 * teams. What a lead pays opening « Répartition », and at each `requests.changed` after.
 */
import { percentile, timeAsync } from './benchCore'
import type { BenchContext } from './benchFeatures'

const BOARD_SAMPLES = 30
const SUGGEST_SAMPLES = 100

export async function benchDispatch(ctx: BenchContext): Promise<void> {
  const byWho: number[][] = []
  for (const [who, login] of [
    ['lead', 'luc.lead'],
    ['supervisor', 'sara.sup'],
  ] as const) {
    await ctx.loginAs(login)
    let columns = 0
    const samples = await timeAsync(async () => {
      columns = (await ctx.invoke('dispatch.board', {})).columns.length
    }, BOARD_SAMPLES)
    ctx.report(`dispatch_board_${who}_p95_ms`, samples, `the dispatch board, ${who} (${columns} columns)`)
    byWho.push(samples)
  }
  const worst = byWho.reduce((a, b) => (percentile(b, 95) > percentile(a, 95) ? b : a))
  ctx.report('dispatch_board_p95_ms', worst, 'the dispatch board, the worse of lead / supervisor')

  await ctx.loginAs('luc.lead')
  const unassigned = ctx.db
    .prepare(
      `SELECT r.id FROM requests r JOIN teams t ON t.id = r.team_id
       WHERE t.code IN ('voirie', 'voirie-nord') AND r.status_kind = 'open' AND r.assignee_id IS NULL
       ORDER BY r.id LIMIT ?`,
    )
    .pluck()
    .all(SUGGEST_SAMPLES) as string[]
  if (unassigned.length === 0)
    return ctx.log('  no unassigned open request in Luc’s teams: no suggestion timed')
  ctx.report(
    'dispatch_suggest_p95_ms',
    await timeAsync(
      (i) => ctx.invoke('dispatch.suggest', { requestId: unassigned[i % unassigned.length]! }),
      SUGGEST_SAMPLES,
    ),
    'a suggested assignee for an unassigned request, lead',
  )
}
