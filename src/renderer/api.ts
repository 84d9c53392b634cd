/**
 * The renderer's only way to the core. Two transports behind one typed surface:
 * - Electron: `window.grc`, exposed by the preload over IPC;
 * - web bridge (dev:web, browser tests): HTTP POST on loopback with a per-run token, and
 *   server-sent events for the core's pushes.
 * Stores call `invoke`/`on` and never know which one is underneath.
 */
import {
  EVENT_NAMES,
  EVENTS,
  type ChannelName,
  type EventName,
  type EventPayload,
  type InputOf,
  type OutputOf,
} from '../shared/contract'
import { ERROR_CODES, type ErrorCode, type Result } from '../shared/result'
import { ApiError } from './apiError'
import { wireReplacer, wireReviver } from '../shared/wireJson'

export { ApiError, errorCodeOf, type ApiErrorCode, type ApiErrorOrigin } from './apiError'

interface Transport {
  invoke(channel: ChannelName, input: unknown): Promise<Result<unknown>>
  on(event: EventName, cb: (payload: unknown) => void): () => void
}

const TOKEN_KEY = 'grc.bridgeToken'
let memoryToken: string | null = null
let current: Transport | null = null

/**
 * Take the web bridge's token from the page URL (`#token=…`, printed by `npm run dev:web`),
 * keep it in sessionStorage so a reload still works, and wipe it from the visible URL
 * (history, screenshots, screen sharing). Returns the token known for this tab, if any.
 */
export function captureBridgeToken(win: Window = window): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(win.location.hash)
  if (match?.[1]) {
    memoryToken = decodeURIComponent(match[1])
    try {
      win.sessionStorage.setItem(TOKEN_KEY, memoryToken)
    } catch {
      // Storage disabled: the token still lives in memory until the tab closes.
    }
    win.history.replaceState(win.history.state, '', win.location.pathname + win.location.search)
  }
  if (memoryToken) return memoryToken
  try {
    memoryToken = win.sessionStorage.getItem(TOKEN_KEY)
  } catch {
    memoryToken = null
  }
  return memoryToken
}

/**
 * Call one contract operation. Resolves with its output; throws an `ApiError` carrying the
 * core's code when the core refuses (`{ok:false}`) or cannot be reached.
 */
export async function invoke<C extends ChannelName>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> {
  const result = await transport().invoke(channel, input)
  if (result.ok) return result.value as OutputOf<C>
  throw new ApiError(result.error.code, result.error.message, result.error.details)
}

/** Listen to a core event (`requests.changed`, `session.changed`); returns the unsubscribe. */
export function on<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): () => void {
  return transport().on(event, (payload) => cb(payload as EventPayload<E>))
}

function transport(): Transport {
  if (current) return current
  const bridge = typeof window !== 'undefined' ? window.grc : undefined
  current = bridge ? electronTransport(bridge) : webTransport()
  return current
}

function electronTransport(bridge: NonNullable<Window['grc']>): Transport {
  return {
    invoke: (channel, input) => bridge.invoke(channel, input as never) as Promise<Result<unknown>>,
    on: (event, cb) => bridge.on(event, cb),
  }
}

const failure = (code: ErrorCode | 'network' | 'bridge_token', message: string) => {
  throw new ApiError(code, message, undefined, 'renderer')
}

function webTransport(): Transport {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  let source: EventSource | null = null

  const openEvents = (token: string) => {
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`)
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (message) => {
        const payload = parseEvent(name, (message as MessageEvent<string>).data)
        if (payload === undefined) return
        listeners.get(name)?.forEach((cb) => cb(payload))
      })
    }
  }

  return {
    async invoke(channel, input) {
      const token = captureBridgeToken()
      if (!token) return failure('bridge_token', 'No web bridge token in this tab.')
      let response: Response
      try {
        response = await fetch(`/api/invoke/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? {}, wireReplacer),
        })
      } catch {
        return failure('network', 'The console core could not be reached.')
      }
      if (response.status === 401) return failure('bridge_token', 'The web bridge refused this tab’s token.')
      let body: unknown
      try {
        body = JSON.parse(await response.text(), wireReviver)
      } catch {
        return failure('internal', `Unreadable answer from the web bridge (HTTP ${response.status}).`)
      }
      if (!isResult(body))
        return failure('internal', 'The web bridge answered something that is not a Result.')
      return body
    },
    on(event, cb) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(cb)
      const token = captureBridgeToken()
      if (!source && token && typeof EventSource !== 'undefined') openEvents(token)
      return () => {
        set.delete(cb)
      }
    },
  }
}

function parseEvent(name: EventName, data: string): unknown {
  try {
    const parsed = EVENTS[name].safeParse(JSON.parse(data))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

function isResult(body: unknown): body is Result<unknown> {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false
  if (body.ok === true) return 'value' in body
  if (body.ok !== false || !('error' in body)) return false
  const error = body.error as { code?: unknown; message?: unknown } | null
  return (
    typeof error === 'object' &&
    error !== null &&
    (ERROR_CODES as readonly unknown[]).includes(error.code) &&
    typeof error.message === 'string'
  )
}
