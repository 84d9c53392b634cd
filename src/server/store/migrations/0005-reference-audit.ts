/**
 * Reference data that administrators change: each item gets a version (an edit made on an
 * older one is refused, not silently undone), and every change goes into an append-only
 * audit trail (who, when, the item before and after).
 */
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'
import { types } from './0001-initial'

const migration: Migration<Sql> = {
  version: 5,
  name: '0005-reference-audit',
  async up(sql) {
    const t = types(sql)
    await sql.exec(/* sql */ `
ALTER TABLE reference_items ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE reference_audit (
  id         ${t.serial},
  kind       TEXT NOT NULL,
  item_id    TEXT NOT NULL,
  version    INTEGER NOT NULL,
  action     TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  before     TEXT,
  after      TEXT,
  actor_id   TEXT,
  actor_name TEXT,
  at         ${t.big} NOT NULL
);
CREATE INDEX reference_audit_item ON reference_audit (kind, item_id, id);
`)
  },
}
export default migration
