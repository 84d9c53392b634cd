/**
 * The citizen's data in the console's cache (issue 12), without a server: the search index
 * is no name oracle for roles that may not read citizens; contact details are kept only
 * while needed; an erasure leaves no byte of the citizen in the cache file or its WAL.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacheBytes } from '../support/consoleCache'
import { openTestCore, type TestCore } from '../support/core'
import { insertCitizen } from '../../src/main/cache/queries/citizens'
import {
  countContacts,
  dropStaleContacts,
  getContact,
  putContact,
  type StoredContact,
} from '../../src/main/cache/queries/contacts'
import { upsertComment } from '../../src/main/cache/queries/comments'
import { appendHistory } from '../../src/main/cache/queries/history'
import { enqueueMutation, listPendingMutations, recordSent } from '../../src/main/cache/queries/outbox'
import { insertConflict, listConflictsFor } from '../../src/main/cache/queries/conflicts'
import { logPersonalDataAccess } from '../../src/main/cache/queries/accessLog'
import { eraseLocally, isScrubNeeded, scrubFreedSpace } from '../../src/main/cache/scrub'
import type { Db } from '../../src/main/cache/db'
import { pointsOfColumns } from '../../src/shared/contract'

/** A name, e-mail and phone found nowhere else (the demo draws its names from a small pool). */
const NAME = 'Éloïse Quintavalle'
const EMAIL = 'eloise.quintavalle.7731@example.test'
const PHONE = '+33 6 71 93 28 46'
const NEEDLES = ['Quintavalle', 'quintavalle', 'QUINTAVALLE', 'Éloïse', 'eloise', EMAIL, '71 93 28 46']

/** Which needles the cache's file or its WAL still hold (every page and WAL frame, decrypted, UTF-8). */
function bytesFound(db: Db): string[] {
  const files = cacheBytes(db.name)
  return NEEDLES.filter((n) => files.some((bytes) => bytes.indexOf(Buffer.from(n, 'utf8')) >= 0))
}

function voirieRequestWithCitizen(t: TestCore): { id: string; citizenId: string; title: string } {
  return t.db
    .prepare(
      `SELECT id, citizen_id AS citizenId, title FROM requests
       WHERE team_id = 'voirie' AND citizen_id IS NOT NULL ORDER BY rowid LIMIT 1`,
    )
    .get() as { id: string; citizenId: string; title: string }
}

describe('the search index is no name oracle (local demo profile)', () => {
  let t: TestCore
  let target: { id: string; citizenId: string; title: string }

  beforeAll(async () => {
    t = await openTestCore({ requests: 300 })
    target = voirieRequestWithCitizen(t)
    // One citizen with a name nobody else has, re-indexed on their requests by trigger.
    t.db.prepare('UPDATE citizens SET name = ? WHERE id = ?').run(NAME, target.citizenId)
  })
  afterAll(() => t.close())

  const searchIds = async (text: string) =>
    (await t.value('queue.list', { filter: { text }, limit: 100 })).rows.map((r) => r.id)

  it('an agent finds the request by its citizen’s name', async () => {
    await t.as('zoe.agent')
    expect(await searchIds('quintavalle')).toContain(target.id)
    expect((await t.value('queue.counts', { filter: { text: 'Éloïse Quintavalle' } })).total).toBeGreaterThan(
      0,
    )
  })

  it('a technician of the same team does not: not in the list, the counts or the map', async () => {
    const tom = await t.as('tom.tech')
    expect(tom.citizenData).toBe(false)
    expect(await searchIds('quintavalle')).toEqual([])
    expect(await searchIds('eloise quintavalle')).toEqual([])
    expect((await t.value('queue.counts', { filter: { text: 'quintavalle' } })).total).toBe(0)
    const everywhere = { minLat: -90, minLon: -180, maxLat: 90, maxLon: 180 }
    const points = await t.value('map.points', {
      bbox: everywhere,
      limit: 10_000,
      filter: { text: 'quintavalle' },
    })
    expect(pointsOfColumns(points)).toEqual([])
    // The search itself still works for them: the same request by a word of its title.
    const word = target.title.split(/\s+/).find((w) => w.length >= 5)!
    expect(await searchIds(word)).toContain(target.id)
  })

  it('the session says who may read citizens', async () => {
    expect((await t.as('zoe.agent')).citizenData).toBe(true)
    expect((await t.as('alex.admin')).citizenData).toBe(false)
  })
})

