/**
 * The transport's attachment calls against a local HTTP server answering as a server, or a
 * proxy in front of one, may (issue 14): what is a final refusal (kept with the file, in
 * words the agent reads) and what is tried again later.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refusalMessage } from '../../src/main/attachments/uploads'
import { SyncError, createSyncTransport } from '../../src/main/sync/transport'

let server: Server
let baseUrl: string
/** What the next call is answered: status, content type, body. */
let answer: { status: number; type: string; body: string | Buffer } = {
  status: 200,
  type: 'text/plain',
  body: '',
}
let received: { method?: string; url?: string; type?: string; bytes?: Buffer } = {}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received = {
        method: req.method,
        url: req.url,
        type: req.headers['content-type'],
        bytes: Buffer.concat(chunks),
      }
      res.writeHead(answer.status, { 'content-type': answer.type })
      res.end(answer.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const transport = () => createSyncTransport({ baseUrl, timeoutMs: 2000 })
const upload = {
  requestId: 'r-1',
  id: 'a-1',
  name: 'trou (1).jpg',
  mime: 'image/jpeg',
  bytes: new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]),
}

async function refusalOf(call: Promise<unknown>): Promise<SyncError> {
  try {
    await call
  } catch (e) {
    if (e instanceof SyncError) return e
    throw e
  }
  throw new Error('the call succeeded')
}

describe('attachment calls of the transport', () => {
  it('sends the raw bytes with their type, the id and the name', async () => {
    answer = {
      status: 201,
      type: 'application/json',
      body: JSON.stringify({
        id: 'a-1',
        requestId: 'r-1',
        name: 'trou (1).jpg',
        mime: 'image/jpeg',
        size: 6,
        width: null,
        height: null,
        thumbnail: true,
        source: 'agent',
        createdAt: 1,
        createdBy: 'zoe',
        createdByName: 'Zoé',
      }),
    }
    const meta = await transport().uploadAttachment('t', upload)
    expect(meta).toMatchObject({ id: 'a-1', size: 6 })
    expect(received.method).toBe('PUT')
    expect(received.url).toBe('/api/v1/requests/r-1/attachments/a-1?name=trou+%281%29.jpg')
    expect(received.type).toBe('image/jpeg')
    expect([...received.bytes!]).toEqual([...upload.bytes])
  })

  it('a proxy’s HTML page refusing the size is a final refusal, said in French', async () => {
    answer = {
      status: 413,
      type: 'text/html',
      body: '<html><body>413 Request Entity Too Large</body></html>',
    }
    const e = await refusalOf(transport().uploadAttachment('t', upload))
    expect(e).toMatchObject({ kind: 'refused', status: 413 })
    expect(refusalMessage(e)).toBe('Le serveur a refusé ce fichier : il est trop volumineux.')
  })

  it('the server’s own refusal keeps its words', async () => {
    answer = {
      status: 415,
      type: 'application/json',
      body: JSON.stringify({
        error: { code: 'unsupported_type', message: 'Type de fichier refusé : envoyez un PDF.' },
      }),
    }
    const e = await refusalOf(transport().uploadAttachment('t', upload))
    expect(refusalMessage(e)).toBe('Type de fichier refusé : envoyez un PDF.')
  })

  it('a failing server is tried again later, not a refusal', async () => {
    answer = { status: 503, type: 'text/html', body: 'maintenance' }
    expect((await refusalOf(transport().uploadAttachment('t', upload))).kind).toBe('server')
  })

  it('reads a file’s bytes and type; a reply past the cap is refused', async () => {
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 9, 8, 7])
    answer = { status: 200, type: 'application/pdf', body: bytes }
    const got = await transport().attachmentBytes('t', 'a-1', 'content')
    expect(received.url).toBe('/api/v1/attachments/a-1/content')
    expect(got.type).toBe('application/pdf')
    expect(Buffer.from(got.bytes).equals(bytes)).toBe(true)
    const capped = createSyncTransport({ baseUrl, timeoutMs: 2000, maxReplyBytes: 4 })
    expect((await refusalOf(capped.attachmentBytes('t', 'a-1', 'content'))).kind).toBe('protocol')
  })
})
