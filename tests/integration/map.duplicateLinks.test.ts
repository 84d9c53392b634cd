/**
 * Duplicate links on the map through the real dispatch on a real cache (issue 14): the
 * groups touching the box (by their master or any duplicate), within the session's scope,
 * gone once un-linked, capped; and the index of migration 0015 on a cache made before it.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/core/config'
import { duplicateLinksSql } from '../../src/main/cache/queries/mapDuplicates'
import { createConsole } from '../../src/main/console'
import type { InputOf, OutputOf } from '../../src/shared/contract'
import type { RequestDetail } from '../../src/shared/domain'
import type { Result } from '../../src/shared/result'
import { DEMO_PASSWORD, openTestCore, repoRoot, type TestCore } from '../support/core'

const T0 = Date.UTC(2026, 2, 16, 9, 0)
const REQUESTS = 200
let t: TestCore

/** Place Stanislas, Nancy: voirie requests there go to `voirie` (Zoé's team). */
const P = { lat: 48.69355, lon: 6.1832 }
/** Jarville-la-Malgrange: voirie requests there go to `voirie-sud` (not Zoé's). */
const JARVILLE = { lat: 48.6712, lon: 6.2045 }
const TERRITORY = { minLat: 48.5, maxLat: 48.9, minLon: 5.9, maxLon: 6.5 }
const offset = (p: { lat: number; lon: number }, north: number, east: number) => ({
  lat: p.lat + north / 111_320,
  lon: p.lon + east / (111_320 * Math.cos((p.lat * Math.PI) / 180)),
})
/** A box `m` metres each side of a place. */
const around = (p: { lat: number; lon: number }, m: number) => {
  const sw = offset(p, -m, -m)
  const ne = offset(p, m, m)
  return { minLat: sw.lat, minLon: sw.lon, maxLat: ne.lat, maxLon: ne.lon }
}

const create = (title: string, location: { lat: number; lon: number }): Promise<RequestDetail> =>
  t.value('request.create', {
    categoryId: 'voirie',
    channel: 'phone',
    title,
    description: title,
    location,
    address: 'Nancy',
  })

const links = (bbox: InputOf<'map.duplicateLinks'>['bbox'], limit?: number) =>
  t.value('map.duplicateLinks', { bbox, ...(limit ? { limit } : {}) })
/** The group of `master` in an answer, if any. */
const groupOf = (answer: OutputOf<'map.duplicateLinks'>, master: RequestDetail) =>
  answer.groups.find((g) => g.master.id === master.id)
const duplicateIds = (answer: OutputOf<'map.duplicateLinks'>, master: RequestDetail) =>
  groupOf(answer, master)
    ?.duplicates.map((d) => d.id)
    .sort()

let north: RequestDetail
let northNear: RequestDetail
let northFar: RequestDetail
let south: RequestDetail
let southDup: RequestDetail

async function link(duplicate: RequestDetail, master: RequestDetail): Promise<RequestDetail> {
  return t.value('duplicates.link', { id: duplicate.id, masterId: master.id })
}

beforeAll(async () => {
  t = await openTestCore({ requests: REQUESTS, now: () => T0 })
  await t.as('sara.sup')
  north = await create('Nid-de-poule place Stanislas', P)
  northNear = await create('Trou dans la chaussée', offset(P, 400, 0))
  northFar = await create('Chaussée abîmée', offset(P, 0, 2500))
  south = await create('Chaussée affaissée', JARVILLE)
  southDup = await create('Affaissement', offset(JARVILLE, 60, 0))
  expect([north.teamId, south.teamId]).toEqual(['voirie', 'voirie-sud'])
  northNear = await link(northNear, north)
  northFar = await link(northFar, north)
  southDup = await link(southDup, south)
})
afterAll(() => t.close())

