import { describe, expect, it, vi } from 'vitest'
import { CHANNEL_NAMES, type SessionInfo } from '../../src/shared/contract'
import { CoreError } from '../../src/shared/result'
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

/** Handlers that fail the test if called: dispatch must refuse before reaching them. */
function untouchable(): Handlers {
  return Object.fromEntries(
    CHANNEL_NAMES.map((c) => [c, vi.fn(() => expect.fail(`${c} must not run`))]),
  ) as never
}

describe('dispatch', () => {
  it('refuses an unknown channel without calling anything', async () => {
    const r = await dispatch(untouchable(), 'fs.readFile', {}, { session })
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    const proto = await dispatch(untouchable(), '__proto__', {}, { session })
    expect(proto).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
  })

  it('refuses wrong types, unknown keys and oversized text with a clear message', async () => {
    const wrongType = await dispatch(untouchable(), 'request.get', { id: 42 }, { session })
    expect(wrongType).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(!wrongType.ok && wrongType.error.message).toMatch(/id/)

    const extraKey = await dispatch(untouchable(), 'request.get', { id: 'x', admin: true }, { session })
    expect(extraKey).toMatchObject({ ok: false, error: { code: 'invalid_input' } })

    const huge = await dispatch(
      untouchable(),
      'request.comment',
      { id: 'r1', kind: 'internal', body: 'x'.repeat(10_001) },
      { session },
    )
    expect(huge).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(!huge.ok && huge.error.message).toMatch(/10000/)

    const badChannelValue = await dispatch(
      untouchable(),
      'request.create',
      { categoryId: 'c', channel: 'pigeon', title: 't', description: 'd' },
      { session },
    )
    expect(badChannelValue).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })

  it('needs a session for everything but login', async () => {
    const r = await dispatch(untouchable(), 'queue.list', {}, { session: null })
    expect(r).toMatchObject({ ok: false, error: { code: 'unauthenticated' } })
  })

  it('passes parsed input with defaults and wraps the value', async () => {
    const handlers = untouchable()
    handlers['queue.list'] = vi.fn(() => ({ rows: [], nextCursor: null }))
    const r = await dispatch(handlers, 'queue.list', {}, { session })
    expect(r).toEqual({ ok: true, value: { rows: [], nextCursor: null } })
    expect(handlers['queue.list']).toHaveBeenCalledWith(
      { filter: {}, sort: 'created_desc', after: null, limit: 100 },
      { session },
    )
  })

  it('turns core errors into results and hides internal ones', async () => {
    const handlers = untouchable()
    handlers['request.get'] = () => {
      throw new CoreError('not_found', 'Demande introuvable.')
    }
    handlers['request.history'] = () => {
      throw new TypeError('boom with citizen Jean Dupont')
    }
    const logError = vi.fn()
    expect(await dispatch(handlers, 'request.get', { id: 'x' }, { session })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'Demande introuvable.' },
    })
    const hidden = await dispatch(handlers, 'request.history', { id: 'x' }, { session, logError })
    expect(hidden).toMatchObject({ ok: false, error: { code: 'internal' } })
    expect(JSON.stringify(hidden)).not.toContain('Dupont')
    expect(logError).toHaveBeenCalledOnce()
  })

  it('refuses a handler output that breaks the contract', async () => {
    const handlers = untouchable()
    handlers['views.list'] = () => [{ id: 'v', name: '' }] as never
    const r = await dispatch(handlers, 'views.list', {}, { session, logError: () => {} })
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } })
  })
})
