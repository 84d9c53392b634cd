/**
 * Fetching a citizen's `media_url` (Open311) without letting a portal make the server reach
 * what it must not (SSRF): http and https only; the host resolved once, every address it
 * has checked (no loopback, private, link-local… address.ts), and the connection made to
 * the address checked, never resolved again (a DNS answer that changes in between, DNS
 * rebinding, changes nothing); redirects followed only after the same checks, three at
 * most; the size counted while the bytes arrive and the transfer cut above the limit; one
 * deadline for the whole. `allowHosts` names the hosts an authority trusts anyway (its own
 * photo server on its intranet).
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { forbiddenAddress } from './address'

export type MediaFetchFailure =
  | 'invalid_url'
  | 'forbidden_address'
  | 'unresolved'
  | 'too_many_redirects'
  | 'http_status'
  | 'too_large'
  | 'timeout'
  | 'network'

export class MediaFetchError extends Error {
  constructor(
    readonly reason: MediaFetchFailure,
    message: string,
  ) {
    super(message)
  }
}

export interface MediaFetchOptions {
  maxBytes: number
  timeoutMs: number
  allowHosts: readonly string[]
  /** How host names are resolved (the system's resolver by default; tests give a stand-in). */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>
}

export const MAX_REDIRECTS = 3

const systemResolve = (host: string) => dnsLookup(host, { all: true, verbatim: true })

/** The URL without its query and fragment, for the log (a query may carry a token or a name). */
export const loggableUrl = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}

/** The address to connect to for `url`, checked; refused with the reason otherwise. */
async function checkedTarget(
  url: URL,
  options: MediaFetchOptions,
): Promise<{ address: string; family: 4 | 6 }> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new MediaFetchError('invalid_url', `scheme ${url.protocol} refused`)
  if (url.username || url.password) throw new MediaFetchError('invalid_url', 'credentials in the URL refused')
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const allowed = options.allowHosts.some((h) => h.replace(/^\[|\]$/g, '').toLowerCase() === host)
  let addresses: Array<{ address: string; family: number }>
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }]
  else
    try {
      addresses = await (options.resolve ?? systemResolve)(host)
    } catch {
      throw new MediaFetchError('unresolved', 'host not resolved')
    }
  if (addresses.length === 0) throw new MediaFetchError('unresolved', 'host not resolved')
  if (!allowed)
    for (const a of addresses) {
      // Every address the name has: a name with one public and one private address is refused.
      const why = forbiddenAddress(a.address)
      if (why) throw new MediaFetchError('forbidden_address', `${why} address refused`)
    }
  const first = addresses[0]!
  return { address: first.address, family: first.family === 6 ? 6 : 4 }
}

/** One exchange with the address given, whatever the resolver would say now. */
function exchange(
  url: URL,
  target: { address: string; family: 4 | 6 },
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const pinned: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all)
      (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
        target,
      ])
    else callback(null, target.address, target.family)
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        lookup: pinned,
        signal,
        headers: { accept: 'image/*, application/pdf', 'user-agent': 'GRC-media-fetch' },
      },
      resolve,
    )
    req.on('error', reject)
    req.end()
  })
}

/** Read the body, cut above `maxBytes`. */
async function readLimited(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy()
    throw new MediaFetchError('too_large', `declared ${declared} bytes`)
  }
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of res) {
    total += (chunk as Buffer).length
    if (total > maxBytes) {
      res.destroy()
      throw new MediaFetchError('too_large', `more than ${maxBytes} bytes`)
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

/** The bytes at `rawUrl`; MediaFetchError with the reason otherwise. */
export async function fetchMedia(rawUrl: string, options: MediaFetchOptions): Promise<Buffer> {
  let url: URL
  try {
    url = new URL(rawUrl)
  } catch {
    throw new MediaFetchError('invalid_url', 'not a URL')
  }
  const signal = AbortSignal.timeout(options.timeoutMs)
  try {
    for (let redirects = 0; ; redirects++) {
      const target = await checkedTarget(url, options)
      const res = await exchange(url, target, signal)
      const status = res.statusCode ?? 0
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume()
        if (redirects >= MAX_REDIRECTS)
          throw new MediaFetchError('too_many_redirects', `more than ${MAX_REDIRECTS}`)
        url = new URL(res.headers.location, url)
        continue
      }
      if (status !== 200) {
        res.resume()
        throw new MediaFetchError('http_status', `HTTP ${status}`)
      }
      return await readLimited(res, options.maxBytes)
    }
  } catch (e) {
    if (e instanceof MediaFetchError) throw e
    if (signal.aborted) throw new MediaFetchError('timeout', `no answer within ${options.timeoutMs} ms`)
    throw new MediaFetchError('network', (e as NodeJS.ErrnoException).code ?? 'connection failed')
  }
}
