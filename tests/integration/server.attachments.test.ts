/**
 * Photos and documents on the server (issue 14), over real HTTP on both stores: an agent's
 * photo is kept without its EXIF metadata (no GPS position, no camera), upright, with a
 * thumbnail; it reaches the request's team in the feed with a history event; a retried
 * upload is applied once; too large, not an image, or another team's request: refused and
 * nothing kept; identical files are stored once; a removal, a citizen's erasure and
 * retention take the rows and then the bytes nobody uses any more.
 */
import { createServer, type Server } from 'node:http'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import exifr from 'exifr'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ATTACHMENT_LIMITS, THUMBNAIL_EDGE, type AttachmentMeta } from '../../src/shared/attachments'
import type { ChangesReply, RequestEntity } from '../../src/shared/sync'
import type { ServerRetentionPolicy } from '../../src/server/store/retention'
import { accessTokenOf } from '../support/passwordLogin'
import { PHOTO_CAMERA, phonePhoto } from '../support/phonePhoto'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

const MAX_BYTES = 512 * 1024
let world: SyncWorld
let blobDir: string
let photoServer: Server
let photoUrl: string
const tokens: Record<string, string> = {}
/** Two `voirie` requests (zoe.agent's team, luc.lead's; not nora.agent's). */
let voirieA: string
let voirieB: string
/** A third, for the limit. */
let voirieC: string

/** A phone photo: 640×480 stored sideways (EXIF orientation 6), with its GPS position and camera. */
const sidewaysPhoto = (colour = '#3366aa') => phonePhoto({ colour, orientation: 6 })

/** Every blob file on disk (temporary files excluded). */
function blobFiles(): string[] {
  if (!existsSync(blobDir)) return []
  return readdirSync(blobDir).flatMap((d) =>
    readdirSync(join(blobDir, d)).filter((f) => !f.includes('.tmp-')),
  )
}

const api = (path: string) => `${world.url}/api/v1${path}`

function upload(
  login: string,
  requestId: string,
  id: string,
  bytes: Buffer,
  name = 'photo.jpg',
  type = 'image/jpeg',
) {
  return fetch(api(`/requests/${requestId}/attachments/${id}?name=${encodeURIComponent(name)}`), {
    method: 'PUT',
    headers: { authorization: `Bearer ${tokens[login]}`, 'content-type': type },
    body: new Uint8Array(bytes),
  })
}

const download = (login: string, id: string, what: 'content' | 'thumbnail' = 'content') =>
  fetch(api(`/attachments/${id}/${what}`), { headers: { authorization: `Bearer ${tokens[login]}` } })

const remove = (login: string, id: string) =>
  fetch(api(`/attachments/${id}`), {
    method: 'DELETE',
    headers: { authorization: `Bearer ${tokens[login]}` },
  })

/** The request as `login`'s console last received it in the feed (read from the start). */
async function feedEntity(login: string, requestId: string): Promise<RequestEntity | undefined> {
  let since = '0'
  let entity: RequestEntity | undefined
  for (;;) {
    const r = await fetch(api(`/changes?since=${since}&limit=500`), {
      headers: { authorization: `Bearer ${tokens[login]}` },
    })
    expect(r.status).toBe(200)
    const reply = (await r.json()) as ChangesReply
    for (const c of reply.changes)
      if (c.type === 'request' && c.entity.request.id === requestId) entity = c.entity
    if (!reply.hasMore) return entity
    since = reply.nextCursor
  }
}

const rowCount = async (where = '1 = 1', params: string[] = []) =>
  Number(
    (await world.server.store.sql.get<{ n: number }>(
      `SELECT count(*) AS n FROM attachments WHERE ${where}`,
      params,
    ))!.n,
  )

beforeAll(async () => {
  blobDir = mkdtempSync(join(tmpdir(), 'grc-blobs-'))
  // The citizens' portal's photo server, allowed as the authority's own (loopback otherwise refused).
  photoServer = createServer((req, res) => {
    void sidewaysPhoto('#aa3333').then((bytes) => {
      res.setHeader('content-type', 'image/jpeg')
      res.end(bytes)
    })
  })
  await new Promise<void>((resolve) => photoServer.listen(0, '127.0.0.1', resolve))
  photoUrl = `http://127.0.0.1:${(photoServer.address() as AddressInfo).port}/photos/nid.jpg`
  world = await openSyncWorld({
    requests: 40,
    server: {
      attachments: { dir: blobDir, maxBytes: MAX_BYTES, mediaFetch: { allowHosts: ['127.0.0.1'] } },
    },
  })
  for (const login of ['zoe.agent', 'luc.lead', 'tom.tech', 'nora.agent', 'dina.dpo'])
    tokens[login] = await accessTokenOf(world.url, login)
  const voirie = await world.server.store.sql.all<{ id: string }>(
    "SELECT id FROM requests WHERE team_id = 'voirie' AND status_kind <> 'closed' ORDER BY id LIMIT 3",
  )
  voirieA = voirie[0]!.id
  voirieB = voirie[1]!.id
  voirieC = voirie[2]!.id
})
afterAll(async () => {
  await world?.close()
  await new Promise((resolve) => photoServer?.close(resolve))
  rmSync(blobDir, { recursive: true, force: true })
})

