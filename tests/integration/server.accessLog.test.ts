/**
 * The server's access log of citizens' data is append-only, on SQLite and PostgreSQL
 * alike: an UPDATE, a DELETE (and on PostgreSQL a TRUNCATE) are refused by the database
 * itself; only retention's purge deletes, through the gate it opens in its own
 * transaction, and then only the entries older than the limit.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { accessTokenOf } from '../support/passwordLogin'
import { appendAccess, purgeAccessLog, type AccessLogRow } from '../../src/server/store/accessLog'
import { migrateServerStore } from '../../src/server/store/migrate'
import { SERVER_MIGRATIONS } from '../../src/server/store/migrations'
import { databaseTarget, openDatabase } from '../../src/server/store/open'
import type { SqlDatabase } from '../../src/server/store/sql/client'
import { testDatabase, TEST_STORE } from '../support/serverStore'
import { openSyncWorld } from '../support/syncWorld'

const dir = mkdtempSync(join(tmpdir(), 'grc-access-log-'))
const open: SqlDatabase[] = []
afterEach(async () => {
  for (const db of open.splice(0)) await db.close()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function database(migrations = SERVER_MIGRATIONS): Promise<SqlDatabase> {
  const db = openDatabase(databaseTarget(await testDatabase(join(dir, crypto.randomUUID()))))
  open.push(db)
  await migrateServerStore(db, migrations, 'test')
  return db
}

const DAY = 24 * 3600_000
const NOW = Date.UTC(2026, 5, 15, 10)

const entry = (id: string, at: number): AccessLogRow => ({
  id,
  at,
  recordedAt: at,
  agentId: 'agent-zoe.agent',
  agentName: 'Zoé Agent',
  requestId: 'req-1',
  citizenId: 'cit-1',
  action: 'contact_delivered',
  purpose: 'callback',
  clientId: 'poste-1',
  workstation: 'PC-ACCUEIL-01',
  source: 'server',
})

/** Entries 400, 370, 200, 30 and 1 days old. */
async function seeded(): Promise<SqlDatabase> {
  const db = await database()
  for (const [id, days] of [
    ['e-400', 400],
    ['e-370', 370],
    ['e-200', 200],
    ['e-030', 30],
    ['e-001', 1],
  ] as const)
    expect(await appendAccess(db, entry(id, NOW - days * DAY))).toBe(true)
  return db
}

const ids = async (db: SqlDatabase) =>
  (await db.all<{ id: string }>('SELECT id FROM citizen_access_log ORDER BY id')).map((r) => r.id)
const gate = async (db: SqlDatabase) =>
  (await db.get<{ purge_before: number | null }>('SELECT purge_before FROM access_log_gate WHERE id = 1'))!
    .purge_before

const ALL = ['e-001', 'e-030', 'e-200', 'e-370', 'e-400']
const APPEND_ONLY = /append-only/

