/**
 * Where the server's refresh token lives between runs: encrypted by the OS keychain
 * (Electron `safeStorage`, behind `SecretCipher`) in the profile's cache, or, when no
 * cipher is available (tests, the web bridge), in memory only. Never in clear on disk.
 */
import type { Db } from '../store/db'
import { getSyncState, setSyncState } from '../store/queries/syncState'
import { cached } from '../store/statements'

/** What Electron's safeStorage offers, so the core never imports electron. */
export interface SecretCipher {
  isEncryptionAvailable(): boolean
  /** Linux: `basic_text` means a key hard-coded in Chromium, i.e. no real protection. */
  getSelectedStorageBackend?(): string
  encryptString(plain: string): Buffer
  decryptString(encrypted: Buffer): string
}

/** A keychain that protects: Linux without a secret service falls back to `basic_text`, a key known to all. */
export function hasRealKeychain(cipher: SecretCipher | null | undefined): cipher is SecretCipher {
  return !!cipher && cipher.isEncryptionAvailable() && cipher.getSelectedStorageBackend?.() !== 'basic_text'
}

export interface RefreshTokenStore {
  load(): string | null
  save(token: string | null): void
}

const KEY = 'refresh_token_encrypted'

export function createRefreshTokenStore(db: Db, cipher: SecretCipher | null): RefreshTokenStore {
  if (!hasRealKeychain(cipher)) {
    let token: string | null = null
    return { load: () => token, save: (t) => void (token = t) }
  }
  return {
    load() {
      const stored = getSyncState(db, KEY)
      if (!stored) return null
      try {
        return cipher.decryptString(Buffer.from(stored, 'base64'))
      } catch {
        // Another OS account or a reset keychain: the agent logs in again.
        return null
      }
    },
    save(token) {
      if (token === null) cached(db, 'DELETE FROM sync_state WHERE key = ?').run(KEY)
      else setSyncState(db, KEY, cipher.encryptString(token).toString('base64'))
    },
  }
}
