/**
 * The agents' search index (`requests_team_fts`, migration 0022) of a cache that held requests
 * before it came: its triggers keep what changes, this builds the rest in the background, a
 * step of requests at a time in rowid order, with a turn of the event loop between steps, so
 * that no search waits for it and no step holds the process for long (as the dashboard's
 * counts are built, queries/dashboard.ts). Searches read the cache's own index until it is
 * ready. A step skips the requests already indexed (changed since, by the triggers).
 */
import type { Db } from './db'
import { insertTeamFts } from './migrations/0022-team-search'
import { cached } from './statements'

/** Requests indexed per step: about 20 ms of work (folding, scoping, indexing their words). */
const BUILD_STEP = 500

const building = new WeakMap<Db, Promise<void>>()

/** One step: index the next BUILD_STEP requests after `through`; false once it is ready. */
function buildStep(db: Db): boolean {
  return db.transaction(() => {
    const state = cached(db, 'SELECT ready, through FROM team_search_state').get() as {
      ready: number
      through: number
    }
    if (state.ready === 1) return false
    const next = cached(
      db,
      'SELECT max(r) FROM (SELECT rowid AS r FROM requests WHERE rowid > ? ORDER BY rowid LIMIT ?)',
    )
      .pluck()
      .get(state.through, BUILD_STEP) as number | null
    if (next === null) {
      cached(db, 'UPDATE team_search_state SET ready = 1').run()
      return false
    }
    cached(
      db,
      insertTeamFts(`r.rowid > @through AND r.rowid <= @next
        AND NOT EXISTS (SELECT 1 FROM requests_team_fts_docsize d WHERE d.id = r.rowid)`),
    ).run({ through: state.through, next })
    cached(db, 'UPDATE team_search_state SET through = ?').run(next)
    return true
  })()
}

/**
 * Build what the agents' index lacks, in the background; resolves once it is ready (or the
 * cache closed meanwhile). One build at a time per cache (a second call joins the first).
 */
export function buildTeamSearch(db: Db, options: { onStep?: (ms: number) => void } = {}): Promise<void> {
  const running = building.get(db)
  if (running) return running
  const step = () => {
    const started = performance.now()
    const more = buildStep(db)
    // `onStep`: how long each step held the process (the bench's figure).
    options.onStep?.(performance.now() - started)
    return more
  }
  const build = (async () => {
    try {
      do await new Promise<void>((resolve) => setImmediate(resolve))
      while (db.open && step())
    } finally {
      building.delete(db)
    }
  })()
  building.set(db, build)
  return build
}
