/**
 * Search folds ligatures and compatibility characters (issue 18): « Vandoeuvre » finds
 * « Vandœuvre ». The FTS triggers now index every text through `grc_fold` (`foldLetters`,
 * src/core/privacy/text.ts), and the index is rebuilt once from the requests and citizens.
 * The tokenizer is unchanged (`unicode61 remove_diacritics 2`): accents are still removed by it.
 *
 * The rebuild reads every request once (a few seconds for 500k, at the first start of this
 * version); nothing else is rewritten.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import { foldSql, ftsTagsSql, registerSearchFunctions } from '../fts'
import type { Migration } from '../migrate'

/** The indexed columns of a request row alias and its citizen's name, folded. */
const values = (row: string, citizenName: string) =>
  [
    `${row}.rowid`,
    foldSql(`${row}.reference`),
    foldSql(`${row}.title`),
    foldSql(`${row}.description`),
    foldSql(`${row}.address`),
    foldSql(citizenName),
    ftsTagsSql(row),
  ].join(', ')

const COLUMNS = 'rowid, reference, title, description, address, citizen_name, tags'

const TRIGGERS = /* sql */ `
DROP TRIGGER requests_fts_ai;
DROP TRIGGER requests_fts_au;
DROP TRIGGER citizens_fts_ai;
DROP TRIGGER citizens_fts_au;
DROP TRIGGER citizens_fts_ad;

CREATE TRIGGER requests_fts_ai AFTER INSERT ON requests BEGIN
  INSERT INTO requests_fts (${COLUMNS})
  VALUES (${values('new', '(SELECT name FROM citizens WHERE id = new.citizen_id)')});
END;
CREATE TRIGGER requests_fts_au
AFTER UPDATE OF reference, title, description, address, citizen_id, team_id, status, category_id, assignee_id
ON requests BEGIN
  DELETE FROM requests_fts WHERE rowid = old.rowid;
  INSERT INTO requests_fts (${COLUMNS})
  VALUES (${values('new', '(SELECT name FROM citizens WHERE id = new.citizen_id)')});
END;

-- A citizen's name is searchable on each of their requests; it may arrive after them (sync).
CREATE TRIGGER citizens_fts_ai AFTER INSERT ON citizens BEGIN
  DELETE FROM requests_fts WHERE rowid IN (SELECT rowid FROM requests WHERE citizen_id = new.id);
  INSERT INTO requests_fts (${COLUMNS})
  SELECT ${values('requests', 'new.name')} FROM requests WHERE citizen_id = new.id;
END;
CREATE TRIGGER citizens_fts_au AFTER UPDATE OF name ON citizens BEGIN
  DELETE FROM requests_fts WHERE rowid IN (SELECT rowid FROM requests WHERE citizen_id = new.id);
  INSERT INTO requests_fts (${COLUMNS})
  SELECT ${values('requests', 'new.name')} FROM requests WHERE citizen_id = new.id;
END;
CREATE TRIGGER citizens_fts_ad AFTER DELETE ON citizens BEGIN
  DELETE FROM requests_fts WHERE rowid IN (SELECT rowid FROM requests WHERE citizen_id = old.id);
  INSERT INTO requests_fts (${COLUMNS})
  SELECT ${values('requests', 'NULL')} FROM requests WHERE citizen_id = old.id;
END;
`

/** Every request's index entry, as the triggers write it (bulkLoad.ts rebuilds with the same). */
export const REBUILD_FTS = /* sql */ `
INSERT INTO requests_fts (${COLUMNS})
SELECT ${values('r', 'c.name')}
FROM requests r LEFT JOIN citizens c ON c.id = r.citizen_id ORDER BY r.rowid`

export const migration: Migration = {
  version: 8,
  name: '0008-fts-fold',
  up(db: Database.Database) {
    // Connections opened by cache/db.ts have it already; a bare one (tests) gets it here.
    registerSearchFunctions(db)
    db.exec(TRIGGERS)
    db.exec(`INSERT INTO requests_fts (requests_fts) VALUES ('delete-all')`)
    db.exec(REBUILD_FTS)
  },
}
export default migration
