/**
 * Auth providers: who the agent is and which roles and teams they hold. `local` now
 * (embedded accounts); the directory (LDAP) provider comes in its own issue.
 */
import type { Role } from '../../shared/domain'

export interface AuthIdentity {
  login: string
  displayName: string
  roles: Role[]
  teamIds: string[]
  /** `offline` when a cached verifier stood in for an unreachable directory. */
  kind: 'online' | 'offline'
}

export interface AuthProvider {
  readonly name: string
  /** Resolves the identity, or throws CoreError('bad_credentials') in words an agent understands. */
  authenticate(login: string, password: string): Promise<AuthIdentity>
}
