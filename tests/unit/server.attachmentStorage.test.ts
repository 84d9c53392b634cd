/**
 * Where attachments go (src/server/attachments/blobStore.ts, settings.ts): content-addressed
 * files on disk, written whole or not at all, stored once however often they are put; the
 * settings' defaults and refusals.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ATTACHMENT_LIMITS, ATTACHMENT_TYPES } from '../../src/shared/attachments'
import { diskBlobStore } from '../../src/server/attachments/blobStore'
import { resolveAttachmentSettings } from '../../src/server/attachments/settings'

const dir = mkdtempSync(join(tmpdir(), 'grc-blobstore-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('diskBlobStore', () => {
  const blobs = diskBlobStore(dir)
  const bytes = Buffer.from('une photo de nid-de-poule')
  const sha = createHash('sha256').update(bytes).digest('hex')

  it('keeps a file under the SHA-256 of its bytes, once', async () => {
    expect(await blobs.put(bytes)).toBe(sha)
    expect(await blobs.put(Buffer.from(bytes))).toBe(sha)
    expect(readdirSync(join(dir, sha.slice(0, 2)))).toEqual([sha])
    expect(readFileSync(join(dir, sha.slice(0, 2), sha))).toEqual(bytes)
    expect(await blobs.has(sha)).toBe(true)
    expect(await blobs.get(sha)).toEqual(bytes)
  })

  it('forgets a file, and answers nothing for an unknown key', async () => {
    await blobs.delete(sha)
    await blobs.delete(sha)
    expect(await blobs.has(sha)).toBe(false)
    expect(await blobs.get(sha)).toBeNull()
  })

  it('refuses a key that is not a SHA-256 (no path out of its folder)', async () => {
    await expect(blobs.get('../../etc/passwd')).rejects.toThrow(/invalid blob key/)
    await expect(blobs.delete(`${'a'.repeat(63)}/`)).rejects.toThrow(/invalid blob key/)
  })
})

describe('resolveAttachmentSettings', () => {
  it('puts the files beside the SQLite file, or under the data folder on PostgreSQL', () => {
    const sqlite = resolveAttachmentSettings(undefined, {
      database: '/srv/grc/grc.db',
      dataDir: '/var/lib/grc',
    })
    expect(sqlite).toEqual({
      dir: '/srv/grc/attachments',
      maxBytes: ATTACHMENT_LIMITS.maxBytes,
      types: [...ATTACHMENT_TYPES],
      mediaFetch: { timeoutMs: 10_000, allowHosts: [] },
    })
    const pg = resolveAttachmentSettings({}, { database: 'postgres://grc@db/grc', dataDir: '/var/lib/grc' })
    expect(pg.dir).toBe('/var/lib/grc/attachments')
    const set = resolveAttachmentSettings(
      { dir: '/data/pj', types: ['image/jpeg'], mediaFetch: { allowHosts: ['photos.ville.fr'] } },
      { database: '/srv/grc/grc.db', dataDir: '/var/lib/grc' },
    )
    expect(set).toMatchObject({
      dir: '/data/pj',
      types: ['image/jpeg'],
      mediaFetch: { allowHosts: ['photos.ville.fr'] },
    })
  })

  it('refuses an unknown type, a key it does not know, and a limit out of range', () => {
    const where = { database: '/srv/grc/grc.db', dataDir: '/var/lib/grc' }
    expect(() => resolveAttachmentSettings({ types: ['text/html'] }, where)).toThrow()
    expect(() => resolveAttachmentSettings({ maxSize: 10 }, where)).toThrow()
    expect(() => resolveAttachmentSettings({ maxBytes: 0 }, where)).toThrow()
  })
})
