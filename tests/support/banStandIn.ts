/**
 * A stand-in for the national address base's geocoder (BAN, api-adresse.data.gouv.fr), which
 * tests cannot reach: an HTTP server on loopback that answers `/search/?q=&limit=&lat=&lon=`
 * and `/reverse/?lon=&lat=` in the documented format (a GeoJSON FeatureCollection, GeoCodeJSON,
 * whose Point features carry `label`, `score`, `citycode`, `city`…), over a few addresses of
 * the Grand Nancy. `mode` makes it misbehave: a malformed answer, or one that never comes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../src/core/config'
import { createConsole } from '../../src/main/console'
import { repoRoot } from './core'

export interface StandInAddress {
  label: string
  housenumber: string
  street: string
  postcode: string
  citycode: string
  city: string
  lon: number
  lat: number
}

export const NANCY_ADDRESSES: readonly StandInAddress[] = [
  {
    label: '5 Rue Solvay 54320 Maxéville',
    housenumber: '5',
    street: 'Rue Solvay',
    postcode: '54320',
    citycode: '54357',
    city: 'Maxéville',
    lon: 6.16,
    lat: 48.71,
  },
  {
    label: '12 Rue Saint-Dizier 54000 Nancy',
    housenumber: '12',
    street: 'Rue Saint-Dizier',
    postcode: '54000',
    citycode: '54395',
    city: 'Nancy',
    lon: 6.18235,
    lat: 48.69141,
  },
  {
    label: '3 Place Stanislas 54000 Nancy',
    housenumber: '3',
    street: 'Place Stanislas',
    postcode: '54000',
    citycode: '54395',
    city: 'Nancy',
    lon: 6.18327,
    lat: 48.69358,
  },
  {
    label: '8 Rue de la République 54500 Vandœuvre-lès-Nancy',
    housenumber: '8',
    street: 'Rue de la République',
    postcode: '54500',
    citycode: '54547',
    city: 'Vandœuvre-lès-Nancy',
    lon: 6.17183,
    lat: 48.65891,
  },
  {
    label: '8 Rue de la République 54000 Nancy',
    housenumber: '8',
    street: 'Rue de la République',
    postcode: '54000',
    citycode: '54395',
    city: 'Nancy',
    lon: 6.17632,
    lat: 48.68922,
  },
]

export type StandInMode = 'ok' | 'malformed' | 'slow'

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/œ/g, 'oe')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)

function feature(a: StandInAddress, score: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [a.lon, a.lat] },
    properties: {
      label: a.label,
      score,
      housenumber: a.housenumber,
      id: `${a.citycode}_${a.street.length}_${a.housenumber.padStart(5, '0')}`,
      name: `${a.housenumber} ${a.street}`,
      postcode: a.postcode,
      citycode: a.citycode,
      city: a.city,
      context: '54, Meurthe-et-Moselle, Grand Est',
      type: 'housenumber',
      importance: 0.6,
      street: a.street,
      ...extra,
    },
  }
}

const collection = (features: unknown[], query: Record<string, unknown>) => ({
  type: 'FeatureCollection',
  version: 'draft',
  features,
  attribution: 'BAN',
  licence: 'ETALAB-2.0',
  ...query,
})

/** Metres between two points (equirectangular: fine at a town's scale). */
const metres = (a: { lon: number; lat: number }, b: { lon: number; lat: number }) => {
  const x = (b.lon - a.lon) * Math.cos(((a.lat + b.lat) / 2) * (Math.PI / 180))
  const y = b.lat - a.lat
  return Math.sqrt(x * x + y * y) * 111_320
}

export interface BanStandIn {
  url: string
  /** Every request received, path and query, in order. */
  requests: URL[]
  mode: StandInMode
  close(): Promise<void>
}

export async function startBanStandIn(
  addresses: readonly StandInAddress[] = NANCY_ADDRESSES,
): Promise<BanStandIn> {
  const sockets = new Set<import('node:net').Socket>()
  const state: BanStandIn = {
    url: '',
    requests: [],
    mode: 'ok',
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }

  function answer(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://stand-in')
    state.requests.push(url)
    if (state.mode === 'slow') return // never answers: the client's timeout must act
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
      res.end(typeof body === 'string' ? body : JSON.stringify(body))
    }
    if (state.mode === 'malformed')
      return send(200, { type: 'FeatureCollection', features: [{ type: 'Feature' }] })
    const p = url.searchParams
    if (url.pathname === '/search/') {
      const q = p.get('q') ?? ''
      if (q.trim().length < 3) return send(400, { code: 400, message: 'q must contain at least 3 chars' })
      const limit = Number(p.get('limit') ?? '5')
      const near =
        p.has('lat') && p.has('lon') ? { lat: Number(p.get('lat')), lon: Number(p.get('lon')) } : null
      const words = fold(q)
      const found = addresses
        .map((a) => {
          const theirs = fold(a.label)
          const matched = words.filter((w) => theirs.some((t) => t.startsWith(w))).length
          // Nearer the given point ranks higher, as the documented `lat`/`lon` priority does.
          const nearness = near ? 1 / (1 + metres(near, a) / 10_000) : 0
          return { a, score: (matched / words.length) * 0.8 + nearness * 0.2, matched }
        })
        .filter((m) => m.matched === words.length)
        .sort((x, y) => y.score - x.score)
        .slice(0, limit)
      return send(
        200,
        collection(
          found.map((m) => feature(m.a, m.score)),
          { query: q, limit },
        ),
      )
    }
    if (url.pathname === '/reverse/') {
      const point = { lon: Number(p.get('lon')), lat: Number(p.get('lat')) }
      if (!Number.isFinite(point.lon) || !Number.isFinite(point.lat))
        return send(400, { code: 400, message: 'lon/lat required' })
      const nearest = addresses
        .map((a) => ({ a, d: metres(point, a) }))
        .filter((m) => m.d < 500)
        .sort((x, y) => x.d - y.d)
        .slice(0, 1)
      return send(
        200,
        collection(
          nearest.map((m) => feature(m.a, 0.99, { distance: Math.round(m.d) })),
          { limit: 1 },
        ),
      )
    }
    send(404, { code: 404, message: 'not found' })
  }

  const server: Server = createServer(answer)
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}

/** A real core on a temp SQLite file (the demo profile) whose `geocoding.url` is `geocoderUrl`. */
export async function openConsoleWithGeocoder(
  geocoderUrl: string,
  options: { requests: number; timeoutSeconds: number; logError?: (where: string, error: unknown) => void },
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'grc-intake-'))
  const core = await createConsole({
    config: parseConfig(
      {
        demo: { requests: options.requests, seed: 7 },
        geocoding: { url: geocoderUrl, timeoutSeconds: options.timeoutSeconds },
      },
      'test',
    ),
    resourcesDir: join(repoRoot, 'resources'),
    userDataDir: dataDir,
    logError: options.logError,
  })
  return {
    core,
    async close() {
      await core.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
