/**
 * Photos between consoles through a real server over real HTTP (issue 14): added offline,
 * kept in the cache across a restart, sent when the server is back, seen with its thumbnail
 * and its re-encoded file (no EXIF) on another console; a request created offline gets its
 * photo after its creation; the server's refusal is kept in its words; what the cache
 * fetched leaves with the request.
 */
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sniffAttachmentType } from '../../src/shared/attachments'
import { startFaultProxy, type FaultProxy } from '../support/faultProxy'
import { openSyncWorld, type SyncClient, type SyncWorld } from '../support/syncWorld'

/** A photo as a phone takes it: with the camera's name in its EXIF. */
async function photo(color: { r: number; g: number; b: number }, size = { width: 800, height: 600 }) {
  const jpeg = await sharp({ create: { ...size, channels: 3, background: color } })
    .jpeg()
    .withExif({ IFD0: { Make: 'AppareilTest', Model: 'Modele-42' } })
    .toBuffer()
  return new Uint8Array(jpeg)
}

const voirieRequest = (c: SyncClient, offset = 0) =>
  c.db
    .prepare(
      `SELECT id FROM requests WHERE team_id = (SELECT id FROM teams WHERE code = 'voirie') ORDER BY id LIMIT 1 OFFSET ?`,
    )
    .pluck()
    .get(offset) as string

const count = (c: SyncClient, table: string, where: string, ...params: unknown[]) =>
  c.db
    .prepare(`SELECT count(*) FROM ${table} WHERE ${where}`)
    .pluck()
    .get(...params) as number

