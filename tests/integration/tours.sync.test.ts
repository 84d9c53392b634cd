/**
 * Saved tours, end to end: a lead saves a tour on one console, it reaches the reference
 * server and the technician's console, with its stops assigned to them; the checks on who
 * may plan what run on both sides.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TourPlanInput } from '../../src/shared/savedTour'
import { estimateMinutes, tourLengthKm } from '../../src/shared/tour'
import { startFaultProxy, type FaultProxy } from '../support/faultProxy'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let proxies: FaultProxy[] = []
beforeEach(async () => {
  world = await openSyncWorld({ requests: 80 })
})
afterEach(async () => {
  for (const p of proxies) await p.close()
  proxies = []
  await world.close()
})

/**
 * A console whose network the test can cut: while it is offline it hears nothing from the
 * server (no nudge, no pull), so what the agent does then is done on what the console had.
 */
async function cutOffClient(name: string, login: string) {
  const network = await startFaultProxy(world.url)
  proxies.push(network)
  return { client: await world.client(name, login, { via: network.url }), network }
}

const DEPOT = { lat: 48.6921, lon: 6.1844, label: 'Centre technique' }
const TOM = 'agent-tom.tech'

/** The server's database. */
const server = () => world.server.store.sql

/** Open requests of `team` with a position, from the server. */
const located = (team: string, n: number) =>
  server().all<{ id: string; lat: number; lon: number }>(
    `SELECT id, lat, lon FROM requests WHERE team_id = ? AND lat IS NOT NULL AND status_kind = 'open'
     ORDER BY id LIMIT ?`,
    [team, n],
  )

const plan = (stopIds: string[], over: Partial<TourPlanInput> = {}): TourPlanInput => ({
  teamId: 'voirie',
  technicianId: TOM,
  date: '2026-12-01',
  name: 'Nids-de-poule secteur centre',
  depot: DEPOT,
  stopIds,
  ...over,
})

