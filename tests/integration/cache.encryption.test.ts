/**
 * The cache at rest, as someone with a copy of the workstation's disk sees it: encrypted
 * with the profile's key, readable by its user alone, the key sealed by the OS keychain; a
 * cache from before encryption converted once, without losing a row.
 */
import Database from 'better-sqlite3-multiple-ciphers'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/core/config'
import type { SecretCipher } from '../../src/core/secretCipher'
import { createConsole } from '../../src/main/console'
import { openStore } from '../../src/main/cache/db'
import { prepareDemoProfile } from '../../src/main/cache/demoProfile'
import type { EncryptionProgress } from '../../src/main/cache/encryption'
import { repoRoot } from '../support/core'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-crypt-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const profileDir = () => join(dir, 'profiles', 'demo')
const cacheFile = () => join(profileDir(), 'cache.db')
const open = (
  options: { secretCipher?: SecretCipher; onCacheEncryption?: (p: EncryptionProgress) => void } = {},
) =>
  createConsole({
    config: parseConfig({ demo: { requests: 300, seed: 3 } }, 'test'),
    resourcesDir: join(repoRoot, 'resources'),
    userDataDir: dir,
    ...options,
  })

/** What the cache holds of citizens, read through the core's own connection. */
const knownEmails = (db: Database.Database) =>
  (db.prepare("SELECT email FROM citizens WHERE email LIKE '%@%' LIMIT 5").pluck().all() as string[]).filter(
    Boolean,
  )

/** Every byte of the profile folder: the database, its WAL, its shared memory, the key. */
const profileBytes = () =>
  Buffer.concat(readdirSync(profileDir()).map((f) => readFileSync(join(profileDir(), f))))

/** A keychain that works like safeStorage: sealed bytes that only this "account" opens. */
function fakeKeychain(account: string, backend = 'gnome_libsecret'): SecretCipher {
  const tag = Buffer.from(`sealed-for:${account}:`)
  return {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain) => Buffer.concat([tag, Buffer.from(plain).map((b) => b ^ 0x5a)]),
    decryptString: (sealed) => {
      if (!sealed.subarray(0, tag.length).equals(tag))
        throw new Error('Error while decrypting the ciphertext')
      return Buffer.from(sealed.subarray(tag.length).map((b) => b ^ 0x5a)).toString()
    },
  }
}

describe('the cache on disk', () => {
  it('holds no citizen in clear; without the key, or with another, it does not open', async () => {
    const core = await open()
    const emails = knownEmails(core.db)
    expect(emails.length).toBeGreaterThan(0)
    await core.close()

    const bytes = profileBytes()
    for (const email of emails) expect(bytes.includes(email)).toBe(false)
    expect(bytes.includes('SQLite format 3')).toBe(false)

    const bare = new Database(cacheFile())
    expect(() => bare.prepare('SELECT count(*) FROM requests').get()).toThrow(/not a database/)
    bare.close()
    const wrong = new Database(cacheFile())
    wrong.pragma(`cipher = 'sqlcipher'`)
    wrong.pragma('legacy = 4')
    wrong.pragma(`key = "x'${'00'.repeat(32)}'"`)
    expect(() => wrong.prepare('SELECT count(*) FROM requests').get()).toThrow(/not a database/)
    wrong.close()

    // The same profile opens again with its own key, every request still there.
    const again = await open()
    expect(knownEmails(again.db)).toEqual(emails)
    await again.close()
  })

  it('is readable by its user alone: folder 0700, database, WAL and key 0600', async () => {
    const core = await open()
    core.db.prepare("UPDATE requests SET title = title || '' WHERE rowid = 1").run()
    const mode = (f: string) => statSync(f).mode & 0o777
    expect(mode(profileDir())).toBe(0o700)
    for (const f of readdirSync(profileDir())) expect([f, mode(join(profileDir(), f))]).toEqual([f, 0o600])
    expect(readdirSync(profileDir())).toEqual(
      expect.arrayContaining(['cache.db', 'cache.db-wal', 'cache.key']),
    )
    await core.close()
  })
})

describe('the cache in memory', () => {
  /** Whether the process maps `file` itself (not its -shm) into its memory (Linux's list of mappings). */
  const mapped = (file: string) =>
    readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .some((line) => line.endsWith(` ${file}`))

  it.runIf(process.platform === 'linux')(
    'encrypted, is read page by page and never mapped: its pages do not swell the resident memory',
    async () => {
      const core = await open()
      expect(core.db.prepare('SELECT count(*) FROM requests').pluck().get()).toBe(300)
      core.db.prepare("SELECT group_concat(title) FROM requests WHERE title LIKE '%a%'").pluck().get()
      expect(mapped(cacheFile())).toBe(false)
      await core.close()

      // A clear cache (the demo seeding, the schema's tests) is mapped: SQLite reads it in place.
      const clear = openStore(join(dir, 'clear.db'))
      clear.prepare('SELECT count(*) FROM requests').get()
      expect(mapped(join(dir, 'clear.db'))).toBe(true)
      clear.close()
    },
  )
})

