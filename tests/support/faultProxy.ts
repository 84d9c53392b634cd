/**
 * A programmable HTTP proxy for sync tests: sits between a fetch client and a real server and
 * injects network faults on demand (`proxy.setPlan(({ n }) => n === 2 ? { kind: 'drop' } : { kind: 'pass' })`).
 *
 * Small JSON responses are buffered so they can be truncated or duplicated; Server-Sent Events
 * streams are piped live, since buffering a response that never ends would stall the client.
 */
import { Agent, createServer, request as httpRequest } from 'node:http'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { forwardableHeaders } from './forwarding'

export type Fault =
  | { kind: 'pass' }
  /** Destroy the client socket without any response, before forwarding. */
  | { kind: 'drop' }
  /** Forward, wait for the full upstream response, then destroy the client socket: the server applied it, the client never learns. */
  | { kind: 'drop_after_forward' }
  /** Wait, then forward normally. */
  | { kind: 'delay'; ms: number }
  /** Answer this status with a small JSON body, never forward. */
  | { kind: 'status'; status: 500 | 502 | 503 }
  /** Forward, send the headers (with the full content-length) and half the body, then destroy the socket. */
  | { kind: 'truncate' }
  /** Forward the same request twice, sequentially; answer the client with the second response. */
  | { kind: 'duplicate' }
  /** Forward, then answer the whole body with its middle bytes inverted: it arrives complete, but damaged. */
  | { kind: 'corrupt' }

export type FaultKind = Fault['kind']

export interface FaultPlanRequest {
  method: string
  /** Path including the query string. */
  path: string
  /** 1-based count of requests seen so far, this one included. */
  n: number
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT */
  url: string
  /** Decide the fault of each incoming request; default always pass. */
  setPlan(plan: (req: FaultPlanRequest) => Fault): void
  /** Counters for assertions. */
  stats: { requests: number; faults: Record<FaultKind, number> }
  /** Simulate being offline: open connections are destroyed, new ones are destroyed on arrival. */
  setOffline(offline: boolean): void
  /** Destroys every open socket (SSE streams, keep-alive) so the test process never hangs. */
  close(): Promise<void>
}

const FAULT_KINDS: readonly FaultKind[] = [
  'pass',
  'drop',
  'drop_after_forward',
  'delay',
  'status',
  'truncate',
  'duplicate',
  'corrupt',
]

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
    stream.on('aborted', () => reject(new Error('stream aborted')))
  })
}

function isEventStream(res: IncomingMessage): boolean {
  return String(res.headers['content-type'] ?? '')
    .toLowerCase()
    .startsWith('text/event-stream')
}

interface ClientRequestCopy {
  method: string
  path: string
  headers: OutgoingHttpHeaders
  body: Buffer
}

