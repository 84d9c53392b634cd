/**
 * The cache's schema on a real SQLite file: built from empty, versioned, refused when newer
 * than the code, never half-migrated; history append-only; durable writes for the outbox.
 */
import Database from 'better-sqlite3-multiple-ciphers'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, withFullSync, type Db } from '../../src/main/cache/db'
import { migrate, schemaVersion, StoreTooNewError, type Migration } from '../../src/main/cache/migrate'
import { MIGRATIONS } from '../../src/main/cache/migrations'
import { appendHistory, listHistory } from '../../src/main/cache/queries/history'
import { enqueueMutation, countPendingMutations } from '../../src/main/cache/queries/outbox'
import { insertRequest, type NewRequestRow } from '../../src/main/cache/queries/requests'

let dir: string
let file: string
const opened: Db[] = []
const open = (f = file) => {
  const db = openStore(f)
  opened.push(db)
  return db
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-store-'))
  file = join(dir, 'cache.db')
})
afterEach(() => {
  opened.splice(0).forEach((db) => db.open && db.close())
  rmSync(dir, { recursive: true, force: true })
})

const request = (id: string, createdAt = Date.UTC(2026, 0, 5, 9)): NewRequestRow => ({
  id,
  reference: `GRC-2026-${id.padStart(6, '0')}`,
  title: 'Nid-de-poule',
  categoryId: 'voirie',
  subcategory: null,
  channel: 'portal',
  status: 'new',
  statusKind: 'open',
  priority: 'normal',
  teamId: 'voirie',
  assigneeId: null,
  description: 'Un trou dans la chaussée',
  address: null,
  lat: null,
  lon: null,
  citizenId: null,
  fields: {},
  createdAt,
  updatedAt: createdAt,
  dueAt: null,
  closedAt: null,
  slaPausedMs: 0,
  slaPausedSince: null,
  version: 0,
})