describe('contact details on a local-only profile', () => {
  let t: TestCore
  beforeAll(async () => {
    t = await openTestCore({ requests: 200 })
  })
  afterAll(() => t.close())

  const count = (table: string) => t.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number

  it('are read from the cache for a stated purpose, logged with it, and never said offline', async () => {
    await t.as('zoe.agent')
    const { id, citizenId } = voirieRequestWithCitizen(t)
    const before = count('access_log')
    const contact = await t.value('request.citizenContact', { id, purpose: 'callback' })
    expect(contact).toMatchObject({ id: citizenId, purpose: 'callback', offline: false })
    expect(contact?.name).toBeTruthy()
    expect(count('access_log')).toBe(before + 1)
    const logged = t.db
      .prepare('SELECT action, purpose, entry_id FROM access_log ORDER BY id DESC LIMIT 1')
      .get() as { action: string; purpose: string; entry_id: string }
    expect(logged).toMatchObject({ action: 'contact_read_local', purpose: 'callback' })
    expect(logged.entry_id).toBeTruthy()
    const history = await t.value('request.history', { id })
    expect(history.filter((h) => h.kind === 'viewed_personal_data').at(-1)?.data).toEqual({
      purpose: 'callback',
    })
    // Nothing to release on a local profile, but the call is harmless.
    expect(await t.value('request.releaseCitizen', { id })).toEqual({})
  })

  it('are refused to a technician, with nothing logged', async () => {
    const { id } = voirieRequestWithCitizen(t)
    await t.as('tom.tech')
    const before = count('access_log')
    expect(await t.call('request.citizenContact', { id, purpose: 'intervention' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(count('access_log')).toBe(before)
  })
})

describe('contact details are kept only while needed', () => {
  let t: TestCore
  const AGENT = 'agent-zoe.agent'
  let ids: string[]

  beforeAll(async () => {
    t = await openTestCore({ requests: 200 })
    ids = t.db
      .prepare("SELECT id FROM requests WHERE citizen_id IS NOT NULL AND status_kind = 'open' LIMIT 4")
      .pluck()
      .all() as string[]
  })
  afterAll(() => t.close())

  const contact = (requestId: string, agentId = AGENT): StoredContact => ({
    requestId,
    citizenId: 'cit-x',
    email: 'x@example.test',
    phone: null,
    postalAddress: null,
    contactPreference: 'email',
    purpose: 'callback',
    agentId,
    fetchedAt: 1,
  })
  const set = (id: string, assignee: string | null, kind: 'open' | 'closed') =>
    t.db.prepare('UPDATE requests SET assignee_id = ?, status_kind = ? WHERE id = ?').run(assignee, kind, id)
  const kept = () =>
    (
      t.db.prepare('SELECT request_id FROM citizen_contacts ORDER BY request_id').pluck().all() as string[]
    ).sort()

  it('keep the shown request and the agent’s own open ones; drop the rest', () => {
    const [own, shown, other, foreign] = ids as [string, string, string, string]
    set(own, AGENT, 'open')
    set(shown, 'agent-someone', 'open')
    set(other, 'agent-someone', 'open')
    set(foreign, AGENT, 'open')
    for (const id of [own, shown, other]) putContact(t.db, contact(id))
    // Another agent's details on this profile: never kept for this one.
    putContact(t.db, contact(foreign, 'agent-luc.lead'))
    dropStaleContacts(t.db, { agentId: AGENT, openRequestId: shown })
    expect(kept()).toEqual([own, shown].sort())
    expect(getContact(t.db, own, AGENT)?.email).toBe('x@example.test')
    expect(getContact(t.db, own, 'agent-luc.lead')).toBeUndefined()

    // The pane moves on: the shown one goes, the own open one stays.
    dropStaleContacts(t.db, { agentId: AGENT, openRequestId: null })
    expect(kept()).toEqual([own])

    // Reassigned or closed (a pull, a local transition): gone too.
    putContact(t.db, contact(other))
    set(other, AGENT, 'closed')
    dropStaleContacts(t.db, { agentId: AGENT, openRequestId: null })
    expect(kept()).toEqual([own])
    set(own, 'agent-someone', 'open')
    dropStaleContacts(t.db, { agentId: AGENT, openRequestId: null })
    expect(kept()).toEqual([])

    // No session: nothing kept.
    putContact(t.db, contact(own))
    dropStaleContacts(t.db, { agentId: null, openRequestId: own })
    expect(countContacts(t.db)).toBe(0)
  })

  it('leave with their request', () => {
    const id = ids[0]!
    putContact(t.db, contact(id))
    t.db.prepare('DELETE FROM comments WHERE request_id = ?').run(id)
    t.db.prepare('DELETE FROM requests WHERE id = ?').run(id)
    expect(countContacts(t.db)).toBe(0)
  })
})

describe('an erasure leaves no byte of the citizen in the cache', () => {
  let t: TestCore
  beforeAll(async () => {
    t = await openTestCore({ requests: 300 })
  })
  afterAll(() => t.close())

  it('rows, search index, inbox, queued and sent changes, contacts: all scrubbed; file and WAL clean', async () => {
    const session = await t.as('zoe.agent')
    const db = t.db
    const { id } = voirieRequestWithCitizen(t)
    const citizenId = randomUUID()
    const at = Date.now()
    db.transaction(() => {
      insertCitizen(db, {
        id: citizenId,
        name: NAME,
        email: EMAIL,
        phone: PHONE,
        postalAddress: '12 rue des Quintavalle, Nancy',
        contactPreference: 'email',
      })
      db.prepare('UPDATE requests SET citizen_id = ?, description = ? WHERE id = ?').run(
        citizenId,
        `Appel de ${NAME} (${PHONE}) au sujet du trottoir.`,
        id,
      )
      upsertComment(db, {
        id: randomUUID(),
        requestId: id,
        kind: 'internal',
        body: `Rappeler ${NAME} : ${EMAIL}`,
        authorId: session.agentId,
        authorName: session.displayName,
        createdAt: new Date(at).toISOString(),
      })
      appendHistory(db, {
        requestId: id,
        kind: 'edited',
        at,
        actorId: session.agentId,
        actorName: session.displayName,
        data: { field: 'description', from: '', to: `Appel de ${NAME}` },
      })
      const queued = randomUUID()
      enqueueMutation(db, {
        mutationId: queued,
        entity: 'request',
        entityId: id,
        op: 'comment',
        baseVersion: 1,
        payload: { commentId: randomUUID(), kind: 'public', body: `Bonjour ${NAME}` },
        createdAt: at,
      })
      // A change without text stays queued.
      enqueueMutation(db, {
        mutationId: randomUUID(),
        entity: 'request',
        entityId: id,
        op: 'assign',
        baseVersion: 1,
        payload: { assigneeId: session.agentId },
        createdAt: at,
      })
      insertConflict(db, {
        id: randomUUID(),
        mutationId: randomUUID(),
        requestId: id,
        op: 'update',
        payload: { description: `Mme ${NAME}`, priority: 'high' },
        baseVersion: 1,
        madeAt: at,
        detectedAt: at,
        serverVersion: 2,
        theirs: [{ field: 'description', value: `Contact ${EMAIL}`, actorName: null, at, version: 2 }],
        kind: 'conflict',
        reason: null,
      })
      recordSent(
        db,
        {
          seq: 1,
          attempts: 0,
          lastError: null,
          mutationId: randomUUID(),
          entity: 'request',
          entityId: id,
          op: 'update',
          baseVersion: 0,
          payload: { title: NAME },
          createdAt: at,
        },
        at,
      )
      putContact(db, {
        requestId: id,
        citizenId,
        email: EMAIL,
        phone: PHONE,
        postalAddress: null,
        contactPreference: 'email',
        purpose: 'callback',
        agentId: session.agentId,
        fetchedAt: at,
      })
      logPersonalDataAccess(db, {
        entryId: randomUUID(),
        at,
        agentId: session.agentId,
        requestId: id,
        citizenId,
        action: 'contact_read_offline',
        purpose: 'callback',
      })
    })()
    // The test means something: the citizen is in the cache's bytes before.
    expect(bytesFound(db)).toEqual(expect.arrayContaining(['Quintavalle', 'quintavalle', EMAIL]))
    expect((await t.value('queue.list', { filter: { text: 'quintavalle' } })).rows.map((r) => r.id)).toEqual([
      id,
    ])

    const ctx = { db, now: () => at + 1000, newId: randomUUID }
    const removed = db.transaction(() => eraseLocally(ctx, { citizenId, requestIds: [id] }))()
    expect(removed).toEqual([id])
    expect(isScrubNeeded(db)).toBe(true)
    expect(scrubFreedSpace(db)).toEqual({ checkpointed: true })
    expect(isScrubNeeded(db)).toBe(false)

    // Rows: the request, its comments, history and contacts, the citizen: gone.
    const n = (sql: string, ...p: unknown[]) =>
      db
        .prepare(sql)
        .pluck()
        .get(...p) as number
    expect(n('SELECT count(*) FROM requests WHERE id = ?', id)).toBe(0)
    expect(n('SELECT count(*) FROM comments WHERE request_id = ?', id)).toBe(0)
    expect(n('SELECT count(*) FROM history_events WHERE request_id = ?', id)).toBe(0)
    expect(n('SELECT count(*) FROM citizens WHERE id = ?', citizenId)).toBe(0)
    expect(countContacts(db)).toBe(0)
    expect(n('SELECT count(*) FROM sent_mutations WHERE entity_id = ?', id)).toBe(0)
    // The queued note waits in the inbox without its text; the assignment stays queued.
    expect(listPendingMutations(db, 100).map((p) => p.op)).toEqual(['assign'])
    const inbox = listConflictsFor(db, id)
    expect(inbox.map((c) => [c.op, c.kind])).toEqual(
      expect.arrayContaining([
        ['comment', 'rejected'],
        ['update', 'conflict'],
      ]),
    )
    expect(JSON.stringify(inbox)).not.toMatch(/quintavalle|7731/i)
    expect(inbox.find((c) => c.op === 'update')?.payload).toMatchObject({ priority: 'high' })
    // The offline read stays to be uploaded: ids only.
    expect(n('SELECT count(*) FROM access_log WHERE citizen_id = ?', citizenId)).toBe(1)
    // Search: nothing.
    expect((await t.value('queue.list', { filter: { text: 'quintavalle' } })).rows).toEqual([])

    // Bytes: nowhere in the file or its WAL.
    expect(bytesFound(db)).toEqual([])
    await t.core.close()
    expect(bytesFound(db)).toEqual([])
  })
})

describe('an erasure with a legal hold', () => {
  let t: TestCore
  beforeAll(async () => {
    t = await openTestCore({ requests: 200 })
  })
  afterAll(() => t.close())

  it('removes the listed requests only: a held one keeps its citizen, in the cache and in search', async () => {
    await t.as('zoe.agent')
    const db = t.db
    const [erased, held] = db
      .prepare("SELECT id FROM requests WHERE team_id = 'voirie' ORDER BY rowid LIMIT 2")
      .pluck()
      .all() as [string, string]
    const citizenId = randomUUID()
    insertCitizen(db, {
      id: citizenId,
      name: 'Ottilie Wrzesniewska',
      email: null,
      phone: null,
      postalAddress: null,
      contactPreference: 'none',
    })
    db.prepare('UPDATE requests SET citizen_id = ? WHERE id IN (?, ?)').run(citizenId, erased, held)
    const ctx = { db, now: Date.now, newId: randomUUID }
    expect(db.transaction(() => eraseLocally(ctx, { citizenId, requestIds: [erased] }))()).toEqual([erased])
    scrubFreedSpace(db)
    const n = (sql: string, ...p: unknown[]) =>
      db
        .prepare(sql)
        .pluck()
        .get(...p) as number
    expect(n('SELECT count(*) FROM requests WHERE id = ?', erased)).toBe(0)
    expect(n('SELECT count(*) FROM requests WHERE id = ? AND citizen_id = ?', held, citizenId)).toBe(1)
    expect(n('SELECT count(*) FROM citizens WHERE id = ?', citizenId)).toBe(1)
    expect((await t.value('queue.list', { filter: { text: 'wrzesniewska' } })).rows.map((r) => r.id)).toEqual(
      [held],
    )
  })
})
