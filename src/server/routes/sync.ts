/**
 * The sync protocol's routes: tokens, the change feed, mutations, and the nudge stream.
 * Handlers validate, authenticate and call the store; the store re-checks every
 * authorisation and workflow guard.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify'
import { z } from 'zod'
import type { SessionInfo } from '../../shared/contract'
import { CoreError } from '../../shared/result'
import { DetailsRequest, MutationBatch, SYNC_LIMITS, TokenRequest } from '../../shared/sync'
import type { AuthProvider } from '../../core/directory/provider'
import { LoginRefused, type LoginGate } from '../auth/loginGate'
import { hashToken, type TokenIssuer } from '../auth/tokens'
import type { EventHub } from '../events'
import type { Metrics } from '../metrics'
import type { ServerStore } from '../store/types'
import { apiError } from './validation'

export interface SyncRouteDeps {
  store: ServerStore
  auth: AuthProvider
  tokens: TokenIssuer
  hub: EventHub
  metrics: Metrics
  now: () => number
  /** How long after the password a refresh token may still be renewed. */
  maxSessionMs: number
  loginGate: LoginGate
}

export const ChangesQuery = z
  .object({
    since: z
      .string()
      .regex(/^\d{1,15}$/, 'since is the cursor a previous page returned')
      .default('0')
      .transform(Number),
    limit: z.coerce.number().int().min(1).max(SYNC_LIMITS.changesPerPage).default(500),
    /** `1`: requests without comments and history (a first download). */
    light: z.enum(['0', '1']).default('0'),
  })
  .strict()

/**
 * How long a refresh token, once used, still renews: long enough for a console to retry
 * a renewal whose answer was lost; after it, presenting the token again revokes its family.
 */
const RENEWAL_GRACE_MS = 60_000

/** Login refusals, as HTTP statuses (the message says which, in words). */
const LOGIN_STATUS: Partial<Record<string, number>> = {
  bad_credentials: 401,
  account_disabled: 403,
  no_role: 403,
  too_many_attempts: 429,
  directory_unreachable: 503,
  certificate_untrusted: 503,
  internal: 502,
  forbidden: 403,
}

declare module 'fastify' {
  interface FastifyRequest {
    session?: SessionInfo
    clientId?: string
  }
}

/** JSON only: a form posted from another site cannot log a browser in (login CSRF). */
async function jsonOnly(req: FastifyRequest, reply: FastifyReply) {
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
    return reply
      .code(415)
      .send(apiError('invalid_input', 'Le jeton se demande en JSON (content-type: application/json).'))
}

