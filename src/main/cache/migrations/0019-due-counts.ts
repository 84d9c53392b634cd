/**
 * The open requests with a due date, counted per team, day of their due date, status and
 * category, kept by triggers as request_counts is. The queue's overdue count (the « En
 * retard » figure of the counts bar) is then the sum of the days before today, plus the
 * requests due earlier today read from the open requests' index (queries/requests.ts,
 * `countOverdue`), instead of every late request counted one by one: 580 000 of them at
 * 2 million demo requests, 23–40 ms. A day, because open requests are recent: with 30-day
 * buckets half the late ones still fell in the current bucket.
 *
 * The triggers are named `requests_counts_due_*` so that the bulk load (cache/bulkLoad.ts)
 * drops them during a load and rebuilds the counts once, with request_counts. Migration 0020
 * keeps the same counts per assignee too.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

/** The width of a due date's bucket: one day in milliseconds (due_at is in ms since 1970). */
export const DUE_BUCKET_MS = 86_400_000

/** The rows request_due_counts held for every open request with a due date (0020 counts per assignee too). */
const DUE_COUNTS_REBUILD = `INSERT INTO request_due_counts (team_id, due_day, status, category_id, n)
   SELECT team_id, due_at / ${DUE_BUCKET_MS}, status, category_id, count(*) FROM requests
   WHERE status_kind = 'open' AND due_at IS NOT NULL
   GROUP BY 1, 2, 3, 4`

const key = (row: 'old' | 'new') =>
  `team_id = ${row}.team_id AND due_day = ${row}.due_at / ${DUE_BUCKET_MS}
    AND status = ${row}.status AND category_id = ${row}.category_id`
const counted = (row: 'old' | 'new') => `${row}.status_kind = 'open' AND ${row}.due_at IS NOT NULL`
const add = `INSERT INTO request_due_counts (team_id, due_day, status, category_id, n)
  VALUES (new.team_id, new.due_at / ${DUE_BUCKET_MS}, new.status, new.category_id, 1)
  ON CONFLICT DO UPDATE SET n = n + 1;`
const remove = `UPDATE request_due_counts SET n = n - 1 WHERE ${key('old')};
  DELETE FROM request_due_counts WHERE ${key('old')} AND n <= 0;`
const COLUMNS = 'team_id, status, status_kind, category_id, due_at'

export const migration: Migration = {
  version: 19,
  name: '0019-due-counts',
  up(db: Database.Database) {
    db.exec(`
CREATE TABLE request_due_counts (
  team_id     TEXT NOT NULL,
  due_day     INTEGER NOT NULL, -- due_at / ${DUE_BUCKET_MS}
  status      TEXT NOT NULL,
  category_id TEXT NOT NULL,
  n           INTEGER NOT NULL,
  PRIMARY KEY (team_id, due_day, status, category_id)
) WITHOUT ROWID;

CREATE TRIGGER requests_counts_due_ai AFTER INSERT ON requests WHEN ${counted('new')} BEGIN
  ${add}
END;
CREATE TRIGGER requests_counts_due_ad AFTER DELETE ON requests WHEN ${counted('old')} BEGIN
  ${remove}
END;
CREATE TRIGGER requests_counts_due_au_old AFTER UPDATE OF ${COLUMNS} ON requests WHEN ${counted('old')} BEGIN
  ${remove}
END;
CREATE TRIGGER requests_counts_due_au_new AFTER UPDATE OF ${COLUMNS} ON requests WHEN ${counted('new')} BEGIN
  ${add}
END;

${DUE_COUNTS_REBUILD};
`)
  },
}
export default migration
