/**
 * The reference central server as a Fastify app: the sync protocol, the Open311 intake,
 * the partner API, the OpenAPI document. Storage and authentication come in from outside
 * (cli.ts, tests).
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import formbody from '@fastify/formbody'
import type { AuthProvider } from '../core/directory/provider'
import { openKeyRing } from './auth/keyRing'
import { createTokenIssuer, type TokenIssuerOptions } from './auth/tokens'
import { createLoginGate, type LoginGateOptions } from './auth/loginGate'
import { createEventHub } from './events'
import { createMetrics } from './metrics'
import { openApiDocument } from './openapi'
import { registerApiAccess } from './routes/apiAccess'
import { registerAdminRoutes } from './routes/admin'
import { registerCapacityRoutes } from './routes/capacity'
import { registerContactRoutes } from './routes/contacts'
import { registerOperationsRoutes } from './routes/operations'
import { registerOpen311Routes } from './routes/open311'
import { registerPartnerRoutes } from './routes/partner'
import { registerPrivacyRoutes } from './routes/privacy'
import { registerSyncRoutes } from './routes/sync'
import { registerSnapshotRoutes } from './routes/snapshot'
import { registerNoticeRoutes } from './notifications/routes'
import { registerPresenceRoutes } from './presence/routes'
import { registerAttachments } from './attachments'
import type { AttachmentSettings } from './attachments/settings'
import { apiError, useZodValidation } from './routes/validation'
import { TLS_MIN_VERSION } from './tls'
import type { ServerStore } from './store/types'

export interface ServerOptions {
  store: ServerStore
  auth: AuthProvider
  tokens?: Partial<TokenIssuerOptions> & { maxSessionHours?: number; keyRotationHours?: number }
  now?: () => number
  /** Log each request as JSON (method, URL, status, time): never bodies, which carry personal data. */
  log?: boolean
  /** When set, /metrics asks for it as a bearer token. */
  metricsToken?: string
  /** The address partners reach the server at (config `server.publicUrl`): the OpenAPI document's server. */
  publicUrl?: string
  /**
   * Reverse proxies and load balancers whose `X-Forwarded-For` is believed (config
   * `server.trustedProxies`: addresses or CIDR ranges): the client's address then limits
   * login attempts, not the proxy's. Empty: the peer's own address.
   */
  trustedProxies?: string[]
  /** Limits of password checks on the token endpoint (defaults suit a production server). */
  loginGate?: LoginGateOptions
  /** Nudge streams one agent may hold open at once on this instance (default 8). */
  maxStreamsPerAgent?: number
  /** Serve HTTPS with this certificate and key (PEM), TLS 1.2 at least. */
  https?: { cert: Buffer; key: Buffer }
  /** Photos and documents (config `attachments`, src/server/attachments/settings.ts). */
  attachments: AttachmentSettings
}

/** A route as Fastify registered it: what the OpenAPI document must describe. */
export interface RegisteredRoute {
  method: string
  /** Fastify's pattern, prefix included (`/api/v1/partner/requests/:id`). */
  url: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, in order (HEAD routes Fastify adds for GET ones included). */
    readonly registeredRoutes: readonly RegisteredRoute[]
  }
}

