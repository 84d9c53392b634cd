/** What the test proxies (fault proxy, load balancer) pass on of a message's headers. */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'

// Hop-by-hop headers describe one connection, not the message: a proxy owns both its connections.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'host',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
])

/** The end-to-end headers of a message, without those named in `alsoDrop`. */
export function forwardableHeaders(
  headers: IncomingHttpHeaders,
  alsoDrop: readonly string[] = [],
): OutgoingHttpHeaders {
  const listedInConnection = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
  const out: OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listedInConnection.includes(name)) continue
    if (alsoDrop.includes(name)) continue
    out[name] = value
  }
  return out
}
