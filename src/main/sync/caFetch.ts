/**
 * A `fetch` for Node (tests, `dev:web`) that trusts the authority's own CA in addition to the
 * usual ones. Node 20's global fetch cannot be given CAs without undici's Agent, which Node
 * does not export; so this is `node:https` behind the small part of fetch the transport uses:
 * method, headers, a string body, a signal, and a streamed reply (the event stream). No
 * redirects: the sync protocol has none, and a redirect is then refused as a bad reply.
 */
import { Agent, request } from 'node:https'
import { Readable } from 'node:stream'
import * as tls from 'node:tls'

/** Statuses whose Response must have no body (the constructor throws otherwise). */
const NULL_BODY = new Set([101, 103, 204, 205, 304])

/**
 * The CAs Node trusts anyway: Node ≥ 22.15 says which (its bundle, NODE_EXTRA_CA_CERTS, the
 * system's under --use-system-ca); Node 20 only knows its bundle.
 */
function defaultCas(): readonly string[] {
  const get = (tls as { getCACertificates?: (type: 'default') => string[] }).getCACertificates
  return get ? get('default') : tls.rootCertificates
}

export function createCaFetch(caPem: readonly string[]): typeof fetch {
  // Keep-alive: a sync round is several requests; idle sockets do not hold the process open.
  const agent = new Agent({ ca: [...defaultCas(), ...caPem], keepAlive: true })

  const caFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    // http:// is allowed on loopback only (the configuration says so): no TLS, Node's own fetch.
    if (url.protocol !== 'https:') return fetch(input, init)
    const { signal } = init
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (init.body != null && typeof init.body !== 'string')
      return Promise.reject(new TypeError('caFetch: only string bodies are supported'))
    const body = init.body ?? undefined
    const headers: Record<string, string> = Object.fromEntries(new Headers(init.headers))
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))

    return new Promise<Response>((resolve, reject) => {
      // Like fetch: an aborted signal rejects with its reason (TimeoutError for AbortSignal.timeout).
      const fail = (e: unknown) => reject(signal?.aborted ? signal.reason : e)
      const req = request(url, { method: init.method ?? 'GET', headers, agent, signal: signal ?? undefined })
      req.on('error', fail)
      req.on('response', (res) => {
        const replyHeaders = new Headers()
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
            replyHeaders.append(name, v)
        }
        const status = res.statusCode ?? 0
        const noBody = NULL_BODY.has(status) || init.method === 'HEAD'
        if (noBody) res.resume()
        try {
          resolve(
            new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
              status,
              statusText: res.statusMessage,
              headers: replyHeaders,
            }),
          )
        } catch (e) {
          // A status fetch cannot represent (below 200, above 599).
          res.destroy()
          reject(e)
        }
      })
      req.end(body)
    })
  }
  return caFetch as typeof fetch
}
