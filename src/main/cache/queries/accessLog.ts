/** Every read of a citizen's personal data, for the DPO (RGPD traceability). */
import type { Db } from '../db'
import { cached } from '../statements'

export interface PersonalDataAccess {
  at: number
  agentId: string
  requestId: string | null
  citizenId: string | null
  /** What was done: `read_contact`, `export`… */
  action: string
}

export function logPersonalDataAccess(db: Db, entry: PersonalDataAccess): number {
  const info = cached(
    db,
    'INSERT INTO access_log (at, agent_id, request_id, citizen_id, action) VALUES (?, ?, ?, ?, ?)',
  ).run(entry.at, entry.agentId, entry.requestId, entry.citizenId, entry.action)
  return Number(info.lastInsertRowid)
}

/** The latest accesses first. */
export function listAccessLog(db: Db, args: { limit: number }): Array<PersonalDataAccess & { id: number }> {
  const rows = cached(
    db,
    'SELECT id, at, agent_id, request_id, citizen_id, action FROM access_log ORDER BY at DESC, id DESC LIMIT ?',
  ).all(args.limit) as Array<{
    id: number
    at: number
    agent_id: string
    request_id: string | null
    citizen_id: string | null
    action: string
  }>
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    agentId: r.agent_id,
    requestId: r.request_id,
    citizenId: r.citizen_id,
    action: r.action,
  }))
}
