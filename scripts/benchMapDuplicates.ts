/**
 * `map_duplicates_p95_ms`: the duplicate links of the map's view (`map.duplicateLinks`,
 * issue 14) through `core.invoke`, for an agent (two teams) and a supervisor (every team),
 * the worse of the two, over views of a district at the zoom the links are first drawn at
 * (DuplicateLinksLayer.vue: zoom 14, about 0.14° by 0.06° on a desktop screen) spread over
 * the metropole. Beside it: `map_duplicates_metropole_p95_ms`, the whole metropole for a
 * supervisor (the most groups, up to the cap).
 */
import { percentile, timeAsync } from './benchCore'
import type { BenchContext } from './benchFeatures'

const SAMPLES = 200
const VIEW = { lat: 0.06, lon: 0.14 }
const METROPOLE = { minLat: 48.6, maxLat: 48.76, minLon: 6.05, maxLon: 6.3 }

/** Views of a district, their centres on a grid over the metropole. */
function districtViews(count: number) {
  const side = Math.ceil(Math.sqrt(count))
  return Array.from({ length: count }, (_, i) => {
    const lat = METROPOLE.minLat + ((i % side) + 0.5) * ((METROPOLE.maxLat - METROPOLE.minLat) / side)
    const lon =
      METROPOLE.minLon + (Math.floor(i / side) + 0.5) * ((METROPOLE.maxLon - METROPOLE.minLon) / side)
    return {
      minLat: lat - VIEW.lat / 2,
      maxLat: lat + VIEW.lat / 2,
      minLon: lon - VIEW.lon / 2,
      maxLon: lon + VIEW.lon / 2,
    }
  })
}

export async function benchMapDuplicates(ctx: BenchContext): Promise<void> {
  const linked = ctx.db
    .prepare(`SELECT count(*) FROM requests WHERE json_extract(fields, '$.duplicateOf') IS NOT NULL`)
    .pluck()
    .get() as number
  ctx.log(`  ${linked} requests linked as duplicates in the cache`)
  const views = districtViews(25)
  const byWho: number[][] = []
  for (const [who, login] of [
    ['agent', 'zoe.agent'],
    ['supervisor', 'sara.sup'],
  ] as const) {
    await ctx.loginAs(login)
    let groups = 0
    const samples = await timeAsync(async (i) => {
      groups += (await ctx.invoke('map.duplicateLinks', { bbox: views[i % views.length]! })).groups.length
    }, SAMPLES)
    ctx.report(`map_duplicates_${who}_p95_ms`, samples, `duplicate links of a district view, ${who}`)
    ctx.log(`  ${(groups / (SAMPLES * 1.1)).toFixed(1)} groups per view on average`)
    byWho.push(samples)
  }
  const worst = byWho.reduce((a, b) => (percentile(b, 95) > percentile(a, 95) ? b : a))
  ctx.report(
    'map_duplicates_p95_ms',
    worst,
    'duplicate links of a district view, the worse of agent / supervisor',
  )
  await ctx.loginAs('sara.sup')
  ctx.report(
    'map_duplicates_metropole_p95_ms',
    await timeAsync(() => ctx.invoke('map.duplicateLinks', { bbox: METROPOLE }), SAMPLES / 4),
    'duplicate links of the whole metropole (up to the cap), supervisor',
  )
}
