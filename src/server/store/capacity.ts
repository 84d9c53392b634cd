/**
 * People's capacity on the server (issue 15): read whole into the reference bundle (every
 * console gets it with the reference data), changed one person at a time by their lead or
 * a supervisor. A change touches the feed's reference entry, so every console pulls it.
 */
import { z } from 'zod'
import { Absence, type CapacitySave, type WorkCapacity } from '../../shared/capacity'
import type { SessionInfo } from '../../shared/contract'
import { CoreError } from '../../shared/result'
import { CAPACITY_REFUSAL, canSetCapacity } from '../../core/authz/dispatch'
import { ChangeSet } from './feed'
import { toAgent, type AgentDbRow } from './rows'
import type { Sql, SqlDatabase } from './sql/client'

const Absences = z.array(Absence)

/** Every capacity set, by person id. */
export async function loadCapacity(sql: Pick<Sql, 'all'>): Promise<WorkCapacity[]> {
  const rows = await sql.all<{ agent_id: string; weekly_hours: number | string; absences: string }>(
    'SELECT agent_id, weekly_hours, absences FROM agent_capacity ORDER BY agent_id',
  )
  return rows.map((r) => ({
    agentId: r.agent_id,
    weeklyHours: Number(r.weekly_hours),
    absences: Absences.parse(JSON.parse(r.absences)),
  }))
}

/**
 * Set `agentId`'s weekly hours and absences (replacing the previous ones).
 * @throws CoreError `not_found` for an unknown person, `forbidden` unless the session is
 * one of their leads or a supervisor.
 */
export async function saveCapacity(
  db: SqlDatabase,
  session: SessionInfo,
  agentId: string,
  save: CapacitySave,
  now: number,
): Promise<WorkCapacity> {
  return db.transaction(async (tx) => {
    // Read here rather than through reference.ts, which reads this module for its bundle.
    const row = await tx.get<AgentDbRow>(
      'SELECT id, login, display_name, roles, team_ids FROM agents WHERE id = ?',
      [agentId],
    )
    const agent = row && toAgent(row)
    if (!agent) throw new CoreError('not_found', 'Personne inconnue du référentiel.')
    if (!canSetCapacity(session, agent)) throw new CoreError('forbidden', CAPACITY_REFUSAL)
    await tx.run(
      `INSERT INTO agent_capacity (agent_id, weekly_hours, absences, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (agent_id) DO UPDATE SET weekly_hours = excluded.weekly_hours, absences = excluded.absences,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [agentId, save.weeklyHours, JSON.stringify(save.absences), now, session.agentId],
    )
    const changes = new ChangeSet()
    changes.reference()
    await changes.publish(db, tx)
    return { agentId, weeklyHours: save.weeklyHours, absences: save.absences }
  })
}