describe('saved tours', () => {
  it('a tour saved by the lead reaches the technician’s console with its stops assigned to them', async () => {
    const luc = await world.client('luc', 'luc.lead')
    const tom = await world.client('tom', 'tom.tech')
    await luc.sync()
    await tom.sync()
    const stops = await located('voirie', 4)
    expect(stops).toHaveLength(4)
    const saved = await luc.value('tours.save', { plan: plan(stops.map((s) => s.id)) })
    // The length is the core's, from the stops' positions in the lead's order.
    const km = tourLengthKm(DEPOT, stops, [0, 1, 2, 3])
    expect(saved.tour.distanceKm).toBeCloseTo(km, 2)
    expect(saved.tour.durationMinutes).toBe(estimateMinutes(saved.tour.distanceKm, 4))
    expect(saved.stops.map((s) => s.assigneeId)).toEqual([TOM, TOM, TOM, TOM])

    expect((await luc.sync()).pending).toBe(0)
    await tom.sync()
    const mine = await tom.value('tours.list', { mine: true })
    expect(mine.map((t) => [t.id, t.name, t.technicianId])).toEqual([
      [saved.tour.id, 'Nids-de-poule secteur centre', TOM],
    ])
    const detail = await tom.value('tours.get', { id: saved.tour.id })
    expect(detail.stops.map((s) => s.id)).toEqual(stops.map((s) => s.id))
    expect(detail.stops.every((s) => s.assigneeId === TOM)).toBe(true)
    expect(detail.missing).toBe(0)
  })

  it('a reordered tour and a deleted tour follow on the other console', async () => {
    const luc = await world.client('luc', 'luc.lead')
    const tom = await world.client('tom', 'tom.tech')
    await luc.sync()
    const ids = (await located('voirie', 3)).map((s) => s.id)
    const first = await luc.value('tours.save', { plan: plan(ids) })
    await luc.sync()
    await tom.sync()
    const reordered = [ids[2]!, ids[0]!, ids[1]!]
    const second = await luc.value('tours.save', {
      id: first.tour.id,
      plan: plan(reordered),
      baseVersion: first.tour.version,
    })
    expect(second.tour.version).toBe(first.tour.version + 1)
    await luc.sync()
    await tom.sync()
    expect((await tom.value('tours.get', { id: first.tour.id })).tour.stopIds).toEqual(reordered)

    await luc.value('tours.delete', { id: first.tour.id })
    await luc.sync()
    await tom.sync()
    expect(await tom.value('tours.list', { mine: true })).toEqual([])
    const gone = await tom.call('tours.get', { id: first.tour.id })
    expect(gone.ok ? null : gone.error.code).toBe('not_found')
  })

  it('a stale save is refused instead of overwriting the newer tour', async () => {
    const luc = await world.client('luc', 'luc.lead')
    await luc.sync()
    const ids = (await located('voirie', 2)).map((s) => s.id)
    const first = await luc.value('tours.save', { plan: plan(ids), assignStops: false })
    await luc.value('tours.save', { id: first.tour.id, plan: plan([...ids].reverse()), assignStops: false })
    const stale = await luc.call('tours.save', {
      id: first.tour.id,
      plan: plan(ids, { name: 'Ancienne version' }),
      baseVersion: first.tour.version,
    })
    expect(stale.ok ? null : stale.error.code).toBe('version_conflict')
  })

  it('only those who plan the team may save, and every stop must be one the technician sees', async () => {
    const tom = await world.client('tom', 'tom.tech')
    const luc = await world.client('luc', 'luc.lead')
    const [a, b, c] = (await located('voirie', 3)).map((s) => s.id)
    // The demo routes nothing to 'voirie-nord' (Luc plans it, Tom is not in it): move one there.
    await world.serverWrite(`UPDATE requests SET team_id = 'voirie-nord' WHERE id = ?`, [c!], {
      requests: [c!],
    })
    await tom.sync()
    await luc.sync()
    const voirie = [a!, b!]
    const nord = [c!]
    const byTech = await tom.call('tours.save', { plan: plan(voirie) })
    expect(byTech.ok ? null : byTech.error.code).toBe('forbidden')

    // Tom is in 'voirie' only: a 'voirie-nord' stop would be a stop he cannot open.
    const mixed = await luc.call('tours.save', { plan: plan([...voirie, ...nord]) })
    expect(mixed.ok ? null : mixed.error).toMatchObject({ code: 'invalid_input' })
    expect(mixed.ok ? '' : mixed.error.message).toMatch(/Tom Lallemand ne voit pas la demande/)

    const dup = await luc.call('tours.save', { plan: plan([voirie[0]!, voirie[0]!]) })
    expect(dup.ok ? null : dup.error.code).toBe('invalid_input')
    // Nothing of the refused saves was written or queued.
    expect(await luc.value('tours.list', {})).toEqual([])
    expect((await luc.value('sync.status', {})).pending).toBe(0)
  })

  it('the server checks again: a save it refuses comes back to the lead’s inbox with the reason', async () => {
    const { client: luc, network } = await cutOffClient('luc', 'luc.lead')
    await luc.sync()
    const ids = (await located('voirie', 2)).map((s) => s.id)
    // Tom leaves the team on the server before the lead's console hears of it.
    network.setOffline(true)
    await world.serverWrite(`UPDATE agents SET team_ids = '["eclairage"]' WHERE id = ?`, [TOM], {
      reference: true,
    })
    const saved = await luc.value('tours.save', { plan: plan(ids), assignStops: false })
    network.setOffline(false)
    const status = await luc.settle()
    expect(status.pending).toBe(0)
    expect(status.conflicts).toBe(1)
    const [conflict] = await luc.value('conflicts.list', {})
    expect(conflict).toMatchObject({ op: 'tour_save', kind: 'rejected', title: saved.tour.name })
    expect(conflict!.reason).toMatch(/n’est pas dans l’équipe de la tournée/)
    // The server had none: the console's copy goes, the inbox keeps what the lead typed.
    expect(await luc.value('tours.list', {})).toEqual([])
  })
})

