/**
 * Planning a tour's stops, through the reference server: the server plans them too (the
 * same core), so the technician's console receives them « Planifiée »; a stop the server
 * cannot plan (moved on meanwhile) refuses the whole save there, and the lead's console
 * follows the server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TourPlanInput } from '../../src/shared/savedTour'
import { startFaultProxy, type FaultProxy } from '../support/faultProxy'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let proxies: FaultProxy[] = []
beforeEach(async () => {
  world = await openSyncWorld({ requests: 400 })
})
afterEach(async () => {
  for (const p of proxies) await p.close()
  proxies = []
  await world.close()
})

const TOM = 'agent-tom.tech'
const DAY = '2026-12-07'
const server = () => world.server.store.sql

/** Voirie requests with a position, in `status`, not Tom's yet, from the server. */
const inStatus = (status: string, n: number) =>
  server().all<{ id: string; reference: string }>(
    `SELECT id, reference FROM requests WHERE team_id = 'voirie' AND lat IS NOT NULL AND status = ?
       AND (assignee_id IS NULL OR assignee_id <> ?) ORDER BY id LIMIT ?`,
    [status, TOM, n],
  )

const plan = (stopIds: string[]): TourPlanInput => ({
  teamId: 'voirie',
  technicianId: TOM,
  date: DAY,
  name: 'Tournée planifiée',
  depot: { lat: 48.6921, lon: 6.1844, label: 'Centre technique' },
  stopIds,
})

describe('a tour’s stops planned on the server', () => {
  it('reach the technician « Planifiée » on the tour’s day', async () => {
    const luc = await world.client('luc', 'luc.lead')
    const tom = await world.client('tom', 'tom.tech')
    await luc.sync()
    const ids = (await inStatus('new', 2)).map((s) => s.id)
    expect(ids).toHaveLength(2)
    const saved = await luc.value('tours.save', { plan: plan(ids) })
    expect((await luc.sync()).conflicts).toBe(0)
    const onServer = await server().all<{ status: string; assignee_id: string }>(
      `SELECT status, assignee_id FROM requests WHERE id IN (?, ?)`,
      ids,
    )
    expect(onServer).toEqual([
      { status: 'scheduled', assignee_id: TOM },
      { status: 'scheduled', assignee_id: TOM },
    ])
    await tom.sync()
    const day = await tom.value('tours.day', { date: DAY })
    expect(day.tour?.id).toBe(saved.tour.id)
    expect(
      day.stops.map((s) => [s.request.status, s.request.fields.scheduledFor, s.actions.start?.id]),
    ).toEqual([
      ['scheduled', DAY, 'start'],
      ['scheduled', DAY, 'start'],
    ])
  })

  it('a stop the server cannot plan refuses the whole save, and the lead’s console follows', async () => {
    const network = await startFaultProxy(world.url)
    proxies.push(network)
    const luc = await world.client('luc', 'luc.lead', { via: network.url })
    await luc.sync()
    const ids = (await inStatus('new', 2)).map((s) => s.id)
    // On the server, one stop is rejected before Luc's console hears of it.
    network.setOffline(true)
    await world.serverWrite(
      `UPDATE requests SET status = 'rejected', status_kind = 'closed' WHERE id = ?`,
      [ids[1]!],
      {
        requests: [ids[1]!],
      },
    )
    await luc.value('tours.save', { plan: plan(ids) })
    network.setOffline(false)
    expect(await luc.settle()).toMatchObject({ pending: 0, conflicts: 1 })
    const first = await server().get<{ status: string; assignee_id: string | null }>(
      'SELECT status, assignee_id FROM requests WHERE id = ?',
      [ids[0]!],
    )
    expect(first).toEqual({ status: 'new', assignee_id: null })
    expect((await server().get<{ n: number }>('SELECT count(*) AS n FROM tours'))?.n).toBe(0)
    expect((await luc.value('request.get', { id: ids[0]! })).status).toBe('new')
    const [conflict] = await luc.value('conflicts.list', {})
    expect(conflict?.reason).toContain('ne peut pas être planifiée')
  })
})
