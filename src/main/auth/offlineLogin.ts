/**
 * Offline login on a console: after an online login, a memory-hard verifier and the
 * roles/teams snapshot, sealed together (auth/offlineVerifier.ts), let the same password
 * open an offline session while the directory cannot be reached, until the expiry. A
 * password the directory no longer accepts is forgotten; a snapshot changed on disk opens
 * nothing. The verifiers live in the console's encrypted cache; the server has no offline
 * login.
 */
import type { Role } from '../../shared/domain'
import type { AppConfig } from '../../core/config'
import { createAuthProvider, type AuthProviderOptions } from '../../core/directory'
import { CoreError } from '../../shared/result'
import type { AuthIdentity, AuthProvider } from '../../core/directory/provider'
import { loginKey } from '../../core/directory/throttle'
import type { Db } from '../cache/db'
import { cached } from '../cache/statements'
import { checkOfflineVerifier, sealOfflineVerifier } from './offlineVerifier'

interface StoredIdentity {
  login: string
  displayName: string
  roles: Role[]
  teamIds: string[]
}

export function withOfflineLogin(
  provider: AuthProvider,
  db: Db,
  options: {
    days: number
    /** The profile's cache key: the snapshot's MAC needs it as well as the password. */
    sealKey: Buffer
    now?: () => number
  },
): AuthProvider {
  const now = options.now ?? Date.now
  const read = (login: string) =>
    cached(
      db,
      'SELECT login, verifier, mac, identity, expires_at FROM offline_verifiers WHERE login = ?',
    ).get(login) as
      | { login: string; verifier: string; mac: string | null; identity: string; expires_at: number }
      | undefined
  const check = (password: string, stored: NonNullable<ReturnType<typeof read>>) =>
    checkOfflineVerifier(
      password,
      { verifier: stored.verifier, mac: stored.mac },
      { login: stored.login, identity: stored.identity, expiresAt: stored.expires_at },
      options.sealKey,
    )
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
          const fields = {
            login: key,
            identity: JSON.stringify(snapshot),
            expiresAt: now() + options.days * 24 * 3600 * 1000,
          }
          const sealed = await sealOfflineVerifier(password, fields, options.sealKey)
          cached(
            db,
            `INSERT INTO offline_verifiers (login, verifier, mac, identity, expires_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (login) DO UPDATE SET verifier = excluded.verifier, mac = excluded.mac,
               identity = excluded.identity, expires_at = excluded.expires_at`,
          ).run(key, sealed.verifier, sealed.mac, fields.identity, fields.expiresAt)
        }
        return identity
      } catch (e) {
        if (!(e instanceof CoreError)) throw e
        const stored = read(key)
        if (e.code === 'bad_credentials' && stored && (await check(password, stored)) !== 'password-wrong')
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
        const verdict = await check(password, stored)
        if (verdict === 'password-wrong')
          throw new CoreError('bad_credentials', 'Identifiant ou mot de passe incorrect.')
        if (verdict !== 'ok') {
          // Edited on disk, or sealed with another profile's key: nothing of it is believed.
          forget(key)
          throw new CoreError(
            'directory_unreachable',
            'L’annuaire est injoignable et ce poste n’a pas de session hors ligne valable pour ce compte : ' +
              'une connexion à l’annuaire est nécessaire.',
          )
        }
        const identity = JSON.parse(stored.identity) as StoredIdentity
        return { ...identity, kind: 'offline' } satisfies AuthIdentity
      }
    },
  }
}

/** The console's provider: the directory, with offline login when configured, throttled. */
export function createConsoleAuthProvider(
  config: AppConfig,
  options: Omit<AuthProviderOptions, 'around'> & { db: Db; sealKey: Buffer },
): AuthProvider {
  const offline = config.auth.provider === 'ldap' && config.auth.offlineDays > 0
  return createAuthProvider(config, {
    ...options,
    around: offline
      ? (directory) =>
          withOfflineLogin(directory, options.db, {
            days: config.auth.offlineDays,
            sealKey: options.sealKey,
            now: options.now,
          })
      : undefined,
  })
}
