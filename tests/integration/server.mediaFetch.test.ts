/**
 * A citizen's `media_url` (Open311), fetched by the server over real HTTP from a local
 * stand-in of a photo server, on both stores: the photo is attached to the new request
 * without its EXIF metadata; whatever goes wrong, the citizen's request is created all the
 * same. What the server must never reach (SSRF) is refused before any connection: loopback
 * (unless the authority allows the host), private and link-local addresses, the cloud's
 * metadata address, IPv4-mapped forms, and a redirect to any of them. Too big (counted while
 * streaming), not an image, too slow: refused.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import exifr from 'exifr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MediaOutcome } from '../../src/server/attachments'
import { PHOTO_CAMERA, phonePhoto } from '../support/phonePhoto'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

const MAX_BYTES = 256 * 1024
const TIMEOUT_MS = 800
let world: SyncWorld
let blobDir: string
let standIn: Server
let port: number
/** Paths the stand-in was asked for, in order. */
const hits: string[] = []
/** Whether the stand-in sent all of `/endless` (200 × the limit), and whether the server hung up on it. */
const endless = { finished: false, cut: false }

/** A stand-in of a portal's photo server: the answers each case needs. */
async function startStandIn(): Promise<Server> {
  const photo = await phonePhoto({ width: 800, height: 600 })
  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    hits.push(path.split('?')[0]!)
    if (path.startsWith('/photos/nid-de-poule.jpg')) {
      res.setHeader('content-type', 'image/jpeg')
      return res.end(photo)
    }
    if (path === '/page.jpg') {
      res.setHeader('content-type', 'image/jpeg')
      return res.end('<!doctype html><html><body>Pas une photo</body></html>')
    }
    if (path === '/endless') {
      // No Content-Length: only counting while reading can stop it.
      res.setHeader('content-type', 'image/jpeg')
      const chunk = Buffer.alloc(16 * 1024, 0xff)
      let sent = 0
      res.once('close', () => (endless.cut = !endless.finished))
      const pump = () => {
        while (!res.destroyed && sent < 200 * MAX_BYTES) {
          sent += chunk.length
          if (!res.write(chunk)) return res.once('drain', pump)
        }
        if (res.destroyed) return
        endless.finished = true
        res.end()
      }
      return pump()
    }
    if (path === '/slow') return void setTimeout(() => res.destroyed || res.end(photo), TIMEOUT_MS * 4)
    if (path === '/to-metadata') {
      res.statusCode = 302
      res.setHeader('location', 'http://169.254.169.254/latest/meta-data/')
      return res.end()
    }
    if (path === '/to-photo') {
      res.statusCode = 301
      res.setHeader('location', '/photos/nid-de-poule.jpg')
      return res.end()
    }
    if (path.startsWith('/loop')) {
      res.statusCode = 302
      res.setHeader('location', `/loop${Number(path.slice(5) || 0) + 1}`)
      return res.end()
    }
    res.statusCode = 404
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

beforeAll(async () => {
  blobDir = mkdtempSync(join(tmpdir(), 'grc-media-'))
  standIn = await startStandIn()
  port = (standIn.address() as AddressInfo).port
  world = await openSyncWorld({
    requests: 10,
    server: {
      attachments: {
        dir: blobDir,
        maxBytes: MAX_BYTES,
        // The authority's own photo server, reached by its address; `localhost` is not listed.
        mediaFetch: { allowHosts: ['127.0.0.1'], timeoutMs: TIMEOUT_MS },
      },
    },
  })
})
afterAll(async () => {
  await world?.close()
  await new Promise((resolve) => standIn?.close(resolve))
  rmSync(blobDir, { recursive: true, force: true })
})

/** A citizen's report with `media_url`; the request's id and how the fetch ended. */
async function report(mediaUrl: string): Promise<{ requestId: string; outcome: MediaOutcome }> {
  const started = Date.now()
  const r = await fetch(`${world.url}/open311/v2/requests.json`, {
    method: 'POST',
    body: new URLSearchParams({
      api_key: 'test-portal-key',
      service_code: 'voirie',
      lat: '48.71845',
      long: '6.17886',
      'attribute[subcategory]': 'Nid-de-poule',
      description: 'Un nid-de-poule profond.',
      media_url: mediaUrl,
    }),
  })
  // The citizen is answered at once, whatever the photo server does.
  expect(r.status).toBe(200)
  expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 4)
  const requestId = ((await r.json()) as Array<{ service_request_id: string }>)[0]!.service_request_id
  const outcomes = await world.server.app.drainMediaFetches()
  const outcome = outcomes.find((o) => o.requestId === requestId)!
  const exists = await world.server.store.sql.get('SELECT id FROM requests WHERE id = ?', [requestId])
  expect(exists).toBeDefined()
  return { requestId, outcome }
}

