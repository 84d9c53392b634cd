/**
 * The server's schema, the same tables on SQLite and PostgreSQL (types differ by name only):
 *
 * - reference data: agents (found by login), and the other reference items (teams,
 *   categories, sectors, routing rules, workflows) as JSON documents by kind;
 * - requests (`n`: creation order), their citizens, comments and append-only history;
 * - tours, and who wrote each version of a tour or a request (`tour_versions`,
 *   `request_versions`): the ground for telling a real conflict from changes that merge;
 * - the change feed: `change_scope` holds, per (scope, entity), the sequence number of its
 *   last change; a scope is a team id, or '*' for what every agent receives. The sequence
 *   comes from the one-row `change_counter`, taken at the end of each write transaction, so
 *   feed order is commit order even with several server instances;
 * - applied_mutations: every mutation id answered (its primary key decides, on any instance,
 *   that a mutation is applied once); refresh_tokens and portal_keys, stored hashed.
 */
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'

export const types = (sql: Sql) =>
  sql.dialect === 'postgres'
    ? { big: 'BIGINT', real: 'DOUBLE PRECISION', serial: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' }
    : { big: 'INTEGER', real: 'REAL', serial: 'INTEGER PRIMARY KEY' }

const migration: Migration<Sql> = {
  version: 1,
  name: '0001-initial',
  async up(sql) {
    const t = types(sql)
    await sql.exec(/* sql */ `
CREATE TABLE agents (
  id           TEXT PRIMARY KEY,
  login        TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  roles        TEXT NOT NULL,
  team_ids     TEXT NOT NULL
);

CREATE TABLE reference_items (
  kind    TEXT NOT NULL CHECK (kind IN ('team', 'category', 'sector', 'routing_rule', 'workflow')),
  id      TEXT NOT NULL,
  data    TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);

CREATE TABLE citizens (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  email              TEXT,
  phone              TEXT,
  postal_address     TEXT,
  contact_preference TEXT NOT NULL
);

CREATE TABLE requests (
  n                ${t.serial},
  id               TEXT NOT NULL UNIQUE,
  reference        TEXT NOT NULL UNIQUE,
  title            TEXT NOT NULL,
  category_id      TEXT NOT NULL,
  subcategory      TEXT,
  channel          TEXT NOT NULL,
  status           TEXT NOT NULL,
  status_kind      TEXT NOT NULL,
  priority         TEXT NOT NULL,
  team_id          TEXT NOT NULL,
  assignee_id      TEXT,
  description      TEXT NOT NULL,
  address          TEXT,
  lat              ${t.real},
  lon              ${t.real},
  citizen_id       TEXT REFERENCES citizens(id),
  fields           TEXT NOT NULL,
  created_at       ${t.big} NOT NULL,
  updated_at       ${t.big} NOT NULL,
  due_at           ${t.big},
  closed_at        ${t.big},
  sla_paused_ms    ${t.big} NOT NULL,
  sla_paused_since ${t.big},
  version          INTEGER NOT NULL
);
CREATE INDEX requests_channel ON requests (channel, n);
CREATE INDEX requests_citizen ON requests (citizen_id);

-- References are numbered per year; the counter's row lock hands out each number once.
CREATE TABLE reference_counters (
  year INTEGER PRIMARY KEY,
  last INTEGER NOT NULL
);

CREATE TABLE comments (
  id          TEXT PRIMARY KEY,
  request_id  TEXT NOT NULL REFERENCES requests(id),
  kind        TEXT NOT NULL,
  body        TEXT NOT NULL,
  author_id   TEXT,
  author_name TEXT,
  created_at  ${t.big} NOT NULL
);
CREATE INDEX comments_request ON comments (request_id, created_at);

CREATE TABLE history_events (
  id          ${t.serial},
  request_id  TEXT NOT NULL REFERENCES requests(id),
  kind        TEXT NOT NULL,
  at          ${t.big} NOT NULL,
  actor_id    TEXT,
  actor_name  TEXT,
  data        TEXT NOT NULL,
  mutation_id TEXT
);
CREATE INDEX history_request ON history_events (request_id, at, id);

CREATE TABLE tours (
  id            TEXT PRIMARY KEY,
  team_id       TEXT NOT NULL,
  technician_id TEXT,
  data          TEXT NOT NULL,
  version       INTEGER NOT NULL
);

CREATE TABLE request_versions (
  request_id  TEXT NOT NULL,
  version     INTEGER NOT NULL,
  fields      TEXT NOT NULL,
  client_id   TEXT,
  agent_id    TEXT,
  mutation_id TEXT,
  actor_name  TEXT,
  at          ${t.big} NOT NULL,
  PRIMARY KEY (request_id, version)
);

CREATE TABLE tour_versions (
  tour_id    TEXT NOT NULL,
  version    INTEGER NOT NULL,
  client_id  TEXT NOT NULL,
  agent_id   TEXT NOT NULL,
  actor_name TEXT,
  deleted    INTEGER NOT NULL DEFAULT 0,
  at         ${t.big} NOT NULL,
  PRIMARY KEY (tour_id, version)
);

CREATE TABLE change_counter (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  ${t.big} NOT NULL
);
INSERT INTO change_counter (id, seq) VALUES (1, 0);

CREATE TABLE change_scope (
  scope     TEXT NOT NULL,
  entity    TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  seq       ${t.big} NOT NULL,
  PRIMARY KEY (scope, entity, entity_id)
);
CREATE INDEX change_scope_seq ON change_scope (scope, seq);
CREATE INDEX change_scope_all ON change_scope (seq);

CREATE TABLE applied_mutations (
  mutation_id TEXT PRIMARY KEY,
  client_id   TEXT NOT NULL,
  agent_id    TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  op          TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('applied', 'conflict', 'rejected')),
  outcome     TEXT NOT NULL,
  at          ${t.big} NOT NULL
);

CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  agent_id   TEXT NOT NULL,
  client_id  TEXT NOT NULL,
  expires_at ${t.big} NOT NULL,
  -- When the agent last typed their password: rotation carries it, so a session has an end.
  auth_at    ${t.big} NOT NULL
);
CREATE INDEX refresh_tokens_agent ON refresh_tokens (agent_id);

CREATE TABLE portal_keys (
  key_hash   TEXT PRIMARY KEY,
  portal     TEXT NOT NULL,
  created_at ${t.big} NOT NULL
);
`)
  },
}
export default migration
