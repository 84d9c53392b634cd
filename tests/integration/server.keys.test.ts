/**
 * The access tokens' signing keys, shared by every instance through the database: a key
 * signs for its rotation period, a token signed before a rotation keeps working until it
 * expires, a key made by another instance is accepted at once, and a key that can no
 * longer have a live token is deleted.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { openKeyRing } from '../../src/server/auth/keyRing'
import { createTokenIssuer } from '../../src/server/auth/tokens'
import { migrateServerStore } from '../../src/server/store/migrate'
import { SERVER_MIGRATIONS } from '../../src/server/store/migrations'
import { databaseTarget, openDatabase } from '../../src/server/store/open'
import type { SqlDatabase } from '../../src/server/store/sql/client'
import { testDatabase, TEST_STORE } from '../support/serverStore'

const dir = mkdtempSync(join(tmpdir(), 'grc-keys-'))
const open: SqlDatabase[] = []
afterEach(async () => {
  for (const db of open.splice(0)) await db.close()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const HOUR = 3600_000
const TTL_S = 15 * 60

async function database(): Promise<SqlDatabase> {
  const db = openDatabase(databaseTarget(await testDatabase(join(dir, crypto.randomUUID()))))
  open.push(db)
  await migrateServerStore(db, SERVER_MIGRATIONS, 'test')
  return db
}

/** One server instance's token issuer on `db`, with its own clock. */
async function instance(db: SqlDatabase, clock: { now: number }) {
  const now = () => clock.now
  const keys = await openKeyRing(db, { accessTtlMs: TTL_S * 1000, rotationMs: 24 * HOUR, now })
  return { keys, tokens: createTokenIssuer({ accessTtlSeconds: TTL_S, refreshTtlSeconds: 3600, keys, now }) }
}

const keyIdOf = (token: string) => token.split('.')[1]

describe(`signing keys on ${TEST_STORE}`, () => {
  it('a token signed by one instance is accepted by another, and not after it expires', async () => {
    const db = await database()
    const clock = { now: Date.UTC(2026, 11, 4, 9) }
    const a = await instance(db, clock)
    const b = await instance(db, clock)
    const { token } = await a.tokens.issueAccess({ agentId: 'agent-zoe.agent', clientId: 'poste-1' })
    expect(await b.tokens.verifyAccess(token)).toEqual({ agentId: 'agent-zoe.agent', clientId: 'poste-1' })
    clock.now += TTL_S * 1000 + 1
    expect(await b.tokens.verifyAccess(token)).toBeNull()
  })

  it('refuses a forged or tampered token, and a key id nobody made', async () => {
    const db = await database()
    const a = await instance(db, { now: Date.now() })
    const { token } = await a.tokens.issueAccess({ agentId: 'agent-zoe.agent', clientId: 'poste-1' })
    const [v, kid, body, sig] = token.split('.')
    const forgedBody = Buffer.from(
      JSON.stringify({ a: 'agent-alex.admin', c: 'poste-1', exp: Date.now() + 1e6 }),
    ).toString('base64url')
    expect(await a.tokens.verifyAccess(`${v}.${kid}.${forgedBody}.${sig}`)).toBeNull()
    expect(await a.tokens.verifyAccess(`${v}.unknown-key.${body}.${sig}`)).toBeNull()
    expect(await a.tokens.verifyAccess(`v1.${body}.${sig}`)).toBeNull()
  })

  it('rotates: the new key signs, tokens of the old one work until they expire, then the old key goes', async () => {
    const db = await database()
    const clock = { now: Date.UTC(2026, 11, 4, 9) }
    const a = await instance(db, clock)
    const b = await instance(db, clock)
    const first = await a.tokens.issueAccess({ agentId: 'agent-zoe.agent', clientId: 'poste-1' })

    // A rotation on instance B five minutes later (`npm run server -- keys rotate`).
    clock.now += 5 * 60_000
    const rotated = await b.keys.rotate()
    const second = await b.tokens.issueAccess({ agentId: 'agent-zoe.agent', clientId: 'poste-1' })
    expect(keyIdOf(second.token)).toBe(rotated.id)
    expect(keyIdOf(second.token)).not.toBe(keyIdOf(first.token))
    // A knows the new key at once (it reads the table again for an id it has not seen).
    expect(await a.tokens.verifyAccess(second.token)).not.toBeNull()
    // The old key's token is still good until it expires.
    expect(await b.tokens.verifyAccess(first.token)).not.toBeNull()
    // A signs with the newest key within a minute.
    clock.now += 61_000
    expect(keyIdOf((await a.tokens.issueAccess({ agentId: 'x', clientId: 'y' })).token)).toBe(rotated.id)

    // The rotation period later, a new key is made on its own; the first key has no live token left and goes.
    clock.now += 24 * HOUR
    const third = await a.tokens.issueAccess({ agentId: 'agent-zoe.agent', clientId: 'poste-1' })
    expect(keyIdOf(third.token)).not.toBe(rotated.id)
    const ids = (await db.all<{ id: string }>('SELECT id FROM signing_keys')).map((r) => r.id)
    expect(ids).not.toContain(keyIdOf(first.token))
    expect(ids).toContain(rotated.id)
    expect(await a.tokens.verifyAccess(third.token)).not.toBeNull()
  })
})
