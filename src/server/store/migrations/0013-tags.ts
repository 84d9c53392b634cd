/**
 * Tags on requests (issue 15): the labels agents put on them (src/shared/tags.ts), as a
 * JSON array of the tags as typed. A `tag` mutation rewrites it whole on the locked row.
 */
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'

const migration: Migration<Sql> = {
  version: 13,
  name: '0013-tags',
  async up(sql) {
    await sql.exec(`ALTER TABLE requests ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'`)
  },
}

export default migration
