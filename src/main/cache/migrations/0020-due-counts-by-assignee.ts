/**
 * The due counts of 0019 kept per assignee too, so that the dispatch board's « en retard »
 * figure of every column (queries/requests.ts, `countOverdueByAssignee`) sums kept counts as
 * the counts bar does, instead of counting each late request of the lead's teams: 145 000
 * of them for a supervisor at 500 000 demo requests, 115 ms of a 285 ms board.
 *
 * `assignee_key` is '' for nobody, as in request_counts. The table is built again from the
 * requests (a few hundred milliseconds at 500 000), its triggers keep their names so the
 * bulk load still drops them during a load and rebuilds the counts once (cache/bulkLoad.ts).
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'
import { DUE_BUCKET_MS } from './0019-due-counts'

/** The rows request_due_counts holds for every open request with a due date (bulkLoad.ts rebuilds with it). */
export const DUE_COUNTS_REBUILD = `INSERT INTO request_due_counts (team_id, due_day, status, category_id, assignee_key, n)
   SELECT team_id, due_at / ${DUE_BUCKET_MS}, status, category_id, ifnull(assignee_id, ''), count(*) FROM requests
   WHERE status_kind = 'open' AND due_at IS NOT NULL
   GROUP BY 1, 2, 3, 4, 5`

const key = (row: 'old' | 'new') =>
  `team_id = ${row}.team_id AND due_day = ${row}.due_at / ${DUE_BUCKET_MS}
    AND status = ${row}.status AND category_id = ${row}.category_id
    AND assignee_key = ifnull(${row}.assignee_id, '')`
const counted = (row: 'old' | 'new') => `${row}.status_kind = 'open' AND ${row}.due_at IS NOT NULL`
const add = `INSERT INTO request_due_counts (team_id, due_day, status, category_id, assignee_key, n)
  VALUES (new.team_id, new.due_at / ${DUE_BUCKET_MS}, new.status, new.category_id, ifnull(new.assignee_id, ''), 1)
  ON CONFLICT DO UPDATE SET n = n + 1;`
const remove = `UPDATE request_due_counts SET n = n - 1 WHERE ${key('old')};
  DELETE FROM request_due_counts WHERE ${key('old')} AND n <= 0;`
const COLUMNS = 'team_id, status, status_kind, category_id, due_at, assignee_id'

export const migration: Migration = {
  version: 20,
  name: '0020-due-counts-by-assignee',
  up(db: Database.Database) {
    db.exec(`
DROP TRIGGER requests_counts_due_ai;
DROP TRIGGER requests_counts_due_ad;
DROP TRIGGER requests_counts_due_au_old;
DROP TRIGGER requests_counts_due_au_new;
DROP TABLE request_due_counts;

CREATE TABLE request_due_counts (
  team_id      TEXT NOT NULL,
  due_day      INTEGER NOT NULL, -- due_at / ${DUE_BUCKET_MS}
  status       TEXT NOT NULL,
  category_id  TEXT NOT NULL,
  assignee_key TEXT NOT NULL, -- '' when unassigned
  n            INTEGER NOT NULL,
  PRIMARY KEY (team_id, due_day, status, category_id, assignee_key)
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
