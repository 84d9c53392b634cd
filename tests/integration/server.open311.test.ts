/**
 * The Open311 GeoReport v2 intake over real HTTP, as a citizens' portal calls it: the
 * services, a submission routed by the routing rules, the public status, and the errors,
 * in JSON and in XML.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Category } from '../../src/shared/domain'
import { pointInPolygon, type AreaGeometry } from '../../src/shared/geo'
import { startServer, type RunningServer } from '../../src/server/start'
import { testDatabase } from '../support/serverStore'

const repoRoot = join(__dirname, '..', '..')
const PORTAL_KEY = 'portal-key-for-tests'
const categories = JSON.parse(
  readFileSync(join(repoRoot, 'resources', 'demo', 'categories.json'), 'utf8'),
) as Category[]
const sectors = JSON.parse(readFileSync(join(repoRoot, 'resources', 'demo', 'sectors.json'), 'utf8')) as {
  id: string
  geometry: AreaGeometry
}[]

/** Malzéville: in the Nord sector, where rule `voirie-nord` sends roads to team `voirie-nord`. */
const IN_NORD = { lat: 48.71845, lon: 6.17886 }
/** Saulxures-lès-Nancy: in the Est sector, which no roads rule names (team `voirie`). */
const IN_EST = { lat: 48.68237, lon: 6.24827 }

const PUBLIC_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
].sort()

interface PublicRequest {
  service_request_id: string
  status: string
  service_code: string
  service_name: string | null
  description: string
  agency_responsible: string | null
  requested_datetime: string
  lat: number | null
  long: number | null
  [field: string]: unknown
}
type Receipt = { service_request_id: string; service_notice: string; account_id: null }[]
type Errors = { code: number; description: string }[]

let dir: string
let server: RunningServer

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'grc-open311-'))
  server = await startServer({
    database: await testDatabase(dir),
    resourcesDir: join(repoRoot, 'resources'),
    demoRequests: 200,
    portalKey: PORTAL_KEY,
  })
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

const get = (path: string) => fetch(`${server.url}/open311/v2/${path}`)

const post = (format: string, fields: Record<string, string>) =>
  fetch(`${server.url}/open311/v2/requests.${format}`, { method: 'POST', body: new URLSearchParams(fields) })

/** A complete roads report in the Nord sector; `fields` override or (as undefined) remove. */
function roadsReport(fields: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    api_key: PORTAL_KEY,
    service_code: 'voirie',
    lat: String(IN_NORD.lat),
    long: String(IN_NORD.lon),
    'attribute[subcategory]': 'Nid-de-poule',
    description: 'Un nid-de-poule profond devant le n° 12.',
    ...fields,
  }
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined))
}

/** The texts of every `<tag>` element (the documents here have no attributes). */
const xmlTexts = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1])

const countRequests = async () =>
  (await server.store.sql.get<{ n: number }>('SELECT count(*) AS n FROM requests'))!.n

async function expectError(response: Response, code: number, format: 'json' | 'xml' = 'json') {
  expect(response.status).toBe(code)
  if (format === 'json') {
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const errors = (await response.json()) as Errors
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code, description: expect.any(String) })
    return errors[0]!.description
  }
  expect(response.headers.get('content-type')).toBe('text/xml; charset=utf-8')
  const xml = await response.text()
  expect(xml).toMatch(
    new RegExp(
      `^<\\?xml version="1.0" encoding="utf-8"\\?>\\s*<errors><error><code>${code}</code><description>[^<]+</description></error></errors>\\s*$`,
    ),
  )
  return xmlTexts(xml, 'description')[0]
}

