/**
 * A small round-robin HTTP reverse proxy over several server instances, as nginx or HAProxy would stand in
 * front of them:
 * - each new request goes to the next upstream in turn (a console's keep-alive connection to the balancer
 *   does not pin it to one instance);
 * - a connection refused (the request never reached an instance: it is down or restarting) is tried on the
 *   next upstream, so a dead instance costs no request; when every upstream refuses, 502;
 * - any other failure (a reset, an instance killed in the middle of a request or of its answer) ends the
 *   client's socket: the request may have been applied, the client cannot know, as behind a real balancer;
 * - answers are buffered, then sent whole (nginx' proxy_buffering), except event streams
 *   (`text/event-stream`), which are piped live.
 * Request bodies are read whole before forwarding (nginx' proxy_request_buffering), so a retry can send them
 * again. One upstream connection per request, no keep-alive: each request picks its instance afresh.
 *
 * `stats` counts, per upstream, the requests it received, the connections it refused, and the requests that
 * failed there; `inFlight()` lists the requests forwarded and not yet answered (with their bodies), so a test
 * can pick its moment, e.g. kill an instance while a console's push is inside it.
 */
import { createServer, request as httpRequest } from 'node:http'
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { forwardableHeaders } from './forwarding'

export interface InFlightRequest {
  /** Index of the upstream (in the list given to startLoadBalancer). */
  upstream: number
  method: string
  /** Path with its query string. */
  path: string
  body: Buffer
  /** Date.now() when the upstream accepted the connection. */
  since: number
}

export interface LoadBalancerStats {
  /** Requests each upstream received (its connection accepted), by upstream index. */
  requests: number[]
  /** Connections each upstream refused; the request went on to the next one. */
  refused: number[]
  /** Requests that reached an upstream and failed there (reset, killed): the client's socket was ended. */
  failed: number[]
  /** Requests every upstream refused, answered 502. */
  unavailable: number
}

export interface LoadBalancer {
  /** http://127.0.0.1:PORT */
  url: string
  upstreams: readonly string[]
  stats: LoadBalancerStats
  /** Requests forwarded and not yet answered (an event stream: until it ends). */
  inFlight(): InFlightRequest[]
  /** Destroys every socket, client and upstream side (event streams included), then stops listening. */
  close(): Promise<void>
}

/** The whole body; fails when the stream breaks before its end. */
function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
    stream.on('aborted', () => reject(new Error('stream aborted')))
    stream.on('close', () => {
      if (!stream.complete) reject(new Error('stream closed before its end'))
    })
  })
}

const isEventStream = (res: IncomingMessage) =>
  String(res.headers['content-type'] ?? '')
    .toLowerCase()
    .startsWith('text/event-stream')

