/**
 * The dashboard's maintained counts (queries/dashboard.ts): at 500k requests, counting a
 * quarter's creations and closings row by row takes seconds; summing these counts takes
 * milliseconds.
 *
 * One row per (team, kind, bucket, key):
 * - `c` created and `x` closed, by UTC hour: hours are exact week boundaries in any
 *   whole-hour time zone, for the weekly chart;
 * - by UTC day (so a quarter stays a few thousand rows per kind; a period's figures are those
 *   of its dates in UTC): `p` created, key the commune of the address; `s` closed, key
 *   `on_time` / `late` / `none` (no due date); `r` closed, key the resolution time in hours
 *   rounded down to its step (resolutionStepOf); `w` closed, key the assignee ('' for nobody).
 *
 * The counts are built on the first dashboard read, a few thousand requests at a time in
 * rowid order (queries/dashboard.ts, ensureDashboardCounts), not here nor during a bulk
 * load. dashboard_counts_state.through is how far the build went: the triggers count a
 * change only for a request at or below it (the rest is counted when the build reaches it),
 * so a first sync or a benchmark load pays nothing, and the counts never miss nor double a
 * request.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

const HOUR = 3_600_000
const DAY = 86_400_000

/** The commune of an address (« 12 rue X, 54000 Nancy » → « 54000 Nancy »): the text after the first comma. */
export const placeOf = (row: string) => `trim(substr(${row}.address, instr(${row}.address, ',') + 1))`

/**
 * Resolution hours kept exactly under a day, then by 6 hours under three days, by 12 hours
 * under a week, by days under a month, then by weeks: the median and 90th percentile are
 * read to that step, and a day's closings share a few dozen keys.
 */
export const resolutionStepOf = (row: string) => {
  const h = `((${row}.closed_at - ${row}.created_at) / ${HOUR})`
  return `CASE WHEN ${h} < 24 THEN ${h} WHEN ${h} < 72 THEN ${h} / 6 * 6 WHEN ${h} < 168 THEN ${h} / 12 * 12
    WHEN ${h} < 720 THEN ${h} / 24 * 24 ELSE ${h} / 168 * 168 END`
}

const slaKeyOf = (row: string) =>
  `CASE WHEN ${row}.due_at IS NULL THEN 'none' WHEN ${row}.closed_at <= ${row}.due_at THEN 'on_time' ELSE 'late' END`

/** Each kind's (bucket, key) for a request row, and when the row counts for it. */
export const KINDS = (row: string) => [
  { kind: 'c', bucket: `${row}.created_at / ${HOUR}`, key: `''`, when: '1' },
  { kind: 'p', bucket: `${row}.created_at / ${DAY}`, key: placeOf(row), when: `${placeOf(row)} <> ''` },
  ...[
    { kind: 'x', bucket: `${row}.closed_at / ${HOUR}`, key: `''` },
    { kind: 's', bucket: `${row}.closed_at / ${DAY}`, key: slaKeyOf(row) },
    { kind: 'r', bucket: `${row}.closed_at / ${DAY}`, key: resolutionStepOf(row) },
    { kind: 'w', bucket: `${row}.closed_at / ${DAY}`, key: `ifnull(${row}.assignee_id, '')` },
  ].map((k) => ({ ...k, when: `${row}.status_kind = 'closed' AND ${row}.closed_at IS NOT NULL` })),
]

/** The rowid the counts are built through: -1 before the build, the largest safe integer after. */
const THROUGH = '(SELECT through FROM dashboard_counts_state)'

/** Add (sign 1) or take away (-1) what `row` (new / old) counts for. */
const count = (row: 'new' | 'old', sign: 1 | -1) =>
  KINDS(row)
    .map(
      (k) => `INSERT INTO dashboard_counts (team_id, kind, bucket, key, n)
      SELECT ${row}.team_id, '${k.kind}', ${k.bucket}, ${k.key}, ${sign} WHERE ${k.when}
      ON CONFLICT DO UPDATE SET n = n + excluded.n;`,
    )
    .join('\n')

/** The columns a count depends on: an update touching none of them changes nothing here. */
const COUNTED = 'team_id, created_at, address, status_kind, closed_at, due_at, assignee_id'

const SCHEMA = /* sql */ `
CREATE TABLE dashboard_counts (
  team_id TEXT NOT NULL,
  kind    TEXT NOT NULL,
  bucket  INTEGER NOT NULL,
  key     TEXT NOT NULL,
  n       INTEGER NOT NULL,
  PRIMARY KEY (team_id, kind, bucket, key)
) WITHOUT ROWID;

CREATE TABLE dashboard_counts_state (through INTEGER NOT NULL);
INSERT INTO dashboard_counts_state (through) VALUES (-1);

CREATE TRIGGER dashboard_counts_ai AFTER INSERT ON requests WHEN new.rowid <= ${THROUGH} BEGIN
  ${count('new', 1)}
END;
CREATE TRIGGER dashboard_counts_ad AFTER DELETE ON requests WHEN old.rowid <= ${THROUGH} BEGIN
  ${count('old', -1)}
END;
CREATE TRIGGER dashboard_counts_au_old AFTER UPDATE OF ${COUNTED} ON requests WHEN old.rowid <= ${THROUGH} BEGIN
  ${count('old', -1)}
END;
CREATE TRIGGER dashboard_counts_au_new AFTER UPDATE OF ${COUNTED} ON requests WHEN new.rowid <= ${THROUGH} BEGIN
  ${count('new', 1)}
END;
`

export const migration: Migration = {
  version: 11,
  name: '0011-dashboard',
  up(db: Database.Database) {
    db.exec(SCHEMA)
  },
}
export default migration
