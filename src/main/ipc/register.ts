/**
 * The only file that touches `ipcMain`. One handler, `grc:invoke`, carries every contract
 * operation to `core.invoke` (which validates and authorises); before that it checks who is
 * asking: the main frame of a page on the app's own origin, nothing else. Core events go
 * out on `grc:event` to the app's windows only.
 */
import { ipcMain } from 'electron'
import { EVENT_NAMES, isChannelName } from '../../shared/contract'
import { fail, type Result } from '../../shared/result'
import type { ConsoleCore } from '../console'
import { IPC_EVENT, IPC_INVOKE } from '../../shared/ipc'
import { isSameOrigin } from '../app/origin'

/** The parts of Electron's WebFrameMain the checks read. */
export interface IpcFrame {
  readonly url: string
  readonly parent: IpcFrame | null
}

export interface IpcInvokeEvent {
  /** Null when the frame navigated away or was destroyed before the call arrived. */
  readonly senderFrame: IpcFrame | null
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>): void
  removeHandler(channel: string): void
}

/** A window's web contents, as far as sending events goes. */
export interface EventTarget {
  isDestroyed(): boolean
  readonly mainFrame: IpcFrame
  send(channel: string, ...args: unknown[]): void
}

/** A sender check that trusts frames whose URL is on `appOrigin` (`app://grc` or the dev server). */
export function trustAppOrigin(appOrigin: string): (frame: IpcFrame) => boolean {
  return (frame) => isSameOrigin(frame.url, appOrigin)
}

export interface RegisterIpcOptions {
  /** Electron's ipcMain unless a test passes a fake. */
  ipc?: IpcMainLike
  /** Where an unexpected throw from the core is reported (channel name only, never the input). */
  logError?: (where: string, error: unknown) => void
}

const forbidden = (): Result<never> =>
  fail('forbidden', 'Appel refusé : il ne provient pas de la fenêtre de la console.')

/**
 * Serve the contract over IPC. `isTrustedSender` is asked only about main frames;
 * subframes and vanished frames are refused before it. `targets` lists the web contents
 * that may receive core events (the app's windows). Returns the unregister function.
 */
export function registerIpc(
  core: ConsoleCore,
  isTrustedSender: (frame: IpcFrame) => boolean,
  targets: () => readonly EventTarget[],
  options: RegisterIpcOptions = {},
): () => void {
  const ipc = options.ipc ?? ipcMain
  const logError = options.logError ?? (() => {})
  const trusted = (frame: IpcFrame | null): frame is IpcFrame =>
    frame !== null && frame.parent === null && isTrustedSender(frame)

  ipc.handle(IPC_INVOKE, async (event, channel, input) => {
    if (!trusted(event.senderFrame)) return forbidden()
    if (!isChannelName(channel)) return fail('unknown_channel', 'Opération inconnue.')
    try {
      return await core.invoke(channel, input)
    } catch (error) {
      // core.invoke is built not to throw; if it ever does, the renderer still gets a Result.
      logError(`ipc ${channel}`, error)
      return fail('internal', 'Erreur interne.')
    }
  })

  const unsubscribes = EVENT_NAMES.map((name) =>
    core.on(name, (payload) => {
      for (const target of targets()) {
        if (target.isDestroyed() || !trusted(target.mainFrame)) continue
        target.send(IPC_EVENT, name, payload)
      }
    }),
  )

  return () => {
    ipc.removeHandler(IPC_INVOKE)
    for (const unsubscribe of unsubscribes) unsubscribe()
  }
}
