/**
 * A failed call to the central server in the core's words, for the console's services that
 * work on the server (reference administration, the citizens' rights): its refusals passed
 * on with their code, a server older than this console said as such, anything else (offline,
 * timeout, a server error, an unreadable reply, an expired session) as `server_unavailable`
 * with the reason.
 */
import { CoreError, ERROR_CODES, type ErrorCode } from '../../shared/result'
import { SyncError } from '../sync/transport'

const BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'invalid_input',
  403: 'forbidden',
  404: 'not_found',
  409: 'version_conflict',
}
const isErrorCode = (code: string | undefined): code is ErrorCode =>
  (ERROR_CODES as readonly (string | undefined)[]).includes(code)

export interface ServerRefusalWords {
  /** The server's codes passed on as they are (its message says what to do). */
  passedOn: ReadonlySet<string>
  /** Said before the reason when the server cannot be reached. */
  needsServer: string
  /** Said when the server has no such route (older than this console) or answers 501. */
  notOnServer: string
}

/**
 * `listing`: a call that names no item, so a 404 means the server has no such route, not a
 * missing item. An outdated server's refusal carries `{outdated: true}` in its details.
 */
export function serverRefusal(e: unknown, words: ServerRefusalWords, listing = false): unknown {
  if (!(e instanceof SyncError)) return e
  if (e.status === 501 || (e.kind === 'refused' && e.status === 404 && (listing || !e.code)))
    return new CoreError('server_unavailable', words.notOnServer, {
      reason: words.notOnServer,
      outdated: true,
    })
  if (e.kind === 'refused') {
    const code =
      e.code && words.passedOn.has(e.code) && isErrorCode(e.code) ? e.code : BY_STATUS[e.status ?? 0]
    return new CoreError(code ?? 'invalid_input', e.message)
  }
  return new CoreError('server_unavailable', `${words.needsServer} ${e.message}`, { reason: e.message })
}

/** Whether a refusal says the server is older than this console (no route, or 501). */
export const isOutdatedServer = (e: unknown) =>
  e instanceof CoreError && (e.details as { outdated?: unknown } | undefined)?.outdated === true
