/**
 * `seedDemo`: fill a cache with the demo profile (Métropole du Grand Nancy): reference
 * data, agents, citizens, and `count` requests with their histories and comments.
 * Deterministic: the same (count, seed, now) gives the same data.
 */
import { bulkLoad, type BulkLoadTimings } from './bulkLoad'
import type { Db } from './db'
import { insertCitizen } from './queries/citizens'
import { insertComment } from './queries/comments'
import { appendHistory } from './queries/history'
import { insertRequest } from './queries/requests'
import { generateCitizens, generateRequests } from '../../core/demo/generate'
import { demoReference, type SeedReferenceOptions } from '../../core/demo/reference'
import {
  upsertAgent,
  upsertCategory,
  upsertRoutingRule,
  upsertSector,
  upsertTeam,
  upsertWorkflowDefinition,
} from './queries/reference'

export { DEMO_AGENTS, DEMO_STAFF } from '../../core/demo/agents'
export { XSS_DESCRIPTION, XSS_REQUEST_ID } from '../../core/demo/generate'

/** Write the demo's reference data into the cache (idempotent: upserts). */
export function seedReferenceData(db: Db, options: SeedReferenceOptions = {}): { workflows: number } {
  const ref = demoReference(options)
  return db.transaction(() => {
    ref.teams.forEach((t) => upsertTeam(db, t))
    ref.categories.forEach((c) => upsertCategory(db, c))
    ref.sectors.forEach((s) => upsertSector(db, s))
    ref.routingRules.forEach((r) => upsertRoutingRule(db, r))
    ref.agents.forEach((a) => upsertAgent(db, a))
    ref.workflows.forEach((w) => upsertWorkflowDefinition(db, w.id, w.version, w.json))
    return { workflows: ref.workflows.length }
  })()
}

export interface SeedDemoOptions extends SeedReferenceOptions {
  /** How many requests. */
  count: number
  seed: number
  /** "Now" for the data (creation dates go back from it); defaults to the clock. */
  now?: number
  /** Histories and comments (default true); the benchmark's bulk load leaves them out. */
  history?: boolean
  /** Requests per transaction: big enough to amortise commits, small enough to bound the WAL. */
  batchSize?: number
}

export interface SeedDemoResult {
  requests: number
  citizens: number
  historyEvents: number
  comments: number
  workflows: number
  ms: number
  /** Of `ms`, generating the data (the demo's own cost, which a first download does not pay). */
  generateMs: number
  /**
   * Where the time went: inserting rows (generation included in `loadMs`), building
   * indexes, rebuilding the FTS/R*Tree/counts.
   */
  timings: BulkLoadTimings
}

/**
 * Seed the demo data into `db`, normally an empty cache (bulk path; references restart at
 * 1 each year, so seeding twice would collide on references). Citizens go in first so each
 * request's citizen name is in the search index.
 */
export function seedDemo(db: Db, options: SeedDemoOptions): SeedDemoResult {
  const started = performance.now()
  const now = options.now ?? Date.now()
  const withHistory = options.history ?? true
  const batchSize = options.batchSize ?? 10_000
  const { workflows } = seedReferenceData(db, options)

  let generating = performance.now()
  const citizens = generateCitizens(Math.round(options.count * 0.45), options.seed)
  let requests = 0
  let historyEvents = 0
  let comments = 0
  const generator = generateRequests({
    count: options.count,
    seed: options.seed,
    now,
    citizenIds: citizens.map((c) => c.id),
    history: withHistory,
  })
  let generateMs = performance.now() - generating
  const insertBatch = db.transaction(() => {
    for (let n = 0; n < batchSize; n++) {
      generating = performance.now()
      const next = generator.next()
      generateMs += performance.now() - generating
      if (next.done) return false
      const { row, history, comments: notes } = next.value
      insertRequest(db, row)
      for (const event of history) appendHistory(db, event)
      for (const comment of notes) insertComment(db, comment)
      requests++
      historyEvents += history.length
      comments += notes.length
    }
    return true
  })
  const load = () => {
    db.transaction(() => citizens.forEach((c) => insertCitizen(db, c)))()
    while (insertBatch()) {
      /* one transaction per batch */
    }
  }
  const empty = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM requests)').pluck().get() === 1
  let timings: BulkLoadTimings
  if (empty) timings = bulkLoad(db, load).timings
  else {
    // Requests already there: the triggers keep the derived data in step, row by row.
    const t = performance.now()
    load()
    timings = { loadMs: performance.now() - t, indexesMs: 0, derivedMs: 0, phases: {} }
  }
  db.pragma('optimize')
  return {
    requests,
    citizens: citizens.length,
    historyEvents,
    comments,
    workflows,
    ms: Math.round(performance.now() - started),
    generateMs: Math.round(generateMs),
    timings,
  }
}
