/**
 * An agent's search reads only her teams' part of an index (issue 16): `requests_team_fts`
 * holds each request's words and its citizen's name as terms scoped to its team
 * (`teamTermsOf`, cache/fts.ts), kept by triggers like the cache's search index. A search
 * within a few teams names their terms there; a supervisor's reads `requests_fts`, as before.
 *
 * Built with the cache: from a cache's first request (an empty cache now) or by the bulk load
 * of a first download, which then marks it ready. A cache that already holds requests is not
 * rebuilt here: that costs 20 to 30 s at 500 000 requests and minutes at 2 million, at the
 * first start of this version and with nothing on screen. Its triggers keep it from now on,
 * but it stays not ready, and searches read `requests_fts` as before, until the cache is
 * emptied (a reset, before it is filled again from the server).
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import { registerSearchFunctions, teamNamesSql, teamWordsSql } from '../fts'
import type { Migration } from '../migrate'

const COLUMNS = 'rowid, team_words, team_names'
const values = (row: string, citizenName: string) =>
  [`${row}.rowid`, teamWordsSql(row), teamNamesSql(row, citizenName)].join(', ')

/** After a bulk load (or on an empty cache): every request is in the index. */
export const TEAM_FTS_READY = `UPDATE team_search_state SET ready = 1`

const SCHEMA = /* sql */ `
-- Contentless as requests_fts: the text lives in requests and citizens.
CREATE VIRTUAL TABLE requests_team_fts USING fts5(
  team_words, team_names,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);
-- Whether every request is in requests_team_fts (searches read it only then).
CREATE TABLE team_search_state (ready INTEGER NOT NULL);
INSERT INTO team_search_state (ready) VALUES (NOT EXISTS (SELECT 1 FROM requests));

CREATE TRIGGER requests_fts_team_ai AFTER INSERT ON requests BEGIN
  INSERT INTO requests_team_fts (${COLUMNS})
  VALUES (${values('new', '(SELECT name FROM citizens WHERE id = new.citizen_id)')});
END;
CREATE TRIGGER requests_fts_team_ad AFTER DELETE ON requests BEGIN
  DELETE FROM requests_team_fts WHERE rowid = old.rowid;
  -- Emptied (a reset before the cache is filled again): it holds every request, none.
  UPDATE team_search_state SET ready = 1 WHERE ready = 0 AND NOT EXISTS (SELECT 1 FROM requests);
END;
CREATE TRIGGER requests_fts_team_au
AFTER UPDATE OF reference, title, description, address, citizen_id, team_id ON requests BEGIN
  DELETE FROM requests_team_fts WHERE rowid = old.rowid;
  INSERT INTO requests_team_fts (${COLUMNS})
  VALUES (${values('new', '(SELECT name FROM citizens WHERE id = new.citizen_id)')});
END;

-- A citizen's name is searchable on each of their requests; it may arrive after them (sync).
CREATE TRIGGER citizens_fts_team_ai AFTER INSERT ON citizens BEGIN
  DELETE FROM requests_team_fts WHERE rowid IN (SELECT rowid FROM requests WHERE citizen_id = new.id);
  INSERT INTO requests_team_fts (${COLUMNS})
  SELECT ${values('requests', 'new.name')} FROM requests WHERE citizen_id = new.id;
END;
CREATE TRIGGER citizens_fts_team_au AFTER UPDATE OF name ON citizens BEGIN
  DELETE FROM requests_team_fts WHERE rowid IN (SELECT rowid FROM requests WHERE citizen_id = new.id);
  INSERT INTO requests_team_fts (${COLUMNS})
  SELECT ${values('requests', 'new.name')} FROM requests WHERE citizen_id = new.id;
END;
CREATE TRIGGER citizens_fts_team_ad AFTER DELETE ON citizens BEGIN
  DELETE FROM requests_team_fts WHERE rowid IN (SELECT rowid FROM requests WHERE citizen_id = old.id);
  INSERT INTO requests_team_fts (${COLUMNS})
  SELECT ${values('requests', 'NULL')} FROM requests WHERE citizen_id = old.id;
END;
`

export const migration: Migration = {
  version: 22,
  name: '0022-team-search',
  up(db: Database.Database) {
    // Connections opened by cache/db.ts have the function already; a bare one (tests) gets it here.
    registerSearchFunctions(db)
    db.exec(SCHEMA)
  },
}
export default migration