describe('migrations', () => {
  it('build an empty file up to the latest version, in WAL with foreign keys on', () => {
    const db = open()
    expect(schemaVersion(db)).toBe(MIGRATIONS.length)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).pluck().all()
    for (const t of [
      'teams',
      'agents',
      'agent_teams',
      'workflows',
      'categories',
      'sectors',
      'routing_rules',
      'citizens',
      'requests',
      'history_events',
      'comments',
      'outbox',
      'sync_state',
      'access_log',
      'citizen_contacts',
      'saved_views',
      'requests_fts',
      'requests_geo',
    ])
      expect(tables).toContain(t)
  })

  it('apply nothing when the file is already at the latest version', () => {
    open().close()
    const db = new Database(file)
    opened.push(db)
    expect(migrate(db, MIGRATIONS)).toEqual([])
    expect(schemaVersion(db)).toBe(MIGRATIONS.length)
  })

  it('refuse a cache written by a newer console, naming the file, and leave it untouched', () => {
    open().close()
    const raw = new Database(file)
    raw.pragma('journal_mode = DELETE')
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`)
    raw.close()

    expect(() => open()).toThrow(StoreTooNewError)
    expect(() => open()).toThrow(
      new RegExp(`${file.replace(/[.\\/]/g, '\\$&')}.*version ${MIGRATIONS.length + 5}`),
    )
    const after = new Database(file)
    opened.push(after)
    expect(schemaVersion(after)).toBe(MIGRATIONS.length + 5)
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete')
  })

  it('leave the previous version intact when a migration fails half-way', () => {
    const db = new Database(join(dir, 'other.db'))
    opened.push(db)
    const steps: Migration[] = [
      { version: 1, name: '0001-a', up: (d) => d.exec('CREATE TABLE a (x)') },
      {
        version: 2,
        name: '0002-b',
        up: (d) => {
          d.exec('CREATE TABLE b (x)')
          throw new Error('boom')
        },
      },
    ]
    expect(() => migrate(db, steps)).toThrow('boom')
    expect(schemaVersion(db)).toBe(1)
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).pluck().all()
    expect(tables).toEqual(['a'])
  })

  it('0006: a synced cache keeps citizens’ names only; earlier reads get an id to be uploaded once', () => {
    const db = new Database(file)
    opened.push(db)
    migrate(db, MIGRATIONS.slice(0, 5))
    db.exec(`INSERT INTO citizens (id, name, email, phone, postal_address, contact_preference)
             VALUES ('c1', 'Jeanne Dupré', 'j@example.test', '0600000000', '1 rue X', 'email');
             INSERT INTO sync_state (key, value) VALUES ('cursor', '42');
             INSERT INTO access_log (at, agent_id, request_id, citizen_id, action) VALUES (1, 'a', 'r', 'c1', 'read_contact');`)
    expect(migrate(db, MIGRATIONS)).toContain(6)
    expect(db.prepare('SELECT * FROM citizens').get()).toEqual({
      id: 'c1',
      name: 'Jeanne Dupré',
      email: null,
      phone: null,
      postal_address: null,
      contact_preference: 'none',
    })
    const row = db.prepare('SELECT entry_id, uploaded_at FROM access_log').get() as {
      entry_id: string
      uploaded_at: number | null
    }
    expect(row.entry_id).toMatch(/^[0-9a-f]{32}$/)
    expect(row.uploaded_at).toBeNull()
    // Its freed space is scrubbed after the next sync round.
    expect(db.prepare("SELECT value FROM sync_state WHERE key = 'scrub_needed'").pluck().get()).toBe('1')
    // A read the server has not got yet cannot be deleted; once uploaded, it can.
    expect(() => db.prepare('DELETE FROM access_log').run()).toThrow(/not uploaded yet/)
    db.prepare('UPDATE access_log SET uploaded_at = 2').run()
    expect(db.prepare('DELETE FROM access_log').run().changes).toBe(1)
  })

  it('0006: a local-only cache keeps its citizens whole', () => {
    const db = new Database(file)
    opened.push(db)
    migrate(db, MIGRATIONS.slice(0, 5))
    db.exec(`INSERT INTO citizens (id, name, email, phone, postal_address, contact_preference)
             VALUES ('c1', 'Jeanne Dupré', 'j@example.test', NULL, NULL, 'email')`)
    migrate(db, MIGRATIONS)
    expect(db.prepare('SELECT email FROM citizens').pluck().get()).toBe('j@example.test')
  })

  it('0008: the search index is rebuilt folded, and stays folded as requests and citizens change', () => {
    const db = new Database(file)
    opened.push(db)
    migrate(db, MIGRATIONS.slice(0, 7))
    insertRequest(db, { ...request('1'), address: '2 rue Jeanne-d’Arc, Vandœuvre-lès-Nancy' })
    const hits = (text: string) =>
      db.prepare('SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?').pluck().all(text)
    expect(hits('"vandoeuvre"')).toEqual([])
    expect(migrate(db, MIGRATIONS.slice(0, 8))).toEqual([8])
    expect(hits('"vandoeuvre"')).toHaveLength(1)
    expect(hits('"vandœuvre"')).toEqual([])
    // Triggers: a new request, a citizen arriving and renamed, all indexed folded.
    db.exec(`INSERT INTO citizens (id, name, contact_preference) VALUES ('c1', 'Œdipe Kœnig', 'none')`)
    insertRequest(db, { ...request('2'), title: 'Sœur ﬂeur', citizenId: 'c1' })
    expect(hits('"soeur" "fleur"')).toHaveLength(1)
    expect(hits('citizen_name : "koenig"')).toHaveLength(1)
    db.prepare("UPDATE citizens SET name = 'Æsa Straße' WHERE id = 'c1'").run()
    expect(hits('citizen_name : "aesa" "strasse"')).toHaveLength(1)
    expect(hits('citizen_name : "koenig"')).toEqual([])
  })

  it('0020: the due counts of a filled cache are counted again per assignee, and kept so', () => {
    const db = new Database(file)
    opened.push(db)
    migrate(db, MIGRATIONS.slice(0, 19))
    const day = 86_400_000
    const due = Date.UTC(2026, 2, 10, 15)
    const rows = [
      { ...request('1'), dueAt: due },
      { ...request('2'), dueAt: due, assigneeId: 'agent-tom.tech' },
      { ...request('3'), dueAt: due + 60_000, assigneeId: 'agent-tom.tech' },
      { ...request('4'), dueAt: due + 2 * day, assigneeId: 'agent-zoe.agent' },
      { ...request('5'), dueAt: null, assigneeId: 'agent-zoe.agent' },
      { ...request('6'), dueAt: due, status: 'closed', statusKind: 'closed' as const, closedAt: due },
    ]
    db.transaction(() => rows.forEach((r) => insertRequest(db, r)))()
    expect(migrate(db, MIGRATIONS.slice(0, 20))).toEqual([20])
    const counts = () =>
      db
        .prepare('SELECT due_day, assignee_key, n FROM request_due_counts ORDER BY due_day, assignee_key')
        .all()
    const dueDay = Math.floor(due / day)
    expect(counts()).toEqual([
      { due_day: dueDay, assignee_key: '', n: 1 },
      { due_day: dueDay, assignee_key: 'agent-tom.tech', n: 2 },
      { due_day: dueDay + 2, assignee_key: 'agent-zoe.agent', n: 1 },
    ])
    // Reassigned, then unassigned: the counts follow.
    db.prepare("UPDATE requests SET assignee_id = 'agent-zoe.agent' WHERE id = '2'").run()
    db.prepare("UPDATE requests SET assignee_id = NULL WHERE id = '4'").run()
    expect(counts()).toEqual([
      { due_day: dueDay, assignee_key: '', n: 1 },
      { due_day: dueDay, assignee_key: 'agent-tom.tech', n: 1 },
      { due_day: dueDay, assignee_key: 'agent-zoe.agent', n: 1 },
      { due_day: dueDay + 2, assignee_key: '', n: 1 },
    ])
  })

  it('0022: the agents’ index is read at once in an empty cache; a filled one waits for its next reset', () => {
    const empty = new Database(join(dir, 'empty-0022.db'))
    opened.push(empty)
    migrate(empty, MIGRATIONS)
    expect(empty.prepare('SELECT ready FROM team_search_state').pluck().get()).toBe(1)

    const db = new Database(file)
    opened.push(db)
    migrate(db, MIGRATIONS.slice(0, 21))
    insertRequest(db, { ...request('1'), title: 'Banc descellé' })
    expect(migrate(db, MIGRATIONS)).toEqual([22])
    const ready = () => db.prepare('SELECT ready FROM team_search_state').pluck().get()
    const indexed = () => db.prepare('SELECT count(*) FROM requests_team_fts_docsize').pluck().get()
    // Not rebuilt (minutes at 2 million requests): not read, but kept from now on.
    expect(ready()).toBe(0)
    expect(indexed()).toBe(0)
    insertRequest(db, { ...request('2'), title: 'Banc renversé' })
    expect(indexed()).toBe(1)
    db.prepare('DELETE FROM requests').run()
    expect(ready()).toBe(1)
    expect(indexed()).toBe(0)
  })

  it('open with secure_delete on: deleted content is zeroed in the file', () => {
    expect(open().pragma('secure_delete', { simple: true })).toBe(1)
  })

  it('refuse a list of migrations with a gap', () => {
    const db = new Database(':memory:')
    opened.push(db)
    expect(() => migrate(db, [{ version: 2, name: '0002-x', up: () => {} }])).toThrow(/expected version 1/)
  })
})

describe('history', () => {
  it('is append-only: an event cannot be rewritten or deleted while its request lives', () => {
    const db = open()
    insertRequest(db, request('1'))
    const id = appendHistory(db, {
      requestId: '1',
      kind: 'created',
      at: 1,
      actorId: null,
      actorName: null,
      data: { channel: 'portal' },
    })
    expect(() => db.prepare('UPDATE history_events SET kind = ? WHERE id = ?').run('merged', id)).toThrow(
      /append-only/,
    )
    expect(() => db.prepare('DELETE FROM history_events WHERE id = ?').run(id)).toThrow(/append-only/)
    expect(listHistory(db, '1')).toMatchObject([{ id, kind: 'created', data: { channel: 'portal' } }])
  })

  it('leaves the cache with its request (a request out of scope is purged whole)', () => {
    const db = open()
    insertRequest(db, request('1'))
    appendHistory(db, { requestId: '1', kind: 'created', at: 1, actorId: null, actorName: null, data: {} })
    db.prepare('DELETE FROM requests WHERE id = ?').run('1')
    expect(db.prepare('SELECT count(*) FROM history_events').pluck().get()).toBe(0)
  })

  it('lists events oldest first', () => {
    const db = open()
    insertRequest(db, request('1'))
    for (const [kind, at] of [
      ['routed', 20],
      ['created', 10],
      ['assigned', 30],
    ] as const)
      appendHistory(db, { requestId: '1', kind, at, actorId: null, actorName: null, data: {} })
    expect(listHistory(db, '1').map((e) => e.kind)).toEqual(['created', 'routed', 'assigned'])
  })
})

describe('durable writes', () => {
  it('withFullSync commits with synchronous = FULL and restores NORMAL', () => {
    const db = open()
    const during = withFullSync(db, () => {
      enqueueMutation(db, {
        mutationId: 'm1',
        entity: 'request',
        entityId: '1',
        op: 'comment',
        baseVersion: 0,
        payload: { body: 'x' },
        createdAt: 1,
      })
      return db.pragma('synchronous', { simple: true })
    })
    expect(during).toBe(2)
    expect(db.pragma('synchronous', { simple: true })).toBe(1)
    expect(countPendingMutations(db)).toBe(1)
  })

  it('withFullSync refuses to run inside a transaction, whose commit would not be FULL', () => {
    const db = open()
    expect(() => db.transaction(() => withFullSync(db, () => 1))()).toThrow(/outside a transaction/)
  })

  it('nested in another withFullSync, joins it: both writes commit together, or neither', () => {
    const db = open()
    db.exec('CREATE TABLE t (v TEXT)')
    const syncDuringInner = withFullSync(db, () => {
      db.prepare("INSERT INTO t VALUES ('outer')").run()
      return withFullSync(db, () => {
        db.prepare("INSERT INTO t VALUES ('inner')").run()
        return db.pragma('synchronous', { simple: true })
      })
    })
    expect(syncDuringInner).toBe(2) // FULL
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2)
    expect(() =>
      withFullSync(db, () => {
        withFullSync(db, () => db.prepare("INSERT INTO t VALUES ('lost')").run())
        throw new Error('the outer change fails')
      }),
    ).toThrow(/outer change fails/)
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2)
  })
})