export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl)
  const basePath = upstream.pathname.replace(/\/$/, '')
  const upstreamAgent = new Agent({ keepAlive: true })
  const closing = new AbortController()
  const clientSockets = new Set<Socket>()
  const faults = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>
  const stats = { requests: 0, faults }
  let plan: (req: FaultPlanRequest) => Fault = () => ({ kind: 'pass' })
  let offline = false
  let closed: Promise<void> | null = null

  /** Resolves with the upstream response as soon as its headers arrive; the body is left unread. */
  const forward = (copy: ClientRequestCopy): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const upstreamReq = httpRequest(
        {
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          method: copy.method,
          path: basePath + copy.path,
          headers: copy.headers,
          agent: upstreamAgent,
          signal: closing.signal,
        },
        resolve,
      )
      upstreamReq.on('error', reject)
      upstreamReq.end(copy.body)
    })

  const copyRequest = async (req: IncomingMessage): Promise<ClientRequestCopy> => {
    const body = await readBody(req)
    const headers = forwardableHeaders(req.headers, ['content-length'])
    // The body was re-assembled (it may have arrived chunked): announce its real length.
    if (body.length > 0 || req.headers['content-length'] !== undefined)
      headers['content-length'] = body.length
    return { method: req.method ?? 'GET', path: req.url ?? '/', headers, body }
  }

  const sendBuffered = (res: ServerResponse, from: IncomingMessage, body: Buffer): void => {
    const headers = forwardableHeaders(from.headers, ['content-length'])
    headers['content-length'] = body.length
    res.writeHead(from.statusCode ?? 502, headers)
    res.end(body)
  }

  const pipeLive = (res: ServerResponse, from: IncomingMessage): void => {
    res.writeHead(from.statusCode ?? 502, forwardableHeaders(from.headers, ['content-length']))
    res.flushHeaders()
    // Either side going away ends the stream on the other one.
    res.on('close', () => from.destroy())
    from.on('error', () => res.destroy())
    from.pipe(res)
  }

  /** Answers with the upstream response: live for event streams, buffered otherwise. */
  const relay = async (res: ServerResponse, from: IncomingMessage): Promise<void> => {
    if (isEventStream(from)) return pipeLive(res, from)
    sendBuffered(res, from, await readBody(from))
  }

  /** Consumes a response the client will never see; an endless stream counts as delivered once its headers arrive. */
  const consume = async (from: IncomingMessage): Promise<void> => {
    if (isEventStream(from)) from.destroy()
    else await readBody(from)
  }

  const truncate = async (
    req: IncomingMessage,
    res: ServerResponse,
    from: IncomingMessage,
  ): Promise<void> => {
    const destroyClient = () => req.socket.destroy()
    if (isEventStream(from)) {
      // A stream has no length to cut in half: deliver its first chunk, then cut.
      res.writeHead(from.statusCode ?? 502, forwardableHeaders(from.headers, ['content-length']))
      from.once('data', (chunk: Buffer) => {
        from.destroy()
        res.write(chunk, destroyClient)
      })
      from.once('end', destroyClient)
      return
    }
    const body = await readBody(from)
    const headers = forwardableHeaders(from.headers, ['content-length'])
    headers['content-length'] = body.length
    res.writeHead(from.statusCode ?? 502, headers)
    // Destroy only once the half is flushed, so the client sees headers and a short body, not a refused request.
    res.write(body.subarray(0, Math.floor(body.length / 2)), destroyClient)
  }

  const applyFault = async (fault: Fault, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    switch (fault.kind) {
      case 'drop':
        req.socket.destroy()
        return
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: 'fault_injected', status: fault.status }))
        return
      case 'pass':
        return relay(res, await forward(await copyRequest(req)))
      case 'delay': {
        const copy = await copyRequest(req)
        await sleep(fault.ms, undefined, { signal: closing.signal })
        return relay(res, await forward(copy))
      }
      case 'drop_after_forward':
        await consume(await forward(await copyRequest(req)))
        req.socket.destroy()
        return
      case 'truncate':
        return truncate(req, res, await forward(await copyRequest(req)))
      case 'duplicate': {
        const copy = await copyRequest(req)
        await consume(await forward(copy))
        return relay(res, await forward(copy))
      }
      case 'corrupt': {
        const from = await forward(await copyRequest(req))
        const body = await readBody(from)
        const middle = Math.floor(body.length / 2)
        for (let i = middle; i < Math.min(body.length, middle + 64); i++) body[i] = body[i]! ^ 0xff
        return sendBuffered(res, from, body)
      }
    }
  }

  const server = createServer((req, res) => {
    if (offline) {
      req.socket.destroy()
      return
    }
    const n = ++stats.requests
    let fault: Fault
    try {
      fault = plan({ method: req.method ?? 'GET', path: req.url ?? '/', n })
    } catch (error) {
      // A broken plan is a test bug: make it loud on the client side rather than hang.
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'fault_plan_failed', message: String(error) }))
      return
    }
    stats.faults[fault.kind]++
    applyFault(fault, req, res).catch(() => {
      if (closing.signal.aborted || res.headersSent) {
        req.socket.destroy()
        return
      }
      // Upstream unreachable or reset: answer as a real gateway would.
      res.writeHead(502, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'upstream_unreachable' }))
    })
  })

  server.on('connection', (socket: Socket) => {
    if (offline || closing.signal.aborted) {
      socket.destroy()
      return
    }
    clientSockets.add(socket)
    socket.on('close', () => clientSockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('fault proxy: no TCP address')

  const destroyClientSockets = () => {
    for (const socket of clientSockets) socket.destroy()
    clientSockets.clear()
  }

  return {
    url: `http://127.0.0.1:${address.port}`,
    stats,
    setPlan(next) {
      plan = next
    },
    setOffline(next) {
      offline = next
      // Pooled keep-alive connections would otherwise keep working while "offline".
      if (offline) destroyClientSockets()
    },
    close() {
      if (closed) return closed
      closing.abort()
      closed = new Promise<void>((resolve) => server.close(() => resolve()))
      destroyClientSockets()
      upstreamAgent.destroy()
      return closed
    },
  }
}
