/**
 * What several instances share besides the data:
 * - signing keys: a token one instance signed is accepted by every other, and a restart no
 *   longer voids every console's access token. A key signs for a rotation period, then
 *   verifies only until the last token it signed has expired;
 * - login failures: the throttle counts a login's failures across instances.
 */
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'
import { types } from './0001-initial'

const migration: Migration<Sql> = {
  version: 2,
  name: '0002-shared-auth',
  async up(sql) {
    const t = types(sql)
    await sql.exec(/* sql */ `
CREATE TABLE signing_keys (
  id         TEXT PRIMARY KEY,
  secret     TEXT NOT NULL,
  created_at ${t.big} NOT NULL
);

CREATE TABLE login_failures (
  login_key  TEXT PRIMARY KEY,
  failures   INTEGER NOT NULL,
  wait_until ${t.big} NOT NULL
);
`)
  },
}
export default migration
