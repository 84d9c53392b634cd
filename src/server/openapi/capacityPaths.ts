/** The OpenAPI entry of people's capacity for the dispatch board (routes/capacity.ts, issue 15). */
import { CapacityReply, CapacitySave } from '../../shared/capacity'
import { agent, error, idParameter, json } from './common'

export const capacityPaths = {
  '/api/v1/capacity/{agentId}': {
    put: {
      summary: 'Set a person’s weekly hours and absences (their team leads, supervisors)',
      description:
        'Replaces the person’s capacity. Absences are date ranges with a reason category ' +
        '(`leave`, `training`, `recovery`, `other`), never free text. Every console receives the ' +
        'change with the reference data (`reference.capacity` in the change feed).',
      security: agent,
      parameters: [idParameter('agentId')],
      requestBody: { required: true, ...json(CapacitySave, 'input') },
      responses: {
        '200': { description: 'The capacity as stored', ...json(CapacityReply) },
        '400': error('Malformed capacity (hours out of range, an absence ending before it starts)'),
        '401': error('Missing or expired access token'),
        '403': error('Not a lead of one of the person’s teams, nor a supervisor'),
        '404': error('Unknown person'),
      },
    },
  },
}
