/**
 * API accounts: one per partner (a citizens' portal, a utility, a neighbouring authority),
 * each with its key (stored as a SHA-256 hash only, recognised in lists by a short public
 * prefix), its scopes, the categories and teams it may read (NULL: all), its rate, and an
 * expiry and a revocation. Every use is appended to `api_account_uses` (account, scope,
 * route pattern, status, time: never a body or a query string). `api_rate_windows` counts
 * each account's calls in its current minute, shared by every server instance.
 *
 * The portal keys of 0001 become accounts named after their portal, with the two Open311
 * scopes; their hashes carry over, so the portals' keys keep working.
 */
import { randomUUID } from 'node:crypto'
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'
import { types } from './0001-initial'

/** What a portal key of 0001 could do. */
const PORTAL_SCOPES = JSON.stringify(['open311:submit', 'open311:read'])
/** Calls per minute of a migrated portal (a portal speaks for many citizens). */
const PORTAL_RATE_PER_MINUTE = 600

const migration: Migration<Sql> = {
  version: 4,
  name: '0004-api-accounts',
  async up(sql) {
    const t = types(sql)
    await sql.exec(/* sql */ `
CREATE TABLE api_accounts (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  key_hash        TEXT NOT NULL UNIQUE,
  -- The public start of the key (grc_xxxxxxxx), or sha256:<8 hex> for a key chosen outside.
  key_prefix      TEXT NOT NULL,
  scopes          TEXT NOT NULL,
  category_ids    TEXT,
  team_ids        TEXT,
  rate_per_minute INTEGER NOT NULL,
  created_at      ${t.big} NOT NULL,
  expires_at      ${t.big},
  revoked_at      ${t.big}
);

CREATE TABLE api_account_uses (
  id         ${t.serial},
  account_id TEXT NOT NULL REFERENCES api_accounts(id),
  scope      TEXT NOT NULL,
  method     TEXT NOT NULL,
  route      TEXT NOT NULL,
  status     INTEGER NOT NULL,
  at         ${t.big} NOT NULL
);
CREATE INDEX api_account_uses_account ON api_account_uses (account_id, at);

CREATE TABLE api_rate_windows (
  rate_key     TEXT PRIMARY KEY,
  window_start ${t.big} NOT NULL,
  hits         INTEGER NOT NULL
);
`)
    const keys = await sql.all<{ key_hash: string; portal: string; created_at: number }>(
      'SELECT key_hash, portal, created_at FROM portal_keys ORDER BY created_at, key_hash',
    )
    for (const k of keys)
      await sql.run(
        `INSERT INTO api_accounts (id, name, key_hash, key_prefix, scopes, category_ids, team_ids,
                                   rate_per_minute, created_at, expires_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, NULL, NULL)`,
        [
          randomUUID(),
          k.portal,
          k.key_hash,
          `sha256:${k.key_hash.slice(0, 8)}`,
          PORTAL_SCOPES,
          PORTAL_RATE_PER_MINUTE,
          k.created_at,
        ],
      )
    await sql.exec('DROP TABLE portal_keys')
  },
}
export default migration