/** @returns the agents' authentication (their access token), for the other agent routes. */
export function registerSyncRoutes(
  app: FastifyInstance,
  deps: SyncRouteDeps,
): { authenticate: preHandlerHookHandler } {
  const { store, tokens } = deps

  async function issue(agent: { id: string }, clientId: string, authAt: number, familyId?: string) {
    const access = await tokens.issueAccess({ agentId: agent.id, clientId })
    const refresh = tokens.newRefreshToken()
    await store.saveRefreshToken(refresh.hash, {
      // A login starts a family; a renewal continues it.
      familyId: familyId ?? refresh.hash,
      agentId: agent.id,
      clientId,
      expiresAt: refresh.expiresAt,
      authAt,
    })
    return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: refresh.token }
  }

  app.post(
    '/api/v1/auth/token',
    { schema: { body: TokenRequest }, preValidation: jsonOnly },
    async (req, reply) => {
      const body = req.body as TokenRequest
      if (body.grantType === 'password') {
        try {
          const identity = await deps.loginGate.run(
            req.ip,
            () => deps.auth.authenticate(body.login, body.password),
            (e) => e instanceof CoreError && (e.code === 'bad_credentials' || e.code === 'too_many_attempts'),
          )
          const agent = await store.agentFromDirectory(identity)
          return { ...(await issue(agent, body.clientId, deps.now())), agent }
        } catch (e) {
          if (e instanceof LoginRefused)
            return reply
              .code(429)
              .header('retry-after', String(e.retryAfterSeconds))
              .send(apiError('too_many_attempts', e.message))
          const status = e instanceof CoreError ? LOGIN_STATUS[e.code] : undefined
          if (status) {
            const retry = (e as CoreError).details as { retryAfterSeconds?: number } | undefined
            if (retry?.retryAfterSeconds) reply.header('retry-after', String(retry.retryAfterSeconds))
            return reply.code(status).send(apiError((e as CoreError).code, (e as CoreError).message))
          }
          throw e
        }
      }
      const grant = await store.takeRefreshToken(
        hashToken(body.refreshToken),
        body.clientId,
        RENEWAL_GRACE_MS,
      )
      const alive =
        grant &&
        grant.expiresAt > deps.now() &&
        grant.clientId === body.clientId &&
        // A session ends, however often it is refreshed: then the password again.
        deps.now() - grant.authAt < deps.maxSessionMs
      const agent = alive && (await store.getAgent(grant.agentId))
      if (!agent || !grant)
        return reply
          .code(401)
          .send(apiError('session_expired', 'Votre session a expiré : identifiez-vous à nouveau.'))
      return { ...(await issue(agent, body.clientId, grant.authAt, grant.familyId)), agent }
    },
  )

  /** Logout: the agent's refresh tokens stop working at once. */
  app.post('/api/v1/auth/revoke', { preHandler: authenticate }, async (req) => {
    await store.revokeRefreshTokens(req.session!.agentId)
    return {}
  })

  async function authenticate(req: FastifyRequest, reply: FastifyReply) {
    const header = req.headers.authorization ?? ''
    const claims = header.startsWith('Bearer ')
      ? await tokens.verifyAccess(header.slice('Bearer '.length))
      : null
    const agent = claims && (await store.getAgent(claims.agentId))
    if (!claims || !agent) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"')
      return reply.code(401).send(apiError('unauthenticated', 'Jeton absent, invalide ou expiré.'))
    }
    req.clientId = claims.clientId
    // Roles and teams as the server knows them now, not as they were when the token was issued.
    req.session = {
      agentId: agent.id,
      login: agent.login,
      displayName: agent.displayName,
      roles: agent.roles,
      teamIds: agent.teamIds,
      kind: 'online',
      startedAt: new Date(deps.now()).toISOString(),
    }
  }

  app.get(
    '/api/v1/changes',
    { schema: { querystring: ChangesQuery }, preHandler: authenticate },
    async (req) => {
      const { since, limit, light } = req.query as z.output<typeof ChangesQuery>
      return store.changesSince(req.session!, since, limit, { light: light === '1' })
    },
  )

  app.post(
    '/api/v1/mutations',
    { schema: { body: MutationBatch }, preHandler: authenticate },
    async (req, reply) => {
      const { mutations } = req.body as z.output<typeof MutationBatch>
      if (mutations.some((m) => m.clientId !== req.clientId))
        return reply
          .code(400)
          .send(apiError('invalid_input', 'clientId differs from the one the token was issued to'))
      const results = await store.applyMutations(req.session!, req.clientId!, mutations)
      for (const r of results) deps.metrics.inc('grc_mutations_total', { status: r.status })
      return { results }
    },
  )

  app.post(
    '/api/v1/requests/details',
    { schema: { body: DetailsRequest }, preHandler: authenticate },
    async (req) => ({ details: await store.requestDetails(req.session!, (req.body as DetailsRequest).ids) }),
  )

  app.get('/api/v1/events', { preHandler: authenticate }, (req, reply) => {
    // A console holds one stream; a few more for an agent on several workstations. Beyond,
    // it is a leak or an attack on the instance's sockets.
    if (deps.hub.streamsOf(req.session!.agentId) >= deps.hub.maxStreamsPerAgent)
      return reply
        .code(429)
        .header('retry-after', '30')
        .send(apiError('too_many_attempts', 'Trop de flux de notifications ouverts pour cet agent.'))
    reply.hijack()
    deps.hub.attach(req.session!, reply.raw)
  })
  return { authenticate }
}
