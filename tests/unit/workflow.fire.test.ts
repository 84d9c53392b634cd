import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadWorkflowDefinitions } from '../../src/core/workflow/definitions'
import {
  applyTransition,
  checkTransition,
  WorkflowError,
  type Actor,
  type TransitionableRequest,
  type WorkflowSubject,
} from '../../src/core/workflow/engine'
import { addBusinessHours, businessMsBetween, DEFAULT_CALENDAR } from '../../src/core/workflow/sla'

const defs = loadWorkflowDefinitions(fileURLToPath(new URL('../../resources/workflows', import.meta.url)))
const intervention = defs.get('intervention')!
const information = defs.get('information')!
const cal = DEFAULT_CALENDAR
const HOUR = 3_600_000

const at = (iso: string) => Date.parse(iso)
const agent: Actor = { agentId: 'a1', roles: ['agent'], teamIds: ['voirie'] }
const lead: Actor = { agentId: 'l1', roles: ['lead'], teamIds: ['voirie'] }
const technician: Actor = { agentId: 't1', roles: ['technician'], teamIds: ['voirie'] }

const subject = (over: Partial<WorkflowSubject> = {}): WorkflowSubject => ({
  status: 'new',
  teamId: 'voirie',
  assigneeId: null,
  hasLocation: true,
  hasCitizen: true,
  fields: {},
  ...over,
})

const request = (over: Partial<TransitionableRequest> = {}): TransitionableRequest => ({
  status: 'new',
  fields: {},
  slaPausedMs: 0,
  slaPausedSince: null,
  dueAt: at('2026-01-16T11:00:00+01:00'),
  closedAt: null,
  ...over,
})

describe('firing a transition: required fields', () => {
  it('refuses a rejection without a reason, or with a blank one', () => {
    for (const fields of [{}, { reason: '' }, { reason: '   \n' }]) {
      const check = checkTransition(intervention, subject(), agent, 'reject', fields)
      expect(check).toEqual({ ok: false, reasons: [{ code: 'missing_field', field: 'reason' }] })
    }
  })

  it('accepts a rejection with a reason, trimmed, and closes the request', () => {
    const check = checkTransition(intervention, subject(), agent, 'reject', { reason: '  Hors compétence  ' })
    expect(check).toMatchObject({
      ok: true,
      to: { id: 'rejected', kind: 'closed' },
      fields: { reason: 'Hors compétence' },
    })
    const now = at('2026-01-12T10:00:00+01:00')
    const next = applyTransition(
      intervention,
      request(),
      'reject',
      { reason: '  Hors compétence  ' },
      now,
      cal,
    )
    expect(next).toMatchObject({ status: 'rejected', statusKind: 'closed', closedAt: now })
    expect(next.fields).toEqual({ reason: 'Hors compétence' })
  })

  it('needs a resolution note to close', () => {
    const done = subject({ status: 'done', assigneeId: 't1' })
    expect(checkTransition(intervention, done, agent, 'close', {})).toEqual({
      ok: false,
      reasons: [{ code: 'missing_field', field: 'resolutionNote' }],
    })
    expect(
      checkTransition(intervention, done, agent, 'close', { resolutionNote: 'Nid-de-poule rebouché' }).ok,
    ).toBe(true)
    expect(checkTransition(information, subject({ status: 'answered' }), agent, 'close', {}).ok).toBe(false)
  })

  it('reports missing fields together with the other reasons', () => {
    const check = checkTransition(intervention, subject({ status: 'done' }), technician, 'close', {})
    expect(check).toEqual({
      ok: false,
      reasons: [
        { code: 'role', roles: ['agent', 'lead', 'supervisor', 'admin'] },
        { code: 'missing_field', field: 'resolutionNote' },
      ],
    })
  })

  it('needs a date to schedule, the original request to mark a duplicate, a reason to put on hold', () => {
    const assigned = subject({ status: 'assigned', assigneeId: 't1' })
    expect(checkTransition(intervention, assigned, lead, 'schedule', {})).toMatchObject({
      reasons: [{ code: 'missing_field', field: 'scheduledFor' }],
    })
    expect(checkTransition(intervention, subject(), agent, 'mark_duplicate', {})).toMatchObject({
      reasons: [{ code: 'missing_field', field: 'duplicateOf' }],
    })
    expect(checkTransition(intervention, subject(), agent, 'ask_citizen', {})).toMatchObject({
      reasons: [{ code: 'missing_field', field: 'holdReason' }],
    })
  })

  it('keeps only the fields the transition asks for', () => {
    const check = checkTransition(intervention, subject(), agent, 'reject', {
      reason: 'Doublon',
      resolutionNote: 'x',
    })
    expect(check.ok && check.fields).toEqual({ reason: 'Doublon' })
    const next = applyTransition(
      intervention,
      request({ fields: { holdReason: 'photo' } }),
      'reject',
      { reason: 'Doublon', resolutionNote: 'x' },
      0,
      cal,
    )
    expect(next.fields).toEqual({ holdReason: 'photo', reason: 'Doublon' })
  })

  it('names an unknown transition instead of failing silently', () => {
    expect(checkTransition(intervention, subject(), agent, 'teleport', {})).toEqual({
      ok: false,
      reasons: [{ code: 'guard', guard: 'unknown_transition' }],
    })
  })
})

