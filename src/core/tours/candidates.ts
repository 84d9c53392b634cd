/**
 * Which technicians can take a tour, asked while the lead builds it: per technician of the
 * tour's team, the stops they could not do and why, with the very checks the save makes
 * (`decideTourSave`, `planTourStops`). The builder offers those with nothing against them
 * and marks the stops of the one chosen, so a tour is refused before it is saved, not after.
 */
import type { SessionInfo } from '../../shared/contract'
import type { AgentSummary } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { StopProblem, TourCandidate } from '../../shared/savedTour'
import type { RequestRecord } from '../../shared/sync'
import { canAssign, canSeeTeam } from '../authz/permissions'
import { whyTechnicianCannotSee } from './operations'
import { planningPath, type PlanningLookup } from './planStops'

export interface CandidatesLookup extends PlanningLookup {
  request(id: string): RequestRecord | undefined
  /** The agents of one team. */
  teamAgents(teamId: string): readonly AgentSummary[]
}

export interface CandidatesQuery {
  teamId: string
  date: string
  stopIds: readonly string[]
  /** The stops are to be assigned (and so planned) with the tour: planning is checked too. */
  assignStops: boolean
}

/** Why `technician` cannot take `row` in this tour, or null. */
function problemOf(
  lookup: CandidatesLookup,
  session: SessionInfo,
  technician: AgentSummary,
  row: RequestRecord,
  query: CandidatesQuery,
): string | null {
  const unseen = whyTechnicianCannotSee(technician, row)
  if (unseen) return unseen
  if (!query.assignStops) return null
  const def = lookup.workflowOf(row.categoryId)
  if (!def) return `La demande ${row.reference} ne peut pas être planifiée : sa catégorie n’a pas de circuit.`
  const path = planningPath(def, session, row, technician.id, query.date)
  return path.kind === 'impossible'
    ? `La demande ${row.reference} ne peut pas être planifiée : ${path.why}.`
    : null
}

/**
 * The technicians of the tour's team, each with the stops they cannot do (none: they can
 * take the whole tour). Stops the session does not see are left out, as the save would
 * refuse them whoever the technician.
 * @throws CoreError forbidden when the session does not plan that team.
 */
export function tourCandidates(
  lookup: CandidatesLookup,
  session: SessionInfo,
  query: CandidatesQuery,
): TourCandidate[] {
  if (!canAssign(session, query.teamId))
    throw new CoreError(
      'forbidden',
      'Seuls les chefs d’équipe (et la supervision) planifient les tournées de leurs équipes.',
    )
  const rows = query.stopIds.flatMap((id) => {
    const row = lookup.request(id)
    return row && canSeeTeam(session, row.teamId) ? [row] : []
  })
  return lookup
    .teamAgents(query.teamId)
    .filter((a) => a.roles.includes('technician'))
    .map((technician) => {
      const problems: StopProblem[] = rows.flatMap((row) => {
        const reason = problemOf(lookup, session, technician, row, query)
        return reason ? [{ stopId: row.id, reference: row.reference, reason }] : []
      })
      return { agentId: technician.id, displayName: technician.displayName, problems }
    })
}