describe('two planners on one tour', () => {
  it('a save made on an older version is refused with who changed it; “send mine again” puts it over theirs', async () => {
    const { client: luc, network } = await cutOffClient('luc', 'luc.lead')
    const sara = await world.client('sara', 'sara.sup')
    await luc.sync()
    await sara.sync()
    const ids = (await located('voirie', 3)).map((s) => s.id)
    const first = await luc.value('tours.save', { plan: plan(ids), assignStops: false })
    await luc.sync()
    await sara.sync()
    // Luc's console hears nothing of Sara's save (no nudge, no pull) until he has reordered.
    network.setOffline(true)
    await sara.value('tours.save', {
      id: first.tour.id,
      plan: plan(ids, { name: 'Renommée par Sara' }),
      baseVersion: first.tour.version,
      assignStops: false,
    })
    await sara.sync()
    // Luc has not pulled Sara's save: he reorders on the version he had.
    const reversed = [...ids].reverse()
    await luc.value('tours.save', {
      id: first.tour.id,
      plan: plan(reversed),
      baseVersion: first.tour.version,
      assignStops: false,
    })
    network.setOffline(false)
    const status = await luc.settle()
    expect(status.conflicts).toBe(1)
    const [conflict] = await luc.value('conflicts.list', {})
    expect(conflict).toMatchObject({ op: 'tour_save', kind: 'rejected' })
    expect(conflict!.reason).toMatch(/modifiée par Sara Lefèvre/)
    // Sara's version is on the server and back in Luc's cache: nothing of hers was undone.
    expect((await luc.value('tours.get', { id: first.tour.id })).tour.name).toBe('Renommée par Sara')

    await luc.value('conflicts.resolve', { id: conflict!.id, choice: 'mine' })
    expect((await luc.sync()).conflicts).toBe(0)
    await sara.sync()
    expect((await sara.value('tours.get', { id: first.tour.id })).tour.stopIds).toEqual(reversed)
  })

  it('a tour deleted by another planner is not brought back by a save from an open builder', async () => {
    const luc = await world.client('luc', 'luc.lead')
    const sara = await world.client('sara', 'sara.sup')
    await luc.sync()
    await sara.sync()
    const ids = (await located('voirie', 2)).map((s) => s.id)
    const t = await luc.value('tours.save', { plan: plan(ids), assignStops: false })
    await luc.sync()
    await sara.sync()
    await sara.value('tours.delete', { id: t.tour.id })
    await sara.sync()
    await luc.sync()
    const stale = await luc.call('tours.save', {
      id: t.tour.id,
      plan: plan(ids),
      baseVersion: t.tour.version,
    })
    expect(stale.ok ? null : stale.error.code).toBe('version_conflict')
    expect(stale.ok ? '' : stale.error.message).toMatch(/supprimée entre-temps/)
  })

  it('deleting a tour another planner already deleted leaves nothing in the inbox', async () => {
    const luc = await world.client('luc', 'luc.lead')
    const sara = await world.client('sara', 'sara.sup')
    await luc.sync()
    await sara.sync()
    const t = await luc.value('tours.save', {
      plan: plan((await located('voirie', 2)).map((s) => s.id)),
      assignStops: false,
    })
    await luc.sync()
    await sara.sync()
    await sara.value('tours.delete', { id: t.tour.id })
    await luc.value('tours.delete', { id: t.tour.id })
    await sara.sync()
    expect(await luc.sync()).toMatchObject({ pending: 0, conflicts: 0 })
  })

  it('a tour and its stops’ assignment land together or not at all', async () => {
    const { client: luc, network } = await cutOffClient('luc', 'luc.lead')
    await luc.sync()
    const ids = (await located('voirie', 3)).map((s) => s.id)
    // On the server, one stop moves to a team Tom is not in, before Luc's console hears of it.
    network.setOffline(true)
    await world.serverWrite(`UPDATE requests SET team_id = 'voirie-nord' WHERE id = ?`, [ids[2]!], {
      requests: [ids[2]!],
    })
    await luc.value('tours.save', { plan: plan(ids) })
    network.setOffline(false)
    const status = await luc.settle()
    expect(status).toMatchObject({ pending: 0, conflicts: 1 })
    const assignedOnServer = (
      await server().get<{ n: number }>(
        `SELECT count(*) AS n FROM requests WHERE assignee_id = ? AND id IN (?, ?, ?)`,
        [TOM, ...ids],
      )
    )?.n
    expect(assignedOnServer).toBe(0)
    expect((await server().get<{ n: number }>('SELECT count(*) AS n FROM tours'))?.n).toBe(0)
    // The lead's cache follows the server: no stop stays assigned to Tom there either.
    for (const id of ids.slice(0, 2))
      expect((await luc.value('request.get', { id })).assigneeId).not.toBe(TOM)
  })

  it('a technician who left the team no longer receives the team’s tours', async () => {
    const luc = await world.client('luc', 'luc.lead')
    await luc.sync()
    const t = await luc.value('tours.save', {
      plan: plan((await located('voirie', 2)).map((s) => s.id)),
      assignStops: false,
    })
    await luc.sync()
    const store = world.server.store
    const feedFor = async (teamIds: string[]) =>
      (
        await store.changesSince(
          {
            agentId: TOM,
            login: 'tom.tech',
            displayName: 'Tom Lallemand',
            roles: ['technician'],
            teamIds,
            kind: 'online',
            startedAt: new Date().toISOString(),
          },
          0,
          1000,
        )
      ).changes.filter((c) => c.type === 'tour')
    expect((await feedFor(['voirie'])).map((c) => (c.type === 'tour' ? c.tour.id : ''))).toEqual([t.tour.id])
    expect(await feedFor(['eclairage'])).toEqual([])
  })
})

