/**
 * The OpenAPI document is the protocol's reference: it must describe every route the
 * server registers (walked from Fastify's own list, so a new route without its entry fails
 * here), document the security schemes and the API accounts' scopes, and name the server
 * by its configured public address, never by a Host header a client can forge.
 */
import { request } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppConfigSchema } from '../../src/core/config'
import { startServer, type RunningServer } from '../../src/server/start'
import { API_SCOPES } from '../../src/server/store/apiAccounts'
import { repoRoot } from '../support/core'
import { testDatabase, TEST_STORE } from '../support/serverStore'

const PUBLIC_URL = 'https://grc.ville-exemple.fr'
const FORGED = 'attacker.example'
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

interface Operation {
  security?: Record<string, string[]>[]
  'x-grc-scope'?: string
  responses: Record<string, unknown>
}
interface OpenApi {
  openapi: string
  servers?: { url: string }[]
  components: {
    securitySchemes: Record<string, { type: string; description?: string; 'x-grc-scopes'?: object }>
  }
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>
}

let dir: string
let configured: RunningServer
let bare: RunningServer

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'grc-openapi-'))
  const resourcesDir = join(repoRoot, 'resources')
  configured = await startServer({
    database: await testDatabase(join(dir, 'a')),
    resourcesDir,
    portalKey: 'k',
    config: AppConfigSchema.parse({ server: { publicUrl: `${PUBLIC_URL}/` } }),
  })
  bare = await startServer({ database: await testDatabase(join(dir, 'b')), resourcesDir, portalKey: 'k' })
})
afterAll(async () => {
  await configured?.close()
  await bare?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** GET over real HTTP with the headers given verbatim (fetch would not let a test forge Host). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

const documentOf = async (server: RunningServer, headers: Record<string, string> = {}) => {
  const r = await rawGet(`${server.url}/api/openapi.json`, headers)
  expect(r.status).toBe(200)
  return { text: r.body, doc: JSON.parse(r.body) as OpenApi }
}

/**
 * One spelling for a path in both worlds: Fastify's `:name` and OpenAPI's `{name}` become
 * `{}`, and a segment the document splits into several parameters (`{service_code}.{format}`,
 * one `:file` for Fastify, whose handler splits it) counts as one.
 */
const fromFastify = (url: string) => url.replace(/:[A-Za-z0-9_]+(\([^)]*\))?/g, '{}')
const fromOpenApi = (path: string) => path.replace(/\{[^}]+\}(?:\.\{[^}]+\})*/g, '{}')

describe(`the OpenAPI document on ${TEST_STORE}`, () => {
  it('describes every route the server registered, and nothing else', async () => {
    const registered = configured.app.registeredRoutes
      // Fastify answers HEAD for every GET route by itself: the GET entry documents both.
      .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
      .map((r) => `${r.method} ${fromFastify(r.url)}`)
    expect(registered.length).toBeGreaterThan(15)
    expect(registered).toContain('GET /api/v1/partner/requests/{}')
    const { doc } = await documentOf(configured)
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${fromOpenApi(path)}`),
    )
    const missing = [...new Set(registered)].filter((r) => !documented.includes(r))
    expect(missing, 'routes the OpenAPI document does not describe').toEqual([])
    const stale = documented.filter((d) => !registered.includes(d))
    expect(stale, 'documented operations no route answers').toEqual([])
    for (const [path, item] of Object.entries(doc.paths))
      for (const m of METHODS)
        if (item[m]) expect(Object.keys(item[m].responses), `${m} ${path}`).not.toEqual([])
  })

  it('names the configured public address, never a forged Host or forwarded host', async () => {
    const forged = { host: FORGED, 'x-forwarded-host': FORGED, 'x-forwarded-proto': 'http' }
    const { text, doc } = await documentOf(configured, forged)
    expect(doc.servers).toEqual([{ url: PUBLIC_URL }])
    expect(text).not.toContain(FORGED)

    // Without a configured address: no server at all rather than the one a request claims.
    const unconfigured = await documentOf(bare, forged)
    expect(unconfigured.doc.servers).toBeUndefined()
    expect(unconfigured.text).not.toContain(FORGED)
    expect(unconfigured.text).not.toContain('127.0.0.1')
  })

  it('documents the security schemes and, per operation, the scope it needs', async () => {
    const { doc } = await documentOf(configured)
    const schemes = doc.components.securitySchemes
    expect(Object.keys(schemes).sort()).toEqual(['agentToken', 'metricsToken', 'open311ApiKey', 'partnerKey'])
    expect(schemes.partnerKey).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(schemes.open311ApiKey).toMatchObject({ type: 'apiKey', in: 'query', name: 'api_key' })
    for (const scope of API_SCOPES) expect(schemes.partnerKey!.description).toContain(scope)
    expect(Object.keys(schemes.partnerKey!['x-grc-scopes']!)).toEqual([...API_SCOPES])

    const op = (path: string, method: (typeof METHODS)[number]) => doc.paths[path]![method]!
    const partner = '/api/v1/partner/requests'
    expect(op(partner, 'get')['x-grc-scope']).toBe('requests:read')
    expect(op(`${partner}/{id}`, 'get')['x-grc-scope']).toBe('requests:read')
    expect(op(partner, 'post')['x-grc-scope']).toBe('requests:write')
    expect(op(`${partner}/{id}/comments`, 'post')['x-grc-scope']).toBe('requests:write')
    for (const [path, method] of [
      [partner, 'get'],
      [`${partner}/{id}`, 'get'],
      [partner, 'post'],
      [`${partner}/{id}/comments`, 'post'],
    ] as const) {
      expect(op(path, method).security).toEqual([{ partnerKey: [] }])
      expect(Object.keys(op(path, method).responses)).toEqual(expect.arrayContaining(['401', '403', '429']))
    }
    expect(op('/open311/v2/requests.{format}', 'post')['x-grc-scope']).toBe('open311:submit')
    expect(op('/open311/v2/requests.{format}', 'get')['x-grc-scope']).toBe('open311:read')
    expect(op('/api/v1/changes', 'get').security).toEqual([{ agentToken: [] }])
    expect(op('/api/v1/health', 'get').security).toBeUndefined()
  })
})
