/**
 * The auth provider a console or the central server runs with, from the configuration:
 * the embedded accounts or the directory, throttled (a console adds offline login inside
 * the throttle: src/main/auth).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AppConfig } from '../config'
import type { SecretCipher } from '../secretCipher'
import { createLdapProvider } from './ldap'
import { createLocalProvider, readLocalAccounts } from './local'
import type { AuthProvider } from './provider'
import { withThrottle, type FailureStore } from './throttle'

export interface AuthProviderOptions {
  resourcesDir: string
  /** Decrypts the directory service account's `encryptedFile` (Electron safeStorage). */
  cipher?: SecretCipher | null
  env?: NodeJS.ProcessEnv
  now?: () => number
  /** Where login failures are counted (the server: its database, shared by its instances). */
  failures?: FailureStore
  /** Wraps the directory inside the throttle (a console's offline login). */
  around?: (directory: AuthProvider) => AuthProvider
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
  return withThrottle(options.around ? options.around(provider) : provider, options.now, options.failures)
}
