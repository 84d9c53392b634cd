import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { TransitionAvailability } from '../../src/shared/domain'
import { loadWorkflowDefinitions } from '../../src/core/workflow/definitions'
import { transitionAvailability, type Actor, type WorkflowSubject } from '../../src/core/workflow/engine'

const defs = loadWorkflowDefinitions(fileURLToPath(new URL('../../resources/workflows', import.meta.url)))
const intervention = defs.get('intervention')!
const information = defs.get('information')!

const subject = (over: Partial<WorkflowSubject> = {}): WorkflowSubject => ({
  status: 'new',
  teamId: 'voirie',
  assigneeId: null,
  hasLocation: true,
  hasCitizen: false,
  fields: {},
  ...over,
})

const actor = (roles: Actor['roles'], teamIds: string[] = ['voirie']): Actor => ({
  agentId: 'a1',
  roles,
  teamIds,
})
const agent = actor(['agent'])
const lead = actor(['lead'])
const otherLead = actor(['lead'], ['eclairage'])
const technician = actor(['technician'])
const supervisor = actor(['supervisor'], [])
const admin = actor(['admin'], [])
const dpo = actor(['dpo'], [])

const allowedIds = (a: TransitionAvailability) => a.allowed.map((t) => t.id).sort()
const reasonsOf = (a: TransitionAvailability, id: string) => a.blocked.find((t) => t.id === id)?.reasons

