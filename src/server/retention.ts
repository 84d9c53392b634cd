/**
 * The server's daily retention run (RGPD art. 5(1)(e)): once a day, at
 * `privacy.retention.runAt` Europe/Paris, what `applyRetention` does (closed requests past
 * their delays anonymised or deleted, the access log purged). Started by `npm run server`
 * (cli.ts `serve`), never by `startServer`, so tests decide when it runs.
 *
 * Several instances on one PostgreSQL database: each checks every few minutes whether the
 * last run (`server_info.retention_last_run`) is older than the latest scheduled time; one
 * wins the lease (`server_info.retention_lease`, taken by a compare-and-set UPDATE, with an
 * expiry so a crashed instance does not keep it) and runs; the others see the run recorded.
 * It logs counts only, never a name or a reference.
 */
import { randomUUID } from 'node:crypto'
import type { RetentionReport, ServerRetentionPolicy } from './store/retention'
import type { ServerStore } from './store/types'
import type { SqlDatabase } from './store/sql/client'

const LAST_RUN = 'retention_last_run'
const LEASE = 'retention_lease'
/** How long a lease holds without being released (a run of a big database included). */
export const LEASE_MS = 60 * 60_000
/** How often an instance looks whether a run is due. */
export const CHECK_EVERY_MS = 5 * 60_000

// --- Europe/Paris wall-clock time ----------------------------------------------------------------

const PARIS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

/** Paris's wall clock at `ms`, as if it were UTC (its offset is the difference). */
function parisAsUtc(ms: number): number {
  const p = Object.fromEntries(PARIS.formatToParts(new Date(ms)).map((x) => [x.type, x.value]))
  return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!)
}

/** The instant Paris's clocks read `y-m-d hh:mm` (in a spring-forward gap: about an hour later). */
function parisInstant(y: number, m: number, d: number, hh: number, mm: number): number {
  const wall = Date.UTC(y, m, d, hh, mm)
  let t = wall - (parisAsUtc(wall) - wall)
  t = wall - (parisAsUtc(t) - t)
  return t
}

/** The latest time at or before `now` when Paris's clocks read `runAt` (HH:MM). */
export function lastScheduledRun(now: number, runAt: string): number {
  const [hh, mm] = runAt.split(':').map(Number) as [number, number]
  const today = new Date(parisAsUtc(now))
  const [y, m, d] = [today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()]
  const at = parisInstant(y, m, d, hh, mm)
  return at <= now ? at : parisInstant(y, m, d - 1, hh, mm)
}

// --- the lease -----------------------------------------------------------------------------------

async function info(db: SqlDatabase, key: string): Promise<string | null> {
  return (
    (await db.get<{ value: string }>('SELECT value FROM server_info WHERE key = ?', [key]))?.value ?? null
  )
}

/** The lease's value: its owner and until when it holds ("" when free). */
const leaseValue = (owner: string, until: number) => `${owner}|${until}`

/**
 * Take the lease for `owner` until `now + LEASE_MS` unless another owner holds it unexpired:
 * a compare-and-set on the value read, so of two instances at once only one wins.
 */
export async function takeLease(db: SqlDatabase, owner: string, now: number): Promise<boolean> {
  await db.run(`INSERT INTO server_info (key, value) VALUES (?, '') ON CONFLICT (key) DO NOTHING`, [LEASE])
  const current = (await info(db, LEASE)) ?? ''
  const [holder, until] = current.split('|')
  if (current !== '' && holder !== owner && Number(until) > now) return false
  const changed = await db.run('UPDATE server_info SET value = ? WHERE key = ? AND value = ?', [
    leaseValue(owner, now + LEASE_MS),
    LEASE,
    current,
  ])
  return changed === 1
}

/** Give the lease back (only if `owner` still holds it). */
export async function releaseLease(db: SqlDatabase, owner: string): Promise<void> {
  await db.run(`UPDATE server_info SET value = '' WHERE key = ? AND value LIKE ?`, [LEASE, `${owner}|%`])
}

/** When the last run started (epoch ms), or null. */
export async function lastRetentionRun(db: SqlDatabase): Promise<number | null> {
  const v = await info(db, LAST_RUN)
  return v === null ? null : Number(v)
}

export interface RetentionRunOptions {
  store: ServerStore
  policy: ServerRetentionPolicy
  /** This instance, in the lease. */
  owner: string
  now: number
}

/**
 * The run due at `now`, if any and if this instance wins the lease: its report; null when
 * nothing is due or another instance runs it.
 */
export async function runDueRetention(options: RetentionRunOptions): Promise<RetentionReport | null> {
  const { store, policy, owner, now } = options
  const db = store.sql
  const scheduled = lastScheduledRun(now, policy.retention.runAt)
  const recordRun = (at: number) =>
    db.run(`INSERT INTO server_info (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, [
      LAST_RUN,
      String(at),
    ])
  // A server that never ran it starts counting now: its first run is at the next scheduled
  // time (a known hour, outside office hours), not in the middle of its first start.
  // `retention` runs it at once when IT wants it.
  if ((await lastRetentionRun(db)) === null) {
    await recordRun(now)
    return null
  }
  const isDue = async () => ((await lastRetentionRun(db)) ?? -Infinity) < scheduled
  if (!(await isDue())) return null
  if (!(await takeLease(db, owner, now))) return null
  try {
    // Another instance may have finished between the check and the lease.
    if (!(await isDue())) return null
    const report = await store.applyRetention(policy, now)
    await db.run(
      `INSERT INTO server_info (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [LAST_RUN, String(now)],
    )
    return report
  } finally {
    await releaseLease(db, owner)
  }
}

/** A run's counts for the log: never a name, a reference or an id. */
export const describeReport = (r: RetentionReport) =>
  `retention: ${r.anonymised} anonymised, ${r.deleted} deleted, ${r.held} kept by a legal hold, ` +
  `${r.citizensAnonymised} citizens anonymised, ${r.accessLogPurged} access-log entries purged`

export interface RetentionSchedule {
  /** Check now (tests; the timer calls it too). */
  tick(): Promise<RetentionReport | null>
  stop(): Promise<void>
}

/** Check every `CHECK_EVERY_MS` (and at once) whether the day's run is due; run it if this instance wins. */
export function startRetentionSchedule(options: {
  store: ServerStore
  policy: ServerRetentionPolicy
  now?: () => number
  log?: (line: string) => void
  everyMs?: number
}): RetentionSchedule {
  const owner = randomUUID()
  const now = options.now ?? Date.now
  const log = options.log ?? ((line: string) => console.log(`[grc-server] ${line}`))
  let running: Promise<RetentionReport | null> | null = null
  let stopped = false
  const tick = () => {
    if (stopped) return Promise.resolve(null)
    running ??= runDueRetention({ store: options.store, policy: options.policy, owner, now: now() })
      .then((report) => {
        if (report) log(describeReport(report))
        return report
      })
      .catch((e: unknown) => {
        log(`retention failed: ${(e as Error)?.message ?? String(e)}`)
        return null
      })
      .finally(() => {
        running = null
      })
    return running
  }
  const timer = setInterval(() => void tick(), options.everyMs ?? CHECK_EVERY_MS)
  timer.unref()
  void tick()
  return {
    tick,
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
