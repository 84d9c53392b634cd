/**
 * The gate in front of password checks on the token endpoint. Checking a password costs
 * scrypt (local accounts) or a directory bind: a flood of bogus logins must not use up the
 * CPU or the directory, nor make a real agent wait.
 *
 * - Per client address, a budget of failures (a bucket that refills slowly): an address that
 *   keeps failing (password spraying over many logins, which the per-login throttle cannot
 *   see) is refused before any check. Successes cost nothing, so a town hall whose agents all
 *   come through one NAT address logs in at 8:30 without tripping it.
 * - Globally, a few checks at a time and a short queue; beyond it, refused at once with a
 *   `Retry-After` rather than queued for seconds. Addresses that logged in successfully lately
 *   go first in the queue: a distributed flood delays them by a check or two, not by the flood.
 *
 * Per instance, in memory: behind a load balancer each instance protects its own CPU.
 */
import { availableParallelism } from 'node:os'

export interface LoginGateOptions {
  /** Failures an address may make in a burst before it is refused. */
  failureBurst?: number
  /** Seconds for one failure of that budget to come back. */
  failureRefillSeconds?: number
  /** Password checks running at once (default: one per core; scrypt is CPU-bound). */
  maxConcurrent?: number
  /** Checks waiting their turn; more are refused at once. */
  maxQueued?: number
  /** Addresses remembered (failures and successes), oldest forgotten first. */
  maxAddresses?: number
  now?: () => number
}

/** Refused before any check: too many failures from this address, or too many checks at once. */
export class LoginRefused extends Error {
  constructor(
    readonly reason: 'address' | 'busy',
    readonly retryAfterSeconds: number,
  ) {
    super(
      reason === 'address'
        ? 'Trop de tentatives de connexion depuis ce poste : réessayez dans quelques minutes.'
        : 'Le serveur reçoit trop de connexions à la fois : réessayez dans un instant.',
    )
    this.name = 'LoginRefused'
  }
}

interface Bucket {
  tokens: number
  at: number
}

/** A Map that forgets its oldest entry past `max` (insertion order, refreshed on set). */
function boundedSet<V>(map: Map<string, V>, key: string, value: V, max: number) {
  map.delete(key)
  map.set(key, value)
  if (map.size > max) map.delete(map.keys().next().value as string)
}

export function createLoginGate(options: LoginGateOptions = {}) {
  const burst = options.failureBurst ?? 20
  const refillMs = (options.failureRefillSeconds ?? 30) * 1000
  const maxConcurrent = options.maxConcurrent ?? availableParallelism()
  const maxQueued = options.maxQueued ?? 32
  const maxAddresses = options.maxAddresses ?? 50_000
  const now = options.now ?? Date.now

  const failures = new Map<string, Bucket>()
  const trusted = new Map<string, number>()
  let running = 0
  const queue: Array<{ trusted: boolean; start: () => void }> = []

  function budget(ip: string): Bucket {
    const b = failures.get(ip)
    if (!b) return { tokens: burst, at: now() }
    const refilled = Math.min(burst, b.tokens + (now() - b.at) / refillMs)
    return { tokens: refilled, at: now() }
  }

  function next() {
    running--
    const waiting = queue.shift()
    if (waiting) {
      running++
      waiting.start()
    }
  }

  return {
    /**
     * Run one password check for a client at `ip`, or refuse it at once.
     * @throws LoginRefused before `check` runs.
     */
    async run<T>(ip: string, check: () => Promise<T>, isFailure: (e: unknown) => boolean): Promise<T> {
      const b = budget(ip)
      if (b.tokens < 1) throw new LoginRefused('address', Math.ceil(((1 - b.tokens) * refillMs) / 1000))
      const isTrusted = trusted.has(ip)
      if (running >= maxConcurrent) {
        // A full queue refuses strangers; known addresses have room of their own ahead of them.
        const ahead = isTrusted ? queue.filter((w) => w.trusted).length : queue.length
        if (ahead >= maxQueued) throw new LoginRefused('busy', 1)
        await new Promise<void>((start) => {
          const entry = { trusted: isTrusted, start }
          // Known addresses go ahead of the others, in their arrival order.
          const at = isTrusted ? queue.findIndex((w) => !w.trusted) : -1
          if (at === -1) queue.push(entry)
          else queue.splice(at, 0, entry)
        })
      } else running++
      try {
        const value = await check()
        boundedSet(trusted, ip, now(), maxAddresses)
        return value
      } catch (e) {
        if (isFailure(e)) {
          const spent = budget(ip)
          boundedSet(failures, ip, { tokens: spent.tokens - 1, at: spent.at }, maxAddresses)
        }
        throw e
      } finally {
        next()
      }
    },

    /** Checks running and waiting (for metrics and tests). */
    get load() {
      return { running, queued: queue.length }
    },
  }
}

export type LoginGate = ReturnType<typeof createLoginGate>
