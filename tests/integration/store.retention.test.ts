/**
 * Retention on the console's own cache (issue 12), with no server reachable and a fixed
 * clock: a closed request past its delay loses its citizen's data (and the bytes leave the
 * file and its WAL), a category's own rule wins over the default, a request past the
 * deletion delay leaves the cache unless work on it waits to be sent, a profile unopened
 * past `privacy.cacheMaxIdleDays` forgets its synced data but not the agent's unsent work,
 * and a local-only demo profile is never touched.
 */
import type { OutputOf } from '../../src/shared/contract'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cacheBytes } from '../support/consoleCache'
import { parseConfig, type AppConfig } from '../../src/core/config'
import { addMonths } from '../../src/core/privacy/retention'
import { createConsole, profileCachePath } from '../../src/main/console'
import { openStore, type Db } from '../../src/main/cache/db'
import { seedDemo } from '../../src/main/cache/demoSeed'
import { insertCitizen } from '../../src/main/cache/queries/citizens'
import { putContact } from '../../src/main/cache/queries/contacts'
import { upsertComment } from '../../src/main/cache/queries/comments'
import { insertConflict } from '../../src/main/cache/queries/conflicts'
import { logPersonalDataAccess } from '../../src/main/cache/queries/accessLog'
import { enqueueMutation, recordSent } from '../../src/main/cache/queries/outbox'
import { setSyncState } from '../../src/main/cache/queries/syncState'
import { listCategories } from '../../src/main/cache/queries/reference'
import { applyReference } from '../../src/main/sync/apply'
import {
  applyCacheRetention,
  CATEGORY_RETENTION_KEY,
  categoryRetentionOf,
  takeRetentionPending,
  LAST_SESSION_KEY,
  purgeIdleProfile,
} from '../../src/main/cache/retention'
import { PRIVACY_POLICY_KEY, retentionPolicyOf } from '../../src/main/cache/queries/privacyPolicy'
import { RETENTION_DEFAULTS, type PrivacyPolicy, type RetentionPolicy } from '../../src/shared/privacy'
import { repoRoot } from '../support/core'

const NOW = Date.UTC(2026, 5, 15, 10, 0, 0)
const DAY = 24 * 3600_000
const monthsAgo = (m: number) => addMonths(NOW, -m) - DAY

/** Citizens nobody else has (the demo draws its names from a small pool). */
const DUE = {
  id: 'cit-due',
  name: 'Anselme Vauquelinard',
  email: 'anselme.vauquelinard.5521@example.test',
  phone: '+33 6 12 48 95 37',
}
const KEPT = { id: 'cit-kept', name: 'Berthilde Oyarzabal', email: 'berthilde.oyarzabal.8812@example.test' }
const DUE_NEEDLES = ['Vauquelinard', 'vauquelinard', 'Anselme', 'anselme', DUE.email, '48 95 37']

function bytesFound(file: string, needles: readonly string[]): string[] {
  const files = cacheBytes(file)
  return needles.filter((n) => files.some((bytes) => bytes.indexOf(Buffer.from(n, 'utf8')) >= 0))
}

const count = (db: Db, sql: string, ...params: unknown[]) =>
  db
    .prepare(sql)
    .pluck()
    .get(...params) as number

const serverPolicy = (retention: Partial<RetentionPolicy>): PrivacyPolicy => ({
  citizenDataRoles: ['agent', 'lead', 'supervisor', 'dpo'],
  retention: { ...RETENTION_DEFAULTS, ...retention },
  accessLogMonths: 12,
})

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-retention-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A synced profile's configuration; its server is unreachable (nothing listens on port 9). */
function syncedConfig(privacy: Record<string, unknown> = {}): AppConfig {
  return parseConfig(
    {
      profile: { name: 'p', dataDir: dir },
      demo: { seedWhenEmpty: false },
      sync: { serverUrl: 'http://127.0.0.1:9', timeoutSeconds: 1 },
      // The configuration says "never": the server's policy, kept from its bundle, decides.
      privacy: { retention: { anonymiseAfterClosedMonths: null }, ...privacy },
    },
    'test',
  )
}

