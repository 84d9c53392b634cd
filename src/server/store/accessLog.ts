/**
 * The server's log of who was shown a citizen's personal data (`citizen_access_log`,
 * append-only by trigger): written on each delivery of contact details, each offline read
 * a console uploads, and each DPO operation; read by the DPO only; purged by retention
 * through the gate, never otherwise. It holds ids, purpose and workstation, never names.
 */
import type { SessionInfo } from '../../shared/contract'
import { CoreError } from '../../shared/result'
import { canReadAccessLog, canSeeTeam } from '../../core/authz/permissions'
import type {
  AccessAction,
  AccessLogPage,
  AccessLogQuery,
  ContactPurpose,
  OfflineAccess,
  PrivacyContext,
} from './privacyContext'
import { appendHistory, getRequests } from './requests'
import type { Sql, SqlParam } from './sql/client'

/** One row of `citizen_access_log`, as written (times in epoch ms). */
export interface AccessLogRow {
  /** A uuid; the console makes it for an offline read (so its upload is idempotent). */
  id: string
  /** When the data was shown. */
  at: number
  /** When the server wrote it down. */
  recordedAt: number
  agentId: string
  agentName: string | null
  requestId: string | null
  citizenId: string
  action: AccessAction
  purpose: ContactPurpose | null
  /** The console's id (its workstation id). */
  clientId: string | null
  workstation: string | null
  source: 'server' | 'console'
}

/**
 * Add one entry. An id already logged is left as it is (an offline read uploaded twice).
 * @returns whether the entry is new.
 */
