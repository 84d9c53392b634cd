/**
 * Attachments in the console's core (issue 14), on a real SQLite cache, without a server:
 * what the core accepts before queueing, who may add, read and remove, and what leaves the
 * cache with its request. The trip through a real server is sync.attachments.test.ts.
 */
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ATTACHMENT_LIMITS, type AttachmentMeta } from '../../src/shared/attachments'
import { putAttachment, putBlob, replaceRequestAttachments } from '../../src/main/cache/queries/attachments'
import { removeRequest } from '../../src/main/sync/apply'
import { eraseLocally } from '../../src/main/cache/scrub'
import { applyCacheRetention, purgeIdleProfile, recordSessionSeen } from '../../src/main/cache/retention'
import { enqueueUpload, markUploadRefused } from '../../src/main/cache/queries/attachments'
import { openTestCore, type TestCore } from '../support/core'

let t: TestCore
let jpeg: Uint8Array<ArrayBuffer>
let voirie: string[]

const count = (table: string, where = '1', ...params: unknown[]) =>
  t.db
    .prepare(`SELECT count(*) FROM ${table} WHERE ${where}`)
    .pluck()
    .get(...params) as number

beforeAll(async () => {
  t = await openTestCore({ requests: 120 })
  jpeg = new Uint8Array(
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 10 } } })
      .jpeg()
      .toBuffer(),
  )
  voirie = t.db
    .prepare(
      `SELECT id FROM requests WHERE team_id = (SELECT id FROM teams WHERE code = 'voirie') ORDER BY id LIMIT 6`,
    )
    .pluck()
    .all() as string[]
})
afterAll(() => t.close())

/** A server's attachment as the feed would bring it. */
const serverMeta = (requestId: string, id: string, createdBy: string | null = null): AttachmentMeta => ({
  id,
  requestId,
  name: `${id}.jpg`,
  mime: 'image/jpeg',
  size: 1234,
  width: 64,
  height: 48,
  thumbnail: true,
  source: createdBy ? 'agent' : 'citizen',
  createdAt: Date.parse('2026-03-01T10:00:00Z'),
  createdBy,
  createdByName: createdBy ? 'Quelqu’un' : null,
})

