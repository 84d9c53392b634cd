/**
 * Retention on the server: closed requests past their category's limits are anonymised
 * (or deleted, when the policy says so and no legal hold keeps them), and access-log
 * entries past `accessLogMonths` are purged through the gate. `planRetention` says what
 * `applyRetention` would do, without doing it: both decide with the same function
 * (`dueRequests`, then `retentionDue` again on the locked rows), so a dry run's numbers
 * are what the run then does, when nothing changed in between.
 *
 * Anonymisation is erasure's (`anonymiseRequests`), one citizen at a time (each with their
 * own redactor), in transactions of about `RETENTION_CHUNK` requests. Each citizen whose requests were
 * anonymised or deleted gets a row in `privacy_erasures` (actor `RETENTION_ACTOR`), so every
 * console hears `citizen_erased` and scrubs its copies, as after an erasure; a citizen left
 * with no request at all is anonymised like an erased one.
 */
import { RETENTION_DEFAULTS, type RetentionRule } from '../../shared/privacy'
import { addMonths, retentionDue, retentionRuleFor } from '../../core/privacy/retention'
import { citizenRedactor } from '../../core/privacy/text'
import { purgeAccessLog } from './accessLog'
import { unindexCitizen } from './citizenSearch'
import type { ChangeSet } from './feed'
import { ANONYMOUS_CITIZEN, anonymiseRequests } from './privacy'
import { removeAttachmentsOf } from '../attachments/removal'
import type { PrivacyContext, PrivacyPolicy, RetentionPlan } from './privacyContext'
import { getRequests } from './requests'
import { placeholders, type Sql } from './sql/client'

/** What retention runs with: the authority's defaults (categories may set their own) and the log's months. */
export type ServerRetentionPolicy = Pick<PrivacyPolicy, 'retention' | 'accessLogMonths'>

/** What a run did. */
export interface RetentionReport {
  /** Epoch ms of the run. */
  at: number
  anonymised: number
  deleted: number
  /** Due, but kept by a legal hold. */
  held: number
  /** Citizens left without any request, anonymised like an erasure does. */
  citizensAnonymised: number
  accessLogPurged: number
  /** Uses of the API keys (account, route, status, time) older than the access log's months. */
  apiUsesPurged: number
}

/** Who `privacy_erasures` names for what retention did (no agent: the server's schedule). */
export const RETENTION_ACTOR = 'retention'
/** The reason written in `privacy_erasures` for retention. */
export const RETENTION_REASON = 'Durée de conservation échue (anonymisation automatique)'

/**
 * Requests per transaction (a citizen's requests are kept together). Redaction costs about
 * 15 ms a request: 200 keep each SQLite write lock (one writer at a time) under a few seconds.
 */
export const RETENTION_CHUNK = 200
/** Candidates read per query. */
const PAGE = 5000
/** References shown per category in a plan. */
const SAMPLES = 5
/** How far month clamping (31 → 28) can move a limit: the SQL bound is loose by this much, then exact in TS. */
const CLAMP_MARGIN_MS = 4 * 24 * 3600_000

const iso = (ms: number) => new Date(ms).toISOString()

/** The policy the server runs with when none is given: its reference bundle's, or the defaults. */
async function effectivePolicy(
  ctx: PrivacyContext,
  policy: ServerRetentionPolicy | null | undefined,
): Promise<ServerRetentionPolicy> {
  if (policy) return policy
  const privacy = (await ctx.reference(ctx.db)).bundle.privacy
  return {
    retention: privacy?.retention ?? RETENTION_DEFAULTS,
    accessLogMonths: privacy?.accessLogMonths ?? 12,
  }
}

interface Rules {
  /** The rule of each known category; unknown ones take `fallback`. */
  byCategory: Map<string, RetentionRule>
  fallback: RetentionRule
  /** The categories in the reference data, in their order. */
  categoryIds: string[]
}

async function rulesOf(ctx: PrivacyContext, sql: Pick<Sql, 'all' | 'get'>, policy: ServerRetentionPolicy) {
  const ref = await ctx.reference(sql)
  const byCategory = new Map(ref.bundle.categories.map((c) => [c.id, retentionRuleFor(c, policy.retention)]))
  return {
    byCategory,
    fallback: retentionRuleFor(null, policy.retention),
    categoryIds: ref.bundle.categories.map((c) => c.id),
  } satisfies Rules
}