describe('Open311 services', () => {
  it('lists one service per category, in JSON', async () => {
    const response = await get('services.json')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const services = (await response.json()) as Record<string, unknown>[]
    expect(services.map((s) => s.service_code).sort()).toEqual(categories.map((c) => c.id).sort())
    expect(services.find((s) => s.service_code === 'voirie')).toMatchObject({
      service_name: 'Voirie et trottoirs',
      metadata: true,
      type: 'realtime',
      group: 'voirie',
      description: expect.stringContaining('Voirie et trottoirs'),
      keywords: expect.stringContaining('Nid-de-poule'),
    })
  })

  it('lists the same services in XML', async () => {
    const response = await get('services.xml')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/xml; charset=utf-8')
    const xml = await response.text()
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true)
    expect(xml).toContain('<services><service><service_code>')
    expect(xmlTexts(xml, 'service_code').sort()).toEqual(categories.map((c) => c.id).sort())
    expect(xmlTexts(xml, 'service_name')).toContain('Éclairage public')
    expect(xmlTexts(xml, 'type').every((t) => t === 'realtime')).toBe(true)
  })

  it('defines a service with its sub-categories as a required single-value list', async () => {
    const roads = categories.find((c) => c.id === 'voirie')!
    const definition = (await (await get('services/voirie.json')).json()) as {
      service_code: string
      attributes: Record<string, unknown>[]
    }
    expect(definition.service_code).toBe('voirie')
    expect(definition.attributes).toEqual([
      expect.objectContaining({
        code: 'subcategory',
        datatype: 'singlevaluelist',
        required: true,
        variable: true,
        values: roads.subcategories.map((s) => ({ key: s, name: s })),
      }),
    ])

    const xml = await (await get('services/voirie.xml')).text()
    expect(xml).toContain('<service_definition><service_code>voirie</service_code><attributes><attribute>')
    expect(xmlTexts(xml, 'datatype')).toEqual(['singlevaluelist'])
    expect(xmlTexts(xml, 'key')).toEqual(roads.subcategories)
  })

  it('answers 404 for an unknown service, in the format asked', async () => {
    expect(await expectError(await get('services/no-such-service.json'), 404)).toContain('no-such-service')
    await expectError(await get('services/no-such-service.xml'), 404, 'xml')
  })

  it('answers 404 for a format that is neither JSON nor XML', async () => {
    await expectError(await get('services.csv'), 404)
    await expectError(await get('services/voirie.html'), 404)
    await expectError(await get('requests.yaml'), 404)
  })
})