describe('attachments through the server', () => {
  let world: SyncWorld
  let proxy: FaultProxy
  let zoe: SyncClient
  let luc: SyncClient
  let requestId: string
  let attachmentId: string
  let original: Uint8Array<ArrayBuffer>

  beforeAll(async () => {
    world = await openSyncWorld({ requests: 40 })
    proxy = await startFaultProxy(world.url)
    zoe = await world.client('zoe-att', 'zoe.agent', { via: proxy.url })
    luc = await world.client('luc-att', 'luc.lead')
    await zoe.sync()
    await luc.sync()
    requestId = voirieRequest(zoe)
    original = await photo({ r: 180, g: 40, b: 20 })
  })
  afterAll(async () => {
    await proxy?.close()
    await world?.close()
  })

  it('a photo added while the server is unreachable waits, across a restart, then is sent', async () => {
    proxy.setOffline(true)
    const added = await zoe.value('attachments.add', { requestId, name: 'nid-de-poule.jpg', bytes: original })
    attachmentId = added.id
    expect(added.state).toBe('pending')
    const offline = await zoe.sync()
    expect(offline.state).toBe('offline')
    expect(offline.pending).toBe(1)

    // The console closes and opens again, still offline: the photo is still there, bytes and all.
    await zoe.close()
    zoe = await world.client('zoe-att', 'zoe.agent', { via: proxy.url })
    const kept = await zoe.value('attachments.ofRequest', { requestId })
    expect(kept.items.map((i) => [i.id, i.state])).toEqual([[attachmentId, 'pending']])
    const thumb = await zoe.value('attachments.thumbnail', { id: attachmentId })
    expect(Buffer.from(thumb.bytes!).equals(Buffer.from(original))).toBe(true)

    proxy.setOffline(false)
    const back = await zoe.sync()
    expect(back).toMatchObject({ state: 'idle', pending: 0 })
    const sent = await zoe.value('attachments.ofRequest', { requestId })
    expect(sent.items).toHaveLength(1)
    expect(sent.items[0]).toMatchObject({
      id: attachmentId,
      state: 'sent',
      name: 'nid-de-poule.jpg',
      thumbnail: true,
    })
    expect(count(zoe, 'attachment_uploads', '1')).toBe(0)
    const onServer = await world.server.store.sql.get<{ request_id: string }>(
      'SELECT request_id FROM attachments WHERE id = ?',
      [attachmentId],
    )
    expect(onServer?.request_id).toBe(requestId)
  })

  it('another console of the team lists it, with its thumbnail and the re-encoded file, kept for offline', async () => {
    await luc.sync()
    const list = await luc.value('attachments.ofRequest', { requestId })
    expect(list.items.map((i) => [i.id, i.state, i.createdByName])).toEqual([
      [attachmentId, 'sent', 'Zoé Marchal'],
    ])
    // A lead of the team may remove it, as the server rules.
    expect(list.items[0]!.remove.allowed).toBe(true)

    const thumb = await luc.value('attachments.thumbnail', { id: attachmentId })
    expect(sniffAttachmentType(thumb.bytes!)).toBe('image/jpeg')
    const thumbSize = await sharp(thumb.bytes!).metadata()
    expect(Math.max(thumbSize.width, thumbSize.height)).toBeLessThanOrEqual(320)

    const content = await luc.value('attachments.content', { id: attachmentId })
    expect(content).toMatchObject({ name: 'nid-de-poule.jpg', mime: 'image/jpeg' })
    // The server's file: re-encoded, the camera's EXIF gone; the author's console gets the same bytes.
    expect(Buffer.from(original).includes('AppareilTest')).toBe(true)
    expect(Buffer.from(content.bytes).includes('AppareilTest')).toBe(false)
    expect((await sharp(content.bytes).metadata()).exif).toBeUndefined()
    const authors = await zoe.value('attachments.content', { id: attachmentId })
    expect(Buffer.from(authors.bytes).equals(Buffer.from(content.bytes))).toBe(true)

    // Fetched once, then from the cache: the author's console has it offline too.
    proxy.setOffline(true)
    const offline = await zoe.value('attachments.content', { id: attachmentId })
    expect(Buffer.from(offline.bytes).equals(Buffer.from(content.bytes))).toBe(true)
    proxy.setOffline(false)
  })

  it('an agent of another team reads no thumbnail of it', async () => {
    const nora = await world.client('nora-att', 'nora.agent')
    await nora.sync()
    const r = await nora.call('attachments.thumbnail', { id: attachmentId })
    expect(r.ok ? null : r.error.code).toBe('not_found')
    await nora.close()
  })

  it('a request created offline gets its photo once its creation reached the server', async () => {
    proxy.setOffline(true)
    const created = await zoe.value('request.create', {
      categoryId: 'voirie',
      channel: 'counter',
      title: 'Plaque d’égout déplacée',
      description: 'Photo prise au guichet.',
      location: { lat: 48.7, lon: 6.18 },
      address: '1 Place Stanislas 54000 Nancy',
      citizen: null,
    })
    const added = await zoe.value('attachments.add', {
      requestId: created.id,
      name: 'plaque.jpg',
      bytes: await photo({ r: 20, g: 20, b: 160 }, { width: 400, height: 300 }),
    })
    expect((await zoe.sync()).pending).toBe(2)
    proxy.setOffline(false)
    const status = await zoe.sync()
    expect(status).toMatchObject({ state: 'idle', pending: 0 })
    const onServer = await world.server.store.sql.get<{ request_id: string }>(
      'SELECT request_id FROM attachments WHERE id = ?',
      [added.id],
    )
    expect(onServer?.request_id).toBe(created.id)
    const list = await zoe.value('attachments.ofRequest', { requestId: created.id })
    expect(list.items.map((i) => i.state)).toEqual(['sent'])

    // Removing a sent one needs the server: refused offline in words, done online on both sides.
    proxy.setOffline(true)
    const offline = await zoe.call('attachments.remove', { id: added.id })
    expect(offline.ok ? null : offline.error.code).toBe('server_unavailable')
    expect((await zoe.value('attachments.ofRequest', { requestId: created.id })).items).toHaveLength(1)
    proxy.setOffline(false)
    await zoe.value('attachments.remove', { id: added.id })
    expect((await zoe.value('attachments.ofRequest', { requestId: created.id })).items).toEqual([])
    const left = await world.server.store.sql.get<{ n: number }>(
      'SELECT count(*) AS n FROM attachments WHERE id = ?',
      [added.id],
    )
    expect(Number(left?.n)).toBe(0)
    await zoe.sync()
    const history = await zoe.value('request.history', { id: created.id })
    expect(history.map((h) => h.kind)).toEqual(
      expect.arrayContaining(['attachment_added', 'attachment_removed']),
    )
  })

  it('a failing upload holds back neither the agent’s changes nor the feed, and is tried again', async () => {
    const id = voirieRequest(zoe, 1)
    proxy.setPlan(({ method, path }) =>
      method === 'PUT' && path.includes('/attachments/') ? { kind: 'status', status: 503 } : { kind: 'pass' },
    )
    const before = await zoe.value('request.get', { id })
    await zoe.value('request.update', {
      id,
      patch: { title: 'Trottoir fissuré (photo jointe)' },
      baseVersion: before.version,
    })
    const added = await zoe.value('attachments.add', { requestId: id, name: 'trottoir.jpg', bytes: original })
    // Luc's edit elsewhere, for the feed to bring.
    const other = voirieRequest(luc, 2)
    const theirs = await luc.value('request.get', { id: other })
    await luc.value('request.update', { id: other, patch: { priority: 'high' }, baseVersion: theirs.version })
    await luc.sync()

    const failed = await zoe.sync()
    expect(failed.state).toBe('error')
    expect(failed.pending).toBe(1)
    const onServer = await world.server.store.sql.get<{ title: string }>(
      'SELECT title FROM requests WHERE id = ?',
      [id],
    )
    expect(onServer?.title).toBe('Trottoir fissuré (photo jointe)')
    expect((await zoe.value('request.get', { id: other })).priority).toBe('high')
    expect((await zoe.value('attachments.ofRequest', { requestId: id })).items[0]).toMatchObject({
      id: added.id,
      state: 'pending',
    })

    proxy.setPlan(() => ({ kind: 'pass' }))
    expect(await zoe.sync()).toMatchObject({ state: 'idle', pending: 0 })
    expect((await zoe.value('attachments.ofRequest', { requestId: id })).items[0]).toMatchObject({
      id: added.id,
      state: 'sent',
    })
  })

  it('the request leaving the team takes its attachments and their cached bytes out of the cache', async () => {
    expect(count(luc, 'attachment_blobs', 'attachment_id = ?', attachmentId)).toBe(2)
    // Another team's now (team ids are their codes in the demo authority).
    const eclairage = zoe.db.prepare(`SELECT id FROM teams WHERE code = 'eclairage'`).pluck().get() as string
    await world.serverWrite('UPDATE requests SET team_id = ? WHERE id = ?', [eclairage, requestId], {
      requests: [requestId],
    })
    await luc.sync()
    expect(count(luc, 'requests', 'id = ?', requestId)).toBe(0)
    expect(count(luc, 'attachments', 'request_id = ?', requestId)).toBe(0)
    expect(count(luc, 'attachment_blobs', 'attachment_id = ?', attachmentId)).toBe(0)
  })
})

