/**
 * The citizen's data lifecycle (RGPD, issue 12):
 *
 * - `citizen_access_log`: who was shown which citizen's contact details, when, for which
 *   purpose, from which workstation (ids, never names, so an erasure never rewrites it).
 *   Append-only by trigger on both databases: an UPDATE is always refused, and a DELETE
 *   only for rows older than the gate's `purge_before`, which the retention job opens in
 *   its own transaction and closes again before committing (`purgeAccessLog`); TRUNCATE is
 *   refused on PostgreSQL. Triggers stop mistakes, not the database's owner: production
 *   also revokes UPDATE/DELETE/TRUNCATE on it from the application's role;
 * - `citizens.erased_at`; on requests, a legal hold (reason, when, by whom) that keeps a
 *   request out of erasure and retention, and `anonymised_at` (a request whose citizen was
 *   detached and its free text redacted). These columns are not in REQUEST_COLUMNS, so
 *   writing a request leaves them alone;
 * - `privacy_erasures`: the register of erasures (re-applied after a restore);
 * - `citizen_search`: the grams of each citizen's folded name, e-mail and phone (search
 *   without database extensions), filled here for the citizens already stored.
 */
import type { Migration } from '../../../core/store/migrations'
import { indexCitizens } from '../citizenSearch'
import type { Sql } from '../sql/client'
import { types } from './0001-initial'

const migration: Migration<Sql> = {
  version: 7,
  name: '0007-privacy',
  async up(sql) {
    const t = types(sql)
    await sql.exec(/* sql */ `
CREATE TABLE citizen_access_log (
  id          TEXT PRIMARY KEY,
  at          ${t.big} NOT NULL,
  recorded_at ${t.big} NOT NULL,
  agent_id    TEXT NOT NULL,
  agent_name  TEXT,
  request_id  TEXT,
  citizen_id  TEXT NOT NULL,
  action      TEXT NOT NULL,
  purpose     TEXT,
  client_id   TEXT,
  workstation TEXT,
  source      TEXT NOT NULL CHECK (source IN ('server', 'console'))
);
CREATE INDEX citizen_access_log_citizen ON citizen_access_log (citizen_id, at);
CREATE INDEX citizen_access_log_agent ON citizen_access_log (agent_id, at);
CREATE INDEX citizen_access_log_at ON citizen_access_log (at);

-- Closed (NULL) except inside the retention job's transaction.
CREATE TABLE access_log_gate (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  purge_before ${t.big}
);
INSERT INTO access_log_gate (id, purge_before) VALUES (1, NULL);

ALTER TABLE citizens ADD COLUMN erased_at ${t.big};

ALTER TABLE requests ADD COLUMN legal_hold_reason TEXT;
ALTER TABLE requests ADD COLUMN legal_hold_at ${t.big};
ALTER TABLE requests ADD COLUMN legal_hold_by TEXT;
ALTER TABLE requests ADD COLUMN anonymised_at ${t.big};
CREATE INDEX requests_retention ON requests (status_kind, closed_at);

CREATE TABLE privacy_erasures (
  id               TEXT PRIMARY KEY,
  citizen_id       TEXT NOT NULL,
  at               ${t.big} NOT NULL,
  actor_id         TEXT NOT NULL,
  reason           TEXT NOT NULL,
  request_ids      TEXT NOT NULL,
  held_request_ids TEXT NOT NULL
);
CREATE INDEX privacy_erasures_at ON privacy_erasures (at);

CREATE TABLE citizen_search (
  gram       TEXT NOT NULL,
  field      TEXT NOT NULL CHECK (field IN ('name', 'email', 'phone')),
  citizen_id TEXT NOT NULL REFERENCES citizens(id),
  PRIMARY KEY (gram, field, citizen_id)
);
CREATE INDEX citizen_search_citizen ON citizen_search (citizen_id);
`)
    if (sql.dialect === 'postgres')
      await sql.exec(/* sql */ `
CREATE FUNCTION citizen_access_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.at < coalesce((SELECT purge_before FROM access_log_gate WHERE id = 1), -1) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'citizen_access_log is append-only' USING ERRCODE = 'GRC01';
END
$$;
CREATE TRIGGER citizen_access_log_append_only BEFORE UPDATE OR DELETE ON citizen_access_log
  FOR EACH ROW EXECUTE FUNCTION citizen_access_log_guard();
CREATE TRIGGER citizen_access_log_no_truncate BEFORE TRUNCATE ON citizen_access_log
  FOR EACH STATEMENT EXECUTE FUNCTION citizen_access_log_guard();
`)
    else
      await sql.exec(/* sql */ `
CREATE TRIGGER citizen_access_log_no_update BEFORE UPDATE ON citizen_access_log
BEGIN
  SELECT RAISE(ABORT, 'citizen_access_log is append-only');
END;
CREATE TRIGGER citizen_access_log_no_delete BEFORE DELETE ON citizen_access_log
WHEN old.at >= coalesce((SELECT purge_before FROM access_log_gate WHERE id = 1), -1)
BEGIN
  SELECT RAISE(ABORT, 'citizen_access_log is append-only');
END;
`)

    // The citizens stored before: their grams, folded the way searches will be.
    const citizens = await sql.all<{ id: string; name: string; email: string | null; phone: string | null }>(
      'SELECT id, name, email, phone FROM citizens ORDER BY id',
    )
    await indexCitizens(sql, citizens)
  },
}
export default migration