describe('Open311 submission', () => {
  it('refuses a submission without an API key or with an unknown one, creating nothing', async () => {
    const before = await countRequests()
    expect(await expectError(await post('json', roadsReport({ api_key: undefined })), 403)).toMatch(/api_key/)
    await expectError(await post('xml', roadsReport({ api_key: 'not-a-key' })), 403, 'xml')
    expect(await countRequests()).toBe(before)
  })

  it('answers 404 for an unknown service_code', async () => {
    const message = await expectError(await post('json', roadsReport({ service_code: 'teleportation' })), 404)
    expect(message).toContain('teleportation')
  })

  it('refuses, with 400 naming the parameter, what the service cannot take', async () => {
    const before = await countRequests()
    const refused: [Record<string, string | undefined>, RegExp][] = [
      [{ lat: undefined, long: undefined }, /location/],
      [{ long: undefined }, /lat and long/],
      [{ lat: '91' }, /lat/],
      [{ long: 'east' }, /long/],
      [{ 'attribute[subcategory]': undefined }, /attribute\[subcategory\]/],
      [{ 'attribute[subcategory]': 'Licorne' }, /attribute\[subcategory\]/],
      [{ description: 'x'.repeat(4001) }, /description.*4000/],
      [{ email: 'not an address' }, /email/],
    ]
    for (const [fields, message] of refused)
      expect(await expectError(await post('json', roadsReport(fields)), 400)).toMatch(message)
    await expectError(await post('xml', roadsReport({ lat: undefined, long: undefined })), 400, 'xml')
    expect(await countRequests()).toBe(before)
  })

  it('takes an address instead of a point, and no location at all where none is needed', async () => {
    const byAddress = await post(
      'json',
      roadsReport({ lat: undefined, long: undefined, address_string: '3 rue Héré, Nancy' }),
    )
    expect(byAddress.status).toBe(200)
    const civil = categories.find((c) => !c.requiresLocation)!
    const noLocation = await post(
      'json',
      roadsReport({
        service_code: civil.id,
        lat: undefined,
        long: undefined,
        'attribute[subcategory]': civil.subcategories[0],
      }),
    )
    expect(noLocation.status).toBe(200)
  })

  it('creates an open311 request routed by the sector rules, and shows it publicly without the citizen', async () => {
    expect(sectors.filter((s) => pointInPolygon(IN_NORD, s.geometry)).map((s) => s.id)).toContain(
      'secteur-nord',
    )
    const response = await post(
      'json',
      roadsReport({ email: 'camille.martin@example.fr', first_name: 'Camille', last_name: 'Martin' }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const receipt = (await response.json()) as Receipt
    expect(receipt).toEqual([
      {
        service_request_id: expect.any(String),
        service_notice: expect.stringMatching(/référence/),
        account_id: null,
      },
    ])
    const id = receipt[0]!.service_request_id

    const [record] = await server.store.listPublicRequests({ ids: [id], limit: 1 })
    expect(record).toMatchObject({
      categoryId: 'voirie',
      subcategory: 'Nid-de-poule',
      channel: 'open311',
      teamId: 'voirie-nord',
      lat: IN_NORD.lat,
      lon: IN_NORD.lon,
      statusKind: 'open',
    })
    expect(receipt[0]!.service_notice).toContain(record!.reference)
    const citizen = await server.store.sql.get<Record<string, unknown>>(
      'SELECT name, email, phone, contact_preference FROM citizens WHERE id = ?',
      [record!.citizenId],
    )
    expect(citizen).toEqual({
      name: 'Camille Martin',
      email: 'camille.martin@example.fr',
      phone: null,
      contact_preference: 'email',
    })

    const shown = await get(`requests/${id}.json`)
    expect(shown.status).toBe(200)
    const text = await shown.text()
    expect(text).not.toMatch(/camille|martin/i)
    const requests = JSON.parse(text) as PublicRequest[]
    expect(requests).toHaveLength(1)
    expect(Object.keys(requests[0]!).sort()).toEqual(PUBLIC_FIELDS)
    expect(requests[0]).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: 'voirie',
      service_name: 'Voirie et trottoirs',
      description: 'Un nid-de-poule profond devant le n° 12.',
      agency_responsible: 'voirie-nord',
      lat: IN_NORD.lat,
      long: IN_NORD.lon,
      status_notes: null,
      expected_datetime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    })

    const xml = await (await get(`requests/${id}.xml`)).text()
    expect(xml).toContain(`<service_requests><request><service_request_id>${id}</service_request_id>`)
    expect(xmlTexts(xml, 'agency_responsible')).toEqual(['voirie-nord'])
    expect(xml).not.toMatch(/camille|martin/i)
  })

  it('routes the same report in a sector with no roads rule to the roads team', async () => {
    const receipt = (await (
      await post(
        'xml',
        roadsReport({ lat: String(IN_EST.lat), long: String(IN_EST.lon), phone: '03 83 00 00 00' }),
      )
    ).text()) as string
    expect(receipt).toMatch(
      /^<\?xml[^>]*>\s*<service_requests><request><service_request_id>[^<]+<\/service_request_id>/,
    )
    expect(receipt).toContain('<account_id/>')
    const id = xmlTexts(receipt, 'service_request_id')[0]!
    const [record] = await server.store.listPublicRequests({ ids: [id], limit: 1 })
    expect(record).toMatchObject({ channel: 'open311', teamId: 'voirie' })
    const contact = await server.store.sql.get('SELECT name, contact_preference FROM citizens WHERE id = ?', [
      record!.citizenId,
    ])
    expect(contact).toEqual({ name: '', contact_preference: 'phone' })
  })

  it('keeps markup in a description as data: verbatim in JSON, escaped in XML', async () => {
    // The bell character cannot appear in XML 1.0 at all, even escaped: it is dropped there.
    const description = `<script>alert("x")</script> & 'quotes'\u0007`
    const receipt = (await (await post('json', roadsReport({ description }))).json()) as Receipt
    const id = receipt[0]!.service_request_id

    const json = (await (await get(`requests/${id}.json`)).json()) as PublicRequest[]
    expect(json[0]!.description).toBe(description)

    const xml = await (await get(`requests/${id}.xml`)).text()
    expect(xml).not.toContain('<script>')
    expect(xml).not.toContain('\u0007')
    expect(xml).toContain(
      '<description>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;quotes&apos;</description>',
    )
  })
})

