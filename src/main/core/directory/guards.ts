/**
 * What every auth provider gets around it:
 * - throttling: repeated failures for one login slow the next attempts (exponential, capped);
 * - offline login: after an online login, a salted scrypt verifier and the roles/teams
 *   snapshot let the same password open an offline session while the directory cannot be
 *   reached, until the expiry. A password the directory no longer accepts is forgotten.
 */
import type { Role } from '../../../shared/domain'
import { CoreError } from '../../../shared/result'
import type { Db } from '../store/db'
import { cached } from '../store/statements'
import { hashPassword, verifyPassword } from './password'
import type { AuthIdentity, AuthProvider } from './provider'

const FREE_FAILURES = 3
const MAX_WAIT_MS = 60_000

/**
 * The key of a login for throttling and offline verifiers: the directory matches
 * `ＺＯＥ.agent` (full width) and `zoe.agent` alike, so must we.
 */
export const loginKey = (login: string) => login.normalize('NFKC').trim().toLowerCase()

export function withThrottle(provider: AuthProvider, now: () => number = Date.now): AuthProvider {
  const failures = new Map<string, { count: number; until: number }>()
  /** One attempt per login at a time: parallel tries would each see the same count. */
  const busy = new Set<string>()
  const tooMany = (seconds: number) =>
    new CoreError(
      'too_many_attempts',
      `Trop d’essais manqués pour ce compte : réessayez dans ${seconds} s.`,
      {
        retryAfterSeconds: seconds,
      },
    )
  return {
    name: provider.name,
    async authenticate(login, password) {
      const key = loginKey(login)
      const state = failures.get(key)
      if (state && state.until > now()) throw tooMany(Math.ceil((state.until - now()) / 1000))
      if (busy.has(key)) throw tooMany(1)
      busy.add(key)
      try {
        const identity = await provider.authenticate(login, password)
        failures.delete(key)
        return identity
      } catch (e) {
        if (e instanceof CoreError && e.code === 'bad_credentials') {
          const count = (failures.get(key)?.count ?? 0) + 1
          const wait = count < FREE_FAILURES ? 0 : Math.min(MAX_WAIT_MS, 1000 * 2 ** (count - FREE_FAILURES))
          failures.set(key, { count, until: now() + wait })
          // Random logins must not grow the map for ever (a server faces the network).
          if (failures.size > 10_000) for (const [k, v] of failures) if (v.until < now()) failures.delete(k)
        }
        throw e
      } finally {
        busy.delete(key)
      }
    },
  }
}

interface StoredIdentity {
  login: string
  displayName: string
  roles: Role[]
  teamIds: string[]
}

export function withOfflineLogin(
  provider: AuthProvider,
  db: Db,
  options: { days: number; now?: () => number },
): AuthProvider {
  const now = options.now ?? Date.now
  const read = (login: string) =>
    cached(db, 'SELECT verifier, identity, expires_at FROM offline_verifiers WHERE login = ?').get(login) as
      { verifier: string; identity: string; expires_at: number } | undefined
  const forget = (login: string) => cached(db, 'DELETE FROM offline_verifiers WHERE login = ?').run(login)

  return {
    name: provider.name,
    async authenticate(login, password) {
      const key = loginKey(login)
      try {
        const identity = await provider.authenticate(login, password)
        if (options.days > 0) {
          const snapshot: StoredIdentity = {
            login: identity.login,
            displayName: identity.displayName,
            roles: identity.roles,
            teamIds: identity.teamIds,
          }
          cached(
            db,
            `INSERT INTO offline_verifiers (login, verifier, identity, expires_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (login) DO UPDATE SET verifier = excluded.verifier, identity = excluded.identity,
               expires_at = excluded.expires_at`,
          ).run(
            key,
            await hashPassword(password),
            JSON.stringify(snapshot),
            now() + options.days * 24 * 3600 * 1000,
          )
        }
        return identity
      } catch (e) {
        if (!(e instanceof CoreError)) throw e
        const stored = read(key)
        if (e.code === 'bad_credentials' && stored && (await verifyPassword(password, stored.verifier)))
          // The directory no longer takes this password (changed there): it must not open offline sessions.
          forget(key)
        if (e.code === 'account_disabled' || e.code === 'no_role') forget(key)
        if (e.code !== 'directory_unreachable') throw e
        if (!stored) throw e
        if (stored.expires_at <= now()) {
          forget(key)
          throw new CoreError(
            'directory_unreachable',
            `L’annuaire est injoignable et la session hors ligne de ce compte a expiré (plus de ${options.days} jours sans connexion à l’annuaire).`,
          )
        }
        if (!(await verifyPassword(password, stored.verifier)))
          throw new CoreError('bad_credentials', 'Identifiant ou mot de passe incorrect.')
        const identity = JSON.parse(stored.identity) as StoredIdentity
        return { ...identity, kind: 'offline' } satisfies AuthIdentity
      }
    },
  }
}
