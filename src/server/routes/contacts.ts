/**
 * Contact details on demand and the access log: an agent asks for one request's citizen's
 * contact details for a stated purpose (logged); a console uploads the reads it made
 * offline; the DPO reads the log. The store re-checks every authorisation. Bodies and
 * answers carry personal data: nothing of them goes to the server's log.
 */
import type { FastifyInstance, preHandlerHookHandler } from 'fastify'
import { z } from 'zod'
import { Id } from '../../shared/domain'
import { AccessLogQuery, CitizenContactRequest, OfflineAccessUpload } from '../../shared/privacy'
import type { ServerStore } from '../store/types'
import { apiError } from './validation'
import { mayReadAccessLog, refuse } from './privacyAccess'

export interface ContactRouteDeps {
  store: ServerStore
  /** Sets `req.session` from the agent's access token, or answers 401. */
  authenticate: preHandlerHookHandler
  now: () => number
}

const RequestParams = z.object({ id: Id }).strict()

/** Said when the request has no citizen to reach, or the citizen was erased. */
export const NO_CITIZEN =
  'Aucune coordonnée à afficher : cette demande n’a pas d’usager identifié, ou ses données ont été effacées.'

export function registerContactRoutes(app: FastifyInstance, deps: ContactRouteDeps): void {
  const agents = { preHandler: [deps.authenticate] }
  const dpo = { preHandler: [deps.authenticate, mayReadAccessLog] }

  app.post(
    '/api/v1/requests/:id/citizen-contact',
    { ...agents, schema: { params: RequestParams, body: CitizenContactRequest } },
    async (req, reply) => {
      const { id } = req.params as z.output<typeof RequestParams>
      const body = req.body as CitizenContactRequest
      try {
        const contact = await deps.store.deliverCitizenContact(req.session!, {
          requestId: id,
          purpose: body.purpose,
          clientId: body.clientId,
          workstation: body.workstation ?? null,
        })
        if (!contact) return reply.code(409).send(apiError('no_citizen', NO_CITIZEN))
        return contact
      } catch (e) {
        return refuse(reply, e)
      }
    },
  )

  app.post('/api/v1/access-log', { ...agents, schema: { body: OfflineAccessUpload } }, async (req, reply) => {
    try {
      const { entries } = req.body as OfflineAccessUpload
      return { accepted: await deps.store.recordOfflineAccess(req.session!, entries) }
    } catch (e) {
      return refuse(reply, e)
    }
  })

  app.get(
    '/api/v1/privacy/access-log',
    { ...dpo, schema: { querystring: AccessLogQuery } },
    async (req, reply) => {
      try {
        return await deps.store.accessLog(req.session!, req.query as AccessLogQuery)
      } catch (e) {
        return refuse(reply, e)
      }
    },
  )
}