describe('adding a file', () => {
  it('queues a photo as pending, newest first, and shows its own bytes as thumbnail and content', async () => {
    const zoe = await t.as('zoe.agent')
    const id = voirie[0]!
    const first = await t.value('attachments.add', {
      requestId: id,
      name: 'C:\\Photos\\trou.jpg',
      bytes: jpeg,
    })
    expect(first).toMatchObject({
      state: 'pending',
      name: 'trou.jpg',
      mime: 'image/jpeg',
      size: jpeg.byteLength,
    })
    expect(first.createdByName).toBe(zoe.displayName)
    expect(first.remove.allowed).toBe(true)
    const second = await t.value('attachments.add', { requestId: id, name: 'encore.jpg', bytes: jpeg })
    const list = await t.value('attachments.ofRequest', { requestId: id })
    expect(list.items.map((i) => i.id)).toEqual([second.id, first.id])
    expect(list.add.allowed).toBe(true)
    expect(list.limits.maxBytes).toBe(ATTACHMENT_LIMITS.maxBytes)
    const thumb = await t.value('attachments.thumbnail', { id: first.id })
    expect(thumb.reason).toBeNull()
    expect(Buffer.from(thumb.bytes!).equals(Buffer.from(jpeg))).toBe(true)
    const content = await t.value('attachments.content', { id: first.id })
    expect(content).toMatchObject({ name: 'trou.jpg', mime: 'image/jpeg' })
    expect(Buffer.from(content.bytes).equals(Buffer.from(jpeg))).toBe(true)
  })

  it('refuses HTML named .jpg before queueing anything', async () => {
    await t.as('zoe.agent')
    const id = voirie[1]!
    const html = new TextEncoder().encode('<!doctype html><script>alert(1)</script>')
    const r = await t.call('attachments.add', { requestId: id, name: 'photo.jpg', bytes: html })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_input')
      expect(r.error.message).toMatch(/ni une photo .* ni un PDF/)
    }
    expect(count('attachment_uploads', 'request_id = ?', id)).toBe(0)
  })

  it('refuses a file over the limit with the sizes in words', async () => {
    await t.as('zoe.agent')
    const id = voirie[1]!
    const big = new Uint8Array(ATTACHMENT_LIMITS.maxBytes + 1)
    big.set(jpeg)
    const r = await t.call('attachments.add', { requestId: id, name: 'grande.jpg', bytes: big })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toBe('Fichier trop volumineux (10 Mo) : 10 Mo au plus.')
    expect(count('attachment_uploads', 'request_id = ?', id)).toBe(0)
  })

  it('takes a PDF, with no thumbnail', async () => {
    await t.as('zoe.agent')
    const pdf = new TextEncoder().encode('%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
    const item = await t.value('attachments.add', { requestId: voirie[1]!, name: 'devis.pdf', bytes: pdf })
    expect(item).toMatchObject({ mime: 'application/pdf', thumbnail: false, state: 'pending' })
    expect(await t.value('attachments.thumbnail', { id: item.id })).toEqual({ bytes: null, reason: 'none' })
  })

  it('stops at the per-request limit, and says so before the agent tries', async () => {
    await t.as('zoe.agent')
    const id = voirie[2]!
    t.db.transaction(() => {
      for (let i = 0; i < ATTACHMENT_LIMITS.perRequest; i++) putAttachment(t.db, serverMeta(id, `full-${i}`))
    })()
    const list = await t.value('attachments.ofRequest', { requestId: id })
    expect(list.add).toMatchObject({ allowed: false, refusal: 'state' })
    const r = await t.call('attachments.add', { requestId: id, name: 'une-de-trop.jpg', bytes: jpeg })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toBe(list.add.reason)
  })
})

