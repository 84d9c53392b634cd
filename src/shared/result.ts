/**
 * What crosses a process boundary: never a thrown exception, always a Result.
 */
export const ERROR_CODES = [
  'invalid_input',
  'unknown_channel',
  'unauthenticated',
  'forbidden',
  'not_found',
  'transition_refused',
  'version_conflict',
  'bad_credentials',
  /** None of the directory's servers answered (and no offline session was possible). */
  'directory_unreachable',
  /** The directory's TLS certificate is not signed by a trusted CA. */
  'certificate_untrusted',
  /** The directory says the account is disabled, locked or expired. */
  'account_disabled',
  /** The account is valid but none of its groups maps to a role of the console. */
  'no_role',
  /** Too many failed logins for this account: wait before the next try. */
  'too_many_attempts',
  /** The session locked after inactivity: the agent types their password again. */
  'session_locked',
  /** Something still uses what was to be deleted (a team with requests, a category a rule names). */
  'in_use',
  /** Changes wait in the outbox: what needs them sent first (an update's restart) waits. */
  'changes_pending',
  /** The action needs the central server, which is not configured or not reachable. */
  'server_unavailable',
  'internal',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface AppError {
  code: ErrorCode
  /** A sentence an agent can read, in French (the renderer may show its own words per code). */
  message: string
  details?: unknown
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError }

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })
export const fail = (code: ErrorCode, message: string, details?: unknown): Result<never> => ({
  ok: false,
  error: details === undefined ? { code, message } : { code, message, details },
})

/** Thrown inside the core, turned into `{ok:false}` by dispatch. */
export class CoreError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'CoreError'
  }
}