interface Planted {
  due: string
  kept: string
  categoryDue: string
  categoryNever: string
  deleted: string
  deletedPending: string
}

/**
 * A cache as a synced console leaves it (cursor, owner, the server's policy), filled with
 * the demo's requests, six of them closed at chosen dates.
 */
function plantSyncedCache(file: string, policy: PrivacyPolicy) {
  mkdirSync(dirname(file), { recursive: true })
  const db = openStore(file)
  seedDemo(db, { count: 200, seed: 7, now: NOW })
  setSyncState(db, 'client_id', 'client-1')
  setSyncState(db, 'cursor', '42')
  setSyncState(db, 'initial_done', '1')
  setSyncState(db, 'owner_login', 'zoe.agent')
  setSyncState(db, PRIVACY_POLICY_KEY, JSON.stringify(policy))
  const categories = db.prepare('SELECT id FROM categories ORDER BY id').pluck().all() as string[]
  const [catA, catB, catC] = categories as [string, string, string]
  setSyncState(
    db,
    CATEGORY_RETENTION_KEY,
    JSON.stringify({
      [catB]: { anonymiseAfterClosedMonths: 1 },
      [catC]: { anonymiseAfterClosedMonths: null },
    }),
  )
  const ids = db.prepare('SELECT id FROM requests ORDER BY rowid LIMIT 6').pluck().all() as string[]
  const closedStatus = db
    .prepare("SELECT status FROM requests WHERE status_kind = 'closed' LIMIT 1")
    .pluck()
    .get()
  const close = (id: string, category: string, closedAt: number) =>
    db
      .prepare(
        "UPDATE requests SET status_kind = 'closed', status = ?, closed_at = ?, category_id = ? WHERE id = ?",
      )
      .run(closedStatus, closedAt, category, id)
  const planted: Planted = {
    due: ids[0]!,
    kept: ids[1]!,
    categoryDue: ids[2]!,
    categoryNever: ids[3]!,
    deleted: ids[4]!,
    deletedPending: ids[5]!,
  }
  db.transaction(() => {
    close(planted.due, catA, monthsAgo(13))
    close(planted.kept, catA, monthsAgo(2))
    close(planted.categoryDue, catB, monthsAgo(2))
    close(planted.categoryNever, catC, monthsAgo(30))
    close(planted.deleted, catA, monthsAgo(40))
    close(planted.deletedPending, catA, monthsAgo(40))
    insertCitizen(db, { ...DUE, postalAddress: null, contactPreference: 'email' })
    insertCitizen(db, { ...KEPT, phone: null, postalAddress: null, contactPreference: 'email' })
    db.prepare('UPDATE requests SET citizen_id = ? WHERE id = ?').run(DUE.id, planted.due)
    db.prepare('UPDATE requests SET citizen_id = ? WHERE id = ?').run(KEPT.id, planted.kept)
    putContact(db, {
      requestId: planted.due,
      citizenId: DUE.id,
      email: DUE.email,
      phone: DUE.phone,
      postalAddress: null,
      contactPreference: 'email',
      purpose: 'callback',
      agentId: 'agent-zoe',
      fetchedAt: NOW - 400 * DAY,
    })
    putContact(db, {
      requestId: planted.kept,
      citizenId: KEPT.id,
      email: KEPT.email,
      phone: null,
      postalAddress: null,
      contactPreference: 'email',
      purpose: 'callback',
      agentId: 'agent-zoe',
      fetchedAt: NOW - 60 * DAY,
    })
    upsertComment(db, {
      id: 'c-internal',
      requestId: planted.due,
      kind: 'internal',
      body: `Rappelé ${DUE.name} au ${DUE.phone}`,
      authorId: 'agent-zoe',
      authorName: 'Zoé',
      createdAt: new Date(NOW - 400 * DAY).toISOString(),
    })
    upsertComment(db, {
      id: 'c-public',
      requestId: planted.due,
      kind: 'public',
      body: 'Intervention réalisée',
      authorId: 'agent-zoe',
      authorName: 'Zoé',
      createdAt: new Date(NOW - 400 * DAY).toISOString(),
    })
    insertConflict(db, {
      id: 'conflict-1',
      mutationId: 'm-conflict',
      requestId: planted.due,
      op: 'comment',
      payload: { commentId: 'c-x', kind: 'public', body: `Écrit à ${DUE.email}` },
      baseVersion: 1,
      madeAt: NOW - 400 * DAY,
      detectedAt: NOW - 400 * DAY,
      serverVersion: 2,
      theirs: [],
      kind: 'rejected',
      reason: 'refusée',
    })
    recordSent(
      db,
      {
        seq: 1,
        mutationId: 'm-sent',
        entity: 'request',
        entityId: planted.due,
        op: 'comment',
        baseVersion: 1,
        payload: { commentId: 'c-y', kind: 'public', body: `Courriel de ${DUE.name}` },
        createdAt: NOW - 5 * DAY,
        attempts: 0,
        lastError: null,
      },
      NOW - 5 * DAY,
    )
    logPersonalDataAccess(db, {
      entryId: 'log-uploaded',
      at: NOW - 400 * DAY,
      agentId: 'agent-zoe',
      requestId: planted.due,
      citizenId: DUE.id,
      action: 'contact_read_offline',
    })
    db.prepare("UPDATE access_log SET uploaded_at = ? WHERE entry_id = 'log-uploaded'").run(NOW - 399 * DAY)
    logPersonalDataAccess(db, {
      entryId: 'log-waiting',
      at: NOW - 2 * DAY,
      agentId: 'agent-zoe',
      requestId: planted.due,
      citizenId: DUE.id,
      action: 'contact_read_offline',
    })
    enqueueMutation(db, {
      mutationId: 'm-pending',
      entity: 'request',
      entityId: planted.deletedPending,
      op: 'comment',
      baseVersion: 3,
      payload: { commentId: 'c-pending', kind: 'internal', body: 'Vu sur place' },
      createdAt: NOW - DAY,
    })
  })()
  db.close()
  return planted
}

