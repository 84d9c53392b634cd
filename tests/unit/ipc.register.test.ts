import { beforeEach, describe, expect, it, vi } from 'vitest'
import {
  FakeWebContents,
  resetFakeElectron,
  type FakeElectron,
  type FakeFrame,
} from '../support/fake-electron'

vi.mock('electron', async () => (await import('../support/fake-electron')).electronModule)

import { registerIpc, trustAppOrigin } from '../../src/main/ipc/register'
import { IPC_EVENT, IPC_INVOKE } from '../../src/shared/ipc'
import type { ConsoleCore } from '../../src/main/console'
import type { EventName } from '../../src/shared/contract'

/** A core that records calls and lets the test emit events. */
function fakeCore() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const invoke = vi.fn(async (channel: unknown, input: unknown) => ({
    ok: true as const,
    value: { channel, input },
  }))
  const core = {
    invoke,
    on(event: EventName, cb: (payload: never) => void) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(cb as (payload: unknown) => void)
      return () => set.delete(cb as (payload: unknown) => void)
    },
    close: vi.fn(),
  }
  const emit = (event: EventName, payload: unknown) => listeners.get(event)?.forEach((cb) => cb(payload))
  const listenerCount = () => [...listeners.values()].reduce((n, s) => n + s.size, 0)
  return { core: core as unknown as ConsoleCore, invoke, emit, listenerCount }
}

const appFrame: FakeFrame = { url: 'app://grc/index.html', parent: null }

let electron: FakeElectron
let core: ReturnType<typeof fakeCore>
let windows: FakeWebContents[]

beforeEach(() => {
  electron = resetFakeElectron()
  core = fakeCore()
  windows = []
})

const register = (origin = 'app://grc') => registerIpc(core.core, trustAppOrigin(origin), () => windows)
const call = (frame: FakeFrame | null, channel: unknown, input: unknown = {}) =>
  electron.ipcMain.invokeFrom(frame, IPC_INVOKE, channel, input)

describe('IPC from the renderer', () => {
  it('passes a call from the app window to core.invoke with its channel and input', async () => {
    register()
    const result = await call(appFrame, 'queue.list', { limit: 50 })
    expect(core.invoke).toHaveBeenCalledExactlyOnceWith('queue.list', { limit: 50 })
    expect(result).toEqual({ ok: true, value: { channel: 'queue.list', input: { limit: 50 } } })
  })

  it('uses the real ipcMain by default: one handler, on grc:invoke', () => {
    register()
    expect([...electron.ipcMain.handlers.keys()]).toEqual([IPC_INVOKE])
  })

  it.each<[string, FakeFrame | null]>([
    ['another origin', { url: 'https://evil.example/', parent: null }],
    ['another app host', { url: 'app://evil/index.html', parent: null }],
    ['a file page', { url: 'file:///tmp/index.html', parent: null }],
    ['an iframe inside the app', { url: 'app://grc/frame.html', parent: appFrame }],
    ['a frame that is gone', null],
  ])('refuses a call from %s without reaching the core', async (_name, frame) => {
    register()
    const result = await call(frame, 'session.login', { login: 'zoe.agent', password: 'demo' })
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(core.invoke).not.toHaveBeenCalled()
  })

  it('refuses a channel that is not in the contract without reaching the core', async () => {
    register()
    for (const channel of ['fs.readFile', '__proto__', 'constructor', 42, null]) {
      expect(await call(appFrame, channel)).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    }
    expect(core.invoke).not.toHaveBeenCalled()
  })

  it('trusts the dev server origin when that is where the renderer comes from, and only it', async () => {
    register('http://localhost:5173')
    expect(await call({ url: 'http://localhost:5173/', parent: null }, 'session.current')).toMatchObject({
      ok: true,
    })
    expect(await call(appFrame, 'session.current')).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await call({ url: 'http://localhost:5174/', parent: null }, 'session.current')).toMatchObject({
      ok: false,
    })
  })

  it('turns a core that throws into an internal error Result', async () => {
    core.invoke.mockRejectedValueOnce(new Error('disk full'))
    registerIpc(core.core, trustAppOrigin('app://grc'), () => windows, { logError: () => {} })
    expect(await call(appFrame, 'queue.list')).toMatchObject({ ok: false, error: { code: 'internal' } })
  })
})

describe('core events to the renderer', () => {
  it("sends each event to the app's windows only, never to a destroyed one or a foreign page", () => {
    const app = new FakeWebContents()
    app.mainFrame = { url: 'app://grc/index.html', parent: null }
    const foreign = new FakeWebContents()
    foreign.mainFrame = { url: 'https://evil.example/', parent: null }
    const closed = new FakeWebContents()
    closed.mainFrame = { url: 'app://grc/index.html', parent: null }
    closed.destroyed = true
    windows.push(app, foreign, closed)
    register()

    core.emit('requests.changed', { ids: ['r1', 'r2'] })
    expect(app.sent).toEqual([[IPC_EVENT, 'requests.changed', { ids: ['r1', 'r2'] }]])
    expect(foreign.sent).toEqual([])
    expect(closed.sent).toEqual([])
  })

  it('stops serving calls and events once unregistered', async () => {
    const app = new FakeWebContents()
    app.mainFrame = appFrame
    windows.push(app)
    const unregister = register()
    expect(core.listenerCount()).toBeGreaterThan(0)
    unregister()
    expect(electron.ipcMain.handlers.size).toBe(0)
    expect(core.listenerCount()).toBe(0)
    core.emit('session.changed', { session: null })
    expect(app.sent).toEqual([])
    await expect(call(appFrame, 'session.current')).rejects.toThrow(/No handler/)
  })
})