export async function startLoadBalancer(upstreamUrls: readonly string[]): Promise<LoadBalancer> {
  if (upstreamUrls.length === 0) throw new Error('a load balancer needs at least one upstream')
  const upstreams = upstreamUrls.map((u) => new URL(u))
  const stats: LoadBalancerStats = {
    requests: upstreams.map(() => 0),
    refused: upstreams.map(() => 0),
    failed: upstreams.map(() => 0),
    unavailable: 0,
  }
  const clientSockets = new Set<Socket>()
  const upstreamRequests = new Set<ClientRequest>()
  const live = new Set<InFlightRequest>()
  let turn = 0
  let closing = false
  let closed: Promise<void> | null = null

  /**
   * Send the request to upstream `index` and relay its answer. Resolves 'refused' when the upstream
   * refused the connection (nothing was sent, the caller tries the next one), 'done' otherwise.
   */
  const forward = (
    index: number,
    req: IncomingMessage,
    res: ServerResponse,
    headers: OutgoingHttpHeaders,
    body: Buffer,
  ): Promise<'refused' | 'done'> =>
    new Promise((resolve) => {
      const target = upstreams[index]!
      const entry: InFlightRequest = {
        upstream: index,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        body,
        since: 0,
      }
      let connected = false
      let finished = false
      const upstreamReq = httpRequest({
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: entry.method,
        path: target.pathname.replace(/\/$/, '') + entry.path,
        headers: { ...headers, host: target.host },
        agent: false,
      })
      upstreamRequests.add(upstreamReq)
      /** The exchange is over, one way or another: the upstream side goes, the entry leaves the list. */
      const finish = () => {
        if (finished) return
        finished = true
        live.delete(entry)
        upstreamRequests.delete(upstreamReq)
        upstreamReq.destroy()
      }
      /** Failed after the request reached the upstream: the client cannot be told more than a broken connection. */
      const fail = () => {
        if (finished) return
        stats.failed[index]!++
        finish()
        req.socket.destroy()
      }
      // The client went away before its answer (a console that timed out, an event stream it closed).
      res.on('close', () => {
        if (!res.writableFinished) finish()
      })
      upstreamReq.on('socket', (socket: Socket) => {
        socket.once('connect', () => {
          connected = true
          stats.requests[index]!++
          entry.since = Date.now()
          live.add(entry)
        })
      })
      upstreamReq.on('error', (err: NodeJS.ErrnoException) => {
        if (!connected && err.code === 'ECONNREFUSED' && !closing) {
          stats.refused[index]!++
          finished = true
          upstreamRequests.delete(upstreamReq)
          resolve('refused')
          return
        }
        fail()
        resolve('done')
      })
      upstreamReq.on('response', (from: IncomingMessage) => {
        resolve('done')
        if (isEventStream(from)) {
          res.writeHead(from.statusCode ?? 502, forwardableHeaders(from.headers, ['content-length']))
          res.flushHeaders()
          from.on('error', fail)
          from.on('aborted', fail)
          from.on('end', () => {
            finish()
            res.end()
          })
          from.on('close', () => {
            if (!from.complete) fail()
          })
          from.pipe(res, { end: false })
          return
        }
        readBody(from).then(
          (answer) => {
            if (finished) return
            const out = forwardableHeaders(from.headers, ['content-length'])
            out['content-length'] = answer.length
            res.writeHead(from.statusCode ?? 502, out)
            res.end(answer)
            finish()
          },
          () => fail(),
        )
      })
      upstreamReq.end(body)
    })

  const server = createServer((req, res) => {
    void (async () => {
      let body: Buffer
      try {
        body = await readBody(req)
      } catch {
        req.socket.destroy()
        return
      }
      const headers = forwardableHeaders(req.headers, ['content-length'])
      // The body was re-assembled (it may have arrived chunked): announce its real length.
      if (body.length > 0 || req.headers['content-length'] !== undefined)
        headers['content-length'] = body.length
      const first = turn
      turn = (turn + 1) % upstreams.length
      for (let i = 0; i < upstreams.length; i++) {
        if (closing) break
        if ((await forward((first + i) % upstreams.length, req, res, headers, body)) === 'done') return
      }
      if (closing) {
        req.socket.destroy()
        return
      }
      stats.unavailable++
      res.writeHead(502, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({ error: { code: 'bad_gateway', message: 'No upstream accepted the connection.' } }),
      )
    })()
  })

  server.on('connection', (socket: Socket) => {
    if (closing) {
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
  if (address === null || typeof address === 'string') throw new Error('load balancer: no TCP address')

  return {
    url: `http://127.0.0.1:${address.port}`,
    upstreams: upstreams.map((u) => u.toString().replace(/\/$/, '')),
    stats,
    inFlight: () => [...live],
    close() {
      if (closed) return closed
      closing = true
      closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const r of upstreamRequests) r.destroy()
      upstreamRequests.clear()
      live.clear()
      for (const socket of clientSockets) socket.destroy()
      clientSockets.clear()
      return closed
    },
  }
}