describe('retention on an offline synced cache', () => {
  it('at start, before any login: a due request loses its citizen’s data, down to the bytes; one not yet due keeps it', async () => {
    const config = syncedConfig()
    const file = profileCachePath(config, dir)
    const p = plantSyncedCache(
      file,
      serverPolicy({ anonymiseAfterClosedMonths: 12, deleteAfterClosedMonths: 36 }),
    )
    expect(bytesFound(file, DUE_NEEDLES)).not.toEqual([])

    const core = await createConsole({
      config,
      resourcesDir: join(repoRoot, 'resources'),
      userDataDir: dir,
      now: () => NOW,
    })
    try {
      const db = core.db
      // Due: its citizen, contact details, internal comment, conflict, kept change and uploaded log are gone.
      expect(db.prepare('SELECT citizen_id FROM requests WHERE id = ?').get(p.due)).toEqual({
        citizen_id: null,
      })
      expect(count(db, 'SELECT count(*) FROM citizens WHERE id = ?', DUE.id)).toBe(0)
      expect(count(db, 'SELECT count(*) FROM citizen_contacts WHERE request_id = ?', p.due)).toBe(0)
      expect(count(db, "SELECT count(*) FROM comments WHERE id = 'c-internal'")).toBe(0)
      expect(count(db, "SELECT count(*) FROM comments WHERE id = 'c-public'")).toBe(1)
      expect(
        count(db, "SELECT count(*) FROM comments WHERE request_id = ? AND kind = 'internal'", p.due),
      ).toBe(0)
      expect(count(db, 'SELECT count(*) FROM conflicts WHERE request_id = ?', p.due)).toBe(0)
      expect(count(db, 'SELECT count(*) FROM sent_mutations WHERE entity_id = ?', p.due)).toBe(0)
      // The log the server has left; the read it has not yet stays, to be uploaded.
      expect(db.prepare('SELECT entry_id FROM access_log').pluck().all()).toEqual(['log-waiting'])
      // The search index no longer knows the name.
      expect(count(db, "SELECT count(*) FROM requests_fts WHERE requests_fts MATCH 'vauquelinard'")).toBe(0)
      // Not yet due: untouched.
      expect(db.prepare('SELECT citizen_id FROM requests WHERE id = ?').get(p.kept)).toEqual({
        citizen_id: KEPT.id,
      })
      expect(count(db, 'SELECT count(*) FROM citizen_contacts WHERE request_id = ?', p.kept)).toBe(1)
      expect(count(db, "SELECT count(*) FROM requests_fts WHERE requests_fts MATCH 'oyarzabal'")).toBe(1)
      // Past the deletion delay: removed, unless the agent's change to it waits to be sent.
      expect(count(db, 'SELECT count(*) FROM requests WHERE id = ?', p.deleted)).toBe(0)
      expect(count(db, 'SELECT count(*) FROM history_events WHERE request_id = ?', p.deleted)).toBe(0)
      expect(count(db, 'SELECT count(*) FROM requests WHERE id = ?', p.deletedPending)).toBe(1)
      expect(count(db, 'SELECT count(*) FROM outbox')).toBe(1)
      // Neither the file nor its WAL holds the due citizen's name, e-mail or phone; the kept one is there.
      expect(bytesFound(file, DUE_NEEDLES)).toEqual([])
      expect(bytesFound(file, [KEPT.email])).toEqual([KEPT.email])
    } finally {
      await core.close()
    }
  })

  it('a category’s own rule wins over the default, both ways', () => {
    const config = syncedConfig()
    const file = profileCachePath(config, dir)
    const p = plantSyncedCache(file, serverPolicy({ anonymiseAfterClosedMonths: 12 }))
    const db = openStore(file)
    try {
      const citizenOf = (id: string) =>
        db.prepare('SELECT citizen_id FROM requests WHERE id = ?').pluck().get(id)
      db.prepare('UPDATE requests SET citizen_id = ? WHERE id IN (?, ?)').run(
        KEPT.id,
        p.categoryDue,
        p.categoryNever,
      )
      const policy = retentionPolicyOf(db, config.privacy.retention)
      expect(policy.anonymiseAfterClosedMonths).toBe(12)
      const report = applyCacheRetention(db, policy, NOW)
      expect(report.scrubbed).toBe(true)
      // Closed 2 months ago, its category anonymises after 1.
      expect(citizenOf(p.categoryDue)).toBeNull()
      // Closed 30 months ago, its category never anonymises.
      expect(citizenOf(p.categoryNever)).toBe(KEPT.id)
      // Same age, default category (12 months): kept.
      expect(citizenOf(p.kept)).toBe(KEPT.id)
      // Run again: nothing more to do.
      expect(applyCacheRetention(db, policy, NOW)).toMatchObject({ anonymised: 0, deleted: 0 })
    } finally {
      db.close()
    }
  })

  it('without the server’s policy, the configuration’s applies', () => {
    const config = syncedConfig({ retention: { anonymiseAfterClosedMonths: 24 } })
    const file = profileCachePath(config, dir)
    const p = plantSyncedCache(file, serverPolicy({}))
    const db = openStore(file)
    try {
      db.prepare('DELETE FROM sync_state WHERE key = ?').run(PRIVACY_POLICY_KEY)
      const policy = retentionPolicyOf(db, config.privacy.retention)
      expect(policy.anonymiseAfterClosedMonths).toBe(24)
      applyCacheRetention(db, policy, NOW)
      // Closed 13 months ago: not due under 24 months.
      expect(db.prepare('SELECT citizen_id FROM requests WHERE id = ?').pluck().get(p.due)).toBe(DUE.id)
    } finally {
      db.close()
    }
  })
})

