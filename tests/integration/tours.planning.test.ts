/**
 * A tour saved « with every stop assigned » plans its stops through the workflow, all or
 * nothing; the builder's candidates say beforehand which stops a technician cannot do, with
 * the save's own reasons; the tour's progress follows the technician's day. One console in
 * local mode (no server): what the core does on save, whoever pushes it later.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TourPlanInput } from '../../src/shared/savedTour'
import { openTestCore, type TestCore } from '../support/core'

let t: TestCore
beforeEach(async () => {
  t = await openTestCore({ requests: 400 })
})
afterEach(async () => {
  await t.close()
})

const TOM = 'agent-tom.tech'
const MARC = 'agent-marc.vautrin'
const DEPOT = { lat: 48.6921, lon: 6.1844, label: 'Centre technique' }
const DAY = '2026-12-07'

interface Row {
  id: string
  reference: string
  status: string
  assignee_id: string | null
  fields: string
}

/** Located voirie requests of the intervention workflow in `status`. */
const inStatus = (status: string, n: number) =>
  t.db
    .prepare(
      `SELECT r.id, r.reference, r.status, r.assignee_id, r.fields FROM requests r
       JOIN categories c ON c.id = r.category_id
       WHERE r.team_id = 'voirie' AND r.lat IS NOT NULL AND r.status = ? AND c.workflow_id = 'intervention'
       ORDER BY r.id LIMIT ?`,
    )
    .all(status, n) as Row[]

const rowOf = (id: string) =>
  t.db.prepare('SELECT id, reference, status, assignee_id, fields FROM requests WHERE id = ?').get(id) as Row

const plan = (stopIds: string[], over: Partial<TourPlanInput> = {}): TourPlanInput => ({
  teamId: 'voirie',
  technicianId: TOM,
  date: DAY,
  name: 'Tournée du lundi',
  depot: DEPOT,
  stopIds,
  ...over,
})

