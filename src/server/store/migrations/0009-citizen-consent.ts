/**
 * When a citizen recorded at intake agreed to be contacted the way they chose (RGPD art. 6-1-a,
 * art. 7-1: the controller must be able to show it): `citizens.consent_at`, NULL for citizens
 * from before, from a portal, or who chose no contact.
 */
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'
import { types } from './0001-initial'

const migration: Migration<Sql> = {
  version: 9,
  name: '0009-citizen-consent',
  async up(sql) {
    const t = types(sql)
    await sql.exec(/* sql */ `ALTER TABLE citizens ADD COLUMN consent_at ${t.big};`)
  },
}

export default migration
