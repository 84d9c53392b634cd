/**
 * The console's one session: who is logged in, from which provider, since when.
 * Held in memory only; logout forgets it.
 */
import type { SessionInfo } from '../../../shared/contract'
import { getAgentByLogin, upsertAgent } from '../store/queries/reference'
import type { CoreDeps } from './deps'

export function createSessionService(deps: CoreDeps) {
  let session: SessionInfo | null = null

  return {
    async login(login: string, password: string): Promise<SessionInfo> {
      const identity = await deps.auth.authenticate(login, password)
      // The directory is the authority on roles and teams: the cache's agent row follows it.
      const known = getAgentByLogin(deps.db, identity.login)
      const agentId = known?.id ?? `agent-${identity.login.toLowerCase().replace(/[^a-z0-9._-]/g, '_')}`
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
      deps.emit('session.changed', { session })
      return session
    },
    logout(): void {
      if (!session) return
      session = null
      deps.emit('session.changed', { session: null })
    },
    current(): SessionInfo | null {
      return session
    },
  }
}

export type SessionService = ReturnType<typeof createSessionService>