describe('a tour plans its stops', () => {
  it('saving with « assign every stop » brings each stop to « Planifiée » on the tour’s day', async () => {
    const stops = [...inStatus('assigned', 1), ...inStatus('new', 2), ...inStatus('qualified', 1)]
    expect(stops).toHaveLength(4)
    await t.as('luc.lead')
    const saved = await t.value('tours.save', { plan: plan(stops.map((s) => s.id)) })
    expect(saved.stops.map((s) => [s.status, s.assigneeId])).toEqual(stops.map(() => ['scheduled', TOM]))
    for (const s of stops) expect(JSON.parse(rowOf(s.id).fields)).toMatchObject({ scheduledFor: DAY })
    // Each step is in the request's history, carried by the tour's one outbox entry.
    const history = await t.value('request.history', { id: stops[1]!.id })
    expect(history.filter((h) => h.kind === 'transitioned').map((h) => h.data.to)).toEqual([
      'qualified',
      'assigned',
      'scheduled',
    ])
    const outbox = t.db.prepare('SELECT op FROM outbox').pluck().all()
    expect(outbox).toEqual(['tour_save'])

    // Tom can now start and finish his stop.
    await t.as('tom.tech')
    // « Ma journée »: his tour of that day, each stop with « Démarrer » offered by the core.
    const day = await t.value('tours.day', { date: DAY })
    expect(day.tour?.id).toBe(saved.tour.id)
    expect(day.stops.map((s) => [s.request.id, s.actions.start?.id, s.actions.finish])).toEqual(
      stops.map((s) => [s.id, 'start', null]),
    )
    const first = stops[0]!.id
    const allowed = await t.value('request.transitions', { id: first })
    expect(allowed.allowed.map((a) => a.id)).toContain('start')
    await t.value('request.transition', { id: first, transitionId: 'start' })
    await t.value('request.transition', { id: first, transitionId: 'finish' })
    await t.value('request.transition', { id: stops[1]!.id, transitionId: 'start' })
    const progress = await t.value('tours.progress', { ids: [saved.tour.id] })
    expect(progress[saved.tour.id]).toEqual({ done: 1, started: 1, total: 4 })
    const later = await t.value('tours.day', { date: DAY })
    expect(later.progress).toEqual({ done: 1, started: 1, total: 4 })
    expect(later.stops[1]!.actions.finish?.id).toBe('finish')
    expect(later.stops[0]!.actions).toMatchObject({ stage: 'done', start: null, finish: null })
    expect((await t.value('tours.day', { date: '2026-12-08' })).tour).toBeNull()
  })

  it('a stop the workflow cannot plan refuses the whole save, naming it, and changes nothing', async () => {
    const good = inStatus('new', 2)
    const [waiting] = inStatus('waiting_citizen', 1)
    expect(waiting).toBeDefined()
    const ids = [...good.map((s) => s.id), waiting!.id]
    const before = ids.map(rowOf)
    await t.as('luc.lead')
    const refused = await t.call('tours.save', { plan: plan(ids) })
    expect(refused.ok).toBe(false)
    if (refused.ok) return
    expect(refused.error.code).toBe('invalid_input')
    expect(refused.error.message).toContain(waiting!.reference)
    expect(refused.error.message).toContain('ne peut pas être planifiée')
    expect(ids.map(rowOf)).toEqual(before)
    expect(t.db.prepare('SELECT COUNT(*) FROM tours').pluck().get()).toBe(0)
    expect(t.db.prepare('SELECT COUNT(*) FROM outbox').pluck().get()).toBe(0)
    // Without assigning, nothing is planned and the tour is saved as drawn.
    const drawn = await t.value('tours.save', { plan: plan(ids), assignStops: false })
    expect(drawn.stops.map((s) => s.status)).toEqual(before.map((r) => r.status))
  })

  it('a stop already started is left as it is when the tour is saved again', async () => {
    const stops = inStatus('new', 2)
    await t.as('luc.lead')
    const first = await t.value('tours.save', { plan: plan(stops.map((s) => s.id)) })
    await t.as('tom.tech')
    await t.value('request.transition', { id: stops[0]!.id, transitionId: 'start' })
    await t.as('luc.lead')
    const again = await t.value('tours.save', {
      id: first.tour.id,
      baseVersion: first.tour.version,
      plan: plan([...stops.map((s) => s.id)].reverse()),
    })
    expect(again.stops.map((s) => s.status)).toEqual(['scheduled', 'in_progress'])
  })
})

describe('tour candidates', () => {
  it('say, per technician of the team, which stops they cannot do and why', async () => {
    const [a, b, c] = inStatus('new', 3)
    const [waiting] = inStatus('waiting_citizen', 1)
    // Marc is in 'voirie-nord', Tom is not: a stop moved there is one only Marc sees.
    t.db.prepare(`UPDATE requests SET team_id = 'voirie-nord' WHERE id = ?`).run(c!.id)
    await t.as('luc.lead')
    const ids = [a!.id, b!.id, c!.id, waiting!.id]
    const candidates = await t.value('tours.candidates', { teamId: 'voirie', date: DAY, stopIds: ids })
    const byId = new Map(candidates.map((x) => [x.agentId, x]))
    expect([...byId.keys()].sort()).toEqual([MARC, TOM])
    expect(byId.get(TOM)!.problems.map((p) => p.reference)).toEqual([c!.reference, waiting!.reference])
    expect(byId.get(TOM)!.problems[0]!.reason).toContain('autre équipe')
    expect(byId.get(MARC)!.problems.map((p) => p.reference)).toEqual([waiting!.reference])
    // The save says the same thing.
    const refused = await t.call('tours.save', { plan: plan(ids) })
    expect(refused.ok ? '' : refused.error.message).toBe(byId.get(TOM)!.problems[0]!.reason)

    // Without assigning, planning is not checked.
    const loose = await t.value('tours.candidates', {
      teamId: 'voirie',
      date: DAY,
      stopIds: ids,
      assignStops: false,
    })
    expect(loose.find((x) => x.agentId === MARC)!.problems).toEqual([])

    await t.as('tom.tech')
    const byTech = await t.call('tours.candidates', { teamId: 'voirie', date: DAY, stopIds: ids })
    expect(byTech.ok ? null : byTech.error.code).toBe('forbidden')
  })
})
