/**
 * The demo profile (Métropole du Grand Nancy): the same seed gives the same data, points
 * fall inside the territory, statuses and histories follow the workflows, the XSS probe
 * is there for the UI tests, and every demo account exists.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROLES } from '../../src/shared/domain'
import { DEMO_AGENTS, seedDemo, XSS_DESCRIPTION, XSS_REQUEST_ID } from '../../src/main/cache/demoSeed'
import { openMemoryStore, openStore, type Db } from '../../src/main/cache/db'
import { listHistory } from '../../src/main/cache/queries/history'
import { getAgentByLogin } from '../../src/main/cache/queries/reference'
import { getRequestRow, listQueue, type RequestRow } from '../../src/main/cache/queries/requests'

const ROOT = resolve(__dirname, '..', '..')
const NOW = Date.UTC(2026, 2, 16, 10, 0)
const COUNT = 2000
let dir: string
let db: Db
let rows: RequestRow[]

const open = (name: string, seed: number) => {
  const store = openStore(join(dir, name))
  seedDemo(store, { count: COUNT, seed, now: NOW })
  return store
}
const snapshot = (store: Db) =>
  store
    .prepare(
      'SELECT id, reference, title, status, team_id, assignee_id, lat, lon, citizen_id, due_at FROM requests ORDER BY rowid',
    )
    .all()

interface Workflow {
  id: string
  states: { id: string; kind: 'open' | 'closed' }[]
  transitions: { id: string; from: string[]; to: string }[]
}
const workflows = new Map<string, Workflow>(
  ['intervention', 'information'].map((id) => [
    id,
    JSON.parse(readFileSync(join(ROOT, 'resources', 'workflows', `${id}.json`), 'utf8')) as Workflow,
  ]),
)

type Ring = number[][]
/** Ray casting, written here independently of the generator's own. */
const inRing = (lon: number, lat: number, ring: Ring) => {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number]
    const [xj, yj] = ring[j] as [number, number]
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}
const communes = (
  JSON.parse(readFileSync(join(ROOT, 'resources', 'grand-nancy-communes.geojson'), 'utf8')) as {
    features: { properties: { code: string; nom: string }; geometry: { type: string; coordinates: Ring[] } }[]
  }
).features
const communeAt = (lon: number, lat: number) =>
  communes.find((f) => f.geometry.type === 'Polygon' && inRing(lon, lat, f.geometry.coordinates[0]!))

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-demo-'))
  db = open('a.db', 42)
  rows = (db.prepare('SELECT id FROM requests ORDER BY rowid').pluck().all() as string[]).map((id) =>
    getRequestRow(db, id)!,
  )
})
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('demo seed', () => {
  it('is deterministic: the same seed gives the same requests, another seed others', () => {
    const again = open('b.db', 42)
    const other = open('c.db', 43)
    expect(snapshot(again)).toEqual(snapshot(db))
    expect(again.prepare('SELECT count(*) FROM history_events').pluck().get()).toBe(
      db.prepare('SELECT count(*) FROM history_events').pluck().get(),
    )
    const titles = (s: Db) =>
      s.prepare('SELECT reference || title FROM requests ORDER BY reference').pluck().all()
    expect(titles(other)).not.toEqual(titles(db))
    again.close()
    other.close()
  })

  it('makes the requested count with unique references GRC-YYYY-NNNNNN of their creation year', () => {
    expect(rows).toHaveLength(COUNT)
    expect(new Set(rows.map((r) => r.reference)).size).toBe(COUNT)
    for (const r of rows) {
      expect(r.reference).toMatch(/^GRC-\d{4}-\d{6}$/)
      expect(r.reference.slice(4, 8)).toBe(String(new Date(r.createdAt).getUTCFullYear()))
      expect(r.createdAt).toBeLessThanOrEqual(NOW)
      expect(r.dueAt!).toBeGreaterThan(r.createdAt)
    }
  })

  it('puts every point inside a commune of the territory, and routes north roads to voirie-nord', () => {
    const located = rows.filter((r) => r.lat !== null && r.lon !== null)
    expect(located.length).toBeGreaterThan(COUNT / 2)
    const north = new Set(['Maxéville', 'Malzéville', 'Dommartemont', 'Saint-Max', 'Essey-lès-Nancy'])
    for (const r of located) {
      const commune = communeAt(r.lon!, r.lat!)
      expect(commune, `${r.reference} at ${r.lat},${r.lon}`).toBeDefined()
      if (r.categoryId === 'voirie')
        expect(r.teamId === 'voirie-nord').toBe(north.has(commune!.properties.nom))
    }
  })

  it('gives statuses of the category’s workflow, more open than closed, about 30% anonymous', () => {
    const categories = new Map(
      (
        db.prepare('SELECT id, workflow_id FROM categories').all() as { id: string; workflow_id: string }[]
      ).map((c) => [c.id, workflows.get(c.workflow_id)!]),
    )
    for (const r of rows) {
      const state = categories.get(r.categoryId)!.states.find((s) => s.id === r.status)
      expect(state, `${r.categoryId}/${r.status}`).toBeDefined()
      expect(r.statusKind).toBe(state!.kind)
      expect(r.closedAt === null).toBe(r.statusKind === 'open')
      if (r.status === 'waiting_citizen') expect(r.citizenId && r.slaPausedSince).toBeTruthy()
      if (['assigned', 'scheduled', 'in_progress', 'done'].includes(r.status))
        expect(r.assigneeId).not.toBeNull()
    }
    const open = rows.filter((r) => r.statusKind === 'open').length
    expect(open).toBeGreaterThan(COUNT - open)
    const anonymous = rows.filter((r) => r.citizenId === null).length / COUNT
    expect(anonymous).toBeGreaterThan(0.2)
    expect(anonymous).toBeLessThan(0.4)
  })

  it('writes histories that follow the workflow’s transitions up to the current status', () => {
    const workflowOf = new Map(
      (
        db.prepare('SELECT id, workflow_id FROM categories').all() as { id: string; workflow_id: string }[]
      ).map((c) => [c.id, workflows.get(c.workflow_id)!]),
    )
    for (const r of rows.filter((_, i) => i % 7 === 0)) {
      const history = listHistory(db, r.id)
      expect(history.slice(0, 2).map((h) => h.kind)).toEqual(['created', 'routed'])
      expect(history[1]!.data.teamId).toBe(r.teamId)
      let status = 'new'
      for (const h of history.filter((e) => e.kind === 'transitioned')) {
        const t = workflowOf.get(r.categoryId)!.transitions.find((x) => x.id === h.data.transitionId)
        expect(t, String(h.data.transitionId)).toBeDefined()
        expect(t!.from).toContain(status)
        expect(h.data).toMatchObject({ from: status, to: t!.to })
        status = t!.to
      }
      expect(status).toBe(r.status)
      const times = history.map((h) => Date.parse(h.at))
      expect([...times].sort((a, b) => a - b)).toEqual(times)
    }
    expect(db.prepare('SELECT count(*) FROM comments').pluck().get()).toBeGreaterThan(0)
  })

  it('includes the XSS probe, in a team zoe.agent sees, findable by its reference', () => {
    const xss = getRequestRow(db, XSS_REQUEST_ID)!
    expect(xss.description).toBe(XSS_DESCRIPTION)
    expect(XSS_DESCRIPTION).toBe('<img src=x onerror="alert(1)"><script>alert(2)</script> Lampadaire cassé')
    const zoe = DEMO_AGENTS.find((a) => a.login === 'zoe.agent')!
    expect(zoe.teamIds).toContain(xss.teamId)
    const scope = { kind: 'teams' as const, teamIds: zoe.teamIds }
    const found = listQueue(db, {
      scope,
      filter: { text: xss.reference },
      sort: 'created_desc',
      after: null,
      limit: 5,
      now: NOW,
    })
    expect(found.rows.map((r) => r.id)).toEqual([XSS_REQUEST_ID])
  })

  it('keeps test strings away from the newest requests, the ones a trial user opens first', () => {
    const zoe = DEMO_AGENTS.find((a) => a.login === 'zoe.agent')!
    for (const scope of [{ kind: 'teams' as const, teamIds: zoe.teamIds }, { kind: 'all' as const }]) {
      const first = listQueue(db, {
        scope,
        filter: {},
        sort: 'created_desc',
        after: null,
        limit: 100,
        now: NOW,
      })
      expect(first.rows.map((r) => r.id)).not.toContain(XSS_REQUEST_ID)
      for (const row of first.rows) {
        const full = getRequestRow(db, row.id)!
        expect(`${full.title} ${full.description}`, full.reference).not.toMatch(/[<>]|onerror|alert\(/)
      }
    }
  })

  it('creates an account per role, with teams, matching resources/demo/accounts.json', () => {
    expect(new Set(DEMO_AGENTS.flatMap((a) => a.roles))).toEqual(new Set(ROLES))
    const accounts = JSON.parse(readFileSync(join(ROOT, 'resources', 'demo', 'accounts.json'), 'utf8')) as {
      login: string
      roles: string[]
      teamIds: string[]
      passwordHash: string
    }[]
    for (const agent of DEMO_AGENTS) {
      expect(getAgentByLogin(db, agent.login)).toEqual(agent)
      const account = accounts.find((a) => a.login === agent.login)!
      expect(account).toMatchObject({ roles: agent.roles, teamIds: agent.teamIds })
      expect(account.passwordHash).toMatch(/^scrypt\$/)
    }
    for (const login of ['zoe.agent', 'luc.lead', 'tom.tech', 'nora.agent'])
      expect(getAgentByLogin(db, login)!.teamIds.length).toBeGreaterThan(0)
  })

  it('leaves the search index, the map index and the counts complete after the bulk load', () => {
    const located = rows.filter((r) => r.lat !== null).length
    expect(db.prepare('SELECT count(*) FROM requests_geo').pluck().get()).toBe(located)
    expect(db.prepare('SELECT sum(n) FROM request_counts').pluck().get()).toBe(COUNT)
    const rowids = db.prepare(`SELECT rowid FROM requests_fts WHERE requests_fts MATCH 'grc*'`).pluck().all()
    expect(rowids).toHaveLength(COUNT)
    const triggers = (store: Db) =>
      store.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name`).all()
    const fresh = openMemoryStore()
    expect(triggers(db)).toEqual(triggers(fresh))
    fresh.close()
  })
})
