/**
 * Retention on the console (RGPD art. 5(1)(e), issue 12): a workstation does not keep a
 * citizen's data past the date the authority set, even when nobody logs in (a laptop left
 * in a drawer, a console that no longer reaches the server).
 *
 * - `applyCacheRetention`: closed requests past their category's delays lose, in this
 *   cache, what identifies their citizen (name, search entry, contact details), their
 *   internal comments (unless the policy keeps them), their conflicts, the changes kept
 *   for a server restore and the access-log rows already uploaded; requests past the
 *   deletion delay leave the cache. Then the freed bytes are scrubbed.
 * - `purgeIdleProfile`: a profile nobody opened for `privacy.cacheMaxIdleDays` forgets its
 *   synced data at its next start, but never the agent's unsent work.
 *
 * Synced profiles only. A local-only (demo) profile is its own record: its citizens are
 * generated on the workstation, no server holds an anonymised copy to replace what would
 * be removed, and the authority's retention is applied where its data lives, on the
 * server. Emptying a demo of its closed requests would only break the demo.
 *
 * Legal holds: the change feed does not say which requests are held (the hold is the DPO's,
 * on the server). So the console only ever removes what it holds itself: a request the
 * server keeps under a hold keeps its citizen there, and the cache's copy comes back
 * whole if the server sends it again. The server's anonymised copy (its own retention,
 * which also redacts the free text the console cannot) replaces the cache's at the next
 * sync. Nothing here writes a name, an e-mail or a reference to a log.
 */
import { CategoryRetention, type RetentionPolicy } from '../../shared/privacy'
import { addMonths, retentionDue, retentionRuleFor } from '../../core/privacy/retention'
import type { Db } from './db'
import { getSyncState, setSyncState } from './queries/syncState'
import { scrubFreedSpace } from './scrub'
import { cached } from './statements'

/** sync_state keys: the server's policy (apply.ts), each category's own rule, the marks kept here. */
export const CATEGORY_RETENTION_KEY = 'category_retention'
/** The server's policy changed in the last pull: retention runs again after the round. */
export const RETENTION_PENDING_KEY = 'retention_pending'
/** When a session was last open on this profile (epoch ms), for `purgeIdleProfile`. */
export const LAST_SESSION_KEY = 'last_session_at'

const DAY_MS = 24 * 3600_000
/** Requests handled per transaction: a long run never holds the cache for long. */
const CHUNK = 500

/**
 * Whether this cache is fed by a server (a cursor, a client id or an owner): the only kind
 * retention and the idle purge apply to (see the file's comment).
 */
export function isSyncedCache(db: Db): boolean {
  return (
    cached(
      db,
      "SELECT 1 FROM sync_state WHERE key IN ('cursor', 'client_id', 'owner_login', 'initial_done') LIMIT 1",
    )
      .pluck()
      .get() === 1
  )
}

/** Each category's own retention, as the server's last reference bundle set it (apply.ts). */
export function categoryRetentionOf(db: Db): Map<string, CategoryRetention> {
  const out = new Map<string, CategoryRetention>()
  const raw = getSyncState(db, CATEGORY_RETENTION_KEY)
  if (!raw) return out
  try {
    const all = JSON.parse(raw) as Record<string, unknown>
    for (const [id, r] of Object.entries(all)) {
      const parsed = CategoryRetention.safeParse(r)
      if (parsed.success) out.set(id, parsed.data)
    }
  } catch {
    // Damaged: every category takes the default until the next bundle.
  }
  return out
}

export interface CacheRetentionReport {
  /** Requests that lost something of their citizen (or internal comments) in this cache. */
  anonymised: number
  /** Requests removed from this cache. */
  deleted: number
  /** Due for deletion but kept: the agent's changes to them still wait to be sent. */
  keptForPendingWork: number
  /** Whether the freed space was scrubbed (false: busy, retried at the next sync round). */
  scrubbed: boolean
}

interface Candidate {
  id: string
  category_id: string
  closed_at: number
  citizen_id: string | null
  /** Whether this cache still holds anything retention removes from an anonymised request. */
  leftover: 0 | 1
}

/**
 * Closed before `cutoff`, with whether anything is left to remove: a request already
 * stripped costs nothing at the next hourly run (the `IN` lists are built once per query).
 */
const CANDIDATES = `
  SELECT r.id, r.category_id, r.closed_at, r.citizen_id,
    (r.citizen_id IS NOT NULL
      OR r.id IN (SELECT request_id FROM citizen_contacts)
      OR (@stripInternal AND r.id IN (SELECT request_id FROM comments WHERE kind = 'internal'))
      OR r.id IN (SELECT request_id FROM conflicts)
      OR r.id IN (SELECT entity_id FROM sent_mutations)
      OR r.id IN (SELECT request_id FROM access_log WHERE uploaded_at IS NOT NULL AND request_id IS NOT NULL)
      OR r.id IN (SELECT a.request_id FROM attachment_blobs b JOIN attachments a ON a.id = b.attachment_id)
    ) AS leftover
  FROM requests r
  WHERE r.status_kind = 'closed' AND r.closed_at IS NOT NULL AND r.closed_at <= @cutoff`

