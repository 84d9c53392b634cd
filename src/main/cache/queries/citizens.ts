/** Citizens (usagers): personal data. Read through the request service only, which logs each read. */
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