const ruleFor = (rules: Rules, categoryId: string) => rules.byCategory.get(categoryId) ?? rules.fallback

interface CandidateRow {
  id: string
  reference: string
  category_id: string
  team_id: string
  citizen_id: string | null
  status_kind: string
  closed_at: number | null
  legal_hold_reason: string | null
  anonymised_at: number | null
}

export interface DueRequest {
  id: string
  reference: string
  categoryId: string
  citizenId: string | null
  action: 'anonymise' | 'delete'
}

/** What retention asks of one stored request now (the hold aside: `held` says it would be due). */
function decide(row: CandidateRow, rules: Rules, now: number) {
  const subject = {
    statusKind: row.status_kind as 'closed',
    closedAt: row.closed_at === null ? null : Number(row.closed_at),
    legalHold: false,
    anonymisedAt: row.anonymised_at === null ? null : Number(row.anonymised_at),
  }
  const due = retentionDue(subject, ruleFor(rules, row.category_id), now)
  return { due, held: due !== null && row.legal_hold_reason !== null }
}

const CANDIDATE_COLUMNS =
  'id, reference, category_id, team_id, citizen_id, status_kind, closed_at, legal_hold_reason, anonymised_at'

/**
 * Every closed request retention asks something of at `now`, and those a legal hold keeps.
 * Read in pages by id: a loose bound in SQL (the shortest delay of any rule), exact in TS.
 */
async function dueRequests(sql: Pick<Sql, 'all'>, rules: Rules, now: number) {
  const all = [...rules.byCategory.values(), rules.fallback]
  const delays = all.flatMap((r) =>
    [r.anonymiseAfterClosedMonths, r.deleteAfterClosedMonths].filter((m): m is number => m !== null),
  )
  const due: DueRequest[] = []
  const held: DueRequest[] = []
  if (delays.length === 0) return { due, held }
  const bound = addMonths(now, -Math.min(...delays)) + CLAMP_MARGIN_MS
  // An anonymised request is due again only for deletion.
  const anyDeletion = all.some((r) => r.deleteAfterClosedMonths !== null)
  let after = ''
  for (;;) {
    const rows = await sql.all<CandidateRow>(
      `SELECT ${CANDIDATE_COLUMNS} FROM requests
       WHERE status_kind = 'closed' AND closed_at IS NOT NULL AND closed_at <= ?
         ${anyDeletion ? '' : 'AND anonymised_at IS NULL'} AND id > ?
       ORDER BY id LIMIT ?`,
      [bound, after, PAGE],
    )
    for (const row of rows) {
      const { due: action, held: isHeld } = decide(row, rules, now)
      if (!action) continue
      const item = {
        id: row.id,
        reference: row.reference,
        categoryId: row.category_id,
        citizenId: row.citizen_id,
        action,
      }
      ;(isHeld ? held : due).push(item)
    }
    if (rows.length < PAGE) break
    after = rows[rows.length - 1]!.id
  }
  return { due, held }
}

const accessLogBefore = (policy: ServerRetentionPolicy, now: number) =>
  addMonths(now, -policy.accessLogMonths)

/** What retention would do at `now`, by category, without doing it. */
export async function planRetention(
  ctx: PrivacyContext,
  policy: ServerRetentionPolicy | null | undefined,
  now: number,
): Promise<RetentionPlan> {
  const effective = await effectivePolicy(ctx, policy)
  const rules = await rulesOf(ctx, ctx.db, effective)
  const { due, held } = await dueRequests(ctx.db, rules, now)
  const before = accessLogBefore(effective, now)
  const entries = await ctx.db.get<{ n: number }>(
    'SELECT count(*) AS n FROM citizen_access_log WHERE at < ?',
    [before],
  )
  const extra = [...due, ...held].map((r) => r.categoryId).filter((id) => !rules.byCategory.has(id))
  const categoryIds = [...rules.categoryIds, ...[...new Set(extra)].sort()]
  return {
    at: iso(now),
    categories: categoryIds.slice(0, 1000).map((categoryId) => {
      const mine = due.filter((r) => r.categoryId === categoryId)
      return {
        categoryId,
        rule: ruleFor(rules, categoryId),
        anonymise: mine.filter((r) => r.action === 'anonymise').length,
        delete: mine.filter((r) => r.action === 'delete').length,
        held: held.filter((r) => r.categoryId === categoryId).length,
        samples: mine
          .map((r) => r.reference)
          .sort()
          .slice(0, SAMPLES),
      }
    }),
    accessLog: { before: iso(before), entries: Number(entries?.n ?? 0) },
  }
}