/** Calendar months are uneven: candidates are read with this margin, `retentionDue` decides exactly. */
const CUTOFF_MARGIN_MS = 4 * DAY_MS

/**
 * Apply the retention policy to this cache (see the file's comment). Synced profiles only:
 * on any other it does nothing. `policy`: the server's (`retentionPolicyOf`).
 */
export function applyCacheRetention(db: Db, policy: RetentionPolicy, now: number): CacheRetentionReport {
  const report: CacheRetentionReport = { anonymised: 0, deleted: 0, keptForPendingWork: 0, scrubbed: false }
  if (!isSyncedCache(db)) return report
  const own = categoryRetentionOf(db)
  const rules = new Map<string, ReturnType<typeof retentionRuleFor>>()
  const ruleOf = (categoryId: string) => {
    let r = rules.get(categoryId)
    if (!r) rules.set(categoryId, (r = retentionRuleFor({ retention: own.get(categoryId) }, policy)))
    return r
  }
  // Nothing can be due before the shortest delay any rule sets (none set: nothing to do).
  const delays = [policy, ...own.values()]
    .flatMap((r) => [r.anonymiseAfterClosedMonths, r.deleteAfterClosedMonths])
    .filter((m): m is number => typeof m === 'number')
  if (delays.length === 0) return { ...report, scrubbed: true }
  const cutoff = Math.min(now, addMonths(now, -Math.min(...delays)) + CUTOFF_MARGIN_MS)
  const closed = cached(db, CANDIDATES).all({
    cutoff,
    stripInternal: policy.keepInternalComments ? 0 : 1,
  }) as Candidate[]
  const toDelete: string[] = []
  const toAnonymise: Candidate[] = []
  for (const c of closed) {
    // No hold known here (see the file's comment): what is removed is only this cache's copy.
    const due = retentionDue(
      { statusKind: 'closed', closedAt: c.closed_at, legalHold: false },
      ruleOf(c.category_id),
      now,
    )
    if (due === 'delete') toDelete.push(c.id)
    else if (due === 'anonymise' && c.leftover) toAnonymise.push(c)
  }
  // Files not sent yet (issue 14) are unsent work too.
  const hasPending = cached(
    db,
    `SELECT 1 WHERE EXISTS (SELECT 1 FROM outbox WHERE entity_id = @id)
       OR EXISTS (SELECT 1 FROM attachment_uploads WHERE request_id = @id AND state = 'pending')`,
  ).pluck()
  for (let i = 0; i < toAnonymise.length; i += CHUNK)
    db.transaction(() => {
      for (const c of toAnonymise.slice(i, i + CHUNK))
        if (stripCitizenData(db, c.id, c.citizen_id, policy.keepInternalComments)) report.anonymised++
    })()
  for (let i = 0; i < toDelete.length; i += CHUNK)
    db.transaction(() => {
      for (const id of toDelete.slice(i, i + CHUNK)) {
        const row = cached(db, 'SELECT citizen_id FROM requests WHERE id = ?').get(id) as
          { citizen_id: string | null } | undefined
        if (!row) continue
        // Unsent work on it is never lost: its citizen's data goes, the request stays until sent.
        if (hasPending.get({ id }) === 1) {
          report.keptForPendingWork++
          if (stripCitizenData(db, id, row.citizen_id, policy.keepInternalComments)) report.anonymised++
          continue
        }
        stripCitizenData(db, id, row.citizen_id, false)
        cached(db, 'DELETE FROM sync_backfill WHERE request_id = ?').run(id)
        cached(db, 'DELETE FROM comments WHERE request_id = ?').run(id)
        // Only refused files can be left here (pending ones keep the request, above).
        cached(db, 'DELETE FROM attachment_uploads WHERE request_id = ?').run(id)
        // History, contact details and attachments go by cascade, the search entry by trigger.
        cached(db, 'DELETE FROM requests WHERE id = ?').run(id)
        report.deleted++
      }
    })()
  if (report.anonymised + report.deleted > 0) report.scrubbed = scrubFreedSpace(db).checkpointed
  else report.scrubbed = true
  return report
}

/**
 * What this cache holds of one request's citizen, and the text only the agents' work
 * needed: the citizen's link (the search entry loses the name by trigger) and the citizen
 * once nobody else's, the contact details, internal comments (unless kept; never one still
 * waiting to be sent), the conflicts, the changes kept for a restore, the uploaded access
 * log. @returns whether anything was removed.
 */
