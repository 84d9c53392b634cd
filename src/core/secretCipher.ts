/**
 * The OS keychain as the core sees it (Electron's safeStorage on a console; none on the
 * server), so the core never imports electron.
 */
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
