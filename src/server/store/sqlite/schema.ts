/**
 * The server's own tables, on top of the console's schema (the same requests, history,
 * comments and reference tables, so the same query functions serve both):
 *
 * - change_scope: for each (scope, entity) the sequence number of its last change. A scope
 *   is a team id, or '*' for reference data every agent receives. Triggers keep it, so no
 *   write path (mutations, Open311, a later import) can forget to feed the consoles.
 *   A request moving between teams touches both: the old team's consoles learn it left.
 * - request_versions: which fields each version of a request changed, by whom, from which
 *   console: the ground for telling a real conflict from changes that merge.
 * - applied_mutations: every mutation id answered, so a retried push is applied at most once.
 * - refresh_tokens, portal_keys: secrets, stored hashed.
 */
import type { Db } from '../../../main/cache/db'

const BUMP = (scope: string, entity: string, id: string) => `
  UPDATE change_counter SET seq = seq + 1;
  INSERT INTO change_scope (scope, entity, entity_id, seq)
  VALUES (${scope}, ${entity}, ${id}, (SELECT seq FROM change_counter))
  ON CONFLICT (scope, entity, entity_id) DO UPDATE SET seq = excluded.seq;`

const REFERENCE_TABLES = ['teams', 'agents', 'categories', 'sectors', 'routing_rules', 'workflows']

const SERVER_SCHEMA_V1 = /* sql */ `
CREATE TABLE change_counter (only INTEGER PRIMARY KEY CHECK (only = 1), seq INTEGER NOT NULL);
INSERT INTO change_counter (only, seq) VALUES (1, 0);

CREATE TABLE change_scope (
  scope     TEXT NOT NULL,
  entity    TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  seq       INTEGER NOT NULL,
  PRIMARY KEY (scope, entity, entity_id)
) WITHOUT ROWID;
CREATE INDEX change_scope_seq ON change_scope(scope, seq);
CREATE INDEX change_scope_all ON change_scope(seq);

CREATE TRIGGER srv_requests_ai AFTER INSERT ON requests BEGIN ${BUMP('new.team_id', "'request'", 'new.id')} END;
CREATE TRIGGER srv_requests_au AFTER UPDATE ON requests BEGIN
  ${BUMP('old.team_id', "'request'", 'old.id')}
  ${BUMP('new.team_id', "'request'", 'new.id')}
END;
CREATE TRIGGER srv_requests_ad AFTER DELETE ON requests BEGIN ${BUMP('old.team_id', "'request'", 'old.id')} END;
CREATE TRIGGER srv_comments_ai AFTER INSERT ON comments BEGIN
  ${BUMP('(SELECT team_id FROM requests WHERE id = new.request_id)', "'request'", 'new.request_id')}
END;
CREATE TRIGGER srv_history_ai AFTER INSERT ON history_events
WHEN EXISTS (SELECT 1 FROM requests WHERE id = new.request_id) BEGIN
  ${BUMP('(SELECT team_id FROM requests WHERE id = new.request_id)', "'request'", 'new.request_id')}
END;
CREATE TRIGGER srv_citizens_au AFTER UPDATE ON citizens BEGIN
  UPDATE change_counter SET seq = seq + 1;
  INSERT INTO change_scope (scope, entity, entity_id, seq)
  SELECT team_id, 'request', id, (SELECT seq FROM change_counter) FROM requests WHERE citizen_id = new.id
  ON CONFLICT (scope, entity, entity_id) DO UPDATE SET seq = excluded.seq;
END;
${REFERENCE_TABLES.flatMap((t) =>
  ['INSERT', 'UPDATE', 'DELETE'].map(
    (when) => `CREATE TRIGGER srv_${t}_${when.toLowerCase()} AFTER ${when} ON ${t} BEGIN
      ${BUMP("'*'", "'reference'", "'all'")}
    END;`,
  ),
).join('\n')}

CREATE TABLE request_versions (
  request_id  TEXT NOT NULL,
  version     INTEGER NOT NULL,
  fields      TEXT NOT NULL,
  client_id   TEXT,
  agent_id    TEXT,
  mutation_id TEXT,
  actor_name  TEXT,
  at          INTEGER NOT NULL,
  PRIMARY KEY (request_id, version)
) WITHOUT ROWID;

CREATE TABLE applied_mutations (
  mutation_id TEXT PRIMARY KEY,
  client_id   TEXT NOT NULL,
  agent_id    TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  op          TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('applied', 'conflict', 'rejected')),
  outcome     TEXT NOT NULL,
  at          INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  agent_id   TEXT NOT NULL,
  client_id  TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  -- When the agent last typed their password: rotation carries it, so a session has an end.
  auth_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE portal_keys (
  key_hash   TEXT PRIMARY KEY,
  portal     TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
`

/** Tours join the feed of their team; a tour moved to another team leaves the old one's consoles. */
const SERVER_SCHEMA_V2 = /* sql */ `
CREATE TRIGGER srv_tours_ai AFTER INSERT ON tours BEGIN ${BUMP('new.team_id', "'tour'", 'new.id')} END;
CREATE TRIGGER srv_tours_au AFTER UPDATE ON tours BEGIN
  ${BUMP('old.team_id', "'tour'", 'old.id')}
  ${BUMP('new.team_id', "'tour'", 'new.id')}
END;
CREATE TRIGGER srv_tours_ad AFTER DELETE ON tours BEGIN ${BUMP('old.team_id', "'tour'", 'old.id')} END;
`

/**
 * Who wrote each version of a tour (a deletion too): a save made on an older version is
 * refused when another console wrote in between, instead of silently undoing its work.
 */
const SERVER_SCHEMA_V3 = /* sql */ `
CREATE TABLE tour_versions (
  tour_id    TEXT NOT NULL,
  version    INTEGER NOT NULL,
  client_id  TEXT NOT NULL,
  agent_id   TEXT NOT NULL,
  actor_name TEXT,
  deleted    INTEGER NOT NULL DEFAULT 0,
  at         INTEGER NOT NULL,
  PRIMARY KEY (tour_id, version)
) WITHOUT ROWID;
`

/** Server migrations, tracked apart from the console's (`user_version` belongs to those). */
const SERVER_MIGRATIONS: readonly string[] = [SERVER_SCHEMA_V1, SERVER_SCHEMA_V2, SERVER_SCHEMA_V3]

export function migrateServerSchema(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS server_schema (version INTEGER NOT NULL)')
  const current = (db.prepare('SELECT max(version) FROM server_schema').pluck().get() as number | null) ?? 0
  if (current > SERVER_MIGRATIONS.length)
    throw new Error(
      `server database has schema ${current}; this server knows up to ${SERVER_MIGRATIONS.length}`,
    )
  SERVER_MIGRATIONS.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql)
      db.prepare('INSERT INTO server_schema (version) VALUES (?)').run(current + i + 1)
    }).immediate()
  })
}

/**
 * After a bulk load (the demo seed drops and re-creates triggers around it), give every
 * request and the reference data their place in the change feed.
 */
export function rebuildChangeScope(db: Db): void {
  db.transaction(() => {
    db.exec(`DELETE FROM change_scope`)
    db.exec(`INSERT INTO change_scope (scope, entity, entity_id, seq)
             SELECT team_id, 'request', id, 1 + row_number() OVER (ORDER BY rowid) FROM requests`)
    db.exec(`UPDATE change_counter SET seq = (SELECT count(*) FROM requests) + 1`)
    // Reference data first: a console knows the categories and teams before their requests.
    db.exec(`INSERT INTO change_scope (scope, entity, entity_id, seq) VALUES ('*', 'reference', 'all', 1)`)
  })()
}