describe('the server’s policy in the reference data', () => {
  it('is kept with each category’s own rule; a change asks for a run, the same bundle again does not', () => {
    const file = join(dir, 'ref.db')
    const db = openStore(file)
    try {
      seedDemo(db, { count: 20, seed: 7, now: NOW })
      const categories = listCategories(db)
      const first = categories[0]!
      const bundle = (months: number) => ({
        teams: [],
        categories: categories.map((c) =>
          c.id === first.id ? { ...c, retention: { anonymiseAfterClosedMonths: months } } : c,
        ),
        agents: [],
        sectors: [],
        routingRules: [],
        workflows: [],
        privacy: serverPolicy({ anonymiseAfterClosedMonths: 18 }),
      })
      applyReference(db, bundle(3))
      expect(takeRetentionPending(db)).toBe(true)
      expect(retentionPolicyOf(db, RETENTION_DEFAULTS).anonymiseAfterClosedMonths).toBe(18)
      expect(categoryRetentionOf(db).get(first.id)).toEqual({ anonymiseAfterClosedMonths: 3 })
      expect(categoryRetentionOf(db).size).toBe(1)
      applyReference(db, bundle(3))
      expect(takeRetentionPending(db)).toBe(false)
      applyReference(db, bundle(6))
      expect(takeRetentionPending(db)).toBe(true)
      expect(categoryRetentionOf(db).get(first.id)).toEqual({ anonymiseAfterClosedMonths: 6 })
    } finally {
      db.close()
    }
  })
})

