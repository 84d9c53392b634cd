/**
 * What every route that takes an API key does the same way: find the account by the key's
 * hash, refuse a revoked or expired one, count the call against the account's rate
 * (@fastify/rate-limit keyed by the account, its windows in the database so every
 * instance counts together), check the scope the route needs, and log the use (account,
 * scope, route pattern, status, time: never a body or a query string). The routes turn a
 * refusal into their own words and format (Open311 errors in English, the partner API in
 * the sync protocol's shape, in French).
 */
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ApiAccount, ApiScope } from '../store/apiAccounts'
import type { ServerStore } from '../store/types'

declare module 'fastify' {
  interface FastifyRequest {
    /** The API account this call's key opened (once identified). */
    apiAccount?: ApiAccount
    /** Logged when the reply goes out. */
    apiUse?: { accountId: string; scope: ApiScope }
  }
}

/** The rate is per minute. */
const RATE_WINDOW_MS = 60_000

export type ApiRefusal =
  | { reason: 'missing' | 'unknown' }
  | { reason: 'revoked' | 'expired'; account: ApiAccount }
  | { reason: 'scope'; account: ApiAccount; scope: ApiScope }
  | { reason: 'rate'; account: ApiAccount; retryAfterSeconds: number }

export type ApiCheck = { ok: true; account: ApiAccount } | ({ ok: false } & ApiRefusal)

export interface ApiAccess {
  /**
   * Who `key` is, for a route that needs `scope`: the account, or why not. Sets the rate
   * headers (and Retry-After when over the rate) on `reply`, and marks the use for the log.
   */
  check(req: FastifyRequest, reply: FastifyReply, key: string | undefined, scope: ApiScope): Promise<ApiCheck>
}

/** @fastify/rate-limit's store over the database: one row per account, shared by every instance. */
function databaseRateStore(store: ServerStore, now: () => number): FastifyRateLimitStoreCtor {
  return class DatabaseRateStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      store.hitRateWindow(key, timeWindow).then(
        ({ hits, resetAt }) => callback(null, { current: hits, ttl: Math.max(0, resetAt - now()) }),
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
      )
    }
    child() {
      return this
    }
  }
}

/** Register the rate limiter and the use log on `app` (before its routes); the check the routes call. */
export async function registerApiAccess(
  app: FastifyInstance,
  deps: { store: ServerStore; now: () => number },
): Promise<ApiAccess> {
  const { store } = deps
  // Not global: only calls with a key count, against their account (agents have their own throttles).
  await app.register(rateLimit, { global: false, store: databaseRateStore(store, deps.now) })
  const limiter = app.createRateLimit({
    keyGenerator: (req) => `account:${req.apiAccount!.id}`,
    max: (req) => req.apiAccount!.ratePerMinute,
    timeWindow: RATE_WINDOW_MS,
  })

  app.addHook('onSend', async (req, reply, payload) => {
    const use = req.apiUse
    if (use) {
      req.apiUse = undefined
      try {
        await store.logApiUse({
          accountId: use.accountId,
          scope: use.scope,
          method: req.method,
          route: req.routeOptions.url ?? 'unmatched',
          status: reply.statusCode,
        })
      } catch (e) {
        // The answer goes out all the same; the failure is logged without anything of the call.
        req.log.error(
          { err: { name: (e as Error)?.name, code: (e as { code?: unknown })?.code } },
          'api use log',
        )
      }
    }
    return payload
  })

  return {
    async check(req, reply, key, scope) {
      if (!key) return { ok: false, reason: 'missing' }
      const found = await store.apiAccountByKey(key)
      if (!found.ok) {
        if (found.reason === 'unknown') return { ok: false, reason: 'unknown' }
        req.apiUse = { accountId: found.account.id, scope }
        return { ok: false, reason: found.reason, account: found.account }
      }
      const { account } = found
      req.apiAccount = account
      req.apiUse = { accountId: account.id, scope }
      // Every identified call counts, refused ones included: a client looping on 403 slows down too.
      const rate = await limiter(req)
      if (!rate.isAllowed) {
        reply.header('x-ratelimit-limit', rate.max)
        reply.header('x-ratelimit-remaining', rate.remaining)
        reply.header('x-ratelimit-reset', rate.ttlInSeconds)
        if (rate.isExceeded) {
          const retryAfterSeconds = Math.max(1, rate.ttlInSeconds)
          reply.header('retry-after', retryAfterSeconds)
          return { ok: false, reason: 'rate', account, retryAfterSeconds }
        }
      }
      if (!account.scopes.includes(scope)) return { ok: false, reason: 'scope', account, scope }
      return { ok: true, account }
    },
  }
}
