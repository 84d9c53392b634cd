/**
 * The web bridge: the built renderer and the same `dispatch` over HTTP on loopback, for
 * development (`npm run dev:web`) and the browser tests. Never started by the packaged app.
 * A random per-run token guards every call; the Host header is checked so a web page
 * elsewhere cannot reach it through DNS rebinding.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { EVENT_NAMES } from '../../shared/contract'
import { DEFAULT_TILE_ORIGINS, contentSecurityPolicy } from '../../shared/csp'
import { fail, type Result } from '../../shared/result'
import { wireReplacer, wireReviver } from '../../shared/wireJson'
import { ATTACHMENT_LIMITS } from '../../shared/attachments'
import type { ConsoleCore } from '../console'

export interface WebBridgeOptions {
  core: ConsoleCore
  /** The built renderer (dist-web). */
  staticDir: string
  port?: number
  token?: string
  /** The configured base map's tile origins, for the CSP (default: OpenStreetMap's). */
  tileOrigins?: readonly string[]
}

export interface WebBridge {
  url: string
  /** The URL to open: the token travels in the fragment, never to a server log. */
  openUrl: string
  token: string
  close(): Promise<void>
}

const MAX_BODY_BYTES = 1024 * 1024
/**
 * A file added to a request (issue 14) travels as tagged base64 in JSON (wireJson.ts): 4/3
 * of the largest file, plus its name and the JSON around it. Other channels keep 1 MiB.
 */
const BODY_LIMITS = new Map<string, number>([
  ['attachments.add', Math.ceil((ATTACHMENT_LIMITS.maxBytes * 4) / 3) + 64 * 1024],
])
const inMiB = (bytes: number) => Math.ceil(bytes / (1024 * 1024))
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.geojson': 'application/geo+json',
  '.ico': 'image/x-icon',
}

type ResponseHeaders = Record<string, string>

const securityHeaders = (tileOrigins: readonly string[]): ResponseHeaders => ({
  'Content-Security-Policy': contentSecurityPolicy(tileOrigins),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
})

export async function startWebBridge(options: WebBridgeOptions): Promise<WebBridge> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const tokenBytes = Buffer.from(token)
  const headers = securityHeaders(options.tileOrigins ?? DEFAULT_TILE_ORIGINS)
  let allowedHosts: string[] = []
  const streams = new Set<ServerResponse>()

  const authorised = (presented: string | null | undefined) => {
    if (!presented) return false
    const bytes = Buffer.from(presented)
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, headers, 500, fail('internal', 'Erreur interne du pont web.'))
      else res.end()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (!allowedHosts.includes(req.headers.host ?? ''))
      return sendText(res, headers, 421, 'Misdirected request')
    const url = new URL(req.url ?? '/', 'http://bridge')

    if (url.pathname.startsWith('/api/invoke/')) {
      if (req.method !== 'POST') return sendText(res, headers, 405, 'Method not allowed')
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      if (!authorised(bearer))
        return sendJson(res, headers, 401, fail('unauthenticated', 'Jeton du pont web invalide.'))
      const channel = decodeURIComponent(url.pathname.slice('/api/invoke/'.length))
      const limit = BODY_LIMITS.get(channel) ?? MAX_BODY_BYTES
      const body = await readBody(req, limit)
      if (body === 'too_large')
        return sendJson(
          res,
          headers,
          413,
          fail('invalid_input', `Requête trop volumineuse (${inMiB(limit)} Mio au plus).`),
        )
      let input: unknown
      try {
        // Typed arrays (a file's bytes) come back from their tagged base64.
        input = body.length === 0 ? {} : JSON.parse(body, wireReviver)
      } catch {
        return sendJson(
          res,
          headers,
          400,
          fail('invalid_input', 'Le corps de la requête n’est pas du JSON valide.'),
        )
      }
      return sendJson(res, headers, 200, await options.core.invoke(channel, input))
    }

    if (url.pathname === '/api/events') {
      if (!authorised(url.searchParams.get('token'))) return sendText(res, headers, 401, 'Unauthorized')
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      })
      res.write(': connected\n\n')
      streams.add(res)
      req.on('close', () => streams.delete(res))
      return
    }

    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendText(res, headers, 405, 'Method not allowed')
    return serveStatic(options.staticDir, url.pathname, res, headers)
  }

  const unsubscribers = EVENT_NAMES.map((name) =>
    options.core.on(name, (payload) => {
      const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`
      for (const s of streams) s.write(frame)
    }),
  )

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`]
  const url = `http://127.0.0.1:${port}/`

  return {
    url,
    openUrl: `${url}#token=${token}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribers.forEach((u) => u())
        for (const s of streams) s.end()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    // An oversized body is drained, not cut off, so the client reads the 413 instead of a reset.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) chunks.push(chunk)
    })
    req.on('end', () => resolve(size > maxBytes ? 'too_large' : Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function sendJson(res: ServerResponse, headers: ResponseHeaders, status: number, result: Result<unknown>) {
  const body = JSON.stringify(result, wireReplacer)
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' })
  res.end(body)
}

function sendText(res: ServerResponse, headers: ResponseHeaders, status: number, text: string) {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(text)
}

function serveStatic(root: string, pathname: string, res: ServerResponse, headers: ResponseHeaders) {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '')
  const file = join(root, relative === '' ? 'index.html' : relative)
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep))
    return sendText(res, headers, 403, 'Forbidden')
  const target = existsSync(file) && statSync(file).isFile() ? file : join(root, 'index.html')
  if (!existsSync(target)) return sendText(res, headers, 503, 'Renderer not built: run npm run build:web')
  res.writeHead(200, {
    ...headers,
    'Content-Type': MIME[extname(target)] ?? 'application/octet-stream',
  })
  createReadStream(target).pipe(res)
}