describe('firing a transition: the state it writes', () => {
  it('walks the typical intervention path, one step at a time', () => {
    let r = request()
    const steps: [string, Record<string, string>][] = [
      ['qualify', {}],
      ['assign', {}],
      ['schedule', { scheduledFor: '2026-01-20' }],
      ['start', {}],
      ['finish', {}],
      ['close', { resolutionNote: 'Lampadaire remplacé' }],
    ]
    const seen: string[] = []
    for (const [id, fields] of steps) {
      r = { ...r, ...applyTransition(intervention, r, id, fields, at('2026-01-13T09:00:00+01:00'), cal) }
      seen.push(r.status)
    }
    expect(seen).toEqual(['qualified', 'assigned', 'scheduled', 'in_progress', 'done', 'closed'])
    expect(r.fields).toEqual({ scheduledFor: '2026-01-20', resolutionNote: 'Lampadaire remplacé' })
  })

  it('cannot skip a step: applying from the wrong state throws', () => {
    expect(() => applyTransition(intervention, request(), 'close', { resolutionNote: 'x' }, 0, cal)).toThrow(
      WorkflowError,
    )
    expect(() => applyTransition(intervention, request(), 'reject', {}, 0, cal)).toThrow(/reason/)
  })

  it('sets closedAt on closing and clears it on reopening', () => {
    const closedAt = at('2026-01-14T15:00:00+01:00')
    const closed = applyTransition(
      intervention,
      request({ status: 'done' }),
      'close',
      { resolutionNote: 'ok' },
      closedAt,
      cal,
    )
    expect(closed).toMatchObject({ status: 'closed', statusKind: 'closed', closedAt })
    const reopened = applyTransition(
      intervention,
      { ...request(), ...closed },
      'reopen',
      {},
      closedAt + HOUR,
      cal,
    )
    expect(reopened).toMatchObject({ status: 'qualified', statusKind: 'open', closedAt: null })
    expect(checkTransition(intervention, subject({ status: 'closed' }), lead, 'reopen', {}).ok).toBe(true)
    expect(checkTransition(intervention, subject({ status: 'done' }), lead, 'reopen', {}).ok).toBe(true)
    expect(checkTransition(intervention, subject({ status: 'rejected' }), lead, 'reopen', {}).ok).toBe(false)
  })

  it('does not modify the request it is given', () => {
    const r = request({ fields: { reason: 'old' } })
    const copy = structuredClone(r)
    applyTransition(intervention, r, 'reject', { reason: 'new' }, 0, cal)
    expect(r).toEqual(copy)
  })
})

describe('firing a transition: SLA pause while waiting for the citizen', () => {
  const created = at('2026-01-12T09:00:00+01:00') // Monday
  const dueAt = addBusinessHours(created, 40, cal)

  it('stops the clock on entering waiting_citizen without moving the due date', () => {
    const asked = at('2026-01-12T10:00:00+01:00')
    const next = applyTransition(
      intervention,
      request({ dueAt }),
      'ask_citizen',
      { holdReason: 'Photo ?' },
      asked,
      cal,
    )
    expect(next).toMatchObject({ status: 'waiting_citizen', slaPausedSince: asked, slaPausedMs: 0, dueAt })
  })

  it('pushes the due date by exactly the paused business time when the citizen answers', () => {
    const asked = at('2026-01-12T10:00:00+01:00') // Monday 10:00
    const answered = at('2026-01-16T14:00:00+01:00') // Friday 14:00: 4 days × 9 h − 1.5 h + 5.5 h = 40 h
    const waiting = applyTransition(
      intervention,
      request({ dueAt }),
      'ask_citizen',
      { holdReason: 'Photo ?' },
      asked,
      cal,
    )
    const back = applyTransition(
      intervention,
      { ...request(), ...waiting },
      'citizen_answered',
      {},
      answered,
      cal,
    )
    const paused = 40 * HOUR
    expect(businessMsBetween(asked, answered, cal)).toBe(paused)
    expect(back).toMatchObject({ status: 'new', slaPausedSince: null, slaPausedMs: paused })
    expect(back.dueAt).toBe(addBusinessHours(dueAt, 40, cal))
    // The agent gets back exactly the business time that was left when the clock stopped.
    expect(businessMsBetween(answered, back.dueAt!, cal)).toBe(businessMsBetween(asked, dueAt, cal))
  })

  it('adds successive pauses up', () => {
    let r = request({ dueAt, slaPausedMs: 2 * HOUR })
    r = {
      ...r,
      ...applyTransition(
        intervention,
        r,
        'ask_citizen',
        { holdReason: 'Adresse ?' },
        at('2026-01-13T09:00:00+01:00'),
        cal,
      ),
    }
    r = {
      ...r,
      ...applyTransition(intervention, r, 'citizen_answered', {}, at('2026-01-13T12:00:00+01:00'), cal),
    }
    expect(r.slaPausedMs).toBe(5 * HOUR)
  })

  it('settles the pause when a waiting request is rejected', () => {
    const waiting = request({
      status: 'waiting_citizen',
      slaPausedSince: at('2026-01-13T09:00:00+01:00'),
      dueAt,
    })
    const now = at('2026-01-13T11:30:00+01:00')
    const rejected = applyTransition(intervention, waiting, 'reject', { reason: 'Sans réponse' }, now, cal)
    expect(rejected).toMatchObject({
      statusKind: 'closed',
      closedAt: now,
      slaPausedSince: null,
      slaPausedMs: 2.5 * HOUR,
    })
  })

  it('does not count time outside business hours as paused', () => {
    const waiting = request({
      status: 'waiting_citizen',
      slaPausedSince: at('2026-01-16T17:00:00+01:00'),
      dueAt,
    })
    const monday = at('2026-01-19T08:00:00+01:00')
    const back = applyTransition(intervention, waiting, 'citizen_answered', {}, monday, cal)
    expect(back.slaPausedMs).toBe(HOUR / 2)
    expect(back.dueAt).toBe(dueAt + HOUR / 2) // dueAt is mid-morning on a working day
  })
})
