/**
 * `duplicates_p95_ms`: the likely duplicates of an open request (the detail pane's panel),
 * through `core.invoke`, for an agent (two teams) and a supervisor (every team: the most
 * candidates), the worse of the two. Target at 500k cached requests: ≤ 50 ms.
 * Beside it: `duplicates_draft_p95_ms` (the intake form with a place) and
 * `duplicates_draft_text_p95_ms` (an unplaced one, by its words through the full-text index).
 */
import type { BenchContext } from './benchFeatures'

const SAMPLES = 200

/** Open located requests spread over the cache (every k-th by rowid), of `teams` or any team. */
function openRequests(ctx: BenchContext, teams: readonly string[] | null, count: number): string[] {
  const inTeams = teams ? `AND team_id IN (${teams.map(() => '?').join(', ')})` : ''
  const total = ctx.db
    .prepare(`SELECT count(*) FROM requests WHERE status_kind = 'open' AND lat IS NOT NULL ${inTeams}`)
    .pluck()
    .get(...(teams ?? [])) as number
  const step = Math.max(1, Math.floor(total / count))
  return ctx.db
    .prepare(
      `SELECT id FROM (SELECT id, row_number() OVER (ORDER BY rowid) AS n FROM requests
         WHERE status_kind = 'open' AND lat IS NOT NULL ${inTeams}) WHERE n % ? = 0 LIMIT ?`,
    )
    .pluck()
    .all(...(teams ?? []), step, count) as string[]
}

async function timed(count: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(count, 20); i++) await call(i)
  const samples: number[] = []
  for (let i = 0; i < count; i++) {
    const t = performance.now()
    await call(i)
    samples.push(performance.now() - t)
  }
  return samples
}

export async function benchDuplicates(ctx: BenchContext): Promise<void> {
  let worst = 0
  let worstSamples: number[] = []
  for (const [who, login, teams] of [
    ['agent', 'zoe.agent', ['voirie', 'voirie-nord']],
    ['supervisor', 'sara.sup', null],
  ] as const) {
    await ctx.loginAs(login)
    const ids = openRequests(ctx, teams, SAMPLES)
    if (ids.length === 0) throw new Error(`no open located request for ${login}`)
    let found = 0
    const samples = await timed(SAMPLES, async (i) => {
      found += (await ctx.invoke('duplicates.ofRequest', { id: ids[i % ids.length]! })).candidates.length
    })
    const p95 = ctx.report(
      `duplicates_${who}_p95_ms`,
      samples,
      `likely duplicates of an open request, ${who}`,
    )
    ctx.log(`  ${(found / (SAMPLES + Math.min(SAMPLES, 20))).toFixed(1)} candidates per request on average`)
    if (p95 >= worst) {
      worst = p95
      worstSamples = samples
    }
  }
  ctx.report(
    'duplicates_p95_ms',
    worstSamples,
    'likely duplicates of an open request, the worse of agent / supervisor',
  )

  // The intake form, as an agent types: the place and category of existing requests (every
  // 97th first, spread over the cache; any when a small cache has too few), a new text.
  await ctx.loginAs('zoe.agent')
  const drafts = ctx.db
    .prepare(
      `SELECT category_id AS categoryId, lat, lon FROM requests
       WHERE lat IS NOT NULL AND team_id IN ('voirie', 'voirie-nord')
       ORDER BY rowid % 97 <> 0 LIMIT ?`,
    )
    .all(SAMPLES) as { categoryId: string; lat: number; lon: number }[]
  if (drafts.length === 0) return ctx.log('  no placed request in Zoé’s teams: no draft timed')
  ctx.report(
    'duplicates_draft_p95_ms',
    await timed(SAMPLES, (i) => {
      const d = drafts[i % drafts.length]!
      return ctx.invoke('duplicates.forDraft', {
        categoryId: d.categoryId,
        location: { lat: d.lat, lon: d.lon },
        text: 'Nid-de-poule profond sur la chaussée devant le numéro 12',
      })
    }),
    'likely duplicates of a placed draft at intake, agent',
  )
  const texts = [
    'Acte de naissance pour un mariage',
    'Copie intégrale d’acte de décès',
    'Livret de famille perdu',
  ]
  await ctx.loginAs('sara.sup')
  ctx.report(
    'duplicates_draft_text_p95_ms',
    await timed(SAMPLES / 2, (i) =>
      ctx.invoke('duplicates.forDraft', {
        categoryId: 'etat-civil',
        location: null,
        text: texts[i % texts.length]!,
      }),
    ),
    'likely duplicates of an unplaced draft (by its words), supervisor',
  )
}
