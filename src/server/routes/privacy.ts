/**
 * The DPO's routes for the citizens' rights (RGPD): search, file, subject access export,
 * rectification, erasure, legal holds, and what retention would do. DPO only; the store
 * re-checks it. Search terms travel in the query string, which the server's logger strips,
 * and the store never logs them.
 */
import type { FastifyInstance, preHandlerHookHandler } from 'fastify'
import { z } from 'zod'
import { Id } from '../../shared/domain'
import {
  CitizenLookupRequest,
  CitizenRectification,
  CitizenSearchInput,
  ErasureInput,
  LegalHoldInput,
  type CitizenSearchReply,
  type RectifyReply,
  type RetentionPlan,
} from '../../shared/privacy'
import type { ServerStore } from '../store/types'
import { mayExerciseRights, refuse } from './privacyAccess'

export interface PrivacyRouteDeps {
  store: ServerStore
  /** Sets `req.session` from the agent's access token, or answers 401. */
  authenticate: preHandlerHookHandler
  now: () => number
}

const IdParams = z.object({ id: Id }).strict()

export function registerPrivacyRoutes(app: FastifyInstance, deps: PrivacyRouteDeps): void {
  const { store } = deps
  const dpo = { preHandler: [deps.authenticate, mayExerciseRights] }
  const withId = { ...dpo, schema: { params: IdParams } }
  const idOf = (params: unknown) => (params as z.output<typeof IdParams>).id

  app.get(
    '/api/v1/privacy/citizens',
    { ...dpo, schema: { querystring: CitizenSearchInput } },
    async (req, reply) => {
      const { q, limit } = req.query as z.output<typeof CitizenSearchInput>
      try {
        return { matches: await store.searchCitizens(req.session!, q, limit) } satisfies CitizenSearchReply
      } catch (e) {
        return refuse(reply, e)
      }
    },
  )
  // Supervisors too (the store checks the roles): a POST, so the e-mail or phone never sits
  // in a URL that a proxy or a log could keep.
  app.post(
    '/api/v1/citizens/lookup',
    { preHandler: [deps.authenticate], schema: { body: CitizenLookupRequest } },
    async (req, reply) => {
      try {
        return await store.lookupCitizen(req.session!, req.body as CitizenLookupRequest)
      } catch (e) {
        return refuse(reply, e)
      }
    },
  )
  app.get('/api/v1/privacy/citizens/:id', withId, async (req, reply) => {
    try {
      return await store.citizenFile(req.session!, idOf(req.params))
    } catch (e) {
      return refuse(reply, e)
    }
  })
  app.get('/api/v1/privacy/citizens/:id/export', withId, async (req, reply) => {
    try {
      const exported = await store.exportCitizen(req.session!, idOf(req.params))
      // A download, not a page: never cached on the way.
      void reply.header('cache-control', 'no-store')
      return exported
    } catch (e) {
      return refuse(reply, e)
    }
  })
  app.post(
    '/api/v1/privacy/citizens/:id/rectify',
    { ...dpo, schema: { params: IdParams, body: CitizenRectification } },
    async (req, reply) => {
      try {
        const citizen = await store.rectifyCitizen(
          req.session!,
          idOf(req.params),
          req.body as z.output<typeof CitizenRectification>,
        )
        return { citizen } satisfies RectifyReply
      } catch (e) {
        return refuse(reply, e)
      }
    },
  )
  app.post(
    '/api/v1/privacy/citizens/:id/erase',
    { ...dpo, schema: { params: IdParams, body: ErasureInput } },
    async (req, reply) => {
      const { reason } = req.body as z.output<typeof ErasureInput>
      try {
        return await store.eraseCitizen(req.session!, idOf(req.params), reason)
      } catch (e) {
        return refuse(reply, e)
      }
    },
  )
  app.put(
    '/api/v1/privacy/requests/:id/legal-hold',
    { ...dpo, schema: { params: IdParams, body: LegalHoldInput } },
    async (req, reply) => {
      const { reason } = req.body as z.output<typeof LegalHoldInput>
      try {
        return await store.setLegalHold(req.session!, idOf(req.params), reason)
      } catch (e) {
        return refuse(reply, e)
      }
    },
  )
  // What the next retention run would do, with the server's own policy (nothing is changed).
  app.get('/api/v1/privacy/retention/preview', dpo, async (_req, reply) => {
    try {
      const plan = await store.planRetention(null, deps.now())
      void reply.header('cache-control', 'no-store')
      return plan satisfies RetentionPlan
    } catch (e) {
      return refuse(reply, e)
    }
  })
}
