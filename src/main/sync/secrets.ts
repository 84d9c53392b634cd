/**
 * Where the server's refresh token lives between runs: encrypted by the OS keychain
 * (Electron `safeStorage`, behind `SecretCipher`) in the profile's cache, or, when no
 * cipher is available (tests, the web bridge), in memory only. Never in clear on disk.
 */
import { hasRealKeychain, type SecretCipher } from '../../core/secretCipher'
import type { Db } from '../cache/db'
import { getSyncState, setSyncState } from '../cache/queries/syncState'
import { cached } from '../cache/statements'

export type { SecretCipher }

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
