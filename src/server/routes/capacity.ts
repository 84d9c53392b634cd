/**
 * People's capacity for the dispatch board (issue 15): a lead sets the weekly hours and
 * absences of the people of their teams, a supervisor anyone's. The core's rule decides
 * (src/core/authz/dispatch.ts), as on the console.
 */
import type { FastifyInstance, preHandlerHookHandler } from 'fastify'
import { z } from 'zod'
import { CapacitySave } from '../../shared/capacity'
import { Id } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import { saveCapacity } from '../store/capacity'
import type { ServerStore } from '../store/types'
import { apiError } from './validation'

export interface CapacityRouteDeps {
  store: ServerStore
  /** Sets `req.session` from the agent's access token, or answers 401. */
  authenticate: preHandlerHookHandler
  now: () => number
}

const Params = z.object({ agentId: Id }).strict()
const STATUS: Partial<Record<string, number>> = { invalid_input: 400, forbidden: 403, not_found: 404 }

export function registerCapacityRoutes(app: FastifyInstance, deps: CapacityRouteDeps): void {
  app.put(
    '/api/v1/capacity/:agentId',
    { preHandler: deps.authenticate, schema: { params: Params, body: CapacitySave } },
    async (req, reply) => {
      const { agentId } = req.params as z.output<typeof Params>
      try {
        const capacity = await saveCapacity(
          deps.store.sql,
          req.session!,
          agentId,
          req.body as z.output<typeof CapacitySave>,
          deps.now(),
        )
        return { capacity }
      } catch (e) {
        if (!(e instanceof CoreError)) throw e
        return reply.code(STATUS[e.code] ?? 400).send(apiError(e.code, e.message))
      }
    },
  )
}
