/**
 * The map's points cross IPC as columns: through a real core, `map.points` answers exactly
 * the requests the viewport query finds (same ids, places, statuses, categories,
 * priorities), the columns survive the structured clone IPC does and the web bridge's JSON,
 * and the contract refuses columns that do not line up, in full and in the cheap check a
 * packaged console makes.
 */
import { deserialize, serialize } from 'node:v8'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestCore, type TestCore } from '../support/core'
import { listInViewport } from '../../src/main/cache/queries/requests'
import { scopeFor } from '../../src/core/authz/permissions'
import { dispatch, type Handlers } from '../../src/main/dispatch'
import { CHEAP_OUTPUTS, contract, pointsOfColumns, type SessionInfo } from '../../src/shared/contract'
import { columnsOfPoints } from '../../src/shared/mapPoints'
import { wireReplacer, wireReviver } from '../../src/shared/wireJson'

const TERRITORY = { minLat: 48.5, maxLat: 48.9, minLon: 5.9, maxLon: 6.5 }

let t: TestCore
beforeAll(async () => {
  t = await openTestCore({ requests: 600 })
})
afterAll(() => t.close())

describe('map.points', () => {
  it('answers the viewport’s requests as columns, point for point what the query finds', async () => {
    const zoe = await t.as('zoe.agent')
    const columns = await t.value('map.points', { bbox: TERRITORY, limit: 50_000 })
    expect(columns.lon).toBeInstanceOf(Float64Array)
    expect(columns.status).toBeInstanceOf(Uint8Array)
    const expected = listInViewport(t.db, {
      scope: { kind: 'teams', teamIds: zoe.teamIds },
      bbox: TERRITORY,
      limit: 50_000,
    })
    expect(expected.length).toBeGreaterThan(20)
    expect(pointsOfColumns(columns)).toEqual(expected)
    // Only the agent's teams: the same box holds more for a supervisor.
    await t.as('sara.sup')
    const all = await t.value('map.points', { bbox: TERRITORY, limit: 50_000 })
    expect(all.lon.length).toBeGreaterThan(columns.lon.length)
  })

  it('answers a region-sized box (read through the R*Tree, one arm per team) point for point too', async () => {
    // Taller than 4°: the viewport query reads the R*Tree, not the covering index's bands.
    const region = { minLat: 44, maxLat: 52, minLon: 2, maxLon: 10 }
    for (const login of ['zoe.agent', 'sara.sup']) {
      const session = await t.as(login)
      const columns = await t.value('map.points', { bbox: region, limit: 50_000 })
      const expected = listInViewport(t.db, {
        scope: scopeFor(session),
        bbox: region,
        limit: 50_000,
      })
      expect(expected.length).toBeGreaterThan(20)
      expect(pointsOfColumns(columns)).toEqual(expected)
    }
  })

  it('gives a place of seven decimals back exactly, west of Greenwich too, and a finer GPS fix to the centimetre', async () => {
    const zoe = await t.as('zoe.agent')
    const [brest, pointeAPitre, gps] = listInViewport(t.db, {
      scope: { kind: 'teams', teamIds: zoe.teamIds },
      bbox: TERRITORY,
      limit: 3,
    }).map((p) => p.id)
    const places = [
      { id: brest!, lon: -4.4860088, lat: 48.3905283 },
      { id: pointeAPitre!, lon: -61.5334701, lat: 16.2411598 },
      { id: gps!, lon: 6.183492871234567, lat: 48.69372910293847 },
    ]
    const move = t.db.prepare('UPDATE requests SET lon = @lon, lat = @lat WHERE id = @id')
    for (const place of places) move.run(place)
    const near = (p: { lon: number; lat: number }) => ({
      minLon: p.lon - 0.001,
      maxLon: p.lon + 0.001,
      minLat: p.lat - 0.001,
      maxLat: p.lat + 0.001,
    })
    const found = async (place: (typeof places)[number]) =>
      pointsOfColumns(await t.value('map.points', { bbox: near(place), limit: 100 })).find(
        (p) => p.id === place.id,
      )
    for (const place of places.slice(0, 2))
      expect(await found(place)).toMatchObject({ lon: place.lon, lat: place.lat })
    const fix = await found(places[2]!)
    // A ten-millionth of a degree is 1.1 cm: the point is at most half of one away.
    expect(Math.abs(fix!.lon - places[2]!.lon)).toBeLessThanOrEqual(0.5e-7)
    expect(Math.abs(fix!.lat - places[2]!.lat)).toBeLessThanOrEqual(0.5e-7)
  })

  it('keeps to the limit and answers empty columns for an empty box', async () => {
    await t.as('sara.sup')
    const few = await t.value('map.points', { bbox: TERRITORY, limit: 7 })
    expect(pointsOfColumns(few)).toHaveLength(7)
    const sea = await t.value('map.points', {
      bbox: { minLat: 40, maxLat: 40.1, minLon: -30, maxLon: -29.9 },
      limit: 100,
    })
    expect(pointsOfColumns(sea)).toEqual([])
    expect(sea.ids).toBe('')
  })

  it('arrives whole through IPC’s structured clone and through the web bridge’s JSON', async () => {
    await t.as('sara.sup')
    const result = await t.call('map.points', { bbox: TERRITORY, limit: 50_000 })
    const points = result.ok ? pointsOfColumns(result.value) : []
    expect(points.length).toBeGreaterThan(20)
    const cloned = deserialize(serialize(result)) as typeof result
    expect(cloned.ok && pointsOfColumns(cloned.value)).toEqual(points)
    const bridged = JSON.parse(JSON.stringify(result, wireReplacer), wireReviver) as typeof result
    expect(bridged.ok && bridged.value.lat).toBeInstanceOf(Float64Array)
    expect(bridged.ok && pointsOfColumns(bridged.value)).toEqual(points)
  })
})

