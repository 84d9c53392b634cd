import { beforeEach, describe, expect, it, vi } from 'vitest'
import { resetFakeElectron, type FakeElectron } from '../support/fake-electron'

vi.mock('electron', async () => (await import('../support/fake-electron')).electronModule)

import { registerIpc, trustAppOrigin } from '../../src/main/ipc/register'
import { IPC_EVENT, IPC_INVOKE } from '../../src/shared/ipc'
import type { ConsoleCore } from '../../src/main/console'
import type { GrcBridge } from '../../src/shared/contract'

let electron: FakeElectron
let grc: GrcBridge

/** Run the real preload against the fake Electron and return what it put on window.grc. */
async function loadPreload(): Promise<GrcBridge> {
  vi.resetModules()
  await import('../../src/preload/index')
  return electron.contextBridge.exposed.grc as GrcBridge
}

beforeEach(async () => {
  electron = resetFakeElectron()
  grc = await loadPreload()
})

describe('window.grc', () => {
  it('is exactly { invoke, on } and nothing else is exposed', () => {
    expect(Object.keys(electron.contextBridge.exposed)).toEqual(['grc'])
    expect(Object.keys(grc).sort()).toEqual(['invoke', 'on'])
    expect(Object.isFrozen(grc)).toBe(true)
    expect(Object.values(grc).every((v) => typeof v === 'function')).toBe(true)
  })

  it('carries a contract call through IPC to the core and brings back its Result', async () => {
    const invoke = vi.fn(async () => ({ ok: true as const, value: null }))
    const core = { invoke, on: () => () => {}, close: () => {} } as unknown as ConsoleCore
    registerIpc(core, trustAppOrigin('app://grc'), () => [])
    expect(await grc.invoke('session.current', {})).toEqual({ ok: true, value: null })
    expect(invoke).toHaveBeenCalledWith('session.current', {})
  })

  it('refuses a channel outside the contract with a Result, without sending anything', async () => {
    const sent = vi.spyOn(electron.ipcRenderer, 'invoke')
    const bridge = grc as unknown as { invoke(channel: unknown, input: unknown): Promise<unknown> }
    for (const channel of ['fs.readFile', 'grc:invoke', '__proto__', 'toString', 7]) {
      await expect(bridge.invoke(channel, {})).resolves.toMatchObject({
        ok: false,
        error: { code: 'unknown_channel' },
      })
    }
    expect(sent).not.toHaveBeenCalled()
  })

  it('answers with a Result, not an exception, when the main process does not respond', async () => {
    // No handler registered: Electron rejects the invoke.
    await expect(grc.invoke('session.current', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'internal' },
    })
  })

  it('delivers only the payload of the subscribed event, never the IPC event object', () => {
    const seen: unknown[] = []
    grc.on('requests.changed', (payload) => seen.push(payload))
    electron.ipcRenderer.deliver(IPC_EVENT, 'session.changed', { session: null })
    electron.ipcRenderer.deliver(IPC_EVENT, 'requests.changed', { ids: ['r1'] })
    expect(seen).toEqual([{ ids: ['r1'] }])
  })

  it('stops delivering after unsubscribe, and unsubscribing twice is harmless', () => {
    const cb = vi.fn()
    const unsubscribe = grc.on('requests.changed', cb)
    expect(electron.ipcRenderer.listenerCount(IPC_EVENT)).toBe(1)
    unsubscribe()
    unsubscribe()
    expect(electron.ipcRenderer.listenerCount(IPC_EVENT)).toBe(0)
    electron.ipcRenderer.deliver(IPC_EVENT, 'requests.changed', { ids: ['r1'] })
    expect(cb).not.toHaveBeenCalled()
  })

  it('refuses to subscribe to an unknown event or channel name', () => {
    const bridge = grc as unknown as { on(event: unknown, cb: unknown): () => void }
    const cb = vi.fn()
    for (const name of ['grc:event', IPC_INVOKE, 'fs.watch', '__proto__']) {
      const unsubscribe = bridge.on(name, cb)
      expect(typeof unsubscribe).toBe('function')
      unsubscribe()
    }
    expect(bridge.on('requests.changed', 'not a function')).toBeTypeOf('function')
    expect(electron.ipcRenderer.listenerCount(IPC_EVENT)).toBe(0)
  })
})
