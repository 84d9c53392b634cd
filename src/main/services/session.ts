/**
 * The console's one session: who is logged in, from which provider, since when; locked
 * after `auth.idleLockMinutes` without the agent typing or clicking. Held in memory only;
 * logout forgets it.
 */
import type { SessionInfo } from '../../shared/contract'
import { CoreError } from '../../shared/result'
import { canChangeRequests, canLookUpCitizen, canReadCitizen } from '../../core/authz/permissions'
import { citizenDataRolesOf } from '../cache/queries/privacyPolicy'
import { recordSessionSeen } from '../cache/retention'
import { agentIdFor, getAgentByLogin, upsertAgent } from '../cache/queries/reference'
import type { CoreDeps } from './deps'

/** What a locked session may still do. */
const WHILE_LOCKED = new Set(['session.current', 'session.logout', 'session.unlock'])

export function createSessionService(deps: CoreDeps) {
  let session: SessionInfo | null = null
  let lastActivity = 0
  let locked = false
  const idleMs = deps.config.auth.idleLockMinutes * 60_000

  /** Whether the session may read citizens (the server's roles when synced, else the configuration's). */
  const citizenDataRoles = () => citizenDataRolesOf(deps.db, deps.config.privacy.citizenDataRoles)
  const citizenDataOf = (s: Pick<SessionInfo, 'roles'>) =>
    canReadCitizen(s as SessionInfo, citizenDataRoles())

  let timer: NodeJS.Timeout | null = null
  function checkIdle() {
    if (session && !locked && idleMs > 0 && deps.now() - lastActivity >= idleMs) {
      locked = true
      deps.emit('session.changed', { session: { ...session, locked } })
    }
  }
  /** Lock on time even when nothing calls the core (the screen must not stay open unattended). */
  function armTimer() {
    if (timer) clearTimeout(timer)
    timer = null
    if (!session || locked || idleMs <= 0) return
    timer = setTimeout(
      () => {
        checkIdle()
        armTimer()
      },
      Math.max(1000, lastActivity + idleMs - deps.now() + 50),
    )
    timer.unref()
  }

  return {
    async login(login: string, password: string): Promise<SessionInfo> {
      const identity = await deps.auth.authenticate(login, password)
      // The directory is the authority on roles and teams: the cache's agent row follows it.
      const known = getAgentByLogin(deps.db, identity.login)
      const agentId = known?.id ?? agentIdFor(identity.login)
      upsertAgent(deps.db, {
        id: agentId,
        login: identity.login,
        displayName: identity.displayName,
        roles: identity.roles,
        teamIds: identity.teamIds,
      })
      session = {
        agentId,
        login: identity.login,
        displayName: identity.displayName,
        roles: identity.roles,
        teamIds: identity.teamIds,
        kind: identity.kind,
        startedAt: new Date(deps.now()).toISOString(),
      }
      session.citizenData = citizenDataOf(session)
      session.changesRequests = canChangeRequests(session)
      session.looksUpCitizens = canLookUpCitizen(session, citizenDataRoles())
      locked = false
      lastActivity = deps.now()
      // The profile is in use: its idle clock (`purgeIdleProfile`) starts again.
      recordSessionSeen(deps.db, deps.now())
      armTimer()
      deps.emit('session.changed', { session })
      return session
    },

    /** Same password, checked again by the provider (or the offline verifier). */
    async unlock(password: string): Promise<SessionInfo> {
      if (!session)
        throw new CoreError('unauthenticated', 'Aucune session à déverrouiller : identifiez-vous.')
      const identity = await deps.auth.authenticate(session.login, password)
      if (identity.login.toLowerCase() !== session.login.toLowerCase())
        throw new CoreError('bad_credentials', 'Identifiant ou mot de passe incorrect.')
      // The directory may have changed the agent's roles or teams meanwhile: they apply now.
      session = { ...session, roles: identity.roles, teamIds: identity.teamIds, kind: identity.kind }
      session.citizenData = citizenDataOf(session)
      session.changesRequests = canChangeRequests(session)
      session.looksUpCitizens = canLookUpCitizen(session, citizenDataRoles())
      upsertAgent(deps.db, {
        id: session.agentId,
        login: session.login,
        displayName: identity.displayName,
        roles: identity.roles,
        teamIds: identity.teamIds,
      })
      locked = false
      lastActivity = deps.now()
      armTimer()
      deps.emit('session.changed', { session })
      return session
    },

    activity(): void {
      checkIdle()
      if (locked) return
      lastActivity = deps.now()
      armTimer()
    },

    /** Refuse what a locked session may not do (checked before every operation). */
    assertUnlocked(channel: unknown): void {
      checkIdle()
      if (locked && !(typeof channel === 'string' && WHILE_LOCKED.has(channel)))
        throw new CoreError(
          'session_locked',
          'Session verrouillée après inactivité : saisissez votre mot de passe pour continuer.',
        )
    },

    logout(): void {
      if (timer) clearTimeout(timer)
      timer = null
      if (!session) return
      session = null
      locked = false
      deps.emit('session.changed', { session: null })
    },
    current(): SessionInfo | null {
      checkIdle()
      return session && { ...session, locked }
    },
  }
}

export type SessionService = ReturnType<typeof createSessionService>