function stripCitizenData(
  db: Db,
  requestId: string,
  citizenId: string | null,
  keepInternalComments: boolean,
): boolean {
  let n = 0
  if (citizenId) {
    n += cached(db, 'UPDATE requests SET citizen_id = NULL WHERE id = ?').run(requestId).changes
    n += cached(
      db,
      'DELETE FROM citizens WHERE id = ? AND NOT EXISTS (SELECT 1 FROM requests WHERE citizen_id = ?)',
    ).run(citizenId, citizenId).changes
  }
  n += cached(db, 'DELETE FROM citizen_contacts WHERE request_id = ?').run(requestId).changes
  if (!keepInternalComments)
    n += cached(
      db,
      `DELETE FROM comments WHERE request_id = ? AND kind = 'internal'
         AND id NOT IN (SELECT json_extract(payload, '$.commentId') FROM outbox
                        WHERE entity_id = ? AND op = 'comment' AND json_valid(payload))`,
    ).run(requestId, requestId).changes
  n += cached(db, 'DELETE FROM conflicts WHERE request_id = ?').run(requestId).changes
  n += cached(db, 'DELETE FROM sent_mutations WHERE entity_id = ?').run(requestId).changes
  // Thumbnails and opened files may show the citizen; fetched again if still needed (issue 14).
  n += cached(
    db,
    'DELETE FROM attachment_blobs WHERE attachment_id IN (SELECT id FROM attachments WHERE request_id = ?)',
  ).run(requestId).changes
  n += cached(db, 'DELETE FROM access_log WHERE request_id = ? AND uploaded_at IS NOT NULL').run(
    requestId,
  ).changes
  return n > 0
}

/** A session is open on this profile now (at login, then hourly): the idle clock starts again. */
export function recordSessionSeen(db: Db, now: number): void {
  setSyncState(db, LAST_SESSION_KEY, String(Math.trunc(now)))
}

export interface IdlePurgeReport {
  purged: boolean
  /** Unsent changes kept (they are pushed at the next login). */
  keptPending: number
  scrubbed: boolean
}

/**
 * At the console's start, before any login: a synced profile nobody opened for more than
 * `maxIdleDays` forgets what it synced (requests, comments, history, citizens, contact
 * details, tours, the conflict inbox, the changes kept for a restore, the offline login
 * verifiers, the server token and the feed's cursor), then scrubs the freed bytes. It keeps
 * the agent's unsent work (the outbox: never lost), the access-log rows
 * the server does not have yet (the DPO's trace), the reference data, and who owns the
 * profile (so that work is sent only under its author's name). The next login (online: the
 * offline verifiers are gone) pushes the kept work and downloads the rest again. The
 * conflict inbox goes as `forgetSyncedData` drops it: those changes were answered by the
 * server already (refused, or overtaken by another agent's) and their text may name a
 * citizen; keeping them would keep that text past the profile's date.
 *
 * A profile with no recorded session yet (made before this version) starts its idle clock
 * now rather than being purged on upgrade. A closed app cannot purge: a profile is purged
 * at its next start, before anything is shown.
 */
export function purgeIdleProfile(db: Db, now: number, maxIdleDays: number): IdlePurgeReport {
  const report: IdlePurgeReport = { purged: false, keptPending: 0, scrubbed: false }
  if (!isSyncedCache(db)) return report
  const raw = getSyncState(db, LAST_SESSION_KEY)
  const last = raw === undefined ? NaN : Number(raw)
  if (!Number.isFinite(last)) {
    recordSessionSeen(db, now)
    return report
  }
  if (now - last <= maxIdleDays * DAY_MS) return report
  db.transaction(() => {
    db.exec(`DELETE FROM sync_backfill; DELETE FROM citizen_contacts; DELETE FROM comments;
             DELETE FROM requests; DELETE FROM citizens; DELETE FROM tours; DELETE FROM sent_mutations;
             DELETE FROM conflicts; DELETE FROM offline_verifiers;
             DELETE FROM access_log WHERE uploaded_at IS NOT NULL;
             -- Files the server refused were answered, like the conflicts (issue 14); pending ones stay.
             DELETE FROM attachment_uploads WHERE state = 'refused';
             DELETE FROM sync_state WHERE key IN ('cursor', 'initial_done', 'refresh_token_encrypted',
               'retention_pending');`)
    // The idle clock starts again from here: an empty profile is not purged again.
    recordSessionSeen(db, now)
  })()
  report.purged = true
  report.keptPending = cached(db, 'SELECT count(*) FROM outbox').pluck().get() as number
  report.scrubbed = scrubFreedSpace(db).checkpointed
  return report
}

/** The server's policy changed in a pull (apply.ts): retention is due again after the round. */
export function markRetentionPending(db: Db): void {
  setSyncState(db, RETENTION_PENDING_KEY, '1')
}

/** Whether a pull changed the policy since the last run; clears the mark. */
export function takeRetentionPending(db: Db): boolean {
  return cached(db, 'DELETE FROM sync_state WHERE key = ?').run(RETENTION_PENDING_KEY).changes > 0
}
