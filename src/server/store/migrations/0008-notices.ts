/**
 * Notices to citizens (issue 14), sent by the server, never by a workstation:
 *
 * - `notices`: one row per history event that calls for one (a public reply, a transition
 *   whose workflow effect is `notify_citizen`); `event_id` is unique, so of several
 *   instances scanning the same events only one queues each notice. A row holds no
 *   address and no text: both are read when it is sent, so an erased citizen is never
 *   written to. `lease_owner`/`lease_until` let one instance at a time send it;
 * - `notice_cursor`: how far in the change feed the queueing has read (`seq`), and the
 *   last history event that existed when notices were first switched on (`history_floor`):
 *   what happened before is never sent. Both NULL until the first scan sets them;
 * - `notice_templates`: the administrators' templates, per category (`*`: any) and event
 *   (`public_reply`, or `transition:<id>`); the defaults ship in resources/notices/.
 */
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'
import { types } from './0001-initial'

const migration: Migration<Sql> = {
  version: 8,
  name: '0008-notices',
  async up(sql) {
    const t = types(sql)
    await sql.exec(/* sql */ `
CREATE TABLE notices (
  id              TEXT PRIMARY KEY,
  event_id        ${t.big} NOT NULL UNIQUE,
  request_id      TEXT NOT NULL,
  event           TEXT NOT NULL,
  channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'none')),
  status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'bounced', 'skipped')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at ${t.big} NOT NULL,
  lease_owner     TEXT,
  lease_until     ${t.big},
  last_error      TEXT,
  created_at      ${t.big} NOT NULL,
  done_at         ${t.big}
);
CREATE INDEX notices_due ON notices (status, next_attempt_at);
CREATE INDEX notices_request ON notices (request_id);

CREATE TABLE notice_cursor (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  seq           ${t.big},
  history_floor ${t.big}
);
INSERT INTO notice_cursor (id, seq, history_floor) VALUES (1, NULL, NULL);

CREATE TABLE notice_templates (
  category_id TEXT NOT NULL,
  event       TEXT NOT NULL,
  subject     TEXT NOT NULL,
  body        TEXT NOT NULL,
  sms         TEXT NOT NULL,
  version     INTEGER NOT NULL,
  updated_at  ${t.big} NOT NULL,
  updated_by  TEXT NOT NULL,
  PRIMARY KEY (category_id, event)
);
`)
  },
}
export default migration