describe('a file the server refuses', () => {
  let world: SyncWorld

  beforeAll(async () => {
    world = await openSyncWorld({ requests: 20, server: { attachments: { maxBytes: 4096 } } })
  })
  afterAll(async () => world?.close())

  it('is kept as refused with the server’s words, never sent again, and its author removes it', async () => {
    const zoe = await world.client('zoe-refused', 'zoe.agent')
    await zoe.sync()
    const requestId = voirieRequest(zoe)
    // Noise does not compress: well over the server's 4 KiB, well under the console's limit.
    const noise = await sharp(
      Buffer.from(Array.from({ length: 200 * 200 * 3 }, (_, i) => (i * 7919) % 251)),
      {
        raw: { width: 200, height: 200, channels: 3 },
      },
    )
      .jpeg({ quality: 95 })
      .toBuffer()
    const added = await zoe.value('attachments.add', {
      requestId,
      name: 'bruit.jpg',
      bytes: new Uint8Array(noise),
    })
    const status = await zoe.sync()
    expect(status).toMatchObject({ state: 'idle', pending: 0 })
    const [item] = (await zoe.value('attachments.ofRequest', { requestId })).items
    expect(item).toMatchObject({ id: added.id, state: 'refused' })
    expect(item!.error).toMatch(/trop volumineux/)
    expect(item!.remove.allowed).toBe(true)
    await zoe.sync()
    expect(zoe.db.prepare('SELECT attempts FROM attachment_uploads WHERE id = ?').pluck().get(added.id)).toBe(
      1,
    )
    await zoe.value('attachments.remove', { id: added.id })
    expect((await zoe.value('attachments.ofRequest', { requestId })).items).toEqual([])
  })
})
