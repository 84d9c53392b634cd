/**
 * Citizens (usagers): personal data. Read through the request service only, which logs each
 * read. A local-only profile holds their whole record; a synced one, their names only.
 */
import type { Citizen } from '../../../shared/domain'
import type { Db } from '../db'
import { cached } from '../statements'

interface DbCitizenRow {
  id: string
  name: string
  email: string | null
  phone: string | null
  postal_address: string | null
  contact_preference: Citizen['contactPreference']
}

export function getCitizen(db: Db, id: string): Citizen | undefined {
  const r = cached(db, 'SELECT * FROM citizens WHERE id = ?').get(id) as DbCitizenRow | undefined
  return (
    r && {
      id: r.id,
      name: r.name,
      email: r.email,
      phone: r.phone,
      postalAddress: r.postal_address,
      contactPreference: r.contact_preference,
    }
  )
}

/** Insert or replace a citizen (their name is re-indexed on their requests by trigger). */
export function insertCitizen(db: Db, c: Citizen): void {
  cached(
    db,
    `INSERT INTO citizens (id, name, email, phone, postal_address, contact_preference) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, phone = excluded.phone,
       postal_address = excluded.postal_address, contact_preference = excluded.contact_preference
     -- Unchanged: no write, so the name is not re-indexed on every request of this citizen.
     WHERE name IS NOT excluded.name OR email IS NOT excluded.email OR phone IS NOT excluded.phone
       OR postal_address IS NOT excluded.postal_address OR contact_preference IS NOT excluded.contact_preference`,
  ).run(c.id, c.name, c.email, c.phone, c.postalAddress, c.contactPreference)
}

/**
 * What a synced cache keeps of a citizen: their name, for queue search by the roles that may
 * read it (issue 12). Contact details come on demand (queries/contacts.ts), never in bulk.
 */
export function putCitizenName(db: Db, ref: { id: string; name: string }): void {
  insertCitizen(db, {
    id: ref.id,
    name: ref.name,
    email: null,
    phone: null,
    postalAddress: null,
    contactPreference: 'none',
  })
}

/**
 * Forget every citizen (a session that may not read them, on a synced profile): their
 * names leave the search index by trigger. @returns how many rows went.
 */
export function forgetAllCitizens(db: Db): number {
  return db.transaction(() => {
    cached(db, 'DELETE FROM citizen_contacts').run()
    return cached(db, 'DELETE FROM citizens').run().changes
  })()
}
