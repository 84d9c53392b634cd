/**
 * The demo authority on a server store (`--demo`, either database): its reference data,
 * citizens, and `count` requests with their histories and comments, in multi-row
 * statements; then every request takes its place in the change feed, reference data first
 * (a console knows the categories and teams before their requests).
 */
import { demoReference, type SeedReferenceOptions } from '../../core/demo/reference'
import { generateCitizens, generateRequests } from '../../core/demo/generate'
import type { Citizen } from '../../shared/domain'
import { putReferenceItem, putWorkflow, upsertAgent } from './reference'
import { citizenGrams } from './citizenSearch'
import { citizenParams, COMMENT_COLUMNS, HISTORY_COLUMNS, REQUEST_COLUMNS, requestParams } from './rows'
import { insertRows, type Sql, type SqlDatabase, type SqlParam } from './sql/client'

export interface ServerDemoOptions extends SeedReferenceOptions {
  count: number
  seed: number
  now: number
}

/** Write the demo's reference data (upserts) in `tx`. */
export async function writeDemoReference(tx: Sql, options: SeedReferenceOptions = {}): Promise<void> {
  const ref = demoReference(options)
  for (const t of ref.teams) await putReferenceItem(tx, 'team', t.id, t)
  for (const c of ref.categories) await putReferenceItem(tx, 'category', c.id, c)
  for (const s of ref.sectors) await putReferenceItem(tx, 'sector', s.id, s)
  for (const r of ref.routingRules) await putReferenceItem(tx, 'routing_rule', r.id, r)
  for (const w of ref.workflows) await putWorkflow(tx, w)
  for (const a of ref.agents) await upsertAgent(tx, a)
}

/** Any constant: the lock instances starting together take turns on to seed. */
const SEED_LOCK = 0x67_72_63_02

/**
 * Seed the demo authority into a new server store. Only into a new one: an authority's own
 * data is never mixed with the demo, and an instance that starts second finds it there.
 */
export async function seedServerDemo(
  db: SqlDatabase,
  options: ServerDemoOptions,
): Promise<{ requests: number }> {
  return db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [SEED_LOCK])
    const used = await tx.get(
      'SELECT 1 AS x FROM reference_items UNION ALL SELECT 1 FROM requests UNION ALL SELECT 1 FROM citizens LIMIT 1',
    )
    if (used) return { requests: 0 }
    await writeDemoReference(tx, options)
    const citizens: Citizen[] = generateCitizens(Math.round(options.count * 0.45), options.seed)
    await insertRows(
      tx,
      'citizens',
      ['id', 'name', 'email', 'phone', 'postal_address', 'contact_preference'],
      citizens.map(citizenParams),
    )
    // The DPO's search finds them at once: their grams in the same multi-row statements.
    await insertRows(
      tx,
      'citizen_search',
      ['gram', 'field', 'citizen_id'],
      citizens.flatMap((c) => citizenGrams(c).map(([gram, field]): SqlParam[] => [gram, field, c.id])),
    )
    let requests = 0
    const lastByYear = new Map<number, number>()
    const batch = { requests: [] as SqlParam[][], history: [] as SqlParam[][], comments: [] as SqlParam[][] }
    const flush = async () => {
      await insertRows(tx, 'requests', REQUEST_COLUMNS, batch.requests)
      await insertRows(tx, 'history_events', HISTORY_COLUMNS, batch.history)
      await insertRows(tx, 'comments', COMMENT_COLUMNS, batch.comments)
      batch.requests = []
      batch.history = []
      batch.comments = []
    }
    for (const { row, history, comments } of generateRequests({
      count: options.count,
      seed: options.seed,
      now: options.now,
      citizenIds: citizens.map((c) => c.id),
      history: true,
    })) {
      batch.requests.push(requestParams(row))
      for (const e of history)
        batch.history.push([
          e.requestId,
          e.kind,
          e.at,
          e.actorId,
          e.actorName,
          JSON.stringify(e.data),
          e.mutationId ?? null,
        ])
      for (const c of comments)
        batch.comments.push([
          c.id,
          c.requestId,
          c.kind,
          c.body,
          c.authorId,
          c.authorName,
          typeof c.createdAt === 'number' ? c.createdAt : Date.parse(c.createdAt),
        ])
      const [, year, n] = /^GRC-(\d{4})-(\d+)$/.exec(row.reference) ?? []
      if (year && n) lastByYear.set(Number(year), Math.max(lastByYear.get(Number(year)) ?? 0, Number(n)))
      if (batch.requests.length >= 1000) await flush()
      requests++
    }
    await flush()
    for (const [year, last] of lastByYear)
      await tx.run(
        `INSERT INTO reference_counters (year, last) VALUES (?, ?)
         ON CONFLICT (year) DO UPDATE SET last = excluded.last`,
        [year, last],
      )
    await rebuildChangeFeed(tx)
    return { requests }
  })
}

/** Give the reference data and every request their place in the feed, in creation order. */
export async function rebuildChangeFeed(tx: Sql): Promise<void> {
  await tx.run('DELETE FROM change_scope')
  await tx.run("INSERT INTO change_scope (scope, entity, entity_id, seq) VALUES ('*', 'reference', 'all', 1)")
  await tx.run(
    `INSERT INTO change_scope (scope, entity, entity_id, seq)
     SELECT team_id, 'request', id, 1 + row_number() OVER (ORDER BY n) FROM requests`,
  )
  await tx.run('UPDATE change_counter SET seq = (SELECT count(*) FROM requests) + 1')
}
