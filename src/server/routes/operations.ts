/**
 * What a load balancer and a monitoring system ask: liveness, readiness (the database
 * answers), and the Prometheus metrics.
 */
import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Metrics } from '../metrics'
import type { ServerStore } from '../store/types'
import { apiError } from './validation'

/** Longer than this, the database counts as not answering. */
const READY_TIMEOUT_MS = 2000

export interface OperationsDeps {
  store: ServerStore
  metrics: Metrics
  /** When set, /metrics asks for `Authorization: Bearer <token>`. */
  metricsToken?: string
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

export function registerOperationsRoutes(app: FastifyInstance, deps: OperationsDeps): void {
  // Liveness: this process serves. It never depends on the database (restarting would not help).
  app.get('/api/v1/health', async () => ({ status: 'ok' }))

  // Readiness: send traffic here only while the database answers.
  app.get('/api/v1/health/ready', async (_req, reply) => {
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        deps.store.sql.ping(),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS)
        }),
      ])
      return { status: 'ready', database: 'ok' }
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' })
    } finally {
      clearTimeout(timer)
    }
  })

  app.get('/metrics', async (req, reply) => {
    if (deps.metricsToken) {
      const header = req.headers.authorization ?? ''
      if (!header.startsWith('Bearer ') || !sameSecret(header.slice('Bearer '.length), deps.metricsToken))
        return reply.code(401).send(apiError('unauthenticated', 'Jeton de supervision absent ou invalide.'))
    }
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(deps.metrics.render())
  })
}