describe('bulk actions on a selection', () => {
  it('assigns every request it may and says which it refused, in one step that syncs', async () => {
    const luc = await world.client('luc', 'luc.lead')
    await luc.sync()
    const ids = (await located('voirie', 5)).map((s) => s.id)
    const foreign = (await located('eclairage', 1)).map((s) => s.id)
    const outcome = await luc.value('requests.bulkAssign', { ids: [...ids, ...foreign], assigneeId: TOM })
    expect(outcome.done.sort()).toEqual([...ids].sort())
    expect(outcome.refused.map((r) => [r.id, r.code])).toEqual([[foreign[0], 'not_found']])
    expect((await luc.sync()).pending).toBe(0)
    const onServer = (
      await server().get<{ n: number }>(
        `SELECT count(*) AS n FROM requests WHERE assignee_id = ? AND id IN (${ids.map(() => '?').join(',')})`,
        [TOM, ...ids],
      )
    )?.n
    expect(onServer).toBe(ids.length)
  })

  it('offers only the transitions every request allows, and fires one on all of them', async () => {
    const luc = await world.client('luc', 'luc.lead')
    await luc.sync()
    const status = (await server().get<{ status: string }>(
      `SELECT status FROM requests WHERE team_id = 'voirie' AND status_kind = 'open'
       GROUP BY status ORDER BY count(*) DESC, status LIMIT 1`,
    ))!.status
    const sameStatus = (
      await server().all<{ id: string }>(
        `SELECT id FROM requests WHERE team_id = 'voirie' AND status = ? ORDER BY id LIMIT 4`,
        [status],
      )
    ).map((r) => r.id)
    // Requests in one state share its transitions; one in another state narrows them.
    const other = (
      await server().all<{ id: string }>(
        `SELECT id FROM requests WHERE team_id = 'voirie' AND status_kind = 'open' AND status <> ? LIMIT 1`,
        [status],
      )
    ).map((r) => r.id)
    const ids = [...sameStatus, ...other]
    const alone = await luc.value('requests.commonTransitions', { ids: sameStatus })
    expect(alone.length).toBeGreaterThan(0)
    const common = await luc.value('requests.commonTransitions', { ids })
    expect(common.length).toBeLessThanOrEqual(alone.length)
    for (const id of ids) {
      const allowed = (await luc.value('request.transitions', { id })).allowed.map((t) => t.id)
      for (const t of common) expect(allowed).toContain(t.id)
    }
    const simple = alone.find((t) => t.requires.length === 0)
    expect(simple).toBeDefined()
    const outcome = await luc.value('requests.bulkTransition', { ids: sameStatus, transitionId: simple!.id })
    expect(outcome.refused).toEqual([])
    for (const id of sameStatus) expect((await luc.value('request.get', { id })).status).toBe(simple!.to)
    // A transition a request does not allow is refused for it alone, with the reason.
    const again = await luc.value('requests.bulkTransition', { ids: sameStatus, transitionId: simple!.id })
    expect(again.done).toEqual([])
    expect(again.refused.map((r) => r.code)).toEqual(sameStatus.map(() => 'transition_refused'))
    expect((await luc.sync()).pending).toBe(0)
  })
})
