/**
 * The cache's key: 32 random bytes made once per profile, kept in `cache.key` beside the
 * cache. In the app it is sealed by the OS keychain (Electron safeStorage: DPAPI on
 * Windows, the Keychain on macOS, the secret service on Linux), so a copy of the disk
 * without the user's session opens nothing. Linux's `basic_text` fallback seals with a key
 * written in Chromium's source: refused unless the machine configuration accepts it, and
 * then shown on screen. Tests and `dev:web` have no keychain: a key file readable by the
 * user alone (0600), which protects as much as the folder's permissions do.
 */
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { hasRealKeychain, type SecretCipher } from '../../core/secretCipher'
import { CACHE_KEY_BYTES, scrubFile } from './encryption'

/** How the key is protected; shown to the agent and in the support information. */
export type CacheKeySeal = 'keychain' | 'weak-keychain' | 'key-file'

export type CacheKeySource =
  /** The app: the OS keychain; `allowWeakKeychain` from the machine configuration. */
  | { kind: 'keychain'; cipher: SecretCipher; allowWeakKeychain: boolean }
  /** Tests and `dev:web`. */
  | { kind: 'key-file' }

export interface ProfileKey {
  key: Buffer
  sealedBy: CacheKeySeal
}

const KEY_FILE = 'cache.key'

const StoredKey = z
  .object({
    format: z.literal('grc-cache-key/1'),
    sealedBy: z.enum(['keychain', 'weak-keychain', 'key-file']),
    /** base64: the keychain's sealed bytes, or the raw key for a key file. */
    key: z.string().min(1).max(4096),
  })
  .strict()

export class CacheKeyUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CacheKeyUnavailableError'
  }
}

export const WEAK_KEYCHAIN_REFUSED =
  'Le trousseau du système n’est pas disponible (Linux : aucun service de secrets, GNOME Keyring ou KWallet, ' +
  'n’est ouvert dans cette session) : la clé du cache ne serait protégée que par une clé connue de tous. ' +
  'Ouvrez une session avec un trousseau, ou, si le service informatique l’accepte, mettez ' +
  '« security.allowWeakKeychain »: true dans la configuration du poste (docs/configuration.md).'

/** The profile's key, made on first use. `dir` is the profile's folder (0700). */
export function profileCacheKey(dir: string, source: CacheKeySource): ProfileKey {
  const file = join(dir, KEY_FILE)
  finishInterruptedWrite(file)
  if (!existsSync(file)) return createKey(file, source)
  const stored = readStored(file)
  const raw = Buffer.from(stored.key, 'base64')
  if (stored.sealedBy === 'key-file') {
    const key = checkedKey(raw, file)
    // A profile first opened by `dev:web` and now by the app: the keychain takes over the key.
    if (source.kind === 'keychain' && sealOf(source) === 'keychain') {
      writeKeyFile(file, seal(key, source))
      return { key, sealedBy: 'keychain' }
    }
    return { key, sealedBy: 'key-file' }
  }
  if (source.kind !== 'keychain')
    throw new CacheKeyUnavailableError(
      `La clé du cache de ce profil est protégée par le trousseau du système : ce profil ne s’ouvre que dans l’application (${file}).`,
    )
  let hex: string
  try {
    hex = source.cipher.decryptString(raw)
  } catch {
    throw new CacheKeyUnavailableError(
      'Le trousseau du système ne rend pas la clé du cache de ce profil (autre compte, trousseau verrouillé ou ' +
        'réinitialisé). Le cache n’a pas été touché : ouvrez la session avec le même compte et son trousseau déverrouillé.',
    )
  }
  return { key: checkedKey(Buffer.from(hex, 'hex'), file), sealedBy: stored.sealedBy }
}

function createKey(file: string, source: CacheKeySource): ProfileKey {
  const key = randomBytes(CACHE_KEY_BYTES)
  if (source.kind === 'key-file') {
    writeKeyFile(file, { format: 'grc-cache-key/1', sealedBy: 'key-file', key: key.toString('base64') })
    return { key, sealedBy: 'key-file' }
  }
  const stored = seal(key, source)
  writeKeyFile(file, stored)
  return { key, sealedBy: stored.sealedBy }
}

function sealOf(source: Extract<CacheKeySource, { kind: 'keychain' }>): CacheKeySeal {
  const available = source.cipher.isEncryptionAvailable()
  if (hasRealKeychain(source.cipher)) return 'keychain'
  if (available && source.allowWeakKeychain) return 'weak-keychain'
  throw new CacheKeyUnavailableError(WEAK_KEYCHAIN_REFUSED)
}

function seal(key: Buffer, source: Extract<CacheKeySource, { kind: 'keychain' }>): z.infer<typeof StoredKey> {
  const sealedBy = sealOf(source)
  return {
    format: 'grc-cache-key/1',
    sealedBy,
    key: source.cipher.encryptString(key.toString('hex')).toString('base64'),
  }
}

function readStored(file: string): z.infer<typeof StoredKey> {
  try {
    return StoredKey.parse(JSON.parse(readFileSync(file, 'utf8')))
  } catch {
    throw new CacheKeyUnavailableError(
      `Le fichier de clé du cache est illisible (${file}) : le cache n’a pas été touché.`,
    )
  }
}

function checkedKey(key: Buffer, file: string): Buffer {
  if (key.length !== CACHE_KEY_BYTES)
    throw new CacheKeyUnavailableError(
      `Le fichier de clé du cache est illisible (${file}) : le cache n’a pas été touché.`,
    )
  return key
}

/**
 * Written whole or not at all, readable by the user alone; a replaced clear key is
 * overwritten once the new one has its name (a crash in between is finished by
 * `finishInterruptedWrite` at the next start: the key is never lost).
 */
function writeKeyFile(file: string, stored: z.infer<typeof StoredKey>): void {
  const temp = `${file}.new`
  const fd = openSync(temp, 'w', 0o600)
  try {
    writeSync(fd, JSON.stringify(stored))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  chmodSync(temp, 0o600)
  if (existsSync(file)) renameSync(file, `${file}.old`)
  renameSync(temp, file)
  scrubFile(`${file}.old`)
}

function finishInterruptedWrite(file: string): void {
  if (!existsSync(file) && existsSync(`${file}.new`)) renameSync(`${file}.new`, file)
  scrubFile(`${file}.old`)
}
