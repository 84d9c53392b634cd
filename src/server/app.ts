/**
 * The reference central server as a Fastify app: the sync protocol, the Open311 intake,
 * the OpenAPI document. Storage and authentication come in from outside (cli.ts, tests).
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import formbody from '@fastify/formbody'
import type { AuthProvider } from '../core/directory/provider'
import { createTokenIssuer, type TokenIssuerOptions } from './auth/tokens'
import { createEventHub } from './events'
import { openApiDocument } from './openapi'
import { registerOpen311Routes } from './routes/open311'
import { registerSyncRoutes } from './routes/sync'
import { apiError, useZodValidation } from './routes/validation'
import type { ServerStore } from './store/types'

export interface ServerOptions {
  store: ServerStore
  auth: AuthProvider
  tokens?: Partial<TokenIssuerOptions> & { maxSessionHours?: number }
  now?: () => number
  /** Log each request (method, URL, status): never bodies, which carry personal data. */
  log?: boolean
}

/** A mutation batch holds at most 100 comments of 10 000 characters. */
const BODY_LIMIT = 4 * 1024 * 1024

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const now = options.now ?? Date.now
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    // Nudge streams never end by themselves: closing the server closes them.
    forceCloseConnections: true,
    logger: options.log ? { level: 'info', redact: ['req.headers.authorization'] } : false,
  })
  useZodValidation(app)
  await app.register(formbody, { bodyLimit: 64 * 1024 })

  const tokens = createTokenIssuer({
    accessTtlSeconds: options.tokens?.accessTtlSeconds ?? 15 * 60,
    refreshTtlSeconds: options.tokens?.refreshTtlSeconds ?? 30 * 24 * 3600,
    key: options.tokens?.key,
    now,
  })
  const hub = createEventHub()
  const unsubscribe = options.store.onChange((scopes) => hub.nudge(scopes))

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

  app.get('/api/openapi.json', async (req) => openApiDocument(`${req.protocol}://${req.host}`))
  app.get('/api/v1/health', async () => ({ ok: true }))
  registerSyncRoutes(app, {
    store: options.store,
    auth: options.auth,
    tokens,
    hub,
    now,
    maxSessionMs: (options.tokens?.maxSessionHours ?? 12) * 3600_000,
  })
  registerOpen311Routes(app, { store: options.store })

  app.addHook('onClose', async () => {
    unsubscribe()
    hub.close()
  })
  return app
}