describe('who may do what', () => {
  it('the DPO reads but cannot add', async () => {
    await t.as('dina.dpo')
    const list = await t.value('attachments.ofRequest', { requestId: voirie[0]! })
    expect(list.items.length).toBeGreaterThan(0)
    expect(list.add).toMatchObject({ allowed: false, refusal: 'role' })
    expect(list.items.every((i) => !i.remove.allowed)).toBe(true)
    const r = await t.call('attachments.add', { requestId: voirie[0]!, name: 'x.jpg', bytes: jpeg })
    expect(r.ok ? null : r.error.code).toBe('forbidden')
  })

  it('an agent of another team sees neither the list nor a thumbnail', async () => {
    await t.as('zoe.agent')
    const [mine] = (await t.value('attachments.ofRequest', { requestId: voirie[0]! })).items
    await t.as('nora.agent')
    const list = await t.call('attachments.ofRequest', { requestId: voirie[0]! })
    expect(list.ok ? null : list.error.code).toBe('not_found')
    const thumb = await t.call('attachments.thumbnail', { id: mine!.id })
    expect(thumb.ok ? null : thumb.error.code).toBe('not_found')
    const content = await t.call('attachments.content', { id: mine!.id })
    expect(content.ok ? null : content.error.code).toBe('not_found')
  })

  it('a file not sent yet is removed by its author only', async () => {
    await t.as('zoe.agent')
    const item = await t.value('attachments.add', {
      requestId: voirie[3]!,
      name: 'a-retirer.jpg',
      bytes: jpeg,
    })
    await t.as('luc.lead')
    const seen = (await t.value('attachments.ofRequest', { requestId: voirie[3]! })).items[0]!
    expect(seen.remove).toMatchObject({ allowed: false, refusal: 'role' })
    const refused = await t.call('attachments.remove', { id: item.id })
    expect(refused.ok ? null : refused.error.code).toBe('forbidden')
    await t.as('zoe.agent')
    expect(await t.value('attachments.remove', { id: item.id })).toEqual({ removed: true })
    expect((await t.value('attachments.ofRequest', { requestId: voirie[3]! })).items).toEqual([])
  })

  it('a sent one may be removed by its author or a lead of the team, as the list says', async () => {
    const zoe = await t.as('zoe.agent')
    const id = voirie[4]!
    t.db.transaction(() => {
      putAttachment(t.db, serverMeta(id, 'by-zoe', zoe.agentId))
      putAttachment(t.db, serverMeta(id, 'by-citizen'))
    })()
    const asZoe = (await t.value('attachments.ofRequest', { requestId: id })).items
    expect(Object.fromEntries(asZoe.map((i) => [i.id, i.remove.allowed]))).toEqual({
      'by-zoe': true,
      'by-citizen': false,
    })
    await t.as('luc.lead')
    const asLuc = (await t.value('attachments.ofRequest', { requestId: id })).items
    expect(asLuc.every((i) => i.remove.allowed && i.state === 'sent')).toBe(true)
    // Without a server (this profile is local), removing a sent one is refused in words.
    const r = await t.call('attachments.remove', { id: 'by-citizen' })
    expect(r.ok ? null : r.error.code).toBe('server_unavailable')
    expect(count('attachments', 'id = ?', 'by-citizen')).toBe(1)
  })

  it('a sent thumbnail not cached here, offline: said so, not an error', async () => {
    await t.as('zoe.agent')
    expect(await t.value('attachments.thumbnail', { id: 'by-citizen' })).toEqual({
      bytes: null,
      reason: 'offline',
    })
    const content = await t.call('attachments.content', { id: 'by-citizen' })
    expect(content.ok ? null : content.error).toMatchObject({ code: 'server_unavailable' })
    t.db.transaction(() => putBlob(t.db, 'by-citizen', 'thumbnail', jpeg, Date.now()))()
    const cached = await t.value('attachments.thumbnail', { id: 'by-citizen' })
    expect(Buffer.from(cached.bytes!).equals(Buffer.from(jpeg))).toBe(true)
  })
})

