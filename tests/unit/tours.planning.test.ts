/**
 * The field day's workflow reading, on the shipped definitions: the steps that plan a stop
 * (forward only, never closing, never reopening), the stage a stop is at for the tour's
 * progress, and the technician's three buttons.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { SessionInfo } from '../../src/shared/contract'
import type { RequestRecord } from '../../src/shared/sync'
import { loadWorkflowDefinitions } from '../../src/core/workflow/definitions'
import { planningPath, planTourStops } from '../../src/core/tours/planStops'
import { stopStage, tourProgress } from '../../src/core/tours/progress'
import { fieldActions } from '../../src/core/tours/fieldActions'
import type { SavedTour } from '../../src/shared/savedTour'

const defs = loadWorkflowDefinitions(fileURLToPath(new URL('../../resources/workflows', import.meta.url)))
const intervention = defs.get('intervention')!
const information = defs.get('information')!

const session = (roles: SessionInfo['roles'], agentId = 'agent-luc.lead'): SessionInfo => ({
  agentId,
  login: agentId,
  displayName: agentId,
  roles,
  teamIds: ['voirie'],
  kind: 'online',
  startedAt: '2026-12-07T07:00:00Z',
})
const lead = session(['lead'])
const TOM = 'agent-tom.tech'
const DAY = '2026-12-07'

const row = (status: string, over: Partial<RequestRecord> = {}): RequestRecord => ({
  id: `r-${status}`,
  reference: `GRC-2026-${status}`,
  title: 'Nid-de-poule',
  categoryId: 'voirie-chaussee',
  subcategory: null,
  channel: 'phone',
  status,
  statusKind: intervention.states.find((s) => s.id === status)!.kind,
  priority: 'normal',
  teamId: 'voirie',
  assigneeId: null,
  description: '',
  address: '1 rue Saint-Dizier, Nancy',
  lat: 48.69,
  lon: 6.18,
  citizenId: null,
  fields: {},
  createdAt: 0,
  updatedAt: 0,
  dueAt: null,
  closedAt: null,
  slaPausedMs: 0,
  slaPausedSince: null,
  version: 3,
  ...over,
})

const steps = (status: string, over: Partial<RequestRecord> = {}) => {
  const path = planningPath(intervention, lead, row(status, over), TOM, DAY)
  return path.kind === 'steps' ? path.transitions.map((t) => t.id) : path.kind
}

describe('planning a stop', () => {
  it('takes the shortest way forward to « Planifiée », with the tour’s day where it is asked', () => {
    expect(steps('new')).toEqual(['qualify', 'assign', 'schedule'])
    expect(steps('qualified')).toEqual(['assign', 'schedule'])
    expect(steps('assigned')).toEqual(['schedule'])
    expect(steps('scheduled', { fields: { scheduledFor: '2026-12-01' } })).toEqual(['schedule'])
    expect(steps('scheduled', { fields: { scheduledFor: DAY } })).toBe('nothing')
  })

  it('leaves a stop under way as it is, and never reopens or closes one', () => {
    expect(steps('in_progress')).toBe('nothing')
    expect(steps('done')).toBe('nothing')
    expect(steps('closed')).toBe('nothing')
    expect(steps('waiting_citizen')).toBe('impossible')
    expect(steps('rejected')).toBe('impossible')
  })

  it('is refused to whom the workflow refuses it, and where the workflow has no planning step', () => {
    const agent = session(['agent'], 'agent-zoe.agent')
    expect(planningPath(intervention, agent, row('assigned'), TOM, DAY).kind).toBe('impossible')
    const info = planningPath(information, lead, row('new'), TOM, DAY)
    expect(info.kind === 'impossible' && info.why).toContain('n’a pas d’étape de planification')
  })

  it('plans a whole tour, naming the first stop that cannot be, and nothing without assignment', () => {
    const rows = new Map(
      [row('new'), row('assigned', { assigneeId: TOM }), row('waiting_citizen')].map((r) => [r.id, r]),
    )
    const lookup = { request: (id: string) => rows.get(id), workflowOf: () => intervention }
    const tour = { technicianId: TOM, date: DAY, stopIds: ['r-new', 'r-assigned'] } as SavedTour
    const plans = planTourStops(lookup, lead, tour, true)
    expect(
      plans.map((p) => [p.row.id, p.ops.map((o) => (o.op === 'transition' ? o.payload.transitionId : o.op))]),
    ).toEqual([
      ['r-new', ['assign', 'qualify', 'assign', 'schedule']],
      ['r-assigned', ['schedule']],
    ])
    const schedule = plans[1]!.ops[0]!
    expect(schedule.op === 'transition' && schedule.payload.fields).toEqual({ scheduledFor: DAY })
    expect(planTourStops(lookup, lead, tour, false)).toEqual([])
    expect(() =>
      planTourStops(lookup, lead, { ...tour, stopIds: [...tour.stopIds, 'r-waiting_citizen'] }, true),
    ).toThrow(/GRC-2026-waiting_citizen ne peut pas être planifiée/)
  })
})

describe('a stop’s stage and the technician’s buttons', () => {
  it('counts a stop started one step past « Planifiée », done further on or once closed', () => {
    expect(
      ['assigned', 'scheduled', 'waiting_citizen', 'in_progress', 'done', 'closed', 'rejected'].map((s) =>
        stopStage(intervention, s),
      ),
    ).toEqual(['waiting', 'waiting', 'waiting', 'started', 'done', 'done', 'done'])
    const p = tourProgress(
      () => intervention,
      [
        { categoryId: 'x', status: 'done' },
        { categoryId: 'x', status: 'in_progress' },
      ],
      5,
    )
    expect(p).toEqual({ done: 1, started: 1, total: 5 })
  })

  it('offers « Démarrer » on a planned stop and « Terminer » on a started one, only to its technician’s role', () => {
    const tom = { agentId: TOM, roles: ['technician' as const], teamIds: ['voirie'] }
    const subject = (status: string) => ({
      status,
      teamId: 'voirie',
      assigneeId: TOM,
      hasLocation: true,
      hasCitizen: false,
      fields: {},
    })
    expect(fieldActions(intervention, subject('scheduled'), tom)).toMatchObject({
      stage: 'waiting',
      start: { id: 'start' },
      finish: null,
    })
    expect(fieldActions(intervention, subject('in_progress'), tom)).toMatchObject({
      stage: 'started',
      start: null,
      finish: { id: 'finish' },
    })
    expect(fieldActions(intervention, subject('assigned'), tom)).toMatchObject({ start: null, finish: null })
    const zoe = { agentId: 'z', roles: ['agent' as const], teamIds: ['voirie'] }
    expect(fieldActions(intervention, subject('scheduled'), zoe).start).toBeNull()
  })

  it('offers « Impossible » where the workflow has a step a technician fires with a reason', () => {
    const tom = { agentId: TOM, roles: ['technician' as const], teamIds: ['voirie'] }
    const subject = (status: string) => ({
      status,
      teamId: 'voirie',
      assigneeId: TOM,
      hasLocation: true,
      hasCitizen: false,
      fields: {},
    })
    // The shipped workflow's « Signaler impossible », with its reason.
    expect(fieldActions(intervention, subject('scheduled'), tom).impossible?.id).toBe('report_impossible')
    expect(fieldActions(intervention, subject('in_progress'), tom).impossible?.id).toBe('report_impossible')
    // A workflow without such a step: the button stays hidden rather than be refused.
    const without = {
      ...intervention,
      transitions: intervention.transitions.filter((t) => t.id !== 'report_impossible'),
    }
    expect(fieldActions(without, subject('scheduled'), tom).impossible).toBeNull()
    // Going back to « Affectée » is not a way to plan: planning stays forward only.
    expect(planningPath(intervention, lead, row('in_progress'), TOM, DAY).kind).toBe('nothing')
  })
})