/** A mutation batch holds at most 100 comments of 10 000 characters. */
const BODY_LIMIT = 4 * 1024 * 1024

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const now = options.now ?? Date.now
  const app = Fastify({
    // null: plain HTTP (on loopback, or behind a reverse proxy that terminates TLS).
    https: options.https ? { ...options.https, minVersion: TLS_MIN_VERSION } : null,
    bodyLimit: BODY_LIMIT,
    // Nudge streams never end by themselves: closing the server closes them.
    forceCloseConnections: true,
    trustProxy: options.trustedProxies?.length ? options.trustedProxies : false,
    logger: options.log
      ? {
          level: 'info',
          redact: ['req.headers.authorization'],
          serializers: {
            // The path without its query: a query may carry an Open311 api_key.
            req: (req: { method: string; url: string; ip?: string }) => ({
              method: req.method,
              url: req.url.split('?')[0],
              remoteAddress: req.ip,
            }),
          },
        }
      : false,
  })
  const routes: RegisteredRoute[] = []
  app.decorate('registeredRoutes', routes)
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url })
  })
  useZodValidation(app)
  await app.register(formbody, { bodyLimit: 64 * 1024 })

  const accessTtlSeconds = options.tokens?.accessTtlSeconds ?? 15 * 60
  const keys = await openKeyRing(options.store.sql, {
    accessTtlMs: accessTtlSeconds * 1000,
    rotationMs: options.tokens?.keyRotationHours && options.tokens.keyRotationHours * 3600_000,
    now,
  })
  const tokens = createTokenIssuer({
    accessTtlSeconds,
    refreshTtlSeconds: options.tokens?.refreshTtlSeconds ?? 30 * 24 * 3600,
    keys,
    now,
  })
  const hub = createEventHub({ maxStreamsPerAgent: options.maxStreamsPerAgent })
  const unsubscribe = options.store.onChange((scopes) => hub.nudge(scopes))

  const metrics = createMetrics()
  metrics.describe('grc_http_requests_total', 'HTTP requests answered, by route pattern and status.')
  metrics.describe('grc_http_request_duration_seconds', 'Time to answer, by route pattern.')
  metrics.describe('grc_mutations_total', 'Console mutations answered, by outcome.')
  metrics.describe('grc_sse_clients', 'Consoles holding a nudge stream on this instance.')
  metrics.describe('grc_db_pool_connections', 'Database connections of this instance, by state.')
  metrics.gauge('grc_sse_clients', () => [{ labels: {}, value: hub.size }])
  metrics.gauge('grc_db_pool_connections', () => {
    const pool = options.store.sql.poolStats()
    return [
      { labels: { state: 'total' }, value: pool.total },
      { labels: { state: 'idle' }, value: pool.idle },
      { labels: { state: 'waiting' }, value: pool.waiting },
    ]
  })
  // Every reply says which life of the database answered: a restored server has a new epoch.
  // API replies carry tokens and personal data: never cached by a browser or a proxy, never
  // sniffed into something else than their declared type.
  app.addHook('onRequest', async (req, reply) => {
    reply.header('grc-server-epoch', options.store.epoch)
    reply.header('x-content-type-options', 'nosniff')
    if (req.url.startsWith('/api/v1/')) reply.header('cache-control', 'no-store')
  })
  app.addHook('onResponse', async (req, reply) => {
    // The route's pattern, never the URL itself (ids, queries); unknown paths share one label.
    const route = req.routeOptions.url ?? 'unmatched'
    metrics.inc('grc_http_requests_total', { method: req.method, route, status: String(reply.statusCode) })
    metrics.observe('grc_http_request_duration_seconds', { route }, reply.elapsedTime / 1000)
  })

  app.setErrorHandler((error: FastifyError, _req, reply) => {
    if (error.validation || error.statusCode === 400)
      return reply.code(400).send(apiError('invalid_input', error.message))
    if (error.statusCode === 413)
      return reply.code(413).send(apiError('too_large', 'Requête trop volumineuse.'))
    if (error.statusCode && error.statusCode < 500)
      return reply.code(error.statusCode).send(apiError('invalid_input', error.message))
    app.log.error({ err: { name: error.name, code: error.code } }, 'internal error')
    return reply.code(500).send(apiError('internal', 'Erreur interne du serveur.'))
  })
  app.setNotFoundHandler((_req, reply) => reply.code(404).send(apiError('not_found', 'Ressource inconnue.')))

  // The configured address, never the Host header a client sent (which anyone can forge).
  const document = openApiDocument(options.publicUrl)
  app.get('/api/openapi.json', async () => document)
  const access = await registerApiAccess(app, { store: options.store, now })
  registerOperationsRoutes(app, { store: options.store, metrics, metricsToken: options.metricsToken })
  const { authenticate } = registerSyncRoutes(app, {
    store: options.store,
    auth: options.auth,
    tokens,
    hub,
    metrics,
    now,
    maxSessionMs: (options.tokens?.maxSessionHours ?? 12) * 3600_000,
    loginGate: createLoginGate({ ...options.loginGate, now }),
  })
  const attachments = registerAttachments(app, {
    store: options.store,
    authenticate,
    now,
    settings: options.attachments,
  })
  registerOpen311Routes(app, { store: options.store, access, attachMedia: attachments.attachMedia })
  registerPartnerRoutes(app, { store: options.store, access })
  registerAdminRoutes(app, { store: options.store, authenticate, now })
  registerCapacityRoutes(app, { store: options.store, authenticate, now })
  registerContactRoutes(app, { store: options.store, authenticate, now })
  registerPrivacyRoutes(app, { store: options.store, authenticate, now })
  registerNoticeRoutes(app, { store: options.store, authenticate, now })
  registerSnapshotRoutes(app, { store: options.store, authenticate })
  await registerPresenceRoutes(app, { store: options.store, hub, authenticate, now })

  app.addHook('onClose', async () => {
    unsubscribe()
    hub.close()
  })
  return app
}
