/**
 * Who may use the dispatch board and set people's capacity (issue 15): leads for their own
 * teams, supervisors for every team. The console's core and the server both ask here.
 */
import type { SessionInfo } from '../../shared/contract'
import type { AgentSummary } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { Scope } from './scope'

export const DISPATCH_REFUSAL =
  'La répartition est réservée aux chefs d’équipe et aux superviseurs : votre rôle ne permet pas d’y accéder.'
export const CAPACITY_REFUSAL =
  'Seuls les chefs d’équipe de cette personne et les superviseurs règlent sa capacité et ses absences.'

/** The teams the session dispatches: a lead's own, every team for a supervisor; others refused. */
export function dispatchScope(session: Pick<SessionInfo, 'roles' | 'teamIds'>): Scope {
  if (session.roles.includes('supervisor')) return { kind: 'all' }
  if (session.roles.includes('lead')) return { kind: 'teams', teamIds: [...session.teamIds] }
  throw new CoreError('forbidden', DISPATCH_REFUSAL)
}

/** The people a board has columns for: those who work requests (agents and technicians). */
export const worksRequests = (agent: Pick<AgentSummary, 'roles'>) =>
  agent.roles.includes('agent') || agent.roles.includes('technician')

/**
 * Whether the session may set `agent`'s capacity and absences: a supervisor for anyone who
 * works requests, a lead for those of their teams.
 */
export function canSetCapacity(
  session: Pick<SessionInfo, 'roles' | 'teamIds'>,
  agent: Pick<AgentSummary, 'roles' | 'teamIds'>,
): boolean {
  if (!worksRequests(agent)) return false
  if (session.roles.includes('supervisor')) return true
  return session.roles.includes('lead') && agent.teamIds.some((t) => session.teamIds.includes(t))
}
