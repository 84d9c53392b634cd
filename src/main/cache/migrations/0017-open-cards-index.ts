/**
 * The dispatch board's cards read column by column (issue 15): the open requests by
 * assignee, then due key (`due_sort`: undated last), then rowid (implicit). A column's first
 * cards are the start of one range of this index; before it, the board ranked every open
 * request of the supervisor's teams in one window query (≈ 290 ms at 500k requests).
 * The team is checked on the row: a person's open requests are almost all in the board's
 * teams, so few rows are read past a page.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

/** The index's name: queries/dispatch.ts names it in `INDEXED BY`. */
export const OPEN_CARDS_INDEX = 'requests_open_cards'

export const migration: Migration = {
  version: 17,
  name: '0017-open-cards-index',
  up(db: Database.Database) {
    db.exec(`CREATE INDEX ${OPEN_CARDS_INDEX} ON requests(assignee_id, due_sort) WHERE status_kind = 'open'`)
  },
}
export default migration
