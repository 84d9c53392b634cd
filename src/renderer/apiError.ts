import type { ErrorCode } from '../shared/result'

/**
 * Codes the renderer can meet: the core's own codes, plus two that only exist on this side
 * of the wire (the core could not be reached; the web bridge refused the page's token).
 */
export type ApiErrorCode = ErrorCode | 'network' | 'bridge_token'

/**
 * Who wrote the message: the core (a French sentence for the agent) or this side of the
 * wire (a technical English note, never shown as is).
 */
export type ApiErrorOrigin = 'core' | 'renderer'

/** A refused operation, as the stores and views see it: a code to turn into words. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    readonly origin: ApiErrorOrigin = 'core',
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** The code of anything thrown by an api call; unexpected throws count as `internal`. */
export function errorCodeOf(error: unknown): ApiErrorCode {
  return error instanceof ApiError ? error.code : 'internal'
}
