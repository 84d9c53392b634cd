/**
 * How much of an answer dispatch checks: in full by default (tests, development, the web
 * bridge), so a handler answering off-contract is caught there; with `outputCheck: 'cheap'`
 * (a packaged console) the big read channels of CHEAP_OUTPUTS are checked for their shape
 * only, and every other channel still in full.
 */
import { describe, expect, it } from 'vitest'
import { CHEAP_OUTPUTS, type SessionInfo } from '../../src/shared/contract'
import { dispatch, type Handlers } from '../../src/main/dispatch'

const session: SessionInfo = {
  agentId: 'a1',
  login: 'zoe.agent',
  displayName: 'Zoé',
  roles: ['agent'],
  teamIds: ['voirie'],
  kind: 'online',
  startedAt: '2026-11-29T08:00:00.000Z',
}

/** A queue page whose row lacks most of a summary's fields: off-contract. */
const offContractPage = { rows: [{ id: 'r1' }], nextCursor: null }
const handlers = {
  'queue.list': () => offContractPage,
  'queue.counts': () => ({ byStatus: { new: 'many' }, total: 1, overdue: 0 }),
} as unknown as Handlers

describe('output checks', () => {
  it('catch an off-contract answer in full, the default', async () => {
    const r = await dispatch(handlers, 'queue.list', {}, { session })
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } })
  })

  it('check only the shape of the listed big reads when cheap, and every other channel in full', async () => {
    expect(Object.keys(CHEAP_OUTPUTS).sort()).toEqual(['map.points', 'queue.list'])
    const page = await dispatch(handlers, 'queue.list', {}, { session, outputCheck: 'cheap' })
    expect(page).toEqual({ ok: true, value: offContractPage })
    const notAPage = { 'queue.list': () => ({ rows: 'none' }) } as unknown as Handlers
    expect(await dispatch(notAPage, 'queue.list', {}, { session, outputCheck: 'cheap' })).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    })
    const counts = await dispatch(handlers, 'queue.counts', {}, { session, outputCheck: 'cheap' })
    expect(counts).toMatchObject({ ok: false, error: { code: 'internal' } })
  })
})