describe('Open311 request status', () => {
  it('answers 404 for an unknown request id, in JSON and XML', async () => {
    await expectError(await get('requests/00000000-0000-0000-0000-000000000000.json'), 404)
    await expectError(await get('requests/nope.xml'), 404, 'xml')
  })

  it('lists public requests, 50 by default, newest first, without personal data', async () => {
    const response = await get('requests.json')
    expect(response.status).toBe(200)
    const requests = (await response.json()) as PublicRequest[]
    const fromPortals = (await server.store.sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM requests WHERE channel = 'open311'",
    ))!.n
    expect(requests).toHaveLength(Math.min(50, fromPortals))
    // Requests taken at the counter or on the phone carry what agents typed: never published.
    const counter = (await server.store.sql.get<{ id: string }>(
      "SELECT id FROM requests WHERE channel <> 'open311' LIMIT 1",
    ))!.id
    expect((await get(`requests/${counter}.json`)).status).toBe(404)
    expect(requests.some((r) => r.service_request_id === counter)).toBe(false)
    for (const r of requests) expect(Object.keys(r).sort()).toEqual(PUBLIC_FIELDS)
    expect((await (await get('requests.json?limit=3')).json()) as unknown[]).toHaveLength(
      Math.min(3, fromPortals),
    )

    const xml = await (await get('requests.xml?limit=3')).text()
    expect(xml).toMatch(/^<\?xml[^>]*>\s*<service_requests><request>/)
    expect(xmlTexts(xml, 'service_request_id')).toEqual(
      ((await (await get('requests.json?limit=3')).json()) as PublicRequest[]).map(
        (r) => r.service_request_id,
      ),
    )
  })

  it('filters by status and service, and by the creation window', async () => {
    const closed = (await (await get('requests.json?status=closed&limit=200')).json()) as PublicRequest[]
    expect(closed.length).toBeGreaterThan(0)
    expect(closed.every((r) => r.status === 'closed')).toBe(true)

    const lighting = (await (
      await get('requests.json?service_code=eclairage-public&status=open&limit=200')
    ).json()) as PublicRequest[]
    expect(lighting.length).toBeGreaterThan(0)
    expect(lighting.every((r) => r.service_code === 'eclairage-public' && r.status === 'open')).toBe(true)

    const all = (await (await get('requests.json?limit=200')).json()) as PublicRequest[]
    const times = all.map((r) => r.requested_datetime).sort()
    const start = times[Math.floor(times.length / 4)]!
    const end = times[Math.floor((times.length * 3) / 4)]!
    const window = (await (
      await get(`requests.json?limit=200&start_date=${start}&end_date=${end}`)
    ).json()) as PublicRequest[]
    expect(window.length).toBeGreaterThan(0)
    expect(window.length).toBeLessThan(all.length)
    expect(window.every((r) => r.requested_datetime >= start && r.requested_datetime <= end)).toBe(true)
  })

  it('returns exactly the ids asked for, whatever the other parameters', async () => {
    const some = ((await (await get('requests.json?limit=3')).json()) as PublicRequest[]).map(
      (r) => r.service_request_id,
    )
    const asked = await get(
      `requests.json?service_request_id=${some.join(',')}&status=closed&service_code=piscines`,
    )
    const ids = ((await asked.json()) as PublicRequest[]).map((r) => r.service_request_id)
    expect(ids.sort()).toEqual([...some].sort())
  })

  it('refuses a bad query with 400', async () => {
    expect(await expectError(await get('requests.json?limit=500'), 400)).toMatch(/limit/)
    expect(await expectError(await get('requests.json?status=pending'), 400)).toMatch(/status/)
    expect(await expectError(await get('requests.xml?start_date=yesterday'), 400, 'xml')).toMatch(
      /start_date/,
    )
    expect(
      await expectError(
        await get('requests.json?start_date=2025-02-01T00:00:00Z&end_date=2025-01-01T00:00:00Z'),
        400,
      ),
    ).toMatch(/start_date/)
  })
})