describe('while the console runs', () => {
  it('retention runs again every interval, and an open session keeps the profile from being idle', async () => {
    const config = syncedConfig()
    const file = profileCachePath(config, dir)
    const p = plantSyncedCache(file, serverPolicy({ anonymiseAfterClosedMonths: 12 }))
    let clock = NOW
    const core = await createConsole({
      config,
      resourcesDir: join(repoRoot, 'resources'),
      userDataDir: dir,
      now: () => clock,
      retentionIntervalMs: 20,
    })
    try {
      const citizenOf = (id: string) =>
        core.db.prepare('SELECT citizen_id FROM requests WHERE id = ?').pluck().get(id)
      expect(citizenOf(p.kept)).toBe(KEPT.id)
      const login = await core.invoke('session.login', { login: 'zoe.agent', password: 'demo' })
      expect(login.ok).toBe(true)
      // The screens see each category's own rule as the server set it (the DPO's preview says whose rule applies).
      const reference = await core.invoke('reference.get', {})
      const categories = reference.ok ? (reference.value as OutputOf<'reference.get'>).categories : []
      const retentionOf = (id: string) => categories.find((c) => c.id === id)?.retention
      const categoryOf = (id: string) =>
        core.db.prepare('SELECT category_id FROM requests WHERE id = ?').pluck().get(id) as string
      expect(retentionOf(categoryOf(p.categoryDue))).toEqual({ anonymiseAfterClosedMonths: 1 })
      expect(retentionOf(categoryOf(p.categoryNever))).toEqual({ anonymiseAfterClosedMonths: null })
      const lastSeen = () =>
        Number(core.db.prepare('SELECT value FROM sync_state WHERE key = ?').pluck().get(LAST_SESSION_KEY))
      expect(lastSeen()).toBe(NOW)
      // Eleven months later, the app still open: the request closed 2 months before is due.
      clock = addMonths(NOW, 11)
      await vi.waitFor(() => expect(citizenOf(p.kept)).toBeNull(), { timeout: 2000, interval: 20 })
      await vi.waitFor(() => expect(lastSeen()).toBe(clock), { timeout: 2000, interval: 20 })
    } finally {
      await core.close()
    }
  })
})