/** The due requests in groups of whole citizens, about `RETENTION_CHUNK` requests each. */
function chunksOf(due: readonly DueRequest[]): DueRequest[][] {
  const byCitizen = new Map<string, DueRequest[]>()
  const alone: DueRequest[][] = []
  for (const r of due) {
    if (r.citizenId === null) alone.push([r])
    else byCitizen.set(r.citizenId, [...(byCitizen.get(r.citizenId) ?? []), r])
  }
  const chunks: DueRequest[][] = []
  let current: DueRequest[] = []
  for (const group of [...byCitizen.values(), ...alone]) {
    if (current.length > 0 && current.length + group.length > RETENTION_CHUNK) {
      chunks.push(current)
      current = []
    }
    current.push(...group)
  }
  if (current.length > 0) chunks.push(current)
  return chunks
}

interface ChunkResult {
  anonymised: number
  deleted: number
  citizensAnonymised: number
}

/** Delete requests with what hangs on them (comments, history, versions, stored outcomes, notices), fed as removed. */
async function deleteRequests(
  tx: Sql,
  changes: ChangeSet,
  requests: ReadonlyArray<{ id: string; teamId: string }>,
): Promise<number> {
  if (requests.length === 0) return 0
  const ids = requests.map((r) => r.id)
  const list = placeholders(ids.length)
  // Their attachments too (the blobs go after the commit); no history: the request goes.
  await removeAttachmentsOf(tx, ids, { reason: 'retention', at: Date.now(), history: false })
  for (const table of ['comments', 'history_events', 'request_versions', 'applied_mutations', 'notices'])
    await tx.run(`DELETE FROM ${table} WHERE request_id IN (${list})`, ids)
  await tx.run(`DELETE FROM requests WHERE id IN (${list})`, ids)
  // No row any more: the feed says `request_removed` (deleted) to whoever had it.
  for (const r of requests) changes.request(r.id, r.teamId)
  return requests.length
}

/** One transaction: re-read and lock the chunk's requests, and do what is still due. */
async function applyChunk(
  ctx: PrivacyContext,
  chunk: readonly DueRequest[],
  policy: ServerRetentionPolicy,
  now: number,
  at: number,
): Promise<ChunkResult> {
  return ctx.write(async (tx, changes) => {
    const result: ChunkResult = { anonymised: 0, deleted: 0, citizensAnonymised: 0 }
    const rules = await rulesOf(ctx, tx, policy)
    const ids = chunk.map((r) => r.id)
    const records = await getRequests(tx, ids, { lock: true })
    const rows = await tx.all<CandidateRow>(
      `SELECT ${CANDIDATE_COLUMNS} FROM requests WHERE id IN (${placeholders(ids.length)})`,
      ids,
    )
    // Still due now that the rows are locked (reopened, held or changed since: left alone).
    const groups = new Map<string | null, Array<{ row: CandidateRow; action: 'anonymise' | 'delete' }>>()
    for (const row of rows) {
      const { due, held } = decide(row, rules, now)
      if (!due || held || !records.has(row.id)) continue
      const key = row.citizen_id
      groups.set(key, [...(groups.get(key) ?? []), { row, action: due }])
    }
    for (const [citizenId, items] of groups) {
      const toDelete = items
        .filter((i) => i.action === 'delete')
        .map((i) => ({ id: i.row.id, teamId: i.row.team_id }))
      const toAnonymise = items.filter((i) => i.action === 'anonymise').map((i) => i.row.id)
      if (citizenId === null) {
        // Nobody's identity to look for: detached already; internal comments still go.
        result.deleted += await deleteRequests(tx, changes, toDelete)
        result.anonymised += (
          await anonymiseRequests(tx, changes, toAnonymise, citizenRedactor(NOBODY), at, {
            keepInternalComments: policy.retention.keepInternalComments,
            actor: null,
          })
        ).length
        continue
      }
      const done = await retainCitizen(ctx, tx, changes, citizenId, toAnonymise, toDelete, policy, at)
      result.anonymised += done.anonymised
      result.deleted += done.deleted
      result.citizensAnonymised += done.citizenAnonymised ? 1 : 0
    }
    return result
  })
}

