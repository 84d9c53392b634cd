/**
 * `sync.caFile` (issue 13): a server whose certificate the authority's own CA signed is
 * trusted with that file, refused without it (as a certificate problem, not a network one),
 * and an unreadable file stops the start with words IT can act on.
 */
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSyncTransport, SyncError } from '../../src/main/sync/transport'
import { makePki, type Pki } from '../support/tlsCerts'

const AGENT = { id: 'a1', login: 'zoe.agent', displayName: 'Zoé Agent', roles: ['agent'], teamIds: [] }
const TOKEN_REQUEST = {
  grantType: 'password',
  login: 'zoe.agent',
  password: 'secret',
  clientId: 'c1',
} as const

let pki: Pki
let server: Server
let base: string
const seen: Array<{ method?: string; url?: string; body: string; type?: string }> = []

beforeAll(async () => {
  pki = makePki()
  // Just the two routes the test calls: the token (JSON in, JSON out) and the event stream.
  server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString('utf8')))
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, body, type: req.headers['content-type'] })
      if (req.url === '/api/v1/auth/token' && req.method === 'POST') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ accessToken: 'at', expiresIn: 300, refreshToken: 'rt', agent: AGENT }))
      } else if (req.url === '/api/v1/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.write('event: changes\ndata: {}\n\n')
        setTimeout(() => res.end('event: changes\ndata: {}\n\n'), 20)
      } else {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { code: 'not_found', message: 'Introuvable.' } }))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const transport = (extra: { caFile?: string; baseUrl?: string } = {}) =>
  createSyncTransport({ baseUrl: base, timeoutMs: 5000, ...extra })

describe('sync.caFile', () => {
  it('trusts the authority’s CA: a login and the event stream go through', async () => {
    const t = transport({ caFile: pki.caFile })
    const reply = await t.token(TOKEN_REQUEST)
    expect(reply.agent.login).toBe('zoe.agent')
    const last = seen.at(-1)!
    expect(last).toMatchObject({ method: 'POST', url: '/api/v1/auth/token', type: 'application/json' })
    expect(JSON.parse(last.body)).toEqual(TOKEN_REQUEST)

    let nudges = 0
    let opened = false
    await t.events(
      'at',
      () => nudges++,
      new AbortController().signal,
      () => (opened = true),
    )
    expect(opened).toBe(true)
    expect(nudges).toBe(2)
  })

  it('passes the server’s refusals on as usual', async () => {
    const t = transport({ caFile: pki.caFile })
    const e = await t.revoke('at').catch((x: unknown) => x)
    expect(e).toBeInstanceOf(SyncError)
    expect(e).toMatchObject({ kind: 'refused', status: 404, code: 'not_found' })
  })

  it('refuses the server without it: a certificate problem, said as such', async () => {
    const e = await transport()
      .token(TOKEN_REQUEST)
      .catch((x: unknown) => x)
    expect(e).toBeInstanceOf(SyncError)
    // Unreachable as far as the engine goes (nothing sent, try again later)…
    expect(e).toMatchObject({ kind: 'offline', code: 'untrusted_certificate' })
    // …but the agent and IT read that it is the certificate, not the network.
    expect((e as SyncError).message).toMatch(/certificat du serveur n’est pas reconnu \(.+\).*sync\.caFile/)
  })

  it('refuses a server whose certificate another CA signed, even with a caFile', async () => {
    const other = makePki()
    const e = await transport({ caFile: other.caFile })
      .token(TOKEN_REQUEST)
      .catch((x: unknown) => x)
    expect(e).toMatchObject({ kind: 'offline', code: 'untrusted_certificate' })
  })

  it('refuses a name the certificate does not carry', async () => {
    const named = makePki({ altNames: 'DNS:grc.ville.fr' })
    const alt = createServer({ cert: named.certPem, key: named.keyPem }, (_req, res) => res.end('{}'))
    await new Promise<void>((resolve) => alt.listen(0, '127.0.0.1', resolve))
    try {
      const e = await transport({
        caFile: named.caFile,
        baseUrl: `https://127.0.0.1:${(alt.address() as AddressInfo).port}`,
      })
        .token(TOKEN_REQUEST)
        .catch((x: unknown) => x)
      expect(e).toMatchObject({ kind: 'offline', code: 'untrusted_certificate' })
    } finally {
      await new Promise<void>((resolve) => alt.close(() => resolve()))
    }
  })

  it('reads Chromium’s refusals (Electron’s net.fetch) the same way', async () => {
    const chromium = (() =>
      Promise.reject(new Error('net::ERR_CERT_AUTHORITY_INVALID'))) as unknown as typeof fetch
    const e = await createSyncTransport({ baseUrl: base, timeoutMs: 5000, fetch: chromium })
      .token(TOKEN_REQUEST)
      .catch((x: unknown) => x)
    expect(e).toMatchObject({ kind: 'offline', code: 'untrusted_certificate' })
    expect((e as SyncError).message).toContain('ERR_CERT_AUTHORITY_INVALID')
    // Any other network failure is still "unreachable".
    const refused = (() =>
      Promise.reject(new Error('net::ERR_CONNECTION_REFUSED'))) as unknown as typeof fetch
    const offline = await createSyncTransport({ baseUrl: base, timeoutMs: 5000, fetch: refused })
      .token(TOKEN_REQUEST)
      .catch((x: unknown) => x)
    expect(offline).toMatchObject({ kind: 'offline', code: undefined })
    expect((offline as SyncError).message).toMatch(/injoignable/)
  })

  it('a timeout is still a timeout', async () => {
    const e = await createSyncTransport({ baseUrl: base, timeoutMs: 1, caFile: pki.caFile })
      .token(TOKEN_REQUEST)
      .catch((x: unknown) => x)
    expect(e).toMatchObject({ kind: 'timeout' })
  })

  it('stops the start on an unreadable or empty file, in French', () => {
    expect(() => transport({ caFile: join(pki.dir, 'absent.pem') })).toThrow(
      /Impossible de lire le fichier de l’autorité de certification du serveur \(sync\.caFile : .*absent\.pem\) : il n’existe pas/,
    )
    expect(() => transport({ caFile: pki.keyFile })).toThrow(/ne contient aucun certificat au format PEM/)
  })
})
