/**
 * The auth provider a console or the reference server runs with, from the configuration:
 * the embedded accounts or the directory, throttled, with offline login on a console.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AppConfig } from '../config'
import type { Db } from '../store/db'
import type { SecretCipher } from '../sync/secrets'
import { withOfflineLogin, withThrottle } from './guards'
import { createLdapProvider } from './ldap'
import { createLocalProvider, readLocalAccounts } from './local'
import type { AuthProvider } from './provider'

export interface AuthProviderOptions {
  resourcesDir: string
  /** Decrypts the directory service account's `encryptedFile` (Electron safeStorage). */
  cipher?: SecretCipher | null
  env?: NodeJS.ProcessEnv
  /** The console's cache: offline login keeps its verifiers there. The server passes none. */
  db?: Db
  now?: () => number
}

/** The service account's password, from where the configuration says it is. */
export function resolveBindPassword(
  ref: NonNullable<NonNullable<AppConfig['auth']['ldap']>['bindPassword']>,
  options: Pick<AuthProviderOptions, 'cipher' | 'env'>,
): string {
  if ('env' in ref) {
    const value = (options.env ?? process.env)[ref.env]
    if (!value) throw new Error(`auth.ldap.bindPassword: the environment variable ${ref.env} is not set`)
    return value
  }
  if (!options.cipher?.isEncryptionAvailable())
    throw new Error('auth.ldap.bindPassword.encryptedFile needs the OS keychain (the desktop app)')
  try {
    return options.cipher.decryptString(Buffer.from(readFileSync(ref.encryptedFile, 'utf8').trim(), 'base64'))
  } catch (e) {
    throw new Error(`auth.ldap.bindPassword: ${ref.encryptedFile} cannot be decrypted on this account`, {
      cause: e,
    })
  }
}

export function createAuthProvider(config: AppConfig, options: AuthProviderOptions): AuthProvider {
  let provider: AuthProvider
  const ldap = config.auth.ldap
  if (config.auth.provider === 'ldap' && ldap) {
    let ca: Buffer | null = null
    if (ldap.caFile) {
      try {
        ca = readFileSync(ldap.caFile)
      } catch (e) {
        throw new Error(`auth.ldap.caFile: ${ldap.caFile} cannot be read`, { cause: e })
      }
    }
    provider = createLdapProvider(ldap, {
      ca,
      bindPassword: ldap.bindPassword ? resolveBindPassword(ldap.bindPassword, options) : null,
      now: options.now,
    })
  } else {
    provider = createLocalProvider(
      readLocalAccounts(
        config.auth.local.accountsFile ?? join(options.resourcesDir, 'demo', 'accounts.json'),
      ),
    )
  }
  if (options.db && config.auth.provider === 'ldap' && config.auth.offlineDays > 0)
    provider = withOfflineLogin(provider, options.db, { days: config.auth.offlineDays, now: options.now })
  return withThrottle(provider, options.now)
}
