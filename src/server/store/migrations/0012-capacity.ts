/**
 * People's capacity for the dispatch board (issue 15): the weekly hours and absences a lead
 * sets for the people of their teams, sent to every console with the reference data.
 * Absences are JSON: date ranges with a reason category, never free text (no health data).
 * Who changed it last and when, for the record.
 */
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'

const migration: Migration<Sql> = {
  version: 12,
  name: '0012-capacity',
  async up(sql) {
    const pg = sql.dialect === 'postgres'
    await sql.exec(/* sql */ `
      CREATE TABLE agent_capacity (
        agent_id     TEXT PRIMARY KEY,
        weekly_hours ${pg ? 'DOUBLE PRECISION' : 'REAL'} NOT NULL CHECK (weekly_hours >= 0),
        absences     TEXT NOT NULL DEFAULT '[]',
        updated_at   ${pg ? 'BIGINT' : 'INTEGER'} NOT NULL,
        updated_by   TEXT NOT NULL
      );
    `)
  },
}

export default migration
