/**
 * The server's own HTTPS (`--tls-cert`, `--tls-key`), as an authority without a reverse
 * proxy runs it: a client that trusts the authority's certificate gets answers (a login
 * included), one that does not is refused by its TLS stack, plain HTTP on that port gets no
 * API answer, and wrong flags say which one before anything starts.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import { request as httpsRequest, type RequestOptions } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_PASSWORD } from '../support/core'
import { startServerProcess, type ServerProcess } from '../support/serverProcess'
import { testDatabase } from '../support/serverStore'

const dir = mkdtempSync(join(tmpdir(), 'grc-tls-'))
const certFile = join(dir, 'cert.pem')
const keyFile = join(dir, 'key.pem')
let server: ServerProcess

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/** One HTTPS exchange; rejects with the TLS error when the client refuses the server. */
function https(url: string, options: RequestOptions & { body?: unknown } = {}): Promise<Answer> {
  const { body, ...rest } = options
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        agent: false,
        ...rest,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...rest.headers,
        },
      },
      (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }))
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

beforeAll(async () => {
  // A self-signed certificate for localhost and 127.0.0.1, as an authority's own PKI would issue.
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost'],
      ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '2'],
      ...['-keyout', keyFile, '-out', certFile],
    ],
    { stdio: 'ignore' },
  )
  server = await startServerProcess({
    database: await testDatabase(join(dir, 'db')),
    demoRequests: 0,
    tls: { cert: certFile, key: keyFile },
  })
})

afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the server over its own HTTPS', () => {
  it('says https:// in its startup line', () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
  })

  it('answers a client that trusts its certificate, a login included', async () => {
    const ca = readFileSync(certFile)
    const health = await https(`${server.url}/api/v1/health`, { ca })
    expect(health.status).toBe(200)
    expect(JSON.parse(health.text)).toEqual({ status: 'ok' })
    const login = await https(`${server.url}/api/v1/auth/token`, {
      ca,
      method: 'POST',
      body: {
        grantType: 'password',
        login: 'zoe.agent',
        password: DEMO_PASSWORD,
        clientId: crypto.randomUUID(),
      },
    })
    expect(login.status).toBe(200)
    expect(JSON.parse(login.text)).toHaveProperty('accessToken')
  })

  it('negotiates TLS 1.2 at least', async () => {
    const ca = readFileSync(certFile)
    const refused = https(`${server.url}/api/v1/health`, { ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })
    await expect(refused).rejects.toThrow()
  })

  it('is refused by a client that does not trust its certificate', async () => {
    await expect(https(`${server.url}/api/v1/health`)).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED/) as unknown,
    })
  })

  it('gives plain HTTP on its port no API answer', async () => {
    const plain = server.url.replace(/^https:/, 'http:')
    const outcome = await new Promise<string>((resolve) => {
      const req = httpGet(`${plain}/api/v1/health`, { agent: false }, (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve(`${res.statusCode} ${text}`))
      })
      req.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`))
      req.setTimeout(5000, () => req.destroy(new Error('timeout')))
    })
    expect(outcome).not.toMatch(/^200 /)
    expect(outcome).not.toContain('"status":"ok"')
  })

  it('names no server from the Host header over HTTPS either', async () => {
    const doc = await https(`${server.url}/api/openapi.json`, {
      ca: readFileSync(certFile),
      headers: { host: 'attacker.example', 'x-forwarded-host': 'attacker.example' },
      servername: 'localhost',
    })
    expect(doc.status).toBe(200)
    expect(doc.text).not.toContain('attacker.example')
    expect((JSON.parse(doc.text) as { servers?: unknown }).servers).toBeUndefined()
  })
})

describe('wrong TLS flags', () => {
  /** The server's refusal: what it printed before exiting. */
  async function refusal(args: string[]): Promise<string> {
    const started = startServerProcess({ database: join(dir, 'never.db'), args, startTimeoutMs: 30_000 })
    const error = await started.then(
      async (s) => {
        await s.close()
        return new Error('the server started')
      },
      (e: unknown) => e as Error,
    )
    return error.message
  }

  it('asks for both flags together', async () => {
    const message = await refusal(['--tls-cert', certFile])
    expect(message).toContain('--tls-cert et --tls-key vont ensemble')
  })

  it('names the flag whose file cannot be read, without a stack', async () => {
    const message = await refusal(['--tls-cert', certFile, '--tls-key', join(dir, 'missing.pem')])
    expect(message).toContain(
      `--tls-key : le fichier ${join(dir, 'missing.pem')} ne peut pas être lu (ENOENT)`,
    )
    expect(message).not.toMatch(/\n\s+at /)
  })

  it('says so when the key is not the certificate’s', async () => {
    const other = join(dir, 'other-key.pem')
    execFileSync('openssl', ['genrsa', '-out', other, '2048'], { stdio: 'ignore' })
    const message = await refusal(['--tls-cert', certFile, '--tls-key', other])
    expect(message).toContain('certificat ou clé inutilisable')
    expect(message).not.toMatch(/\n\s+at /)
  })

  it('says so when a file is not PEM', async () => {
    const junk = join(dir, 'junk.pem')
    writeFileSync(junk, 'not a certificate\n')
    const message = await refusal(['--tls-cert', junk, '--tls-key', keyFile])
    expect(message).toContain('certificat ou clé inutilisable')
  })
})
