/** The OpenAPI entries of contact details on demand and of the access log (routes/contacts.ts). */
import {
  AccessLogPage,
  AccessLogQuery,
  CitizenContact,
  CitizenContactRequest,
  OfflineAccessReply,
  OfflineAccessUpload,
} from '../../shared/privacy'
import { agent, error, idParameter, json, queryParameters } from './common'

export const contactPaths = {
  '/api/v1/requests/{id}/citizen-contact': {
    post: {
      summary: 'The contact details of a request’s citizen, for a stated purpose (logged)',
      description:
        'Body `{ purpose, clientId, workstation? }`. Roles that may read citizens’ data, on requests ' +
        'of their teams. Each delivery is logged (agent, request, citizen, purpose, time, workstation) ' +
        'and written in the request’s history. Contact details never travel in the change feed.',
      security: agent,
      parameters: [idParameter()],
      requestBody: { required: true, ...json(CitizenContactRequest, 'input') },
      responses: {
        '200': { description: 'The contact details, delivered and logged', ...json(CitizenContact) },
        '400': error('Malformed request (a purpose outside the list)'),
        '401': error('Missing or expired access token'),
        '403': error('The agent’s role may not read citizens’ data'),
        '404': error('Unknown request, or outside the agent’s teams'),
        '409': error('`no_citizen`: the request has no identified citizen, or the citizen was erased'),
      },
    },
  },
  '/api/v1/access-log': {
    post: {
      summary: 'Upload the reads of contact details a console made offline (each logged once, by id)',
      description:
        'The agent is the token’s. Each read is logged once by its id and written in its request’s ' +
        'history. A read is left out of `accepted` (and not logged) when its request is unknown or ' +
        'outside the agent’s teams, names another citizen than the request’s, or is dated more than ' +
        '5 minutes ahead of the server’s clock: that answer is final.',
      security: agent,
      requestBody: { required: true, ...json(OfflineAccessUpload, 'input') },
      responses: {
        '200': { description: 'The ids logged (new or already)', ...json(OfflineAccessReply) },
        '400': error('Malformed upload'),
        '401': error('Missing or expired access token'),
      },
    },
  },
  '/api/v1/privacy/access-log': {
    get: {
      summary: 'Who was shown which citizen’s data, newest first (DPO role)',
      description:
        'Filters by citizen, agent and time (`from`, `to`, inclusive). Pages are keyset pages over ' +
        '(time, id): give `next` back as `before`. Entries name the request’s reference and the agent.',
      security: agent,
      parameters: queryParameters(AccessLogQuery),
      responses: {
        '200': { description: 'One page; `next` as `before` for the next', ...json(AccessLogPage) },
        '400': error('A malformed parameter'),
        '401': error('Missing or expired access token'),
        '403': error('Not the data protection officer'),
      },
    },
  },
}
