/**
 * The SSRF checks of the `media_url` fetch (src/server/attachments/address.ts, mediaFetch.ts):
 * which addresses are refused, in every spelling, and that a name is resolved once per hop
 * and connected to at the address checked (a second answer of the resolver, DNS
 * rebinding, is never asked for).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forbiddenAddress, mappedIpv4 } from '../../src/server/attachments/address'
import { fetchMedia, loggableUrl, MediaFetchError } from '../../src/server/attachments/mediaFetch'

describe('forbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.10', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::127.0.0.1', 'IPv4-compatible'],
  ])('refuses %s (%s)', (address, why) => {
    expect(forbiddenAddress(address)).toBe(why)
  })

  it.each(['8.8.8.8', '93.184.216.34', '172.15.255.255', '172.32.0.1', '100.63.255.255', '2a01:e0a::1'])(
    'lets the public address %s through',
    (address) => {
      expect(forbiddenAddress(address)).toBeNull()
    },
  )

  it('refuses what is not an address, and every IPv4-mapped one', () => {
    expect(forbiddenAddress('photos.example')).toBe('not an IP address')
    expect(forbiddenAddress('::ffff:8.8.8.8')).toBe('IPv4-mapped')
    expect(mappedIpv4('::ffff:c0a8:0101')).toBe('192.168.1.1')
    expect(mappedIpv4('2a01:e0a::1')).toBeNull()
  })
})

describe('fetchMedia', () => {
  let server: Server
  let port: number
  beforeAll(async () => {
    server = createServer((_req, res) => res.end(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise((resolve) => server.close(resolve)))

  const options = { maxBytes: 1024, timeoutMs: 2000 }

  it('connects to the address it checked, resolving the name once', async () => {
    const asked: string[] = []
    // A name no real resolver knows: reaching the stand-in proves the checked address was used.
    const bytes = await fetchMedia(`http://photos.grc.test:${port}/a.jpg`, {
      ...options,
      allowHosts: ['photos.grc.test'],
      resolve: async (host) => {
        asked.push(host)
        return asked.length === 1
          ? [{ address: '127.0.0.1', family: 4 }]
          : [{ address: '10.9.9.9', family: 4 }]
      },
    })
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]))
    expect(asked).toEqual(['photos.grc.test'])
  })

  it('refuses a name with any forbidden address, and an allowed name only as written', async () => {
    const mixed = fetchMedia(`http://mixed.grc.test:${port}/a.jpg`, {
      ...options,
      allowHosts: [],
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ],
    })
    await expect(mixed).rejects.toMatchObject({ reason: 'forbidden_address' })
    const other = fetchMedia(`http://other.grc.test:${port}/a.jpg`, {
      ...options,
      allowHosts: ['photos.grc.test'],
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    })
    await expect(other).rejects.toBeInstanceOf(MediaFetchError)
    await expect(other).rejects.toMatchObject({ reason: 'forbidden_address' })
  })

  it('logs a URL without its query', () => {
    expect(loggableUrl('https://photos.example/p/1.jpg?token=secret&name=Dupont')).toBe(
      'https://photos.example/p/1.jpg',
    )
    expect(loggableUrl('pas une adresse')).toBe('(invalid URL)')
  })
})
