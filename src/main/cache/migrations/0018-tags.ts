/**
 * Tags on requests (issue 15): `tags`, the JSON array of the tags as typed, and `tag_keys`,
 * their keys (case-folded, src/shared/tags.ts) between unit separators (`␟presse␟élu␟`, ''
 * when none), which the queue's filter finds with `instr`: SQLite's own lower() folds ASCII
 * only, and « Élu » must find « élu ». Few requests carry tags: a partial index holds only
 * those, so a filter by tag and the list of tags in use never read the untagged 500k rows.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

/** The index of tagged requests; queries name its condition (`TAGGED_SQL`) to use it. */
export const TAGGED_INDEX = 'requests_tagged'
export const TAGGED_SQL = `tag_keys <> ''`

export const migration: Migration = {
  version: 18,
  name: '0018-tags',
  up(db: Database.Database) {
    db.exec(`
      ALTER TABLE requests ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE requests ADD COLUMN tag_keys TEXT NOT NULL DEFAULT '';
      CREATE INDEX ${TAGGED_INDEX} ON requests(team_id) WHERE ${TAGGED_SQL};
    `)
  },
}
export default migration
