/**
 * Citizens' contact details delivered on demand (issue 12), one request at a time, kept
 * only while the agent's work needs them: while the request is shown in the detail pane,
 * or while it is the agent's own open request (assigned to them, not closed), so they can
 * still call back offline. Everything else is dropped (`dropStaleContacts`): when the pane
 * closes or moves on, when a pull shows the request reassigned or closed, at login and at
 * logout (own open requests kept).
 */
import type { Citizen } from '../../../shared/domain'
import type { ContactPurpose } from '../../../shared/privacy'
import type { Db } from '../db'
import { cached } from '../statements'

export interface StoredContact {
  requestId: string
  citizenId: string
  email: string | null
  phone: string | null
  postalAddress: string | null
  contactPreference: Citizen['contactPreference']
  purpose: ContactPurpose
  agentId: string
  fetchedAt: number
}

interface DbContactRow {
  request_id: string
  citizen_id: string
  email: string | null
  phone: string | null
  postal_address: string | null
  contact_preference: Citizen['contactPreference']
  purpose: ContactPurpose
  agent_id: string
  fetched_at: number
}

/** Keep what the server delivered for this request (replacing an earlier delivery). */
export function putContact(db: Db, c: StoredContact): void {
  cached(
    db,
    `INSERT INTO citizen_contacts (request_id, citizen_id, email, phone, postal_address, contact_preference,
       purpose, agent_id, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (request_id) DO UPDATE SET citizen_id = excluded.citizen_id, email = excluded.email,
       phone = excluded.phone, postal_address = excluded.postal_address,
       contact_preference = excluded.contact_preference, purpose = excluded.purpose,
       agent_id = excluded.agent_id, fetched_at = excluded.fetched_at`,
  ).run(
    c.requestId,
    c.citizenId,
    c.email,
    c.phone,
    c.postalAddress,
    c.contactPreference,
    c.purpose,
    c.agentId,
    c.fetchedAt,
  )
}

/** The details this agent was delivered for this request, if still kept. */
export function getContact(db: Db, requestId: string, agentId: string): StoredContact | undefined {
  const r = cached(db, 'SELECT * FROM citizen_contacts WHERE request_id = ? AND agent_id = ?').get(
    requestId,
    agentId,
  ) as DbContactRow | undefined
  return (
    r && {
      requestId: r.request_id,
      citizenId: r.citizen_id,
      email: r.email,
      phone: r.phone,
      postalAddress: r.postal_address,
      contactPreference: r.contact_preference,
      purpose: r.purpose,
      agentId: r.agent_id,
      fetchedAt: r.fetched_at,
    }
  )
}

export function countContacts(db: Db): number {
  return cached(db, 'SELECT count(*) FROM citizen_contacts').pluck().get() as number
}

/**
 * Drop the details no longer needed: all but those of `openRequestId` (shown in the
 * detail pane) and of the agent's own open requests; all of them without an agent (no
 * session). @returns how many rows went.
 */
export function dropStaleContacts(
  db: Db,
  keep: { agentId: string | null; openRequestId: string | null },
): number {
  return cached(
    db,
    `DELETE FROM citizen_contacts
     WHERE @agent IS NULL OR agent_id <> @agent
        OR (request_id IS NOT @open AND NOT EXISTS (
              SELECT 1 FROM requests r
              WHERE r.id = citizen_contacts.request_id AND r.assignee_id = @agent AND r.status_kind = 'open'))`,
  ).run({ agent: keep.agentId, open: keep.openRequestId }).changes
}

/** Every citizen's details this cache holds of one citizen (erasure). */
export function dropContactsOf(db: Db, citizenId: string): number {
  return cached(db, 'DELETE FROM citizen_contacts WHERE citizen_id = ?').run(citizenId).changes
}

/**
 * The request shown in the detail pane with its citizen's details, per cache connection
 * (memory only: the pane is this run's). Kept by the request service, read by the sync
 * engine when it drops stale details after a pull.
 */
const shown = new WeakMap<Db, string>()

export const shownContact = {
  get: (db: Db): string | null => shown.get(db) ?? null,
  set: (db: Db, requestId: string | null) => {
    if (requestId === null) shown.delete(db)
    else shown.set(db, requestId)
  },
}