const NOBODY = { name: '', email: null, phone: null, postalAddress: null }

/**
 * One citizen's due requests: deleted or anonymised (free text redacted with this citizen's
 * redactor), the citizen anonymised when no request of theirs is left, the whole registered
 * in `privacy_erasures` and published as an erasure is (the citizen first, then the requests).
 */
async function retainCitizen(
  ctx: PrivacyContext,
  tx: Sql,
  changes: ChangeSet,
  citizenId: string,
  toAnonymise: readonly string[],
  toDelete: ReadonlyArray<{ id: string; teamId: string }>,
  policy: ServerRetentionPolicy,
  at: number,
): Promise<{ anonymised: number; deleted: number; citizenAnonymised: boolean }> {
  const lock = tx.dialect === 'postgres' ? ' FOR UPDATE' : ''
  const citizen = await tx.get<{
    name: string
    email: string | null
    phone: string | null
    postal_address: string | null
    erased_at: number | null
  }>(`SELECT name, email, phone, postal_address, erased_at FROM citizens WHERE id = ?${lock}`, [citizenId])
  // What identifies the citizen, read before anything changes (nothing left of an erased one).
  const redactor = citizenRedactor(
    citizen && citizen.erased_at === null
      ? {
          name: citizen.name,
          email: citizen.email,
          phone: citizen.phone,
          postalAddress: citizen.postal_address,
        }
      : NOBODY,
  )
  changes.citizen(citizenId)
  const deleted = await deleteRequests(tx, changes, toDelete)
  const anonymised = await anonymiseRequests(tx, changes, toAnonymise, redactor, at, {
    keepInternalComments: policy.retention.keepInternalComments,
    actor: null,
  })
  const left = await tx.get<{ n: number }>('SELECT count(*) AS n FROM requests WHERE citizen_id = ?', [
    citizenId,
  ])
  const citizenAnonymised = !!citizen && citizen.erased_at === null && Number(left?.n ?? 0) === 0
  if (citizenAnonymised) {
    await tx.run(
      `UPDATE citizens SET name = ?, email = NULL, phone = NULL, postal_address = NULL,
              contact_preference = 'none', erased_at = ? WHERE id = ?`,
      [ANONYMOUS_CITIZEN, at, citizenId],
    )
    await unindexCitizen(tx, citizenId)
  }
  // The register: consoles hear `citizen_erased` for these requests and scrub their copies.
  await tx.run(
    `INSERT INTO privacy_erasures (id, citizen_id, at, actor_id, reason, request_ids, held_request_ids)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [ctx.newId(), citizenId, at, RETENTION_ACTOR, RETENTION_REASON, JSON.stringify(anonymised), '[]'],
  )
  return { anonymised: anonymised.length, deleted, citizenAnonymised }
}

/**
 * Apply retention at `now`: what `planRetention` lists, in transactions of about
 * `RETENTION_CHUNK` requests (each published, so consoles follow), then the access log's expired entries
 * through the gate, then the freed space scrubbed (SQLite).
 */
export async function applyRetention(
  ctx: PrivacyContext,
  policy: ServerRetentionPolicy | null | undefined,
  now: number,
): Promise<RetentionReport> {
  const effective = await effectivePolicy(ctx, policy)
  const rules = await rulesOf(ctx, ctx.db, effective)
  const { due, held } = await dueRequests(ctx.db, rules, now)
  const report: RetentionReport = {
    at: now,
    anonymised: 0,
    deleted: 0,
    held: held.length,
    citizensAnonymised: 0,
    accessLogPurged: 0,
    apiUsesPurged: 0,
  }
  for (const chunk of chunksOf(due)) {
    const done = await applyChunk(ctx, chunk, effective, now, now)
    report.anonymised += done.anonymised
    report.deleted += done.deleted
    report.citizensAnonymised += done.citizensAnonymised
  }
  const before = accessLogBefore(effective, now)
  report.accessLogPurged = await ctx.db.transaction((tx) => purgeAccessLog(tx, before))
  // Who called the API, when: an access log of the portals and partners, kept as long.
  report.apiUsesPurged = await ctx.db.run('DELETE FROM api_account_uses WHERE at < ?', [before])
  await ctx.db.reclaim()
  return report
}