describe('an agent’s photo', () => {
  const id = randomUUID()

  it('is kept upright without its EXIF metadata, with a thumbnail, and reaches the feed with its history', async () => {
    const original = await sidewaysPhoto()
    expect(await exifr.gps(original)).toMatchObject({ latitude: expect.any(Number) })
    const r = await upload('zoe.agent', voirieA, id, original, 'IMG_0042.jpg')
    expect(r.status).toBe(201)
    const meta = (await r.json()) as AttachmentMeta
    // Turned upright from its EXIF orientation: 480 wide, 640 high.
    expect(meta).toMatchObject({
      id,
      requestId: voirieA,
      name: 'IMG_0042.jpg',
      mime: 'image/jpeg',
      width: 480,
      height: 640,
    })
    expect(meta).toMatchObject({ thumbnail: true, source: 'agent', createdByName: expect.any(String) })

    const content = await download('zoe.agent', id)
    expect(content.status).toBe(200)
    expect(content.headers.get('content-type')).toBe('image/jpeg')
    expect(content.headers.get('content-disposition')).toMatch(/^attachment; filename="IMG_0042\.jpg"/)
    expect(content.headers.get('content-security-policy')).toBe('sandbox')
    const bytes = Buffer.from(await content.arrayBuffer())
    expect(bytes.length).toBe(meta.size)
    const exif = (await exifr.parse(bytes, { tiff: true, gps: true, exif: true })) as
      Record<string, unknown> | undefined
    expect(exif?.Make).toBeUndefined()
    expect(exif?.latitude).toBeUndefined()
    expect(await exifr.gps(bytes).catch(() => undefined)).toBeUndefined()
    expect(bytes.includes(Buffer.from(PHOTO_CAMERA))).toBe(false)
    const stored = await sharp(bytes).metadata()
    expect([stored.width, stored.height]).toEqual([480, 640])

    const thumb = await download('zoe.agent', id, 'thumbnail')
    expect(thumb.status).toBe(200)
    expect(thumb.headers.get('content-type')).toBe('image/jpeg')
    const t = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()
    expect(Math.max(t.width!, t.height!)).toBeLessThanOrEqual(THUMBNAIL_EDGE)
    expect(t.height).toBeGreaterThan(t.width!)

    const entity = await feedEntity('luc.lead', voirieA)
    expect(entity?.attachments).toEqual([meta])
    expect(entity?.history).toContainEqual(
      expect.objectContaining({
        kind: 'attachment_added',
        data: expect.objectContaining({ attachmentId: id, name: 'IMG_0042.jpg', mime: 'image/jpeg' }),
      }),
    )
  })

  it('is applied once when the same upload comes again', async () => {
    const again = await upload('zoe.agent', voirieA, id, await sidewaysPhoto())
    expect(again.status).toBe(200)
    expect(((await again.json()) as AttachmentMeta).id).toBe(id)
    expect(await rowCount('request_id = ?', [voirieA])).toBe(1)
    const entity = await feedEntity('zoe.agent', voirieA)
    expect(entity?.attachments?.map((a) => a.id)).toEqual([id])
    expect(entity?.history.filter((h) => h.kind === 'attachment_added')).toHaveLength(1)
  })

  it('is refused when too large, or when its bytes are not an accepted type, and nothing is kept', async () => {
    const files = blobFiles().length
    const rows = await rowCount()
    const big = await upload('zoe.agent', voirieA, randomUUID(), Buffer.alloc(MAX_BYTES + 1, 0xff))
    expect(big.status).toBe(413)
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('too_large')

    const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')
    const fake = await upload('zoe.agent', voirieA, randomUUID(), html, 'vacances.jpg')
    expect(fake.status).toBe(415)
    const refusal = (await fake.json()) as { error: { code: string; message: string } }
    expect(refusal.error.code).toBe('unsupported_type')
    expect(refusal.error.message).toMatch(/type accepté/)

    // Declared as a web page: refused before it is read.
    const declared = await upload('zoe.agent', voirieA, randomUUID(), html, 'page.html', 'text/html')
    expect(declared.status).toBe(415)
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('unsupported_type')

    // A JPEG's first bytes followed by garbage: sniffed as JPEG, but sharp cannot decode it.
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)])
    const undecodable = await upload('zoe.agent', voirieA, randomUUID(), broken)
    expect(undecodable.status).toBe(415)
    expect(((await undecodable.json()) as { error: { message: string } }).error.message).toMatch(
      /ne peut pas être lue/,
    )

    expect(await rowCount()).toBe(rows)
    expect(blobFiles().length).toBe(files)
  })

  it('is out of reach of another team: neither added to their requests nor read', async () => {
    const files = blobFiles().length
    const put = await upload('nora.agent', voirieA, randomUUID(), await sidewaysPhoto('#00ff00'))
    expect(put.status).toBe(404)
    const read = await download('nora.agent', id)
    expect(read.status).toBe(404)
    expect(read.headers.get('content-type')).toMatch(/^application\/json/)
    expect((await download('nora.agent', id, 'thumbnail')).status).toBe(404)
    expect((await remove('nora.agent', id)).status).toBe(404)
    expect(blobFiles().length).toBe(files)
    expect(await feedEntity('nora.agent', voirieA)).toBeUndefined()
  })

  it('is stored once when the same file is attached twice, and its bytes go with the last row', async () => {
    const files = blobFiles().length
    const copy = randomUUID()
    const r = await upload('zoe.agent', voirieB, copy, await sidewaysPhoto(), 'copie.jpg')
    expect(r.status).toBe(201)
    expect(blobFiles().length).toBe(files)
    const shas = await world.server.store.sql.all<{ sha256: string }>(
      'SELECT DISTINCT sha256 FROM attachments WHERE id IN (?, ?)',
      [id, copy],
    )
    expect(shas).toHaveLength(1)

    // Not the author nor a lead: refused.
    expect((await remove('tom.tech', copy)).status).toBe(403)
    // The copy goes; the bytes stay for the first.
    expect((await remove('zoe.agent', copy)).status).toBe(200)
    const b = await feedEntity('zoe.agent', voirieB)
    expect(b?.attachments).toEqual([])
    expect(b?.history).toContainEqual(
      expect.objectContaining({
        kind: 'attachment_removed',
        data: expect.objectContaining({ attachmentId: copy }),
      }),
    )
    expect(blobFiles()).toContain(shas[0]!.sha256)
    expect((await download('zoe.agent', id)).status).toBe(200)

    // A lead of the team removes the first: no row uses the bytes any more, they go.
    expect((await remove('luc.lead', id)).status).toBe(200)
    expect((await feedEntity('zoe.agent', voirieA))?.attachments).toEqual([])
    expect(blobFiles()).not.toContain(shas[0]!.sha256)
    expect(blobFiles()).toHaveLength(files - 2)
    expect((await download('zoe.agent', id)).status).toBe(404)
  })
})

