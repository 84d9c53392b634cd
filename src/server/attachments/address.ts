/**
 * Addresses the server never fetches a citizen's `media_url` from (SSRF): anything that
 * reaches the server itself, the authority's own network, or the cloud's metadata service.
 * Node's BlockList matches an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) against the IPv4
 * ranges; the mapped forms are also converted explicitly, so the rule does not depend on it.
 */
import { BlockList, isIP } from 'node:net'

const FORBIDDEN_V4: ReadonlyArray<[string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
]

const FORBIDDEN_V6: ReadonlyArray<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible'],
  ['::ffff:0:0', 96, 'IPv4-mapped'],
  ['64:ff9b::', 96, 'NAT64'],
  ['100::', 64, 'discard'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
]

/** One BlockList per rule, so a refusal says which range matched. */
const rules = (list: ReadonlyArray<[string, number, string]>, type: 'ipv4' | 'ipv6') =>
  list.map(([net, prefix, name]) => {
    const one = new BlockList()
    one.addSubnet(net, prefix, type)
    return { name, matches: (address: string) => one.check(address, type) }
  })
const V4_RULES = rules(FORBIDDEN_V4, 'ipv4')
const V6_RULES = rules(FORBIDDEN_V6, 'ipv6')

/** `::ffff:a.b.c.d` or `::ffff:xxxx:yyyy` → `a.b.c.d`; null for any other address. */
export function mappedIpv4(address: string): string | null {
  const m = /^::ffff:(?:0:)?(.+)$/i.exec(address)
  if (!m) return null
  const rest = m[1]!
  if (isIP(rest) === 4) return rest
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest)
  if (!hex) return null
  const hi = parseInt(hex[1]!, 16)
  const lo = parseInt(hex[2]!, 16)
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.')
}

/** Why `address` may not be fetched from; null when it is a public unicast address. */
export function forbiddenAddress(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 0) return 'not an IP address'
  const v4 = family === 4 ? bare : mappedIpv4(bare)
  if (v4 !== null) return V4_RULES.find((r) => r.matches(v4))?.name ?? (family === 6 ? 'IPv4-mapped' : null)
  return V6_RULES.find((r) => r.matches(bare))?.name ?? null
}
