/**
 * The fault proxy as a fetch client sees it, in front of a tiny real upstream that counts its hits.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startFaultProxy, type Fault, type FaultProxy } from '../support/faultProxy'

let upstream: Server
let upstreamUrl: string
const hits = new Map<string, number>()
let openEventStreams = 0

function startUpstream(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    const hit = (hits.get(path) ?? 0) + 1
    hits.set(path, hit)
    if (path.startsWith('/events')) {
      openEventStreams++
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      let tick = 0
      const timer = setInterval(() => res.write(`data: tick ${++tick}\n\n`), 50)
      req.socket.on('close', () => {
        clearInterval(timer)
        openEventStreams--
      })
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' })
      res.end(
        JSON.stringify({
          method: req.method,
          path,
          hit,
          authorization: req.headers.authorization ?? null,
          contentType: req.headers['content-type'] ?? null,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      )
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

beforeAll(async () => {
  upstream = await startUpstream()
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
})
afterAll(async () => {
  upstream.closeAllConnections()
  await new Promise((resolve) => upstream.close(resolve))
})

let proxy: FaultProxy
beforeEach(async () => {
  hits.clear()
  proxy = await startFaultProxy(upstreamUrl)
})
afterEach(async () => {
  await proxy.close()
})

const always = (fault: Fault) => proxy.setPlan(() => fault)
const hitsOf = (path: string) => hits.get(path) ?? 0

const post = (path: string, body: string) =>
  fetch(`${proxy.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sync-token' },
    body,
  })

interface Echo {
  method: string
  path: string
  hit: number
  authorization: string | null
  contentType: string | null
  body: string
}

/** Opens an event stream and reads until `count` events arrived; leaves the reader open. */
async function readEvents(url: string, count: number) {
  const res = await fetch(url)
  expect(res.headers.get('content-type')).toBe('text/event-stream')
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  const events = () => text.split('\n\n').filter((block) => block.startsWith('data:'))
  while (events().length < count) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
  }
  return { events: events(), reader }
}

function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms)),
  ])
}

describe('fault proxy', () => {
  it('passes requests through by default, with auth, content-type, body and response headers', async () => {
    const res = await post('/echo?x=1', '{"a":1}')
    expect(res.status).toBe(200)
    expect(res.headers.get('x-upstream')).toBe('yes')
    expect((await res.json()) as Echo).toMatchObject({
      method: 'POST',
      path: '/echo?x=1',
      hit: 1,
      authorization: 'Bearer sync-token',
      contentType: 'application/json',
      body: '{"a":1}',
    })
    const again = await fetch(`${proxy.url}/echo?x=2`)
    expect(((await again.json()) as Echo).method).toBe('GET')
    expect(proxy.stats.requests).toBe(2)
    expect(proxy.stats.faults.pass).toBe(2)
  })

  it('asks the plan with method, path (query included) and a 1-based request count', async () => {
    const seen: unknown[] = []
    proxy.setPlan((req) => {
      seen.push(req)
      return req.n === 2 ? { kind: 'status', status: 503 } : { kind: 'pass' }
    })
    expect((await post('/a?q=1', '{}')).status).toBe(200)
    expect((await fetch(`${proxy.url}/b`)).status).toBe(503)
    expect((await fetch(`${proxy.url}/c`)).status).toBe(200)
    expect(seen).toEqual([
      { method: 'POST', path: '/a?q=1', n: 1 },
      { method: 'GET', path: '/b', n: 2 },
      { method: 'GET', path: '/c', n: 3 },
    ])
    expect(proxy.stats.faults).toMatchObject({ pass: 2, status: 1, drop: 0 })
  })

  it('drop: the client fails and the server never sees the request', async () => {
    always({ kind: 'drop' })
    await expect(post('/echo', '{"op":"create"}')).rejects.toThrow()
    expect(hitsOf('/echo')).toBe(0)
    expect(proxy.stats.faults.drop).toBe(1)
  })

  it('drop_after_forward: the client fails but the server applied the request once', async () => {
    always({ kind: 'drop_after_forward' })
    await expect(post('/echo', '{"op":"create"}')).rejects.toThrow()
    expect(hitsOf('/echo')).toBe(1)
  })

  it('delay: the answer comes after at least the delay, unchanged', async () => {
    always({ kind: 'delay', ms: 300 })
    const started = performance.now()
    const res = await post('/echo', 'late')
    const body = (await res.json()) as Echo
    expect(performance.now() - started).toBeGreaterThanOrEqual(300)
    expect(body.body).toBe('late')
    expect(hitsOf('/echo')).toBe(1)
  })

  it.each([500, 502, 503] as const)(
    'status %i: the client gets it as JSON, the server sees nothing',
    async (status) => {
      always({ kind: 'status', status })
      const res = await post('/echo', '{}')
      expect(res.status).toBe(status)
      expect(await res.json()).toMatchObject({ status })
      expect(hitsOf('/echo')).toBe(0)
    },
  )

  it('truncate: headers arrive, but reading the short body fails', async () => {
    always({ kind: 'truncate' })
    const res = await post('/echo', 'x'.repeat(400))
    expect(res.status).toBe(200)
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(400)
    await expect(res.text()).rejects.toThrow()
    expect(hitsOf('/echo')).toBe(1)
  })

  it('duplicate: the server sees the same request twice, the client gets the second answer', async () => {
    always({ kind: 'duplicate' })
    const res = await post('/echo', '{"op":"create"}')
    const body = (await res.json()) as Echo
    expect(hitsOf('/echo')).toBe(2)
    expect(body).toMatchObject({ hit: 2, body: '{"op":"create"}', authorization: 'Bearer sync-token' })
  })

  it('offline: connections are refused, including pooled ones, until back online', async () => {
    expect((await fetch(`${proxy.url}/echo`)).status).toBe(200)
    proxy.setOffline(true)
    await expect(fetch(`${proxy.url}/echo`)).rejects.toThrow()
    await expect(post('/echo', '{}')).rejects.toThrow()
    expect(hitsOf('/echo')).toBe(1)
    proxy.setOffline(false)
    expect((await fetch(`${proxy.url}/echo`)).status).toBe(200)
  })

  it('streams Server-Sent Events live instead of buffering them', async () => {
    const { events, reader } = await within(2_000, readEvents(`${proxy.url}/events`, 2))
    expect(events.slice(0, 2)).toEqual(['data: tick 1', 'data: tick 2'])
    await reader.cancel()
    await vi.waitFor(() => expect(openEventStreams).toBe(0))
  })

  it('close() resolves with an event stream still connected, and ends it on both sides', async () => {
    const { reader } = await within(2_000, readEvents(`${proxy.url}/events`, 1))
    expect(openEventStreams).toBe(1)
    await within(2_000, proxy.close())
    await expect(within(2_000, reader.read())).rejects.toThrow(/terminated|closed|socket/i)
    await vi.waitFor(() => expect(openEventStreams).toBe(0))
  })
})
