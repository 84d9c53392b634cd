/**
 * Stand-in for src/renderer/api.ts in component tests: each test registers what the core
 * answers per channel; `invoke` is a spy so tests can check what the UI asked for.
 */
import { vi } from 'vitest'
import type { ChannelName, EventName, EventPayload, InputOf, OutputOf } from '../../../../src/shared/contract'
import { ApiError } from '../../../../src/renderer/apiError'
import { reference, transitions } from './fixtures'

export {
  ApiError,
  errorCodeOf,
  type ApiErrorCode,
  type ApiErrorOrigin,
} from '../../../../src/renderer/apiError'

type Handler<C extends ChannelName> = (input: InputOf<C>) => OutputOf<C> | Promise<OutputOf<C>>
const handlers = new Map<ChannelName, (input: unknown) => unknown>()
const listeners = new Map<EventName, Set<(payload: unknown) => void>>()

/** What the fake core answers on `channel` (throw an ApiError to refuse). */
export function answer<C extends ChannelName>(channel: C, handler: Handler<C>): void {
  handlers.set(channel, handler as (input: unknown) => unknown)
}

export const invoke = vi.fn(async (channel: ChannelName, input: unknown): Promise<unknown> => {
  const handler = handlers.get(channel)
  if (!handler) throw new ApiError('unknown_channel', `no fake answer for ${channel}`)
  return handler(input)
})

export const on = vi.fn((event: EventName, cb: (payload: unknown) => void) => {
  let set = listeners.get(event)
  if (!set) listeners.set(event, (set = new Set()))
  set.add(cb)
  return () => set.delete(cb)
})

/** Push a core event to the renderer, as the preload or the web bridge would. */
export function emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
  listeners.get(event)?.forEach((cb) => cb(payload))
}

export const captureBridgeToken = vi.fn(() => null)

/** Forget answers, listeners and recorded calls between tests. */
export function resetFakeApi(): void {
  handlers.clear()
  listeners.clear()
  invoke.mockClear()
  on.mockClear()
}

/** Inputs the UI sent on one channel, in order. */
export function callsTo<C extends ChannelName>(channel: C): InputOf<C>[] {
  return invoke.mock.calls.filter(([c]) => c === channel).map(([, input]) => input as InputOf<C>)
}

/**
 * The reads an open request's detail pane makes besides the request itself: reference
 * data, an empty history and comments, the demo transitions, empty counts.
 */
export function answerDetailReads(): void {
  answer('reference.get', () => reference)
  answer('request.history', () => [])
  answer('request.comments', () => [])
  answer('request.transitions', () => transitions)
  answer('queue.counts', () => ({ byStatus: {}, total: 0, overdue: 0 }))
}
