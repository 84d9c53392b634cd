/**
 * The duplicates of a master, found by index (issue 14): when a master is resolved, each
 * request linked to it (`fields.duplicateOf` = its reference) gets an event and its citizen
 * a notice. `duplicateOf` stays in the `fields` JSON (where the core and the consoles keep
 * it); an expression index over it, partial so it holds only the few linked requests,
 * answers `duplicatesOf` (src/server/store/duplicateFollowers.ts) without a scan. The
 * expression is the one that lookup writes, character for character: the planners only
 * use an expression index for the same expression.
 */
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'

const migration: Migration<Sql> = {
  version: 10,
  name: '0010-duplicate-links',
  async up(sql) {
    const linked =
      sql.dialect === 'postgres'
        ? `((fields::jsonb) ->> 'duplicateOf')`
        : `json_extract(fields, '$.duplicateOf')`
    await sql.exec(
      /* sql */ `CREATE INDEX requests_duplicate_of ON requests (${linked}) WHERE ${linked} IS NOT NULL;`,
    )
  },
}

export default migration
