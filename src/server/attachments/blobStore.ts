/**
 * Where the attachments' bytes live, content-addressed: a blob's key is the SHA-256 of its
 * bytes, so identical files are stored once and a key never names two contents. The rows
 * (attachments.ts) say which blobs are in use; a blob goes when none references it.
 *
 * One implementation here, on disk. An S3-compatible store (an authority's object storage)
 * would be a second implementation of `BlobStore` (put = PutObject under the key, get =
 * GetObject, has = HeadObject, delete = DeleteObject), chosen by the settings.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface BlobStore {
  /** Store `bytes`; the key (hex SHA-256). Storing bytes already there changes nothing. */
  put(bytes: Buffer): Promise<string>
  /** The bytes of `key`; null when absent. */
  get(key: string): Promise<Buffer | null>
  has(key: string): Promise<boolean>
  /** Forget `key` (absent already: nothing happens). */
  delete(key: string): Promise<void>
}

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

const KEY = /^[0-9a-f]{64}$/

/** `<dir>/<first two hex digits>/<sha256>`: a few hundred entries per folder at most. */
export function diskBlobStore(dir: string): BlobStore {
  const pathOf = (key: string) => {
    // Keys come from our own rows; refused otherwise so no key ever walks out of `dir`.
    if (!KEY.test(key)) throw new Error('invalid blob key')
    return join(dir, key.slice(0, 2), key)
  }
  const has = async (key: string) => {
    try {
      await stat(pathOf(key))
      return true
    } catch {
      return false
    }
  }
  return {
    async put(bytes) {
      const key = sha256Of(bytes)
      if (await has(key)) return key
      const path = pathOf(key)
      await mkdir(join(dir, key.slice(0, 2)), { recursive: true })
      // A temporary name then a rename: a reader never sees half a file, and a crash leaves
      // only a `.tmp-` file behind, never a blob whose bytes do not match its name.
      const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`
      await writeFile(temp, bytes, { mode: 0o600 })
      await rename(temp, path)
      return key
    },
    async get(key) {
      try {
        return await readFile(pathOf(key))
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw e
      }
    },
    has,
    async delete(key) {
      await rm(pathOf(key), { force: true })
    },
  }
}
