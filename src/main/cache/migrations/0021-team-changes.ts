/**
 * How many times each team's requests changed, kept by triggers: a request coming into the
 * team, leaving it, or changed in what the dispatch board's « what a person handles » reads
 * (assignee, category, place, time of the change). The board keeps each team's recent work
 * between two reads and reads it again only for the teams whose count moved
 * (queries/dispatch.ts, `recentWork`): after an assignment in one team, that team's, not the
 * twelve teams' of a supervisor (105 ms at 500 000 demo requests).
 *
 * Any change counts, even one that leaves the values as they were: reading a team again for
 * nothing costs a little time, keeping a stale one would show a person's sectors wrong.
 * The triggers are named `requests_counts_*` so that the bulk load drops them during a load;
 * it then moves every team's count once (cache/bulkLoad.ts, TEAM_CHANGES_REBUILD).
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Migration } from '../migrate'

const bump = (team: string) =>
  `INSERT INTO team_changes (team_id, n) VALUES (${team}, 1) ON CONFLICT DO UPDATE SET n = n + 1;`

/** After a bulk load: every team the cache knows of has changed (bulkLoad.ts). */
export const TEAM_CHANGES_REBUILD = `INSERT INTO team_changes (team_id, n)
   SELECT team_id, 1 FROM (SELECT DISTINCT team_id FROM requests UNION SELECT team_id FROM team_changes)
   WHERE true ON CONFLICT DO UPDATE SET n = n + 1`

export const migration: Migration = {
  version: 21,
  name: '0021-team-changes',
  up(db: Database.Database) {
    db.exec(`
CREATE TABLE team_changes (
  team_id TEXT PRIMARY KEY,
  n       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER requests_counts_team_changes_ai AFTER INSERT ON requests BEGIN
  ${bump('new.team_id')}
END;
CREATE TRIGGER requests_counts_team_changes_ad AFTER DELETE ON requests BEGIN
  ${bump('old.team_id')}
END;
CREATE TRIGGER requests_counts_team_changes_au
AFTER UPDATE OF team_id, assignee_id, category_id, lat, lon, updated_at ON requests BEGIN
  ${bump('old.team_id')}
  INSERT INTO team_changes (team_id, n) SELECT new.team_id, 1 WHERE new.team_id IS NOT old.team_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
`)
  },
}
export default migration
