/**
 * What the preload puts on `window.grc`: exactly `invoke` and `on`, gated by the contract's
 * own lists of channel and event names. Built from an injected ipcRenderer so it can be
 * tested without Electron; index.ts does the wiring.
 */
import { isChannelName, isEventName, type GrcBridge } from '../shared/contract'
import { fail, type Result } from '../shared/result'
import { IPC_EVENT, IPC_INVOKE } from '../shared/ipc'

type IpcListener = (event: unknown, ...args: unknown[]) => void

/** The parts of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: IpcListener): unknown
  removeListener(channel: string, listener: IpcListener): unknown
}

const noop = () => {}

/** Build the `window.grc` API over `ipc`; never exposes `ipc` or an IPC event object. */
export function createGrcBridge(ipc: IpcRendererLike): GrcBridge {
  const invoke = async (channel: unknown, input: unknown): Promise<Result<unknown>> => {
    if (!isChannelName(channel)) return fail('unknown_channel', 'Opération inconnue.')
    try {
      return (await ipc.invoke(IPC_INVOKE, channel, input)) as Result<unknown>
    } catch {
      // A broken IPC pipe (main process restarting, handler missing) is still an answer.
      return fail('internal', 'La console ne répond pas.')
    }
  }

  const on = (event: unknown, cb: unknown): (() => void) => {
    if (!isEventName(event) || typeof cb !== 'function') return noop
    const listener: IpcListener = (_ipcEvent, name, payload) => {
      if (name === event) (cb as (payload: unknown) => void)(payload)
    }
    ipc.on(IPC_EVENT, listener)
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      ipc.removeListener(IPC_EVENT, listener)
    }
  }

  return Object.freeze({ invoke, on }) as GrcBridge
}
