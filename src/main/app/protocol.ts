/**
 * The `app://grc/` scheme that serves the built renderer (out/renderer) in production.
 * A privileged standard scheme rather than `file://`: the page gets a real origin
 * (`app://grc`) that IPC and navigation checks can compare against, a response header CSP,
 * and no access to the rest of the disk through relative URLs.
 */
import { readFile, stat } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'
import type { Protocol } from 'electron'
import { DEFAULT_TILE_ORIGINS, contentSecurityPolicy } from '../../shared/csp'
import { APP_HOST, APP_SCHEME } from './origin'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.geojson': 'application/geo+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
}

/** The MIME type a file is served with; unknown extensions are opaque bytes, never sniffed. */
export function mimeTypeOf(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

const securityHeaders = (tileOrigins: readonly string[]) => ({
  'Content-Security-Policy': contentSecurityPolicy(tileOrigins),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
})

/**
 * Must run before `app.ready`: Chromium only learns a scheme's privileges at startup.
 * `standard` gives the scheme an origin and relative URL resolution; `secure` makes it a
 * secure context; fetch and code cache are what a Vite bundle expects.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ])
}

/**
 * Map a request URL to a file under `rootDir`, or null when the URL is not ours or would
 * leave the folder (`..`, encoded separators, backslashes, NUL bytes).
 */
export function resolveAppFile(rootDir: string, requestUrl: string): string | null {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return null
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host.toLowerCase() !== APP_HOST) return null
  let path: string
  try {
    path = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  // After decoding, any of these means the URL tries to name something the router did not
  // produce: refuse rather than normalise, so there is exactly one way to name each file.
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((s) => s === '..' || s === '.'))
    return null
  const root = resolve(rootDir)
  const file = resolve(root, `.${path === '/' ? '/index.html' : path}`)
  if (file !== root && !file.startsWith(root + sep)) return null
  return file
}

export interface AppRequest {
  url: string
  method?: string
}

const plain = (status: number, text: string, headers: Record<string, string>) =>
  new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers },
  })

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}

/**
 * The handler behind `protocol.handle('app', …)`: serves files of `rootDir` with their MIME
 * type and the CSP header (letting in the base map's `tileOrigins`); anything else is 403
 * (outside the folder) or 404. There is no fallback to index.html: the renderer has no URL
 * routes, so a missing file is an error.
 */
export function createAppFileHandler(
  rootDir: string,
  tileOrigins: readonly string[] = DEFAULT_TILE_ORIGINS,
): (request: AppRequest) => Promise<Response> {
  const headers = securityHeaders(tileOrigins)
  return async (request) => {
    const method = (request.method ?? 'GET').toUpperCase()
    if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Method not allowed', headers)
    const file = resolveAppFile(rootDir, request.url)
    if (!file) return plain(403, 'Forbidden', headers)
    if (!(await isFile(file))) return plain(404, 'Not found', headers)
    const body = method === 'HEAD' ? null : new Uint8Array(await readFile(file))
    return new Response(body, {
      status: 200,
      headers: { 'Content-Type': mimeTypeOf(file), ...headers },
    })
  }
}

/** Serve `rootDir` on `app://grc/` (after `app.ready`), its CSP letting in the base map's tiles. */
export function serveAppProtocol(
  protocol: Pick<Protocol, 'handle'>,
  rootDir: string,
  tileOrigins: readonly string[] = DEFAULT_TILE_ORIGINS,
): void {
  const handler = createAppFileHandler(rootDir, tileOrigins)
  protocol.handle(APP_SCHEME, (request) => handler(request))
}