describe(`the access log on ${TEST_STORE}`, () => {
  it('refuses UPDATE and DELETE, whatever the rows', async () => {
    const db = await seeded()
    await expect(db.run("UPDATE citizen_access_log SET purpose = 'intervention'")).rejects.toThrow(
      APPEND_ONLY,
    )
    await expect(
      db.run('UPDATE citizen_access_log SET agent_id = ? WHERE id = ?', ['agent-other', 'e-001']),
    ).rejects.toThrow(APPEND_ONLY)
    await expect(db.run('DELETE FROM citizen_access_log WHERE id = ?', ['e-001'])).rejects.toThrow(
      APPEND_ONLY,
    )
    await expect(db.run('DELETE FROM citizen_access_log')).rejects.toThrow(APPEND_ONLY)
    // Old entries too: the gate is closed.
    await expect(db.run('DELETE FROM citizen_access_log WHERE at < ?', [NOW - 365 * DAY])).rejects.toThrow(
      APPEND_ONLY,
    )
    // Inside a transaction as well (and the transaction goes back whole).
    await expect(
      db.transaction(async (tx) => {
        await appendAccess(tx, entry('e-new', NOW))
        await tx.run('DELETE FROM citizen_access_log WHERE id = ?', ['e-400'])
      }),
    ).rejects.toThrow(APPEND_ONLY)
    expect(await ids(db)).toEqual(ALL)
    const row = await db.get<{ purpose: string; agent_id: string }>(
      'SELECT purpose, agent_id FROM citizen_access_log WHERE id = ?',
      ['e-001'],
    )
    expect(row).toEqual({ purpose: 'callback', agent_id: 'agent-zoe.agent' })
  })

  it.runIf(TEST_STORE === 'postgres')('refuses TRUNCATE on PostgreSQL', async () => {
    const db = await seeded()
    await expect(db.exec('TRUNCATE citizen_access_log')).rejects.toThrow(APPEND_ONLY)
    await expect(db.exec('TRUNCATE citizen_access_log, access_log_gate')).rejects.toThrow(APPEND_ONLY)
    expect(await ids(db)).toEqual(ALL)
  })

  it('logs an entry once: the same id again is left as it was', async () => {
    const db = await seeded()
    expect(await appendAccess(db, { ...entry('e-001', NOW), purpose: 'intervention' })).toBe(false)
    expect(
      await db.get<{ purpose: string }>('SELECT purpose FROM citizen_access_log WHERE id = ?', ['e-001']),
    ).toEqual({ purpose: 'callback' })
    expect(await ids(db)).toEqual(ALL)
  })

  it('purges exactly the expired entries, and closes the gate behind it', async () => {
    const db = await seeded()
    const before = NOW - 365 * DAY
    expect(await db.transaction((tx) => purgeAccessLog(tx, before))).toBe(2)
    expect(await ids(db)).toEqual(['e-001', 'e-030', 'e-200'])
    expect(await gate(db)).toBeNull()
    // Nothing more is due: a second run deletes nothing.
    expect(await db.transaction((tx) => purgeAccessLog(tx, before))).toBe(0)
    // An entry at the limit itself stays; one just older goes.
    await appendAccess(db, entry('e-limit', before))
    await appendAccess(db, entry('e-older', before - 1))
    expect(await db.transaction((tx) => purgeAccessLog(tx, before))).toBe(1)
    expect(await ids(db)).toEqual(['e-001', 'e-030', 'e-200', 'e-limit'])
  })

  it('refuses a DELETE once the gate is closed again, even of entries the purge would take', async () => {
    const db = await seeded()
    await db.transaction((tx) => purgeAccessLog(tx, NOW - 365 * DAY))
    expect(await gate(db)).toBeNull()
    await expect(db.run('DELETE FROM citizen_access_log WHERE at < ?', [NOW - 100 * DAY])).rejects.toThrow(
      APPEND_ONLY,
    )
    expect(await ids(db)).toEqual(['e-001', 'e-030', 'e-200'])
  })

  it('an open gate lets only expired entries go: a DELETE of everything is refused whole', async () => {
    const db = await seeded()
    await expect(
      db.transaction(async (tx) => {
        await tx.run('UPDATE access_log_gate SET purge_before = ? WHERE id = 1', [NOW - 365 * DAY])
        await tx.run('DELETE FROM citizen_access_log')
      }),
    ).rejects.toThrow(APPEND_ONLY)
    expect(await ids(db)).toEqual(ALL)
    // The failed transaction's gate went back with it.
    expect(await gate(db)).toBeNull()
  })

  it('a purge whose transaction fails deletes nothing and leaves the gate closed', async () => {
    const db = await seeded()
    await expect(
      db.transaction(async (tx) => {
        await purgeAccessLog(tx, NOW)
        throw new Error('the retention run failed later on')
      }),
    ).rejects.toThrow('the retention run failed later on')
    expect(await ids(db)).toEqual(ALL)
    expect(await gate(db)).toBeNull()
  })

  it('reclaims the space of what was deleted (SQLite: the WAL emptied; PostgreSQL: nothing to do)', async () => {
    const db = await seeded()
    await db.transaction((tx) => purgeAccessLog(tx, NOW - 365 * DAY))
    await db.reclaim()
    expect(await ids(db)).toEqual(['e-001', 'e-030', 'e-200'])
  })
})

