/**
 * What every auth provider gets around it, on a console and on the server: throttling.
 * Repeated failures for one login slow the next attempts (exponential, capped). The
 * failures live in memory on a console; the server keeps them in its database, so several
 * instances behind a load balancer count them together.
 */
import { CoreError } from '../../shared/result'
import type { AuthProvider } from './provider'

const FREE_FAILURES = 3
const MAX_WAIT_MS = 60_000

/**
 * The key of a login for throttling and offline verifiers: the directory matches
 * `ＺＯＥ.agent` (full width) and `zoe.agent` alike, so must we.
 */
export const loginKey = (login: string) => login.normalize('NFKC').trim().toLowerCase()

export interface LoginFailures {
  count: number
  /** Epoch ms before which the next attempt is refused. */
  until: number
}

/** Where failures are counted (in memory by default). */
export interface FailureStore {
  get(key: string): Promise<LoginFailures | undefined>
  set(key: string, failures: LoginFailures): Promise<void>
  delete(key: string): Promise<void>
}

export function memoryFailureStore(now: () => number = Date.now): FailureStore {
  const failures = new Map<string, LoginFailures>()
  return {
    get: async (key) => failures.get(key),
    async set(key, value) {
      failures.set(key, value)
      // Random logins must not grow the map for ever (a server faces the network).
      if (failures.size > 10_000) for (const [k, v] of failures) if (v.until < now()) failures.delete(k)
    },
    delete: async (key) => void failures.delete(key),
  }
}

export function withThrottle(
  provider: AuthProvider,
  now: () => number = Date.now,
  failures: FailureStore = memoryFailureStore(now),
): AuthProvider {
  /** One attempt per login at a time: parallel tries would each see the same count. */
  const busy = new Set<string>()
  const tooMany = (seconds: number) =>
    new CoreError(
      'too_many_attempts',
      `Trop d’essais manqués pour ce compte : réessayez dans ${seconds} s.`,
      {
        retryAfterSeconds: seconds,
      },
    )
  return {
    name: provider.name,
    async authenticate(login, password) {
      const key = loginKey(login)
      if (busy.has(key)) throw tooMany(1)
      busy.add(key)
      try {
        const state = await failures.get(key)
        if (state && state.until > now()) throw tooMany(Math.ceil((state.until - now()) / 1000))
        const identity = await provider.authenticate(login, password)
        if (state) await failures.delete(key)
        return identity
      } catch (e) {
        if (e instanceof CoreError && e.code === 'bad_credentials') {
          const count = ((await failures.get(key))?.count ?? 0) + 1
          const wait = count < FREE_FAILURES ? 0 : Math.min(MAX_WAIT_MS, 1000 * 2 ** (count - FREE_FAILURES))
          await failures.set(key, { count, until: now() + wait })
        }
        throw e
      } finally {
        busy.delete(key)
      }
    },
  }
}
