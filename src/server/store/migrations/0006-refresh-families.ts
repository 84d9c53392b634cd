/**
 * Refresh tokens in families: a renewal marks the token used instead of deleting it, and
 * its successor joins the same family. The same token presented again shortly after (its
 * answer was lost, or the request arrived twice) renews again instead of logging the agent
 * out; presented later, it was stolen or copied: the whole family stops working.
 */
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'
import { types } from './0001-initial'

const migration: Migration<Sql> = {
  version: 6,
  name: '0006-refresh-families',
  async up(sql) {
    const t = types(sql)
    await sql.exec(/* sql */ `
ALTER TABLE refresh_tokens ADD COLUMN family_id TEXT;
ALTER TABLE refresh_tokens ADD COLUMN used_at ${t.big};
UPDATE refresh_tokens SET family_id = token_hash;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
`)
  },
}
export default migration
