/**
 * A console's cache from outside the console: opened with its profile's key, and every
 * byte it holds, as an attacker with its key would read them: each
 * page of the database file and each frame of its WAL decrypted by hand (SQLCipher 4 pages:
 * AES-256-CBC, the IV in the page's reserved tail), free pages and stale frames included.
 * Tests of erasure look for a citizen there: the file's raw bytes are ciphertext, so
 * grepping them would pass whatever the scrubbing did.
 */
import { createDecipheriv } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { openStore, type Db } from '../../src/main/cache/db'
import { isPlainSqliteFile } from '../../src/main/cache/encryption'

const PAGE = 4096
/** IV (16) + HMAC-SHA512 (64), at the end of every page. */
const RESERVED = 80
const WAL_HEADER = 32
const FRAME_HEADER = 24

/** The key a test profile keeps in a key file beside its cache (no keychain in tests). */
export function keyOf(file: string): Buffer {
  const stored = JSON.parse(readFileSync(join(dirname(file), 'cache.key'), 'utf8')) as {
    sealedBy: string
    key: string
  }
  if (stored.sealedBy !== 'key-file')
    throw new Error('cacheBytes: only a key-file profile can be read by a test')
  return Buffer.from(stored.key, 'base64')
}

function decryptPage(page: Buffer, key: Buffer, first: boolean): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', key, page.subarray(PAGE - RESERVED, PAGE - RESERVED + 16))
  decipher.setAutoPadding(false)
  // Page 1 starts with the file's salt, in clear.
  return Buffer.concat([decipher.update(page.subarray(first ? 16 : 0, PAGE - RESERVED)), decipher.final()])
}

/** The cache file's and its WAL's bytes, decrypted (or as they are, for a clear file). */
export function cacheBytes(file: string): Buffer[] {
  const wal = `${file}-wal`
  if (isPlainSqliteFile(file)) return [file, wal].filter(existsSync).map((f) => readFileSync(f))
  const key = keyOf(file)
  const out: Buffer[] = []
  const db = readFileSync(file)
  for (let at = 0; at + PAGE <= db.length; at += PAGE)
    out.push(decryptPage(db.subarray(at, at + PAGE), key, at === 0))
  if (existsSync(wal)) {
    const frames = readFileSync(wal)
    for (let at = WAL_HEADER; at + FRAME_HEADER + PAGE <= frames.length; at += FRAME_HEADER + PAGE) {
      const pageNumber = frames.readUInt32BE(at)
      out.push(
        decryptPage(frames.subarray(at + FRAME_HEADER, at + FRAME_HEADER + PAGE), key, pageNumber === 1),
      )
    }
  }
  return [Buffer.concat(out)]
}

/** Open a (closed) console's cache as the console would, with its profile's key. */
export function openConsoleCache(file: string): Db {
  return openStore(file, { key: keyOf(file) })
}
