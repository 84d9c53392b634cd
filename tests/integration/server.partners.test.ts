/**
 * API accounts for partners, over real HTTP, on SQLite and PostgreSQL: keys shown once and
 * stored hashed, one scope per family of routes, category and team limits, no citizen data,
 * a rate per account, a log of every use, the portal keys of before carried over, the
 * `api-accounts` commands, and a partner's request reaching an agent's console.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseServerArgs, runCommand } from '../../src/server/cli'
import { startServer, type RunningServer } from '../../src/server/start'
import { ApiAccountError, type NewApiAccount } from '../../src/server/store/apiAccounts'
import { migrateServerStore } from '../../src/server/store/migrate'
import { SERVER_MIGRATIONS } from '../../src/server/store/migrations'
import { databaseTarget, openDatabase } from '../../src/server/store/open'
import { repoRoot } from '../support/core'
import { testDatabase, TEST_STORE } from '../support/serverStore'
import { openSyncWorld } from '../support/syncWorld'

const PORTAL_KEY = 'portal-key-for-partner-tests'
/** Malzéville: in the Nord sector, where roads go to team `voirie-nord`. */
const IN_NORD = { lat: 48.71845, lon: 6.17886 }

const PARTNER_FIELDS = [
  'id',
  'reference',
  'title',
  'categoryId',
  'subcategory',
  'channel',
  'status',
  'statusKind',
  'priority',
  'teamId',
  'description',
  'address',
  'location',
  'createdAt',
  'updatedAt',
  'dueAt',
  'closedAt',
].sort()

interface PartnerRequest {
  id: string
  teamId: string
  categoryId: string
  channel: string
  statusKind: string
  updatedAt: string
  [field: string]: unknown
}
interface Page {
  requests: PartnerRequest[]
  nextCursor: string | null
}

let dir: string
let server: RunningServer
let database: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'grc-partners-'))
  database = await testDatabase(dir)
  server = await startServer({
    database,
    resourcesDir: join(repoRoot, 'resources'),
    demoRequests: 300,
    portalKey: PORTAL_KEY,
  })
})
afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

async function account(input: Partial<NewApiAccount> & { scopes: string[] }) {
  return server.store.createApiAccount({ name: `Partenaire ${input.scopes.join('+')}`, ...input })
}