describe('transition availability: every transition is either allowed or blocked with its reasons', () => {
  it('lists each transition of the workflow exactly once', () => {
    for (const who of [agent, lead, otherLead, technician, supervisor, dpo])
      for (const status of intervention.states.map((s) => s.id)) {
        const a = transitionAvailability(intervention, subject({ status }), who)
        const ids = [...a.allowed, ...a.blocked].map((t) => t.id).sort()
        expect(ids).toEqual(intervention.transitions.map((t) => t.id).sort())
        for (const b of a.blocked) expect(b.reasons.length).toBeGreaterThan(0)
      }
  })

  it('lets an agent qualify, reject or mark a new request as duplicate in their team', () => {
    const a = transitionAvailability(intervention, subject(), agent)
    expect(allowedIds(a)).toEqual(['mark_duplicate', 'qualify', 'reject'])
  })

  it('does not block on required fields but lists them for the form', () => {
    const a = transitionAvailability(intervention, subject(), agent)
    expect(a.allowed.find((t) => t.id === 'reject')).toMatchObject({ to: 'rejected', requires: ['reason'] })
    expect(a.allowed.find((t) => t.id === 'qualify')?.requires).toEqual([])
  })

  it('gives every reason at once: wrong state, role and guard', () => {
    const a = transitionAvailability(intervention, subject({ status: 'new' }), agent)
    expect(reasonsOf(a, 'assign')).toEqual([
      { code: 'wrong_state', from: ['qualified'], current: 'new' },
      { code: 'role', roles: ['lead', 'supervisor', 'admin'] },
      { code: 'guard', guard: 'hasAssignee' },
    ])
  })

  it('blocks a lead of another team with `team` only', () => {
    const a = transitionAvailability(intervention, subject(), otherLead)
    expect(a.allowed).toEqual([])
    expect(reasonsOf(a, 'qualify')).toEqual([{ code: 'team', teamId: 'voirie' }])
  })

  it('lets supervisors and admins act on every team', () => {
    for (const who of [supervisor, admin]) {
      const a = transitionAvailability(intervention, subject(), who)
      expect(allowedIds(a)).toEqual(['mark_duplicate', 'qualify', 'reject'])
    }
  })

  it('moves to `assigned` only once someone is assigned', () => {
    const unassigned = transitionAvailability(intervention, subject({ status: 'qualified' }), lead)
    expect(reasonsOf(unassigned, 'assign')).toEqual([{ code: 'guard', guard: 'hasAssignee' }])
    const assigned = transitionAvailability(
      intervention,
      subject({ status: 'qualified', assigneeId: 't1' }),
      lead,
    )
    expect(allowedIds(assigned)).toContain('assign')
  })

  it('schedules only a located intervention and asks for the date', () => {
    const s = subject({ status: 'assigned', assigneeId: 't1', hasLocation: false })
    expect(reasonsOf(transitionAvailability(intervention, s, lead), 'schedule')).toEqual([
      { code: 'guard', guard: 'hasLocation' },
    ])
    const located = transitionAvailability(intervention, { ...s, hasLocation: true }, lead)
    expect(located.allowed.find((t) => t.id === 'schedule')?.requires).toEqual(['scheduledFor'])
  })

  it('lets a technician start, finish or report impossible interventions, and nothing of the desk work', () => {
    const scheduled = transitionAvailability(
      intervention,
      subject({ status: 'scheduled', assigneeId: 't1' }),
      technician,
    )
    expect(allowedIds(scheduled)).toEqual(['report_impossible', 'start'])
    const working = transitionAvailability(
      intervention,
      subject({ status: 'in_progress', assigneeId: 't1' }),
      technician,
    )
    expect(allowedIds(working)).toEqual(['finish', 'report_impossible'])
    const fresh = transitionAvailability(intervention, subject(), technician)
    expect(reasonsOf(fresh, 'qualify')).toEqual([
      { code: 'role', roles: ['agent', 'lead', 'supervisor', 'admin'] },
    ])
  })

  it('refuses to start an intervention nobody is assigned to', () => {
    const a = transitionAvailability(intervention, subject({ status: 'scheduled' }), technician)
    expect(reasonsOf(a, 'start')).toEqual([{ code: 'guard', guard: 'hasAssignee' }])
  })

  it('asks the citizen only when the request has one', () => {
    expect(reasonsOf(transitionAvailability(intervention, subject(), agent), 'ask_citizen')).toEqual([
      { code: 'guard', guard: 'hasCitizen' },
    ])
    expect(allowedIds(transitionAvailability(intervention, subject({ hasCitizen: true }), agent))).toContain(
      'ask_citizen',
    )
  })

  it('lets leads and supervisors reopen, not agents', () => {
    const closed = subject({ status: 'closed', assigneeId: 't1' })
    expect(reasonsOf(transitionAvailability(intervention, closed, agent), 'reopen')).toEqual([
      { code: 'role', roles: ['lead', 'supervisor', 'admin'] },
    ])
    expect(allowedIds(transitionAvailability(intervention, closed, lead))).toEqual(['reopen'])
    expect(allowedIds(transitionAvailability(intervention, closed, supervisor))).toEqual(['reopen'])
  })

  it('gives the DPO no transition at all', () => {
    for (const def of [intervention, information])
      for (const state of def.states) {
        const a = transitionAvailability(
          def,
          subject({ status: state.id, assigneeId: 't1', hasCitizen: true }),
          dpo,
        )
        expect(a.allowed).toEqual([])
        for (const b of a.blocked)
          expect(b.reasons).toContainEqual({ code: 'role', roles: expect.any(Array) })
      }
  })

  it('blocks with `wrong_state` naming where the transition starts and where the request is', () => {
    const a = transitionAvailability(intervention, subject({ status: 'done' }), agent)
    expect(reasonsOf(a, 'reject')).toEqual([
      { code: 'wrong_state', from: ['new', 'qualified', 'waiting_citizen'], current: 'done' },
    ])
    expect(allowedIds(a)).toEqual(['close'])
  })

  it('gives technicians nothing to do on information requests', () => {
    const a = transitionAvailability(information, subject(), technician)
    expect(a.allowed).toEqual([])
    expect(allowedIds(transitionAvailability(information, subject(), agent))).toEqual(['reject', 'start'])
  })

  it('does not let a team member without a role of the transition act (roles and team combine)', () => {
    const a = transitionAvailability(
      intervention,
      subject({ status: 'qualified', assigneeId: 't1' }),
      otherLead,
    )
    expect(reasonsOf(a, 'assign')).toEqual([{ code: 'team', teamId: 'voirie' }])
    const agentOutside = actor(['agent'], ['eclairage'])
    expect(
      reasonsOf(transitionAvailability(intervention, subject({ status: 'closed' }), agentOutside), 'reopen'),
    ).toEqual([
      { code: 'role', roles: ['lead', 'supervisor', 'admin'] },
      { code: 'team', teamId: 'voirie' },
    ])
  })
})
