/** The OpenAPI entry of presence, who is on a request (presence/routes.ts, issue 15). */
import { PresenceMark, PresenceReport, PresenceReportReply } from '../../shared/presence'
import { agent, error, idParameter, json, schemaOf } from '../openapi/common'

const EVENT =
  'The agents who may see the request’s team (never its author) receive, on `GET /api/v1/events`, ' +
  'an `event: presence` whose data is a mark: '

export const presencePaths = {
  '/api/v1/presence/{requestId}': {
    put: {
      summary: 'I view or edit this request (renewed while it lasts)',
      description:
        `${EVENT}${JSON.stringify(schemaOf(PresenceMark, 'output'))}. The mark lives \`expiresInMs\` unless ` +
        'renewed; a stream receives the live marks it may see as soon as it opens. Only the agent’s display ' +
        'name travels. `field` (with `editing` only) comes from a fixed list.',
      security: agent,
      parameters: [idParameter('requestId')],
      requestBody: { required: true, ...json(PresenceReport, 'input') },
      responses: {
        '200': { description: 'The mark is told to the others', ...json(PresenceReportReply) },
        '400': error('Unknown activity or field, or a field without `editing`'),
        '401': error('Missing or expired access token'),
        '403': error('A read-only role (the DPO) reported editing'),
        '404': error('Unknown request, or outside the agent’s teams'),
        '429': error('Too many requests marked at once by this agent'),
      },
    },
    delete: {
      summary: 'I left this request (the others see it at once, `activity: left`)',
      security: agent,
      parameters: [idParameter('requestId')],
      responses: {
        '204': { description: 'The others are told' },
        '401': error('Missing or expired access token'),
        '404': error('Unknown request, or outside the agent’s teams'),
      },
    },
  },
}
