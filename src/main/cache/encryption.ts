/**
 * The cache encrypted at rest (SQLite3 Multiple Ciphers, SQLCipher 4 format: AES-256 per
 * page with an HMAC-SHA512, so a tampered page fails to read rather than being believed).
 * The key is 32 random bytes per profile (cache/cacheKey.ts) given raw, so no passphrase
 * KDF runs at each start. A cache written before encryption existed is converted once.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
  fsyncSync,
} from 'node:fs'
import Database from 'better-sqlite3-multiple-ciphers'

type Db = Database.Database

export const CACHE_KEY_BYTES = 32

/** Give a fresh connection its key: the first statements on it, before anything reads a page. */
export function keyDatabase(db: Db, key: Buffer): void {
  if (key.length !== CACHE_KEY_BYTES) throw new Error('cache key: 32 bytes expected')
  db.pragma(`cipher = 'sqlcipher'`)
  db.pragma('legacy = 4')
  // x'…': a raw key, used as is (a random key needs no stretching).
  db.pragma(`key = "x'${key.toString('hex')}'"`)
}

/** A key that does not open the file shows as SQLITE_NOTADB on the first read. */
export class CacheKeyMismatchError extends Error {
  constructor(file: string) {
    super(
      `Le cache ${file} ne s’ouvre pas avec la clé de ce profil (autre compte du système, trousseau réinitialisé ` +
        `ou fichier abîmé). Il n’a pas été modifié. Si aucun travail non envoyé n’y attend, supprimez le dossier ` +
        `du profil : le cache se recharge depuis le serveur.`,
    )
    this.name = 'CacheKeyMismatchError'
  }
}

/** Check the key by reading the schema; turns NOTADB into a clear error. */
export function assertKeyOpens(db: Db, file: string): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get()
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') throw new CacheKeyMismatchError(file)
    throw e
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')

/** A file in SQLite's clear format (its first 16 bytes say so; an encrypted one starts with random salt). */
export function isPlainSqliteFile(file: string): boolean {
  if (!existsSync(file)) return false
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(16)
    return readSync(fd, head, 0, 16, 0) === 16 && head.equals(SQLITE_HEADER)
  } finally {
    closeSync(fd)
  }
}

/** Phases of the one-time conversion, for the start screen's progress. */
export type EncryptionProgress = {
  phase: 'copying' | 'encrypting' | 'removing-plain' | 'done'
  fraction: number
}

/**
 * Convert a clear cache to an encrypted one. Crash-safe: the clear file stays as it is
 * until the encrypted copy is complete and renamed over it; a leftover `.encrypting` copy
 * from an interrupted run is thrown away and the conversion starts again. Then the clear
 * bytes (old file, its WAL and shared memory) are overwritten before they are removed.
 */
export function encryptPlainCache(
  file: string,
  key: Buffer,
  options: { nativeBinding?: string; onProgress?: (p: EncryptionProgress) => void } = {},
): void {
  const report = options.onProgress ?? (() => {})
  const temp = `${file}.encrypting`
  scrubFile(temp)
  scrubFile(`${temp}-journal`)
  const open = (f: string) =>
    new Database(f, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})

  report({ phase: 'copying', fraction: 0 })
  const plain = open(file)
  try {
    // One consistent copy of the clear cache, WAL included, without touching the original.
    plain.prepare('VACUUM INTO ?').run(temp)
  } finally {
    plain.close()
  }

  report({ phase: 'encrypting', fraction: 0.4 })
  const copy = open(temp)
  try {
    // The copy's rollback journal would hold clear pages: keep it in memory. A crash here
    // leaves only the throw-away copy, redone at the next start.
    copy.pragma('journal_mode = MEMORY')
    copy.pragma(`cipher = 'sqlcipher'`)
    copy.pragma('legacy = 4')
    copy.pragma(`rekey = "x'${key.toString('hex')}'"`)
  } finally {
    copy.close()
  }
  if (isPlainSqliteFile(temp)) throw new Error('cache encryption: the copy is still in clear')
  fsyncFile(temp)

  report({ phase: 'removing-plain', fraction: 0.8 })
  // The clear WAL and shared memory first: once the encrypted file takes the name, SQLite
  // would try to apply a leftover clear WAL to it.
  scrubFile(`${file}-wal`)
  scrubFile(`${file}-shm`)
  const clearBytes = `${file}.clear`
  renameSync(file, clearBytes)
  renameSync(temp, file)
  scrubFile(clearBytes)
  report({ phase: 'done', fraction: 1 })
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * Overwrite a file with zeros, then remove it. Best effort: an SSD or a copy-on-write file
 * system may keep the old blocks elsewhere, which is why disk encryption stays the
 * workstation's job (README « Sécurité »).
 */
export function scrubFile(file: string): void {
  if (!existsSync(file)) return
  const fd = openSync(file, 'r+')
  try {
    const size = fstatSync(fd).size
    const zeros = Buffer.alloc(Math.min(size, 1 << 20))
    for (let at = 0; at < size; at += zeros.length)
      writeSync(fd, zeros, 0, Math.min(zeros.length, size - at), at)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  unlinkSync(file)
}