it(`holds at most ${ATTACHMENT_LIMITS.perRequest} attachments per request`, async () => {
  const tiny = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
    .png()
    .toBuffer()
  for (let i = 0; i < ATTACHMENT_LIMITS.perRequest; i++)
    expect(
      (await upload('zoe.agent', voirieC, randomUUID(), tiny, `plan-${i}.png`, 'image/png')).status,
    ).toBe(201)
  const over = await upload('zoe.agent', voirieC, randomUUID(), tiny, 'de-trop.png', 'image/png')
  expect(over.status).toBe(409)
  expect(((await over.json()) as { error: { code: string } }).error.code).toBe('too_many')
  expect(await rowCount('request_id = ?', [voirieC])).toBe(ATTACHMENT_LIMITS.perRequest)
  expect((await feedEntity('zoe.agent', voirieC))?.attachments).toHaveLength(ATTACHMENT_LIMITS.perRequest)
})

describe('erasure and retention', () => {
  it('an erased citizen’s own photos go with the rows and the bytes; the agents’ stay', async () => {
    const post = await fetch(`${world.url}/open311/v2/requests.json`, {
      method: 'POST',
      body: new URLSearchParams({
        api_key: 'test-portal-key',
        service_code: 'voirie',
        lat: '48.71845',
        long: '6.17886',
        'attribute[subcategory]': 'Nid-de-poule',
        description: 'Un nid-de-poule devant chez moi.',
        email: 'eloise.quintavalle@exemple-unique.fr',
        first_name: 'Éloïse',
        last_name: 'Quintavalle',
        media_url: photoUrl,
      }),
    })
    expect(post.status).toBe(200)
    const requestId = ((await post.json()) as Array<{ service_request_id: string }>)[0]!.service_request_id
    const request = (await world.server.store.sql.get<{ team_id: string; citizen_id: string }>(
      'SELECT team_id, citizen_id FROM requests WHERE id = ?',
      [requestId],
    ))!
    const agent = request.team_id === 'eclairage' ? 'nora.agent' : 'luc.lead'
    await expect.poll(() => rowCount("request_id = ? AND source = 'citizen'", [requestId])).toBe(1)
    const citizenPhoto = (await world.server.store.sql.get<{ id: string; sha256: string }>(
      'SELECT id, sha256 FROM attachments WHERE request_id = ?',
      [requestId],
    ))!
    const agentPhoto = randomUUID()
    tokens.sara = await accessTokenOf(world.url, 'sara.sup')
    expect((await upload('sara', requestId, agentPhoto, await sidewaysPhoto('#123456'))).status).toBe(201)
    expect(blobFiles()).toContain(citizenPhoto.sha256)

    const erase = await fetch(api(`/privacy/citizens/${request.citizen_id}/erase`), {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens['dina.dpo']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Demande d’effacement reçue par courrier.' }),
    })
    expect(erase.status).toBe(200)
    const entity = await feedEntity(agent, requestId)
    expect(entity?.attachments?.map((a) => a.id)).toEqual([agentPhoto])
    expect(entity?.history).toContainEqual(
      expect.objectContaining({
        kind: 'attachment_removed',
        data: expect.objectContaining({ attachmentId: citizenPhoto.id, reason: 'erasure' }),
      }),
    )
    await expect.poll(() => blobFiles().includes(citizenPhoto.sha256)).toBe(false)
    expect((await download('sara', agentPhoto)).status).toBe(200)
  })

  it('retention deleting a request takes its attachments and their bytes', async () => {
    const photo = randomUUID()
    expect((await upload('zoe.agent', voirieB, photo, await sidewaysPhoto('#fedcba'))).status).toBe(201)
    const { sha256 } = (await world.server.store.sql.get<{ sha256: string }>(
      'SELECT sha256 FROM attachments WHERE id = ?',
      [photo],
    ))!
    const now = Date.now()
    const longAgo = now - 40 * 30 * 24 * 3600_000
    await world.serverWrite(
      "UPDATE requests SET status_kind = 'closed', closed_at = ?, legal_hold_reason = NULL WHERE id = ?",
      [longAgo, voirieB],
      { requests: [voirieB] },
    )
    const policy: ServerRetentionPolicy = {
      retention: {
        anonymiseAfterClosedMonths: null,
        deleteAfterClosedMonths: 24,
        keepInternalComments: false,
        runAt: '02:30',
      },
      accessLogMonths: 12,
    }
    const report = await world.server.store.applyRetention(policy, now)
    expect(report.deleted).toBeGreaterThan(0)
    expect(await rowCount('request_id = ?', [voirieB])).toBe(0)
    await expect.poll(() => blobFiles().includes(sha256)).toBe(false)
    expect((await download('zoe.agent', photo)).status).toBe(404)
  })

  it('retention anonymising a request takes all its attachments, and says so in its history', async () => {
    const photo = randomUUID()
    expect((await upload('zoe.agent', voirieA, photo, await sidewaysPhoto('#0a0b0c'))).status).toBe(201)
    const { sha256 } = (await world.server.store.sql.get<{ sha256: string }>(
      'SELECT sha256 FROM attachments WHERE id = ?',
      [photo],
    ))!
    const now = Date.now()
    await world.serverWrite(
      "UPDATE requests SET status_kind = 'closed', closed_at = ?, legal_hold_reason = NULL WHERE id = ?",
      [now - 15 * 30 * 24 * 3600_000, voirieA],
      { requests: [voirieA] },
    )
    const policy: ServerRetentionPolicy = {
      retention: {
        anonymiseAfterClosedMonths: 12,
        deleteAfterClosedMonths: null,
        keepInternalComments: false,
        runAt: '02:30',
      },
      accessLogMonths: 12,
    }
    await world.server.store.applyRetention(policy, now)
    const entity = await feedEntity('zoe.agent', voirieA)
    expect(entity?.attachments).toEqual([])
    expect(entity?.history).toContainEqual(
      expect.objectContaining({
        kind: 'attachment_removed',
        data: expect.objectContaining({ attachmentId: photo, reason: 'retention' }),
      }),
    )
    await expect.poll(() => blobFiles().includes(sha256)).toBe(false)
  })
})
