/**
 * `dispatch_board_p95_ms`: the lead's dispatch board (`dispatch.board`, issue 15) through
 * `core.invoke`: a lead's teams (Luc) and a supervisor's every team (Sara), the worse of the
 * two, each read with nothing kept from an earlier read (every team's requests changed
 * since: what a lead pays opening « Répartition »); `dispatch_board_refresh_p95_ms`, the same
 * read after a change in one of the board's teams (what each `requests.changed` costs: the
 * core keeps the other teams' recent work, migration 0021); and `dispatch_suggest_p95_ms`, a
 * suggestion for unassigned open requests of Luc's teams.
 */
import { percentile, timeAsync } from './benchCore'
import type { BenchContext } from './benchFeatures'

const BOARD_SAMPLES = 30
const SUGGEST_SAMPLES = 100

export async function benchDispatch(ctx: BenchContext): Promise<void> {
  const byWho: Record<'open' | 'refresh', number[][]> = { open: [], refresh: [] }
  for (const [who, login] of [
    ['lead', 'luc.lead'],
    ['supervisor', 'sara.sup'],
  ] as const) {
    await ctx.loginAs(login)
    const board = await ctx.invoke('dispatch.board', {})
    const teams = board.teams.map((t) => t.id)
    const read = () => ctx.invoke('dispatch.board', {})
    // Every team changed (as after a sync round that touched them all): nothing kept.
    const open = await timeAsync(read, BOARD_SAMPLES, undefined, () =>
      ctx.db.exec('UPDATE team_changes SET n = n + 1'),
    )
    ctx.report(
      `dispatch_board_${who}_p95_ms`,
      open,
      `the dispatch board, ${who} (${board.columns.length} columns)`,
    )
    // One request of one team written again (its triggers fire as for an assignment), a team in turn.
    const touch = ctx.db.prepare(
      `UPDATE requests SET updated_at = updated_at WHERE rowid = (SELECT rowid FROM requests WHERE team_id = ? LIMIT 1)`,
    )
    const refresh = await timeAsync(read, BOARD_SAMPLES, undefined, (i) => touch.run(teams[i % teams.length]))
    ctx.report(
      `dispatch_board_refresh_${who}_p95_ms`,
      refresh,
      `the dispatch board after a change in one team, ${who}`,
    )
    byWho.open.push(open)
    byWho.refresh.push(refresh)
  }
  const worst = (all: number[][]) => all.reduce((a, b) => (percentile(b, 95) > percentile(a, 95) ? b : a))
  ctx.report('dispatch_board_p95_ms', worst(byWho.open), 'the dispatch board, the worse of lead / supervisor')
  ctx.report(
    'dispatch_board_refresh_p95_ms',
    worst(byWho.refresh),
    'the dispatch board after a change in one team, the worse of lead / supervisor',
  )

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