export async function appendAccess(sql: Pick<Sql, 'run'>, row: AccessLogRow): Promise<boolean> {
  const inserted = await sql.run(
    `INSERT INTO citizen_access_log
       (id, at, recorded_at, agent_id, agent_name, request_id, citizen_id, action, purpose, client_id, workstation, source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
    [
      row.id,
      row.at,
      row.recordedAt,
      row.agentId,
      row.agentName,
      row.requestId,
      row.citizenId,
      row.action,
      row.purpose,
      row.clientId,
      row.workstation,
      row.source,
    ],
  )
  return inserted > 0
}

/**
 * Delete the entries older than `before` (retention), inside the caller's transaction:
 * the gate opens to `before`, the expired rows go, the gate closes again, all before the
 * commit, so no other transaction ever sees it open (PostgreSQL keeps the value
 * uncommitted; SQLite has one connection queue). Even open, it lets only expired rows go.
 * @returns how many entries were deleted.
 */
export async function purgeAccessLog(tx: Sql, before: number): Promise<number> {
  await tx.run('UPDATE access_log_gate SET purge_before = ? WHERE id = 1', [before])
  const deleted = await tx.run('DELETE FROM citizen_access_log WHERE at < ?', [before])
  await tx.run('UPDATE access_log_gate SET purge_before = NULL WHERE id = 1')
  return deleted
}

/** How far ahead of the server's clock an offline read's time may be (workstations drift). */
export const OFFLINE_CLOCK_SKEW_MS = 5 * 60_000

/**
 * Offline reads a console uploads: the ids accepted (new or already logged). The agent is
 * the session's. An entry is refused (left out of the answer, and not logged) when its
 * request is unknown or outside the agent's teams, when it names another citizen than the
 * request's, or when its time is ahead of the server's clock by more than a few minutes:
 * the answer is final, the same entry would be refused again. Each new entry also writes
 * a `viewed_personal_data` event in its request's history, whose mutation id is the
 * entry's id (the console links its own event to it), and feeds the request.
 */
export async function recordOfflineAccess(
  ctx: PrivacyContext,
  session: SessionInfo,
  entries: readonly OfflineAccess[],
): Promise<string[]> {
  if (entries.length === 0) return []
  return ctx.write(async (tx, changes) => {
    const requests = await getRequests(
      tx,
      entries.map((e) => e.requestId),
    )
    const recordedAt = ctx.now()
    const accepted: string[] = []
    const seen = new Set<string>()
    for (const entry of entries) {
      const request = requests.get(entry.requestId)
      const at = Date.parse(entry.at)
      if (!request || !canSeeTeam(session, request.teamId)) continue
      // A request anonymised since the read has no citizen any more: the read still happened.
      if (request.citizenId !== null && request.citizenId !== entry.citizenId) continue
      if (!Number.isFinite(at) || at > recordedAt + OFFLINE_CLOCK_SKEW_MS) continue
      if (seen.has(entry.id)) continue
      seen.add(entry.id)
      accepted.push(entry.id)
      const fresh = await appendAccess(tx, {
        id: entry.id,
        at,
        recordedAt,
        agentId: session.agentId,
        agentName: session.displayName,
        requestId: request.id,
        citizenId: entry.citizenId,
        action: entry.action,
        purpose: entry.purpose,
        clientId: entry.clientId,
        workstation: null,
        source: 'console',
      })
      if (!fresh) continue
      await appendHistory(tx, {
        requestId: request.id,
        kind: 'viewed_personal_data',
        at,
        actorId: session.agentId,
        actorName: session.displayName,
        data: { purpose: entry.purpose, offline: true },
        mutationId: entry.id,
      })
      changes.request(request.id, request.teamId)
    }
    return accepted
  })
}

interface AccessLogDbRow {
  id: string
  at: number
  recorded_at: number
  agent_id: string
  agent_name: string | null
  request_id: string | null
  request_reference: string | null
  citizen_id: string
  action: AccessAction
  purpose: ContactPurpose | null
  client_id: string | null
  workstation: string | null
  source: 'server' | 'console'
}

const iso = (ms: number) => new Date(Number(ms)).toISOString()

/** A page's end as the next page's `before`: `<at>.<id>`, opaque to the caller. */
const cursorOf = (row: { at: number; id: string }) =>
  Buffer.from(`${Number(row.at)}.${row.id}`, 'utf8').toString('base64url')

function parseCursor(before: string): { at: number; id: string } {
  const text = Buffer.from(before, 'base64url').toString('utf8')
  const dot = text.indexOf('.')
  const at = Number(text.slice(0, dot))
  const id = text.slice(dot + 1)
  if (dot <= 0 || !Number.isSafeInteger(at) || id.length === 0)
    throw new CoreError('invalid_input', 'before: give back the `next` of the previous page')
  return { at, id }
}

/** The log as the DPO reads it, newest first, one keyset page. */
export async function readAccessLog(
  ctx: PrivacyContext,
  session: SessionInfo,
  query: AccessLogQuery,
): Promise<AccessLogPage> {
  if (!canReadAccessLog(session))
    throw new CoreError('forbidden', 'Seul le délégué à la protection des données lit ce journal.')
  const where: string[] = []
  const params: SqlParam[] = []
  if (query.citizenId !== undefined) {
    where.push('l.citizen_id = ?')
    params.push(query.citizenId)
  }
  if (query.agentId !== undefined) {
    where.push('l.agent_id = ?')
    params.push(query.agentId)
  }
  if (query.from !== undefined) {
    where.push('l.at >= ?')
    params.push(Date.parse(query.from))
  }
  if (query.to !== undefined) {
    where.push('l.at <= ?')
    params.push(Date.parse(query.to))
  }
  if (query.before !== undefined) {
    const { at, id } = parseCursor(query.before)
    where.push('(l.at < ? OR (l.at = ? AND l.id < ?))')
    params.push(at, at, id)
  }
  const rows = await ctx.db.all<AccessLogDbRow>(
    `SELECT l.id, l.at, l.recorded_at, l.agent_id, coalesce(a.display_name, l.agent_name) AS agent_name,
            l.request_id, r.reference AS request_reference, l.citizen_id, l.action, l.purpose,
            l.client_id, l.workstation, l.source
     FROM citizen_access_log l
     LEFT JOIN requests r ON r.id = l.request_id
     LEFT JOIN agents a ON a.id = l.agent_id
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY l.at DESC, l.id DESC
     LIMIT ?`,
    [...params, query.limit + 1],
  )
  const page = rows.slice(0, query.limit)
  return {
    entries: page.map((r) => ({
      id: r.id,
      at: iso(r.at),
      recordedAt: iso(r.recorded_at),
      agentId: r.agent_id,
      agentName: r.agent_name,
      requestId: r.request_id,
      requestReference: r.request_reference,
      citizenId: r.citizen_id,
      action: r.action,
      purpose: r.purpose,
      clientId: r.client_id,
      workstation: r.workstation,
      source: r.source,
    })),
    next: rows.length > query.limit ? cursorOf(page[page.length - 1]!) : null,
  }
}