describe('a profile nobody opened', () => {
  it('past cacheMaxIdleDays, forgets its synced data at the next start but keeps the unsent work', async () => {
    const config = syncedConfig({ cacheMaxIdleDays: 30 })
    const file = profileCachePath(config, dir)
    plantSyncedCache(file, serverPolicy({ anonymiseAfterClosedMonths: null }))
    const db = openStore(file)
    setSyncState(db, LAST_SESSION_KEY, String(NOW - 31 * DAY))
    db.prepare(
      "INSERT INTO offline_verifiers (login, verifier, identity, expires_at) VALUES ('zoe.agent', 'x', '{}', ?)",
    ).run(NOW + 30 * DAY)
    db.close()

    const core = await createConsole({
      config,
      resourcesDir: join(repoRoot, 'resources'),
      userDataDir: dir,
      now: () => NOW,
    })
    try {
      const c = core.db
      for (const table of [
        'requests',
        'comments',
        'citizens',
        'citizen_contacts',
        'sent_mutations',
        'history_events',
        'offline_verifiers',
      ])
        expect(count(c, `SELECT count(*) FROM ${table}`), table).toBe(0)
      expect(c.prepare("SELECT value FROM sync_state WHERE key = 'cursor'").get()).toBeUndefined()
      // The agent's unsent change and the read the server does not have yet stay.
      expect(c.prepare('SELECT mutation_id FROM outbox').pluck().all()).toEqual(['m-pending'])
      expect(c.prepare('SELECT entry_id FROM access_log').pluck().all()).toEqual(['log-waiting'])
      // Reference data and the owner stay (its work is sent only under its name).
      expect(count(c, 'SELECT count(*) FROM categories')).toBeGreaterThan(0)
      expect(c.prepare("SELECT value FROM sync_state WHERE key = 'owner_login'").pluck().get()).toBe(
        'zoe.agent',
      )
      expect(bytesFound(file, DUE_NEEDLES)).toEqual([])
      expect(bytesFound(file, [KEPT.email])).toEqual([])
    } finally {
      await core.close()
    }
  })

  it('opened within cacheMaxIdleDays, is left alone', () => {
    const config = syncedConfig()
    const file = profileCachePath(config, dir)
    plantSyncedCache(file, serverPolicy({ anonymiseAfterClosedMonths: null }))
    const db = openStore(file)
    try {
      setSyncState(db, LAST_SESSION_KEY, String(NOW - 29 * DAY))
      const before = count(db, 'SELECT count(*) FROM requests')
      expect(purgeIdleProfile(db, NOW, 30).purged).toBe(false)
      expect(count(db, 'SELECT count(*) FROM requests')).toBe(before)
      // Never recorded (a profile from before this version): its clock starts now.
      db.prepare('DELETE FROM sync_state WHERE key = ?').run(LAST_SESSION_KEY)
      expect(purgeIdleProfile(db, NOW, 30).purged).toBe(false)
      expect(db.prepare('SELECT value FROM sync_state WHERE key = ?').pluck().get(LAST_SESSION_KEY)).toBe(
        String(NOW),
      )
    } finally {
      db.close()
    }
  })
})

describe('a local-only demo profile', () => {
  it('is never touched: no retention, no idle purge, whatever the dates', async () => {
    const config = parseConfig(
      { profile: { name: 'demo', dataDir: dir }, demo: { requests: 200, seed: 7 } },
      'test',
    )
    const resourcesDir = join(repoRoot, 'resources')
    const first = await createConsole({ config, resourcesDir, userDataDir: dir, now: () => NOW })
    const snapshot = (db: Db) => ({
      requests: count(db, 'SELECT count(*) FROM requests'),
      withCitizen: count(db, 'SELECT count(*) FROM requests WHERE citizen_id IS NOT NULL'),
      citizens: count(db, 'SELECT count(*) FROM citizens'),
      comments: count(db, 'SELECT count(*) FROM comments'),
    })
    const before = snapshot(first.db)
    expect(
      count(
        first.db,
        "SELECT count(*) FROM requests WHERE status_kind = 'closed' AND citizen_id IS NOT NULL",
      ),
    ).toBeGreaterThan(0)
    setSyncState(first.db, LAST_SESSION_KEY, String(NOW))
    await first.close()

    // Ten years later, with a policy that would anonymise and delete everything closed.
    const later = addMonths(NOW, 120)
    const again = await createConsole({ config, resourcesDir, userDataDir: dir, now: () => later })
    try {
      expect(snapshot(again.db)).toEqual(before)
      const policy = { ...RETENTION_DEFAULTS, anonymiseAfterClosedMonths: 1, deleteAfterClosedMonths: 2 }
      expect(applyCacheRetention(again.db, policy, later)).toMatchObject({ anonymised: 0, deleted: 0 })
      expect(purgeIdleProfile(again.db, later, 1).purged).toBe(false)
      expect(snapshot(again.db)).toEqual(before)
    } finally {
      await again.close()
    }
  })
})
