/**
 * Every read of a citizen's personal data on this workstation, for the DPO (RGPD
 * traceability). A synced profile uploads its rows (reads made offline, or before issue 12)
 * and deletes them once the server has them: no copy of the log stays on the workstation.
 * The schema refuses to delete a row not uploaded yet.
 */
import type { ContactPurpose, OfflineAccess } from '../../../shared/privacy'
import type { Db } from '../db'
import { cached } from '../statements'

export interface PersonalDataAccess {
  /** The id the server will know it by (a uuid made here): uploading it twice records it once. */
  entryId: string
  at: number
  agentId: string
  requestId: string | null
  citizenId: string | null
  /** What was done: `contact_read_offline`, `contact_read_local`… */
  action: string
  purpose?: ContactPurpose | null
  /** This workstation's id in the protocol, when it has one. */
  clientId?: string | null
}

export function logPersonalDataAccess(db: Db, entry: PersonalDataAccess): number {
  const info = cached(
    db,
    `INSERT INTO access_log (entry_id, at, agent_id, request_id, citizen_id, action, purpose, client_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    entry.entryId,
    entry.at,
    entry.agentId,
    entry.requestId,
    entry.citizenId,
    entry.action,
    entry.purpose ?? null,
    entry.clientId ?? null,
  )
  return Number(info.lastInsertRowid)
}

/** The latest accesses first. */
export function listAccessLog(
  db: Db,
  args: { limit: number },
): Array<Omit<PersonalDataAccess, 'entryId'> & { id: number; entryId: string | null }> {
  const rows = cached(
    db,
    `SELECT id, entry_id, at, agent_id, request_id, citizen_id, action, purpose, client_id
     FROM access_log ORDER BY at DESC, id DESC LIMIT ?`,
  ).all(args.limit) as DbAccessRow[]
  return rows.map((r) => ({
    id: r.id,
    entryId: r.entry_id,
    at: r.at,
    agentId: r.agent_id,
    requestId: r.request_id,
    citizenId: r.citizen_id,
    action: r.action,
    purpose: r.purpose as ContactPurpose | null,
    clientId: r.client_id,
  }))
}

interface DbAccessRow {
  id: number
  entry_id: string | null
  at: number
  agent_id: string
  request_id: string | null
  citizen_id: string | null
  action: string
  purpose: string | null
  client_id: string | null
}

/** Actions a console uploads; `read_contact` is how reads were logged before issue 12. */
const UPLOADED_AS: Record<string, OfflineAccess['action']> = {
  contact_read_offline: 'contact_read_offline',
  contact_read_local: 'contact_read_local',
  read_contact: 'contact_read_local',
}

/**
 * One agent's reads still to upload, as the server takes them (the server records them
 * under the token's agent, so another agent's reads wait for that agent's next session).
 * Those tried least come first, so a row the server keeps refusing never holds the others
 * back. Rows that cannot be uploaded (no request or citizen) are left out.
 */
export function pendingAccessUploads(
  db: Db,
  agentId: string,
  clientId: string,
  limit: number,
): OfflineAccess[] {
  const rows = cached(
    db,
    `SELECT id, entry_id, at, agent_id, request_id, citizen_id, action, purpose, client_id FROM access_log
     WHERE uploaded_at IS NULL AND agent_id = ? AND entry_id IS NOT NULL
       AND request_id IS NOT NULL AND citizen_id IS NOT NULL
       AND action IN ('contact_read_offline', 'contact_read_local', 'read_contact')
     ORDER BY upload_attempts, id LIMIT ?`,
  ).all(agentId, limit) as DbAccessRow[]
  return rows.map((r) => ({
    id: r.entry_id!,
    at: new Date(r.at).toISOString(),
    requestId: r.request_id!,
    citizenId: r.citizen_id!,
    purpose: (r.purpose as ContactPurpose | null) ?? null,
    clientId: r.client_id ?? clientId,
    action: UPLOADED_AS[r.action]!,
  }))
}

/**
 * The server has these entries: they leave the workstation (marked uploaded, then deleted,
 * in the caller's transaction). Those it did not take are tried again later.
 */
export function settleAccessUploads(
  db: Db,
  sent: readonly string[],
  accepted: readonly string[],
  at: number,
): void {
  const done = new Set(accepted)
  const mark = cached(db, 'UPDATE access_log SET uploaded_at = ? WHERE entry_id = ? AND uploaded_at IS NULL')
  const retry = cached(db, 'UPDATE access_log SET upload_attempts = upload_attempts + 1 WHERE entry_id = ?')
  for (const id of sent) {
    if (done.has(id)) mark.run(at, id)
    else retry.run(id)
  }
  cached(db, 'DELETE FROM access_log WHERE uploaded_at IS NOT NULL').run()
}

/** How many reads wait to be uploaded. */
export function countPendingAccessUploads(db: Db): number {
  return cached(db, 'SELECT count(*) FROM access_log WHERE uploaded_at IS NULL').pluck().get() as number
}