describe('map.duplicateLinks', () => {
  it('answers a group whose master is in the box, with every duplicate, even those outside', async () => {
    await t.as('sara.sup')
    const answer = await links(around(P, 100))
    expect(groupOf(answer, north)?.master).toEqual({
      id: north.id,
      reference: north.reference,
      lat: P.lat,
      lon: P.lon,
      statusKind: 'open',
    })
    expect(duplicateIds(answer, north)).toEqual([northNear.id, northFar.id].sort())
    const far = groupOf(answer, north)?.duplicates.find((d) => d.id === northFar.id)
    expect(far).toEqual({
      id: northFar.id,
      reference: northFar.reference,
      lat: northFar.location!.lat,
      lon: northFar.location!.lon,
    })
    expect(groupOf(answer, south)).toBeUndefined()
    expect(answer.capped).toBe(false)
  })

  it('answers a group when only one of its duplicates is in the box, and none for an empty box', async () => {
    await t.as('sara.sup')
    const byFarDuplicate = await links(around(northFar.location!, 50))
    expect(duplicateIds(byFarDuplicate, north)).toEqual([northNear.id, northFar.id].sort())
    expect(groupOf(byFarDuplicate, south)).toBeUndefined()
    const sea = await links({ minLat: 40, maxLat: 40.1, minLon: -30, maxLon: -29.9 })
    expect(sea).toEqual({ groups: [], capped: false })
  })

  it('keeps to the session’s scope: an agent sees her teams’ links only, another team’s agent none of them', async () => {
    await t.as('sara.sup')
    const all = await links(TERRITORY)
    expect(duplicateIds(all, south)).toEqual([southDup.id])

    const zoe = await t.as('zoe.agent')
    const hers = await links(TERRITORY)
    expect(duplicateIds(hers, north)).toEqual([northNear.id, northFar.id].sort())
    expect(groupOf(hers, south)).toBeUndefined()
    // Every request on her map, master or duplicate, is one of her teams'.
    const teamOf = t.db.prepare('SELECT team_id FROM requests WHERE id = ?').pluck()
    for (const g of hers.groups)
      for (const id of [g.master.id, ...g.duplicates.map((d) => d.id)])
        expect(zoe.teamIds).toContain(teamOf.get(id))
    expect(hers.groups.length).toBeLessThan(all.groups.length)

    await t.as('nora.agent')
    const noras = await links(TERRITORY)
    expect(groupOf(noras, north)).toBeUndefined()
    expect(groupOf(noras, south)).toBeUndefined()
  })

  it('caps the groups and says so', async () => {
    await t.as('sara.sup')
    const all = await links(TERRITORY)
    expect(all.groups.length).toBeGreaterThan(2)
    const two = await links(TERRITORY, 2)
    expect(two.groups).toHaveLength(2)
    expect(two.capped).toBe(true)
    // The most recent masters first: the two just linked here.
    expect(two.groups.map((g) => g.master.id).sort()).toEqual([north.id, south.id].sort())
  })

  it('drops a duplicate once un-linked, and the group with its last duplicate', async () => {
    await t.as('sara.sup')
    await t.value('duplicates.unlink', { id: northFar.id })
    expect(duplicateIds(await links(TERRITORY), north)).toEqual([northNear.id])
    // The far request's own place no longer brings the group.
    expect(groupOf(await links(around(northFar.location!, 50)), north)).toBeUndefined()
    await t.value('duplicates.unlink', { id: northNear.id })
    expect(groupOf(await links(TERRITORY), north)).toBeUndefined()
    // Linked again: back on the map.
    await link(northNear, north)
    expect(duplicateIds(await links(TERRITORY), north)).toEqual([northNear.id])
  })
})

describe('migration 0015 on an existing cache', () => {
  /** Whether the map's query, for an agent's teams, reads the linked requests from the index alone. */
  const usesIndex = (db: TestCore['db']) => {
    const params: Record<string, unknown> = { ...TERRITORY, take: 10 }
    const sql = duplicateLinksSql(['voirie', 'voirie-nord'], params)
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).some((r) =>
      r.detail.includes('USING COVERING INDEX requests_duplicate_of'),
    )
  }

  it('adds the index to a cache made before it, which keeps its links and answers them', async () => {
    const dir = join(t.dataDir, 'before-0015')
    const config = parseConfig({ demo: { requests: REQUESTS, seed: 7 } }, 'test')
    const open = () =>
      createConsole({ config, resourcesDir: join(repoRoot, 'resources'), userDataDir: dir, now: () => T0 })
    const before = await open()
    // The cache as a console before 0015 left it: at version 14, without the index, nor what
    // the migrations after it add (each has its own test).
    before.db.exec(`DROP INDEX requests_duplicate_of;
      DROP TABLE notifications; DROP TABLE notification_settings; DROP TABLE notification_watch;
      DROP INDEX requests_open_cards;
      DROP INDEX requests_tagged; ALTER TABLE requests DROP COLUMN tags; ALTER TABLE requests DROP COLUMN tag_keys;
      DROP TABLE request_due_counts; DROP TRIGGER requests_counts_due_ai; DROP TRIGGER requests_counts_due_ad;
      DROP TRIGGER requests_counts_due_au_old; DROP TRIGGER requests_counts_due_au_new;
      DROP TABLE team_changes; DROP TRIGGER requests_counts_team_changes_ai;
      DROP TRIGGER requests_counts_team_changes_ad; DROP TRIGGER requests_counts_team_changes_au;
      DROP TABLE requests_team_fts; DROP TABLE team_search_state; DROP TRIGGER requests_fts_team_ai;
      DROP TRIGGER requests_fts_team_ad; DROP TRIGGER requests_fts_team_au; DROP TRIGGER citizens_fts_team_ai;
      DROP TRIGGER citizens_fts_team_au; DROP TRIGGER citizens_fts_team_ad;`)
    before.db.pragma('user_version = 14')
    expect(usesIndex(before.db)).toBe(false)
    const linked = before.db
      .prepare(`SELECT count(*) FROM requests WHERE json_extract(fields, '$.duplicateOf') <> ''`)
      .pluck()
      .get() as number
    expect(linked).toBeGreaterThan(0)
    await before.close()

    const after = await open()
    try {
      expect(after.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(15)
      expect(usesIndex(after.db)).toBe(true)
      const login = await after.invoke('session.login', { login: 'sara.sup', password: DEMO_PASSWORD })
      expect(login.ok).toBe(true)
      const r = (await after.invoke('map.duplicateLinks', { bbox: TERRITORY })) as Result<
        OutputOf<'map.duplicateLinks'>
      >
      const answered = r.ok ? r.value.groups.reduce((n, g) => n + g.duplicates.length, 0) : -1
      // Every demo link whose master is placed and whose duplicate lies in the territory or is unplaced.
      expect(answered).toBeGreaterThan(0)
      expect(answered).toBeLessThanOrEqual(linked)
    } finally {
      await after.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