describe('a cache from before encryption', () => {
  it('is converted at its first start, with progress, and its clear bytes are gone', async () => {
    // An older console's cache: clear, demo data, a pending WAL.
    const { mkdirSync } = await import('node:fs')
    mkdirSync(profileDir(), { recursive: true })
    const plain = openStore(cacheFile())
    prepareDemoProfile(plain, { count: 300, seed: 3, now: Date.now() })
    const emails = knownEmails(plain)
    const requests = plain.prepare('SELECT count(*) FROM requests').pluck().get()
    plain.close()
    expect(readFileSync(cacheFile()).includes('SQLite format 3')).toBe(true)

    const seen: EncryptionProgress[] = []
    const core = await open({ onCacheEncryption: (p) => seen.push(p) })
    expect(seen.map((p) => p.phase)).toEqual(['copying', 'encrypting', 'removing-plain', 'done'])
    expect(seen.map((p) => p.fraction)).toEqual([...seen.map((p) => p.fraction)].sort((a, b) => a - b))
    expect(core.db.prepare('SELECT count(*) FROM requests').pluck().get()).toBe(requests)
    expect(knownEmails(core.db)).toEqual(emails)
    await core.close()

    expect(readdirSync(profileDir()).sort()).toEqual(['cache.db', 'cache.key'])
    const bytes = profileBytes()
    for (const email of emails) expect(bytes.includes(email)).toBe(false)
  })

  it('an interrupted conversion leaves the clear cache as it was, and the next start finishes it', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs')
    mkdirSync(profileDir(), { recursive: true })
    const plain = openStore(cacheFile())
    prepareDemoProfile(plain, { count: 50, seed: 3, now: Date.now() })
    const requests = plain.prepare('SELECT count(*) FROM requests').pluck().get()
    plain.close()
    // A half-written copy from a run killed mid-way.
    writeFileSync(`${cacheFile()}.encrypting`, 'half a copy')
    const core = await open()
    expect(core.db.prepare('SELECT count(*) FROM requests').pluck().get()).toBe(requests)
    await core.close()
    expect(existsSync(`${cacheFile()}.encrypting`)).toBe(false)
  })
})

describe('the key, sealed by the OS keychain', () => {
  it('is never on disk in clear; another account of the system cannot open the profile', async () => {
    const core = await open({ secretCipher: fakeKeychain('zoe') })
    expect(core.cacheKeySeal).toBe('keychain')
    await core.close()
    const stored = JSON.parse(readFileSync(join(profileDir(), 'cache.key'), 'utf8'))
    expect(stored.sealedBy).toBe('keychain')
    expect(Buffer.from(stored.key, 'base64').subarray(0, 15).toString()).toBe('sealed-for:zoe:')

    const before = readFileSync(cacheFile())
    await expect(open({ secretCipher: fakeKeychain('someone-else') })).rejects.toThrow(
      /trousseau du système ne rend pas la clé.*n’a pas été touché/,
    )
    expect(readFileSync(cacheFile()).equals(before)).toBe(true)
    // The same account opens it.
    await (await open({ secretCipher: fakeKeychain('zoe') })).close()
  })

  it("refuses Linux's basic_text keychain (a key known to all) unless the machine allows it, and says so", async () => {
    await expect(open({ secretCipher: fakeKeychain('zoe', 'basic_text') })).rejects.toThrow(
      /security\.allowWeakKeychain/,
    )
    expect(existsSync(cacheFile())).toBe(false)

    // Allowed by the machine: it opens, and the login screen is told.
    const weak = await createConsole({
      config: parseConfig({ demo: { requests: 20, seed: 3 }, security: { allowWeakKeychain: true } }, 'test'),
      resourcesDir: join(repoRoot, 'resources'),
      userDataDir: dir,
      secretCipher: fakeKeychain('zoe', 'basic_text'),
    })
    expect(await weak.invoke('session.loginInfo', {})).toMatchObject({
      ok: true,
      value: { demoAccounts: true, cacheKeySeal: 'weak-keychain' },
    })
    await weak.close()
  })

  it('a profile first opened by dev:web (key file) is taken over by the keychain in the app', async () => {
    await (await open()).close()
    expect(JSON.parse(readFileSync(join(profileDir(), 'cache.key'), 'utf8')).sealedBy).toBe('key-file')
    const app = await open({ secretCipher: fakeKeychain('zoe') })
    expect(app.cacheKeySeal).toBe('keychain')
    expect(app.db.prepare('SELECT count(*) FROM requests').pluck().get()).toBeGreaterThan(0)
    await app.close()
    expect(readdirSync(profileDir()).filter((f) => f.startsWith('cache.key'))).toEqual(['cache.key'])
  })
})