const attachmentsOf = (requestId: string) =>
  world.server.store.sql.all<{ id: string; source: string; mime: string; width: number; sha256: string }>(
    'SELECT id, source, mime, width, sha256 FROM attachments WHERE request_id = ?',
    [requestId],
  )

const refusalsIn = async (requestId: string) =>
  (
    await world.server.store.sql.all<{ data: string }>(
      `SELECT data FROM history_events WHERE request_id = ? AND kind = 'attachment_refused'`,
      [requestId],
    )
  ).map((r) => JSON.parse(r.data) as unknown)

describe('a citizen’s photo', () => {
  it('is fetched from an allowed host, attached as the citizen’s, without its EXIF metadata', async () => {
    const { requestId, outcome } = await report(
      `http://127.0.0.1:${port}/photos/nid-de-poule.jpg?token=${randomUUID()}`,
    )
    expect(outcome.outcome).toBe('attached')
    const [row] = await attachmentsOf(requestId)
    expect(row).toMatchObject({ id: outcome.attachmentId, source: 'citizen', mime: 'image/jpeg', width: 800 })
    const lead = await fetch(`${world.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grantType: 'password',
        login: 'sara.sup',
        password: 'demo',
        clientId: randomUUID(),
      }),
    })
    const token = ((await lead.json()) as { accessToken: string }).accessToken
    const content = await fetch(`${world.url}/api/v1/attachments/${row!.id}/content`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(content.status).toBe(200)
    const bytes = Buffer.from(await content.arrayBuffer())
    expect(await exifr.parse(bytes, { tiff: true, gps: true })).toBeUndefined()
    expect(bytes.includes(Buffer.from(PHOTO_CAMERA))).toBe(false)
  })

  it('follows a redirect to an allowed place, and never one to a forbidden address', async () => {
    const followed = await report(`http://127.0.0.1:${port}/to-photo`)
    expect(followed.outcome.outcome).toBe('attached')

    const metadata = await report(`http://127.0.0.1:${port}/to-metadata`)
    expect(metadata.outcome.outcome).toBe('forbidden_address')
    expect(await attachmentsOf(metadata.requestId)).toEqual([])
    // The agent learns from the request's history that a photo was sent and why it is missing.
    expect(await refusalsIn(metadata.requestId)).toEqual([{ reason: 'forbidden_address', source: 'citizen' }])
    expect(await refusalsIn(followed.requestId)).toEqual([])

    hits.length = 0
    const loop = await report(`http://127.0.0.1:${port}/loop`)
    expect(loop.outcome.outcome).toBe('too_many_redirects')
    // The first answer and three redirects followed, no more.
    expect(hits).toEqual(['/loop', '/loop1', '/loop2', '/loop3'])
  })

  it('is refused from loopback, private, link-local and mapped addresses, before any connection', async () => {
    hits.length = 0
    for (const url of [
      `http://localhost:${port}/photos/nid-de-poule.jpg`,
      `http://[::1]:${port}/photos/nid-de-poule.jpg`,
      `http://[::ffff:127.0.0.1]:${port}/photos/nid-de-poule.jpg`,
      // Written in octal, still loopback (and not the allowed 127.0.0.1).
      `http://0177.0.0.2:${port}/photos/nid-de-poule.jpg`,
      'http://10.0.0.7/photo.jpg',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00::1]/photo.jpg',
    ]) {
      const { requestId, outcome } = await report(url)
      expect(outcome.outcome, url).toBe('forbidden_address')
      expect(await attachmentsOf(requestId)).toEqual([])
    }
    expect(hits).toEqual([])
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/photo.jpg', 'pas une adresse'])
      expect((await report(url)).outcome.outcome, url).toBe('invalid_url')
  })

  it('is refused when too big (cut while streaming), not an image, or too slow', async () => {
    const big = await report(`http://127.0.0.1:${port}/endless`)
    expect(big.outcome.outcome).toBe('too_large')
    // The server hung up long before the stand-in's 200 × the limit.
    await expect.poll(() => endless.cut).toBe(true)
    expect(endless.finished).toBe(false)

    const html = await report(`http://127.0.0.1:${port}/page.jpg`)
    expect(html.outcome.outcome).toBe('unsupported_type')

    const started = Date.now()
    const slow = await report(`http://127.0.0.1:${port}/slow`)
    expect(slow.outcome.outcome).toBe('timeout')
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3)

    const missing = await report(`http://127.0.0.1:${port}/nowhere.jpg`)
    expect(missing.outcome.outcome).toBe('http_status')
    for (const r of [big, html, slow, missing]) expect(await attachmentsOf(r.requestId)).toEqual([])
  })
})
