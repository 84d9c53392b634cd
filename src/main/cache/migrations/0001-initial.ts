/**
 * The first schema of the cache: reference data, requests with their derived
 * structures (full-text index, R*Tree, per-status counts), history, comments, outbox.
 *
 * Derived structures are kept in step by triggers, so no query function can forget them.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

/** The largest integer JavaScript reads back exactly: "no due date" sorts after every date. */
const NO_DUE_DATE = Number.MAX_SAFE_INTEGER

/** The FTS tags of a request row (`new`, or a table name): must match ftsTags in store/fts.ts. */
const TAGS = (row: string) =>
  `'t' || hex(${row}.team_id) || ' s' || hex(${row}.status) || ' c' || hex(${row}.category_id) || ' ' ||
   CASE WHEN ${row}.assignee_id IS NULL THEN 'anone' ELSE 'a' || hex(${row}.assignee_id) END`

const SCHEMA = /* sql */ `
CREATE TABLE teams (
  id   TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL
);

CREATE TABLE agents (
  id           TEXT PRIMARY KEY,
  login        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  roles        TEXT NOT NULL DEFAULT '[]',
  team_ids     TEXT NOT NULL DEFAULT '[]'
);

-- agents.team_ids is what the directory said; this table is the same fact, indexed by team.
CREATE TABLE agent_teams (
  agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  team_id  TEXT NOT NULL,
  PRIMARY KEY (agent_id, team_id)
) WITHOUT ROWID;
CREATE INDEX agent_teams_team ON agent_teams(team_id, agent_id);

CREATE TABLE workflows (
  id         TEXT PRIMARY KEY,
  version    INTEGER NOT NULL,
  definition TEXT NOT NULL
);

CREATE TABLE categories (
  id                 TEXT PRIMARY KEY,
  code               TEXT NOT NULL UNIQUE,
  name_fr            TEXT NOT NULL,
  name_en            TEXT NOT NULL,
  workflow_id        TEXT NOT NULL,
  default_team_id    TEXT NOT NULL,
  sla_business_hours INTEGER NOT NULL CHECK (sla_business_hours > 0),
  requires_location  INTEGER NOT NULL CHECK (requires_location IN (0, 1)),
  subcategories      TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE sectors (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  commune_code TEXT,
  geometry     TEXT NOT NULL
);

CREATE TABLE routing_rules (
  id          TEXT PRIMARY KEY,
  position    INTEGER NOT NULL,
  name        TEXT NOT NULL,
  category_id TEXT,
  subcategory TEXT,
  channel     TEXT,
  sector_id   TEXT,
  team_id     TEXT NOT NULL
);

CREATE TABLE citizens (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  email              TEXT,
  phone              TEXT,
  postal_address     TEXT,
  contact_preference TEXT NOT NULL DEFAULT 'none'
    CHECK (contact_preference IN ('email', 'phone', 'post', 'none'))
);

-- rowid is time-ordered: created_at * 1024 + a sequence (see insertRequest), so rowid
-- order IS creation order: the created_* sorts, and text search in that order, read an
-- index or the FTS doclist in rowid order without sorting anything.
CREATE TABLE requests (
  rowid            INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  reference        TEXT NOT NULL UNIQUE,
  title            TEXT NOT NULL,
  category_id      TEXT NOT NULL,
  subcategory      TEXT,
  channel          TEXT NOT NULL,
  status           TEXT NOT NULL,
  status_kind      TEXT NOT NULL CHECK (status_kind IN ('open', 'closed')),
  priority         INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
  team_id          TEXT NOT NULL,
  assignee_id      TEXT,
  description      TEXT NOT NULL DEFAULT '',
  address          TEXT,
  lat              REAL,
  lon              REAL,
  citizen_id       TEXT,
  fields           TEXT NOT NULL DEFAULT '{}',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  due_at           INTEGER,
  closed_at        INTEGER,
  sla_paused_ms    INTEGER NOT NULL DEFAULT 0,
  sla_paused_since INTEGER,
  version          INTEGER NOT NULL DEFAULT 0,
  -- due_asc puts requests without a due date last; an indexable key makes that a plain range.
  due_sort         INTEGER GENERATED ALWAYS AS (coalesce(due_at, ${NO_DUE_DATE})) VIRTUAL
);

-- One index per queue sort, each led by team_id (rowid, the creation order, is implicitly
-- last): a queue page is one short range per team of the scope, merged (queries/requests.ts).
CREATE INDEX requests_team          ON requests(team_id);
-- The status tabs: in creation order, one range per (team, status) of the filter.
CREATE INDEX requests_team_status   ON requests(team_id, status);
CREATE INDEX requests_team_priority ON requests(team_id, priority);
CREATE INDEX requests_team_updated  ON requests(team_id, updated_at);
CREATE INDEX requests_team_due      ON requests(team_id, due_sort);
-- Overdue = open and past due: only open requests are indexed, with the facet columns, so
-- counting them never reads the table.
CREATE INDEX requests_open_due ON requests(team_id, due_at, status, category_id, priority, assignee_id)
  WHERE status_kind = 'open';
CREATE INDEX requests_citizen ON requests(citizen_id) WHERE citizen_id IS NOT NULL;

-- Counts per status for the queue tabs, kept by triggers: a facet is a sum over a few
-- hundred rows instead of a scan of every request.
CREATE TABLE request_counts (
  team_id      TEXT NOT NULL,
  status       TEXT NOT NULL,
  category_id  TEXT NOT NULL,
  priority     INTEGER NOT NULL,
  assignee_key TEXT NOT NULL, -- '' when unassigned
  n            INTEGER NOT NULL,
  PRIMARY KEY (team_id, status, category_id, priority, assignee_key)
) WITHOUT ROWID;

CREATE TRIGGER requests_counts_ai AFTER INSERT ON requests BEGIN
  INSERT INTO request_counts (team_id, status, category_id, priority, assignee_key, n)
  VALUES (new.team_id, new.status, new.category_id, new.priority, ifnull(new.assignee_id, ''), 1)
  ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER requests_counts_ad AFTER DELETE ON requests BEGIN
  UPDATE request_counts SET n = n - 1
  WHERE team_id = old.team_id AND status = old.status AND category_id = old.category_id
    AND priority = old.priority AND assignee_key = ifnull(old.assignee_id, '');
  DELETE FROM request_counts
  WHERE team_id = old.team_id AND status = old.status AND category_id = old.category_id
    AND priority = old.priority AND assignee_key = ifnull(old.assignee_id, '') AND n <= 0;
END;
CREATE TRIGGER requests_counts_au AFTER UPDATE OF team_id, status, category_id, priority, assignee_id ON requests
BEGIN
  UPDATE request_counts SET n = n - 1
  WHERE team_id = old.team_id AND status = old.status AND category_id = old.category_id
    AND priority = old.priority AND assignee_key = ifnull(old.assignee_id, '');
  DELETE FROM request_counts
  WHERE team_id = old.team_id AND status = old.status AND category_id = old.category_id
    AND priority = old.priority AND assignee_key = ifnull(old.assignee_id, '') AND n <= 0;
  INSERT INTO request_counts (team_id, status, category_id, priority, assignee_key, n)
  VALUES (new.team_id, new.status, new.category_id, new.priority, ifnull(new.assignee_id, ''), 1)
  ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- Full-text search. Contentless (the text lives in requests and citizens) with
-- contentless_delete so rows can be replaced; diacritics folded so "eclairage" finds
-- "éclairage". The tags column holds one token per team, status, category and assignee
-- (hex-encoded ids: "t…", "s…", "c…", "a…" / "anone"), so a search restricted to an
-- agent's teams or to a status is answered by the index alone.
CREATE VIRTUAL TABLE requests_fts USING fts5(
  reference, title, description, address, citizen_name, tags,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER requests_fts_ai AFTER INSERT ON requests BEGIN
  INSERT INTO requests_fts (rowid, reference, title, description, address, citizen_name, tags)
  VALUES (new.rowid, new.reference, new.title, new.description, new.address,
          (SELECT name FROM citizens WHERE id = new.citizen_id),
          ${TAGS('new')});
END;
CREATE TRIGGER requests_fts_ad AFTER DELETE ON requests BEGIN
  DELETE FROM requests_fts WHERE rowid = old.rowid;
END;
CREATE TRIGGER requests_fts_au
AFTER UPDATE OF reference, title, description, address, citizen_id, team_id, status, category_id, assignee_id
ON requests BEGIN
  DELETE FROM requests_fts WHERE rowid = old.rowid;
  INSERT INTO requests_fts (rowid, reference, title, description, address, citizen_name, tags)
  VALUES (new.rowid, new.reference, new.title, new.description, new.address,
          (SELECT name FROM citizens WHERE id = new.citizen_id),
          ${TAGS('new')});
END;

-- A citizen's name is searchable on each of their requests; it may arrive after them (sync).
CREATE TRIGGER citizens_fts_ai AFTER INSERT ON citizens BEGIN
  DELETE FROM requests_fts WHERE rowid IN (SELECT rowid FROM requests WHERE citizen_id = new.id);
  INSERT INTO requests_fts (rowid, reference, title, description, address, citizen_name, tags)
  SELECT rowid, reference, title, description, address, new.name, ${TAGS('requests')}
  FROM requests WHERE citizen_id = new.id;
END;
CREATE TRIGGER citizens_fts_au AFTER UPDATE OF name ON citizens BEGIN
  DELETE FROM requests_fts WHERE rowid IN (SELECT rowid FROM requests WHERE citizen_id = new.id);
  INSERT INTO requests_fts (rowid, reference, title, description, address, citizen_name, tags)
  SELECT rowid, reference, title, description, address, new.name, ${TAGS('requests')}
  FROM requests WHERE citizen_id = new.id;
END;
CREATE TRIGGER citizens_fts_ad AFTER DELETE ON citizens BEGIN
  DELETE FROM requests_fts WHERE rowid IN (SELECT rowid FROM requests WHERE citizen_id = old.id);
  INSERT INTO requests_fts (rowid, reference, title, description, address, citizen_name, tags)
  SELECT rowid, reference, title, description, address, NULL, ${TAGS('requests')}
  FROM requests WHERE citizen_id = old.id;
END;

-- Map viewport: an R*Tree of request points keyed by requests.rowid. A third dimension,
-- the team (as a small integer key), lets a team-scoped viewport read only its teams'
-- points; auxiliary columns carry what the map draws, so no request row is read.
CREATE TABLE team_keys (
  key     INTEGER PRIMARY KEY,
  team_id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE requests_geo USING rtree(
  id, min_lat, max_lat, min_lon, max_lon, min_team, max_team,
  +request_id, +lat, +lon, +status, +category_id, +priority
);

CREATE TRIGGER requests_geo_ai AFTER INSERT ON requests
WHEN new.lat IS NOT NULL AND new.lon IS NOT NULL BEGIN
  INSERT OR IGNORE INTO team_keys (team_id) VALUES (new.team_id);
  INSERT INTO requests_geo (id, min_lat, max_lat, min_lon, max_lon, min_team, max_team,
                            request_id, lat, lon, status, category_id, priority)
  SELECT new.rowid, new.lat, new.lat, new.lon, new.lon, k.key, k.key,
         new.id, new.lat, new.lon, new.status, new.category_id, new.priority
  FROM team_keys k WHERE k.team_id = new.team_id;
END;
CREATE TRIGGER requests_geo_ad AFTER DELETE ON requests BEGIN
  DELETE FROM requests_geo WHERE id = old.rowid;
END;
CREATE TRIGGER requests_geo_au AFTER UPDATE OF id, lat, lon, team_id, status, category_id, priority ON requests
BEGIN
  DELETE FROM requests_geo WHERE id = old.rowid;
  INSERT OR IGNORE INTO team_keys (team_id)
  SELECT new.team_id WHERE new.lat IS NOT NULL AND new.lon IS NOT NULL;
  INSERT INTO requests_geo (id, min_lat, max_lat, min_lon, max_lon, min_team, max_team,
                            request_id, lat, lon, status, category_id, priority)
  SELECT new.rowid, new.lat, new.lat, new.lon, new.lon, k.key, k.key,
         new.id, new.lat, new.lon, new.status, new.category_id, new.priority
  FROM team_keys k WHERE k.team_id = new.team_id AND new.lat IS NOT NULL AND new.lon IS NOT NULL;
END;

-- History is append-only: nothing rewrites it. Deleting is refused too, except when the
-- request itself has left the cache (out of the agent's scope, purged), which cascades here.
CREATE TABLE history_events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  kind       TEXT NOT NULL,
  at         INTEGER NOT NULL,
  actor_id   TEXT,
  actor_name TEXT,
  data       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX history_events_request ON history_events(request_id, at);
CREATE TRIGGER history_events_no_update BEFORE UPDATE ON history_events BEGIN
  SELECT RAISE(ABORT, 'history_events is append-only');
END;
CREATE TRIGGER history_events_no_delete BEFORE DELETE ON history_events
WHEN EXISTS (SELECT 1 FROM requests WHERE id = old.request_id) BEGIN
  SELECT RAISE(ABORT, 'history_events is append-only');
END;

CREATE TABLE comments (
  id          TEXT PRIMARY KEY,
  request_id  TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  kind        TEXT NOT NULL CHECK (kind IN ('internal', 'public')),
  body        TEXT NOT NULL,
  author_id   TEXT,
  author_name TEXT,
  created_at  INTEGER NOT NULL
);
CREATE INDEX comments_request ON comments(request_id, created_at);

CREATE TABLE outbox (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  mutation_id  TEXT NOT NULL UNIQUE,
  entity       TEXT NOT NULL,
  entity_id    TEXT NOT NULL,
  op           TEXT NOT NULL,
  base_version INTEGER,
  payload      TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT
);

CREATE TABLE sync_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE access_log (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  agent_id   TEXT NOT NULL,
  request_id TEXT,
  citizen_id TEXT,
  action     TEXT NOT NULL
);
CREATE INDEX access_log_at ON access_log(at);
CREATE INDEX access_log_citizen ON access_log(citizen_id) WHERE citizen_id IS NOT NULL;

CREATE TABLE saved_views (
  id         TEXT PRIMARY KEY,
  agent_id   TEXT NOT NULL,
  name       TEXT NOT NULL,
  filter     TEXT NOT NULL DEFAULT '{}',
  sort       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX saved_views_agent ON saved_views(agent_id, created_at);
`

export const migration: Migration = {
  version: 1,
  name: '0001-initial',
  up(db: Database.Database) {
    db.exec(SCHEMA)
  },
}
export default migration