describe('what leaves the cache with its request', () => {
  it('the feed’s list replaces the cached one; bytes of those no longer listed go', () => {
    const id = voirie[5]!
    t.db.transaction(() => {
      putAttachment(t.db, serverMeta(id, 'kept'))
      putAttachment(t.db, serverMeta(id, 'dropped'))
      putBlob(t.db, 'kept', 'thumbnail', jpeg, 1)
      putBlob(t.db, 'dropped', 'content', jpeg, 1)
    })()
    t.db.transaction(() => replaceRequestAttachments(t.db, id, [serverMeta(id, 'kept')]))()
    expect(count('attachments', 'request_id = ?', id)).toBe(1)
    expect(count('attachment_blobs', "attachment_id = 'kept'")).toBe(1)
    expect(count('attachment_blobs', "attachment_id = 'dropped'")).toBe(0)
  })

  it('request_removed drops its attachments, their bytes and its files waiting here', async () => {
    await t.as('zoe.agent')
    const id = voirie[5]!
    await t.value('attachments.add', { requestId: id, name: 'attente.jpg', bytes: jpeg })
    expect(count('attachment_uploads', 'request_id = ?', id)).toBe(1)
    t.db.transaction(() => removeRequest(t.db, id))()
    expect(count('attachments', 'request_id = ?', id)).toBe(0)
    expect(count('attachment_blobs', "attachment_id = 'kept'")).toBe(0)
    expect(count('attachment_uploads', 'request_id = ?', id)).toBe(0)
  })

  it('erasure of the citizen drops them too', async () => {
    await t.as('zoe.agent')
    const id = voirie[4]!
    t.db.transaction(() => putBlob(t.db, 'by-zoe', 'content', jpeg, 1))()
    await t.value('attachments.add', { requestId: id, name: 'chez-lui.jpg', bytes: jpeg })
    const ctx = { db: t.db, now: Date.now, newId: () => crypto.randomUUID() }
    t.db.transaction(() => eraseLocally(ctx, { citizenId: 'nobody', requestIds: [id] }))()
    expect(count('attachments', 'request_id = ?', id)).toBe(0)
    expect(count('attachment_blobs', "attachment_id IN ('by-zoe', 'by-citizen')")).toBe(0)
    expect(count('attachment_uploads', 'request_id = ?', id)).toBe(0)
  })

  it('the cache’s retention deletes them with a request past its date, and keeps a file not sent yet', () => {
    const [gone, waiting] = t.db
      .prepare(
        `SELECT id FROM requests WHERE status_kind = 'closed' AND closed_at IS NOT NULL ORDER BY id LIMIT 2`,
      )
      .pluck()
      .all() as string[]
    t.db.transaction(() => {
      putAttachment(t.db, serverMeta(gone!, 'old-photo'))
      putBlob(t.db, 'old-photo', 'thumbnail', jpeg, 1)
      putAttachment(t.db, serverMeta(waiting!, 'old-plan'))
      putBlob(t.db, 'old-plan', 'content', jpeg, 1)
      enqueueUpload(t.db, {
        id: 'not-sent',
        requestId: waiting!,
        name: 'retour.jpg',
        mime: 'image/jpeg',
        size: jpeg.byteLength,
        bytes: jpeg,
        createdAt: 1,
        createdBy: 'agent-x',
        createdByName: 'Agent X',
      })
      // Retention applies to a cache a server feeds.
      t.db.prepare(`INSERT OR REPLACE INTO sync_state (key, value) VALUES ('client_id', 'test-client')`).run()
    })()
    const policy = {
      anonymiseAfterClosedMonths: 1,
      deleteAfterClosedMonths: 2,
      keepInternalComments: false,
      runAt: '02:30',
    }
    const report = applyCacheRetention(t.db, policy, Date.parse('2040-01-01T00:00:00Z'))
    expect(report.keptForPendingWork).toBeGreaterThanOrEqual(1)
    expect(count('attachments', 'request_id = ?', gone)).toBe(0)
    expect(count('attachment_blobs', "attachment_id IN ('old-photo', 'old-plan')")).toBe(0)
    // The request with a file to send stays (its metadata too), its cached bytes do not.
    expect(count('attachments', "id = 'old-plan'")).toBe(1)
    expect(count('attachment_uploads', "id = 'not-sent'")).toBe(1)
  })

  it('a profile left idle forgets the cached ones and the refused files, not a file still to send', () => {
    const [closed] = t.db.prepare(`SELECT id FROM requests LIMIT 1`).pluck().all() as string[]
    t.db.transaction(() => {
      enqueueUpload(t.db, {
        id: 'refused-one',
        requestId: closed!,
        name: 'refuse.jpg',
        mime: 'image/jpeg',
        size: jpeg.byteLength,
        bytes: jpeg,
        createdAt: 2,
        createdBy: 'agent-x',
        createdByName: 'Agent X',
      })
      markUploadRefused(t.db, 'refused-one', 'Trop volumineux.')
      recordSessionSeen(t.db, Date.parse('2030-01-01T00:00:00Z'))
    })()
    expect(count('attachments', '1')).toBeGreaterThan(0)
    expect(purgeIdleProfile(t.db, Date.parse('2031-01-01T00:00:00Z'), 30).purged).toBe(true)
    expect(count('attachments', '1')).toBe(0)
    expect(count('attachment_blobs', '1')).toBe(0)
    expect(count('attachment_uploads', "id = 'refused-one'")).toBe(0)
    expect(count('attachment_uploads', "id = 'not-sent'")).toBe(1)
  })
})