describe('checking the columns', () => {
  const session: SessionInfo = {
    agentId: 'agent-sara.sup',
    login: 'sara.sup',
    displayName: 'Sara',
    roles: ['supervisor'],
    teamIds: [],
    kind: 'online',
    startedAt: '2026-03-16T10:00:00.000Z',
  }
  const good = columnsOfPoints([
    { id: 'r1', lon: 6.18, lat: 48.69, status: 'new', categoryId: 'voirie', priority: 'high' },
    { id: 'r2', lon: 6.2, lat: 48.7, status: 'closed', categoryId: 'eclairage', priority: 'low' },
  ])
  const answering = (value: unknown) => ({ 'map.points': () => value }) as unknown as Handlers
  const input = { bbox: TERRITORY }

  it('passes good columns in full and in the cheap check', async () => {
    for (const outputCheck of ['full', 'cheap'] as const) {
      const r = await dispatch(answering(good), 'map.points', input, { session, outputCheck })
      expect(r.ok && pointsOfColumns(r.value as typeof good).map((p) => p.id)).toEqual(['r1', 'r2'])
    }
  })

  it('refuses columns of different lengths even in the cheap check, and a missing id or a bad code in full', async () => {
    const errors: unknown[] = []
    const logError = (_channel: string, e: unknown) => errors.push(e)
    const short = { ...good, lat: good.lat.slice(0, 1) }
    for (const outputCheck of ['full', 'cheap'] as const)
      expect(
        await dispatch(answering(short), 'map.points', input, { session, outputCheck, logError }),
      ).toMatchObject({ ok: false, error: { code: 'internal' } })
    const oneId = { ...good, ids: 'r1' }
    const badCode = { ...good, status: Uint8Array.from([0, 9]) }
    for (const wrong of [oneId, badCode]) {
      expect(contract['map.points'].output.safeParse(wrong).success).toBe(false)
      expect(CHEAP_OUTPUTS['map.points'].safeParse(wrong).success).toBe(true)
    }
    expect(errors).toHaveLength(2)
  })
})
