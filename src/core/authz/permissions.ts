/**
 * Who may see and do what. Checked in the core on every call, whatever the UI shows.
 */
import type { SessionInfo } from '../../shared/contract'
import type { Role } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { Actor } from '../workflow/engine'
import type { Scope } from './scope'

/** Roles whose work spans every team. */
const ALL_TEAMS_ROLES: readonly Role[] = ['supervisor', 'admin', 'dpo']
/** Roles that may (re)assign: leads within their own teams, the others everywhere. */
const ASSIGN_EVERYWHERE: readonly Role[] = ['supervisor', 'admin']

const hasAny = (session: SessionInfo, roles: readonly Role[]) => session.roles.some((r) => roles.includes(r))

export function scopeFor(session: SessionInfo): Scope {
  return hasAny(session, ALL_TEAMS_ROLES) ? { kind: 'all' } : { kind: 'teams', teamIds: [...session.teamIds] }
}

export function canSeeTeam(session: SessionInfo, teamId: string): boolean {
  return hasAny(session, ALL_TEAMS_ROLES) || session.teamIds.includes(teamId)
}

/** A request outside the agent's teams is answered as missing, so its existence does not leak. */
export function assertCanSeeTeam(session: SessionInfo, teamId: string): void {
  if (!canSeeTeam(session, teamId)) throw new CoreError('not_found', 'Demande introuvable.')
}

export function canAssign(session: SessionInfo, teamId: string): boolean {
  if (hasAny(session, ASSIGN_EVERYWHERE)) return true
  return session.roles.includes('lead') && session.teamIds.includes(teamId)
}

export function canReadCitizen(session: SessionInfo, citizenDataRoles: readonly Role[]): boolean {
  return hasAny(session, citizenDataRoles)
}

export function canChangeRequests(session: SessionInfo): boolean {
  // The DPO reads for the citizens' rights; the workflow is not theirs to move.
  return session.roles.some((r) => r !== 'dpo')
}

export function actorOf(session: SessionInfo): Actor {
  return { agentId: session.agentId, roles: session.roles, teamIds: session.teamIds }
}

/** The authority's reference data (teams, categories, routing, sectors) is the administrators'. */
export function canAdministerReference(session: SessionInfo): boolean {
  return session.roles.includes('admin')
}

/**
 * The citizens' rights (RGPD: search, file, export, rectification, erasure, legal hold) are
 * the DPO's alone; an administrator's role does not include them.
 */
export function canExerciseRights(session: SessionInfo): boolean {
  return session.roles.includes('dpo')
}

/**
 * Finding a citizen's requests by their exact e-mail or phone (a citizen calls and gives
 * it): supervisors, who answer for every team, and the DPO — when the authority lets the
 * role read citizens at all. Agents find a citizen by name in their own queue.
 */
export function canLookUpCitizen(session: SessionInfo, citizenDataRoles: readonly Role[]): boolean {
  return (
    (session.roles.includes('supervisor') || session.roles.includes('dpo')) &&
    (canExerciseRights(session) || canReadCitizen(session, citizenDataRoles))
  )
}

/** Who read which citizen's data, when and why: the DPO's to read, nobody else's. */
export function canReadAccessLog(session: SessionInfo): boolean {
  return session.roles.includes('dpo')
}