describe(`migration 0007 on ${TEST_STORE}`, () => {
  it('indexes the citizens already stored for the search, and adds the privacy columns', async () => {
    const db = await database(SERVER_MIGRATIONS.slice(0, 6))
    await db.run(
      `INSERT INTO citizens (id, name, email, phone, postal_address, contact_preference)
       VALUES (?, ?, ?, ?, ?, ?)`,
      ['cit-1', 'Éloïse Quintavalle', 'eloise.q@example.org', '+33 6 12 34 56 78', '1 rue X', 'email'],
    )
    await migrateServerStore(db, SERVER_MIGRATIONS, 'test')
    const grams = await db.all<{ gram: string; field: string }>(
      'SELECT gram, field FROM citizen_search WHERE citizen_id = ? ORDER BY field, gram',
      ['cit-1'],
    )
    const of = (field: string) => grams.filter((g) => g.field === field).map((g) => g.gram)
    expect(of('name')).toEqual(expect.arrayContaining(['  e', 'elo', 'loi', 'qui', 'lle']))
    expect(of('email')).toEqual(expect.arrayContaining(['elo', 'exa', 'org']))
    expect(of('phone')).toEqual(expect.arrayContaining(['  6', '612', '678']))
    expect(await db.get('SELECT erased_at FROM citizens WHERE id = ?', ['cit-1'])).toEqual({
      erased_at: null,
    })
    expect(await gate(db)).toBeNull()
    for (const column of ['legal_hold_reason', 'legal_hold_at', 'legal_hold_by', 'anonymised_at'])
      await db.all(`SELECT ${column} FROM requests`)
    await db.all(
      'SELECT id, citizen_id, at, actor_id, reason, request_ids, held_request_ids FROM privacy_erasures',
    )
  })
})

describe(`the privacy routes on ${TEST_STORE}`, () => {
  it('ask for an access token, and the DPO routes for the DPO', async () => {
    const world = await openSyncWorld({ requests: 3 })
    try {
      const token = (login: string) => accessTokenOf(world.url, login, `t-${login}`)
      const call = async (accessToken: string | null, method: string, path: string, body?: unknown) =>
        (
          await fetch(`${world.url}/api/v1${path}`, {
            method,
            headers: {
              ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
            body: body ? JSON.stringify(body) : undefined,
          })
        ).status
      const dpoRoutes: Array<[string, string, unknown?]> = [
        ['GET', '/privacy/citizens?q=martin'],
        ['GET', '/privacy/citizens/cit-1'],
        ['GET', '/privacy/citizens/cit-1/export'],
        ['POST', '/privacy/citizens/cit-1/rectify', { name: 'X', reason: 'demande de l’usager' }],
        ['POST', '/privacy/citizens/cit-1/erase', { reason: 'demande de l’usager' }],
        ['PUT', '/privacy/requests/req-1/legal-hold', { reason: 'contentieux' }],
        ['GET', '/privacy/access-log'],
        ['GET', '/privacy/retention/preview'],
      ]
      const agentRoutes: Array<[string, string, unknown?]> = [
        ['POST', '/requests/req-1/citizen-contact', { purpose: 'callback', clientId: 'poste-1' }],
        [
          'POST',
          '/access-log',
          {
            entries: [
              {
                id: 'e-1',
                at: new Date().toISOString(),
                requestId: 'req-1',
                citizenId: 'cit-1',
                purpose: 'callback',
                clientId: 'poste-1',
                action: 'contact_read_offline',
              },
            ],
          },
        ],
      ]
      const agent = await token('zoe.agent')
      const dpo = await token('dina.dpo')
      for (const [method, path, body] of [...dpoRoutes, ...agentRoutes])
        expect([path, await call(null, method, path, body)]).toEqual([path, 401])
      for (const [method, path, body] of dpoRoutes)
        expect([path, await call(agent, method, path, body)]).toEqual([path, 403])
      // Let through (each answers 501 until its store function comes, then its own answer).
      for (const [method, path, body] of dpoRoutes)
        expect([401, 403], path).not.toContain(await call(dpo, method, path, body))
      // The agents' routes answer them (an unknown request: nothing to deliver, nothing logged).
      expect(await call(agent, ...agentRoutes[0]!)).toBe(404)
      expect(await call(agent, ...agentRoutes[1]!)).toBe(200)
      expect(await call(dpo, 'GET', '/privacy/access-log')).toBe(200)
      // Bodies are checked against the protocol's schemas.
      expect(
        await call(agent, 'POST', '/requests/req-1/citizen-contact', { purpose: 'nope', clientId: 'p' }),
      ).toBe(400)
    } finally {
      await world.close()
    }
  })
})