function call(method: 'GET' | 'POST', path: string, key?: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {}
  if (key !== undefined) headers.authorization = `Bearer ${key}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  return fetch(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

const submit = (key: string | undefined, fields: Record<string, string> = {}) =>
  fetch(`${server.url}/open311/v2/requests.json`, {
    method: 'POST',
    body: new URLSearchParams({
      ...(key === undefined ? {} : { api_key: key }),
      service_code: 'voirie',
      lat: String(IN_NORD.lat),
      long: String(IN_NORD.lon),
      'attribute[subcategory]': 'Nid-de-poule',
      description: 'Un nid-de-poule devant l’école.',
      ...fields,
    }),
  })

const newRequest = (fields: Record<string, unknown> = {}) => ({
  categoryId: 'voirie',
  subcategory: 'Nid-de-poule',
  description: 'Affaissement de chaussée signalé par le concessionnaire du réseau de gaz.',
  location: IN_NORD,
  ...fields,
})

/** Every page of the list, following the cursor. */
async function readAll(key: string, query = '', limit = 50): Promise<PartnerRequest[]> {
  const out: PartnerRequest[] = []
  let after: string | null = null
  for (let pages = 0; pages < 200; pages++) {
    const params = new URLSearchParams(query)
    params.set('limit', String(limit))
    if (after) params.set('after', after)
    const r = await call('GET', `/api/v1/partner/requests?${params}`, key)
    expect(r.status).toBe(200)
    const page = (await r.json()) as Page
    out.push(...page.requests)
    if (page.nextCursor === null) return out
    after = page.nextCursor
  }
  throw new Error('too many pages')
}

const anyRequestOutside = async (column: 'team_id' | 'category_id', values: string[]) =>
  (await server.store.sql.get<{ id: string }>(
    `SELECT id FROM requests WHERE ${column} NOT IN (${values.map(() => '?').join(', ')}) ORDER BY n LIMIT 1`,
    values,
  ))!.id

const uses = (accountId: string) =>
  server.store.sql.all<Record<string, unknown>>(
    'SELECT * FROM api_account_uses WHERE account_id = ? ORDER BY id',
    [accountId],
  )

async function expectError(r: Response, status: number, code: string, message?: RegExp) {
  expect(r.status).toBe(status)
  const body = (await r.json()) as { error: { code: string; message: string } }
  expect(body.error.code).toBe(code)
  if (message) expect(body.error.message).toMatch(message)
  return body.error.message
}

describe(`API accounts on ${TEST_STORE}`, () => {
  it('shows a key once and keeps only its hash; lists never show it', async () => {
    const { account: made, key } = await account({ scopes: ['requests:read'] })
    expect(key).toMatch(/^grc_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/)
    expect(key.startsWith(`${made.keyPrefix}_`)).toBe(true)
    const row = (await server.store.sql.get<Record<string, unknown>>(
      'SELECT * FROM api_accounts WHERE id = ?',
      [made.id],
    ))!
    expect(row.key_hash).toBe(sha256(key))
    const secret = key.slice(made.keyPrefix.length + 1)
    expect(JSON.stringify(row)).not.toContain(secret)
    const listed = JSON.stringify(await server.store.listApiAccounts())
    expect(listed).toContain(made.keyPrefix)
    expect(listed).not.toContain(secret)
    expect(listed).not.toContain(sha256(key))
    expect((await call('GET', '/api/v1/partner/requests?limit=1', key)).status).toBe(200)
  })

  it('each scope opens exactly its routes: 403 naming the scope otherwise', async () => {
    const keys = {
      'requests:read': (await account({ scopes: ['requests:read'] })).key,
      'requests:write': (await account({ scopes: ['requests:write'] })).key,
      'open311:submit': (await account({ scopes: ['open311:submit'] })).key,
      'open311:read': (await account({ scopes: ['open311:read'] })).key,
    }
    const someId = (await server.store.sql.get<{ id: string }>('SELECT id FROM requests ORDER BY n LIMIT 1'))!
      .id
    const routes: Array<[string, string, () => Promise<Response>]> = []
    for (const [scope, key] of Object.entries(keys)) {
      routes.push(
        [scope, 'requests:read', () => call('GET', '/api/v1/partner/requests?limit=2', key)],
        [scope, 'requests:read', () => call('GET', `/api/v1/partner/requests/${someId}`, key)],
        [scope, 'requests:write', () => call('POST', '/api/v1/partner/requests', key, newRequest())],
        [
          scope,
          'requests:write',
          () =>
            call('POST', `/api/v1/partner/requests/${someId}/comments`, key, { body: 'Intervention le 12.' }),
        ],
        [scope, 'open311:submit', () => submit(key)],
        [
          scope,
          'open311:read',
          () => fetch(`${server.url}/open311/v2/requests.json?limit=2&api_key=${encodeURIComponent(key)}`),
        ],
      )
    }
    for (const [scope, needs, send] of routes) {
      const r = await send()
      if (scope === needs) {
        expect([200, 201], `${scope} on a ${needs} route`).toContain(r.status)
        continue
      }
      expect(r.status, `${scope} on a ${needs} route`).toBe(403)
      const body = (await r.json()) as
        { error?: { code: string; message: string } } | { description: string }[]
      const message = Array.isArray(body) ? body[0]!.description : body.error!.message
      expect(message).toContain(needs)
      if (!Array.isArray(body)) expect(body.error!.code).toBe('forbidden')
    }
    // Reads stay public without a key, as before.
    expect((await fetch(`${server.url}/open311/v2/requests.json?limit=2`)).status).toBe(200)
    expect((await fetch(`${server.url}/open311/v2/services.json`)).status).toBe(200)
  })

  it('answers 401 to a missing, unknown, revoked or expired key (Open311: 403)', async () => {
    await expectError(await call('GET', '/api/v1/partner/requests'), 401, 'unauthenticated', /Authorization/)
    const unknown = await call('GET', '/api/v1/partner/requests', 'grc_00000000_nope')
    await expectError(unknown, 401, 'unauthenticated', /inconnue/)
    expect(unknown.headers.get('www-authenticate')).toMatch(/^Bearer/)

    const revoked = await account({ scopes: ['requests:read', 'open311:submit'] })
    expect((await call('GET', '/api/v1/partner/requests?limit=1', revoked.key)).status).toBe(200)
    await server.store.revokeApiAccount(revoked.account.keyPrefix)
    await expectError(
      await call('GET', '/api/v1/partner/requests', revoked.key),
      401,
      'unauthenticated',
      /révoquée/,
    )
    const open311 = await submit(revoked.key)
    expect(open311.status).toBe(403)
    expect(((await open311.json()) as { description: string }[])[0]!.description).toMatch(/revoked/)

    const expiring = await account({ scopes: ['requests:read'], expiresAt: Date.now() + 3600_000 })
    expect((await call('GET', '/api/v1/partner/requests?limit=1', expiring.key)).status).toBe(200)
    await server.store.sql.run('UPDATE api_accounts SET expires_at = ? WHERE id = ?', [
      Date.now() - 1000,
      expiring.account.id,
    ])
    await expectError(
      await call('GET', '/api/v1/partner/requests', expiring.key),
      401,
      'unauthenticated',
      /expiré/,
    )
    // The portal's key of the setting is an account like the others.
    expect((await submit(PORTAL_KEY)).status).toBe(200)
    expect((await submit('not-a-key')).status).toBe(403)
  })

  it('requests:read limited to teams never shows another team’s request, in the list or by id', async () => {
    const teams = ['voirie-nord', 'eclairage']
    const { key } = await account({ scopes: ['requests:read', 'requests:write'], teamIds: teams })
    const seen = await readAll(key, '', 10)
    const expected = (await server.store.sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM requests WHERE team_id IN ('voirie-nord', 'eclairage')",
    ))!.n
    expect(expected).toBeGreaterThan(20) // several pages
    expect(seen).toHaveLength(expected)
    expect(new Set(seen.map((r) => r.id)).size).toBe(expected)
    expect(seen.every((r) => teams.includes(r.teamId))).toBe(true)

    const elsewhere = await anyRequestOutside('team_id', teams)
    await expectError(await call('GET', `/api/v1/partner/requests/${elsewhere}`, key), 404, 'not_found')
    await expectError(
      await call('POST', `/api/v1/partner/requests/${elsewhere}/comments`, key, { body: 'Vu.' }),
      404,
      'not_found',
    )
    expect((await call('GET', `/api/v1/partner/requests/${seen[0]!.id}`, key)).status).toBe(200)

    // Filters narrow within the limits.
    const open = await readAll(key, 'status=open&category=voirie')
    expect(open.length).toBeGreaterThan(0)
    expect(
      open.every((r) => r.statusKind === 'open' && r.categoryId === 'voirie' && r.teamId === 'voirie-nord'),
    ).toBe(true)
    const latest = seen.map((r) => r.updatedAt).sort()[Math.floor(seen.length / 2)]!
    const recent = await readAll(key, `updatedSince=${latest}`)
    expect(recent.length).toBeGreaterThan(0)
    expect(recent.length).toBeLessThan(seen.length)
    expect(recent.every((r) => r.updatedAt >= latest)).toBe(true)
    await expectError(
      await call('GET', '/api/v1/partner/requests?limit=500', key),
      400,
      'invalid_input',
      /limit/,
    )
  })

  it('requests:read limited to categories: other categories are out of the list, by id and for creation', async () => {
    const { key } = await account({
      scopes: ['requests:read', 'requests:write'],
      categoryIds: ['eclairage-public'],
    })
    const seen = await readAll(key)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.every((r) => r.categoryId === 'eclairage-public')).toBe(true)
    const other = await anyRequestOutside('category_id', ['eclairage-public'])
    await expectError(await call('GET', `/api/v1/partner/requests/${other}`, key), 404, 'not_found')
    await expectError(
      await call('GET', '/api/v1/partner/requests?category=voirie', key),
      403,
      'forbidden',
      /voirie/,
    )
    await expectError(
      await call('POST', '/api/v1/partner/requests', key, newRequest()),
      403,
      'forbidden',
      /voirie/,
    )
  })

  it('never answers citizens’ personal data', async () => {
    const citizen = (await server.store.sql.get<{ id: string; name: string; email: string; phone: string }>(
      `SELECT r.id, c.name, c.email, c.phone FROM requests r JOIN citizens c ON c.id = r.citizen_id
       WHERE c.email IS NOT NULL AND c.phone IS NOT NULL AND c.name <> '' ORDER BY r.n LIMIT 1`,
    ))!
    expect(citizen).toBeDefined()
    const { key } = await account({ scopes: ['requests:read'] })
    const one = await call('GET', `/api/v1/partner/requests/${citizen.id}`, key)
    expect(one.status).toBe(200)
    const text = await one.text()
    const record = JSON.parse(text) as Record<string, unknown>
    expect(Object.keys(record).sort()).toEqual(PARTNER_FIELDS)
    for (const personal of [citizen.email, citizen.phone, citizen.name]) expect(text).not.toContain(personal)
    expect(text).not.toMatch(/citizen/i)

    const everything = await readAll(key)
    for (const r of everything) expect(Object.keys(r).sort()).toEqual(PARTNER_FIELDS)
    const emails = (
      await server.store.sql.all<{ email: string }>('SELECT email FROM citizens WHERE email IS NOT NULL')
    ).map((c) => c.email)
    const all = JSON.stringify(everything)
    expect(emails.length).toBeGreaterThan(0)
    for (const email of emails) expect(all).not.toContain(email)
  })

  it('creates a routed request (channel api) and signs its internal note with the account’s name', async () => {
    const { account: partner, key } = await account({
      name: 'GRDF Lorraine',
      scopes: ['requests:write', 'requests:read'],
    })
    const created = await call('POST', '/api/v1/partner/requests', key, newRequest())
    expect(created.status).toBe(201)
    const request = (await created.json()) as PartnerRequest
    expect(request).toMatchObject({
      channel: 'api',
      teamId: 'voirie-nord',
      categoryId: 'voirie',
      statusKind: 'open',
    })
    const note = await call('POST', `/api/v1/partner/requests/${request.id}/comments`, key, {
      body: 'Intervention programmée jeudi.',
    })
    expect(note.status).toBe(201)
    expect(await note.json()).toMatchObject({ kind: 'internal', authorName: 'GRDF Lorraine' })
    const comment = await server.store.sql.get<Record<string, unknown>>(
      'SELECT kind, body, author_id, author_name FROM comments WHERE request_id = ?',
      [request.id],
    )
    expect(comment).toEqual({
      kind: 'internal',
      body: 'Intervention programmée jeudi.',
      author_id: null,
      author_name: 'GRDF Lorraine',
    })
    const history = await server.store.sql.all<{ kind: string; actor_name: string | null }>(
      'SELECT kind, actor_name FROM history_events WHERE request_id = ? ORDER BY id',
      [request.id],
    )
    expect(history.map((h) => h.kind)).toEqual(['created', 'routed', 'commented'])
    expect(history[0]!.actor_name).toBe(partner.name)

    // What the console would refuse, the partner API refuses too, naming it.
    await expectError(
      await call('POST', '/api/v1/partner/requests', key, newRequest({ subcategory: 'Licorne' })),
      400,
      'invalid_input',
      /Sous-catégorie/,
    )
    await expectError(
      await call('POST', '/api/v1/partner/requests', key, newRequest({ location: null })),
      400,
      'invalid_input',
      /localisation/,
    )
    await expectError(
      await call('POST', '/api/v1/partner/requests', key, newRequest({ citizen: { email: 'a@b.fr' } })),
      400,
      'invalid_input',
    )
    await expectError(
      await call('POST', `/api/v1/partner/requests/${request.id}/comments`, key, { body: '   ' }),
      400,
      'invalid_input',
    )
  })

  it('gives 429 with Retry-After once the account’s quota for the minute is spent, per account', async () => {
    const limited = await account({ scopes: ['requests:read'], ratePerMinute: 3 })
    const other = await account({ scopes: ['requests:read'], ratePerMinute: 3 })
    for (let i = 0; i < 3; i++) {
      const r = await call('GET', '/api/v1/partner/requests?limit=1', limited.key)
      expect(r.status).toBe(200)
      expect(r.headers.get('x-ratelimit-remaining')).toBe(String(2 - i))
    }
    const refused = await call('GET', '/api/v1/partner/requests?limit=1', limited.key)
    const message = await expectError(refused, 429, 'rate_limited', /3 par minute/)
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(message).toContain(`${retryAfter} s`)
    // Another account has its own quota.
    expect((await call('GET', '/api/v1/partner/requests?limit=1', other.key)).status).toBe(200)
    expect((await uses(limited.account.id)).map((u) => u.status)).toEqual([200, 200, 200, 429])

    // Open311 too, in its own error shape.
    const portal = await account({ scopes: ['open311:submit', 'open311:read'], ratePerMinute: 1 })
    expect((await submit(portal.key)).status).toBe(200)
    const tooMany = await submit(portal.key)
    expect(tooMany.status).toBe(429)
    expect(Number(tooMany.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(await tooMany.json()).toEqual([{ code: 429, description: expect.stringMatching(/1 per minute/) }])
    const read = await fetch(
      `${server.url}/open311/v2/services.json?api_key=${encodeURIComponent(portal.key)}`,
    )
    expect(read.status).toBe(429)
    // Without the key, the public read is not the account's.
    expect((await fetch(`${server.url}/open311/v2/services.json`)).status).toBe(200)
  })

  it('logs each use: account, scope, route pattern, status, time; never a body, query or id', async () => {
    const { account: partner, key } = await account({ scopes: ['requests:read', 'requests:write'] })
    const before = Date.now()
    const created = (await (
      await call('POST', '/api/v1/partner/requests', key, newRequest())
    ).json()) as PartnerRequest
    await call('GET', `/api/v1/partner/requests/${created.id}`, key)
    await call('GET', '/api/v1/partner/requests?status=open&limit=1', key)
    await call('POST', `/api/v1/partner/requests/${created.id}/comments`, key, {
      body: 'Texte secret du partenaire',
    })
    await call('POST', '/open311/v2/requests.json', undefined) // no key: nothing to log against
    await submit(key) // a key without open311:submit: refused, and logged
    const rows = await uses(partner.id)
    expect(rows.map((u) => Object.keys(u).sort())[0]).toEqual(
      ['account_id', 'at', 'id', 'method', 'route', 'scope', 'status'].sort(),
    )
    expect(rows.map((u) => [u.method, u.route, u.scope, u.status])).toEqual([
      ['POST', '/api/v1/partner/requests', 'requests:write', 201],
      ['GET', '/api/v1/partner/requests/:id', 'requests:read', 200],
      ['GET', '/api/v1/partner/requests', 'requests:read', 200],
      ['POST', '/api/v1/partner/requests/:id/comments', 'requests:write', 201],
      ['POST', '/open311/v2/requests.:format', 'open311:submit', 403],
    ])
    for (const u of rows) {
      expect(Number(u.at)).toBeGreaterThanOrEqual(before - 1000)
      expect(Number(u.at)).toBeLessThanOrEqual(Date.now() + 1000)
    }
    const text = JSON.stringify(rows)
    expect(text).not.toContain(created.id)
    expect(text).not.toContain('secret')
    expect(text).not.toContain('status=open')
    const listed = (await server.store.listApiAccounts()).find((a) => a.id === partner.id)!
    expect(listed.lastUsedAt).toBe(Math.max(...rows.map((u) => Number(u.at))))
  })

  it('turns the portal keys of before into accounts that keep working', async () => {
    const old = TEST_STORE === 'postgres' ? await testDatabase(dir) : join(dir, 'old', 'grc.db')
    const db = openDatabase(databaseTarget(old))
    try {
      await migrateServerStore(db, SERVER_MIGRATIONS.slice(0, 3), 'old')
      await db.run('INSERT INTO portal_keys (key_hash, portal, created_at) VALUES (?, ?, ?)', [
        sha256('the-old-portal-key'),
        'portail-ville',
        1_700_000_000_000,
      ])
    } finally {
      await db.close()
    }
    const upgraded = await startServer({
      database: old,
      resourcesDir: join(repoRoot, 'resources'),
      demoRequests: 0,
    })
    try {
      expect(upgraded.createdPortalKey).toBeNull() // it has an account: no new key
      const [migrated] = await upgraded.store.listApiAccounts()
      expect(migrated).toMatchObject({
        name: 'portail-ville',
        scopes: ['open311:submit', 'open311:read'],
        keyPrefix: `sha256:${sha256('the-old-portal-key').slice(0, 8)}`,
        categoryIds: null,
        teamIds: null,
        createdAt: 1_700_000_000_000,
        expiresAt: null,
        revokedAt: null,
      })
      const lookup = await upgraded.store.apiAccountByKey('the-old-portal-key')
      expect(lookup.ok).toBe(true)
      await expect(upgraded.store.sql.get('SELECT 1 FROM portal_keys')).rejects.toThrow()
    } finally {
      await upgraded.close()
    }
  })
})

describe(`api-accounts commands on ${TEST_STORE}`, () => {
  const run = async (...argv: string[]) => {
    const lines: string[] = []
    await runCommand(parseServerArgs([...argv, '--database', database]), (line) => lines.push(line))
    return lines.join('\n')
  }

  it('create prints the key once, list shows no secret, revoke stops the key', async () => {
    const created = await run(
      'api-accounts',
      'create',
      '--name',
      'Syndicat des eaux',
      '--scopes',
      'requests:read,requests:write',
      '--categories',
      'voirie,eclairage-public',
      '--teams',
      'voirie-nord',
      '--expires-days',
      '30',
      '--rate',
      '20',
    )
    expect(created).toMatch(/will not be shown again/)
    const key = /^(grc_[0-9a-f]{8})_\S+$/m.exec(created)![0]
    const prefix = key.slice(0, 12)
    const made = (await server.store.listApiAccounts()).find((a) => a.keyPrefix === prefix)!
    expect(made).toMatchObject({
      name: 'Syndicat des eaux',
      scopes: ['requests:read', 'requests:write'],
      categoryIds: ['eclairage-public', 'voirie'],
      teamIds: ['voirie-nord'],
      ratePerMinute: 20,
      revokedAt: null,
    })
    expect(made.expiresAt! - made.createdAt).toBe(30 * 24 * 3600_000)
    expect((await call('GET', '/api/v1/partner/requests?limit=1', key)).status).toBe(200)

    const listed = await run('api-accounts', 'list')
    expect(listed).toContain(prefix)
    expect(listed).toContain('Syndicat des eaux')
    expect(listed).toContain('requests:read, requests:write')
    expect(listed).toMatch(/rate: 20\/min/)
    expect(listed).toMatch(/last use \d{4}-\d\d-\d\d/)
    expect(listed).not.toContain(key)
    expect(listed).not.toContain(sha256(key))

    expect(await run('api-accounts', 'revoke', prefix)).toMatch(/revoked/)
    expect((await call('GET', '/api/v1/partner/requests?limit=1', key)).status).toBe(401)
    expect(await run('api-accounts', 'list')).toMatch(new RegExp(`${prefix}[^]*?revoked \\d{4}-`))
  })

  it('refuses, in words, an unknown scope, category or team, a missing name, an unknown account', async () => {
    expect(() =>
      parseServerArgs(['api-accounts', 'create', '--name', 'X', '--scopes', 'requests:delete']),
    ).toThrow(
      /unknown scope: requests:delete \(the scopes are open311:submit, open311:read, requests:read, requests:write\)/,
    )
    expect(() => parseServerArgs(['api-accounts', 'create', '--scopes', 'requests:read'])).toThrow(/--name/)
    expect(() => parseServerArgs(['api-accounts', 'create', '--name', 'X'])).toThrow(/--scopes/)
    expect(() =>
      parseServerArgs(['api-accounts', 'create', '--name', 'X', '--scopes', 'requests:read', '--rate', '0']),
    ).toThrow(/--rate/)
    expect(() => parseServerArgs(['api-accounts', 'delete'])).toThrow(/create, list, revoke/)
    expect(() => parseServerArgs(['api-accounts', 'revoke'])).toThrow(/id or its key prefix/)
    await expect(
      run(
        'api-accounts',
        'create',
        '--name',
        'X',
        '--scopes',
        'requests:read',
        '--categories',
        'teleportation',
      ),
    ).rejects.toThrow(new ApiAccountError('Unknown category: teleportation.'))
    await expect(
      run('api-accounts', 'create', '--name', 'X', '--scopes', 'requests:read', '--teams', 'nowhere'),
    ).rejects.toThrow(/Unknown team: nowhere/)
    await expect(run('api-accounts', 'revoke', 'grc_ffffffff')).rejects.toThrow(/No API account/)
  })

  it('runs as the server’s command line', () => {
    const cli = (...argv: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...argv, '--database', database], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 60_000,
      })
    const bad = cli('api-accounts', 'create', '--name', 'X', '--scopes', 'open311:everything')
    expect(bad.status).toBe(1)
    expect(bad.stderr).toMatch(/unknown scope: open311:everything/)
    const listed = cli('api-accounts', 'list')
    expect(listed.status, listed.stderr).toBe(0)
    expect(listed.stdout).toContain('portail')
    expect(listed.stdout).toContain('open311:submit, open311:read')
  })
})

describe(`a partner’s request in the consoles, on ${TEST_STORE}`, () => {
  it('reaches the team’s console through the change feed, with its note', async () => {
    const world = await openSyncWorld({ requests: 40 })
    try {
      const zoe = await world.client('zoe', 'zoe.agent')
      await zoe.settle()
      const { key } = await world.server.store.createApiAccount({
        name: 'Concessionnaire gaz',
        scopes: ['requests:write'],
      })
      const post = (path: string, body: unknown) =>
        fetch(`${world.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      const created = await post(
        '/api/v1/partner/requests',
        newRequest({ title: 'Fuite de gaz rue de la Paix' }),
      )
      expect(created.status).toBe(201)
      const { id } = (await created.json()) as PartnerRequest
      await zoe.settle()
      expect(
        zoe.db.prepare('SELECT title, channel, team_id AS teamId FROM requests WHERE id = ?').get(id),
      ).toEqual({ title: 'Fuite de gaz rue de la Paix', channel: 'api', teamId: 'voirie-nord' })

      expect(
        (await post(`/api/v1/partner/requests/${id}/comments`, { body: 'Équipe sur place à 14 h.' })).status,
      ).toBe(201)
      await zoe.settle()
      expect(
        zoe.db
          .prepare('SELECT kind, body, author_name AS authorName FROM comments WHERE request_id = ?')
          .all(id),
      ).toEqual([{ kind: 'internal', body: 'Équipe sur place à 14 h.', authorName: 'Concessionnaire gaz' }])
      // What the agent sees, through the console's own contract.
      expect(await zoe.value('request.get', { id })).toMatchObject({ channel: 'api', hasCitizen: false })
      expect(await zoe.value('request.comments', { id })).toEqual([
        expect.objectContaining({ kind: 'internal', authorName: 'Concessionnaire gaz' }),
      ])
    } finally {
      await world.close()
    }
  })
})
