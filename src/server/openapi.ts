/**
 * The protocol's reference document (OpenAPI 3.0), generated from the same zod schemas
 * the server validates with and the console parses with, so it cannot drift from them.
 */
import { z, type ZodType } from 'zod'
import {
  ApiErrorReply,
  ChangesReply,
  MutationBatch,
  MutationsReply,
  SYNC_LIMITS,
  TokenReply,
  TokenRequest,
} from '../shared/sync'

const schemaOf = (s: ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { target: 'openapi-3.0', io, unrepresentable: 'any' })

const json = (s: ZodType, io: 'input' | 'output' = 'output') => ({
  content: { 'application/json': { schema: schemaOf(s, io) } },
})
const error = (description: string) => ({ description, ...json(ApiErrorReply) })
const bearer = [{ bearer: [] }]

export function openApiDocument(serverUrl?: string) {
  return {
    openapi: '3.0.3',
    info: {
      title: 'GRC Console — central server',
      version: '1.0.0',
      description:
        'Sync protocol between GRC consoles and the central server, and the Open311 GeoReport v2 intake ' +
        'for citizen portals. Times are epoch milliseconds. Every mutation is applied at most once ' +
        '(by mutationId); authorisation and workflow guards are checked by the server.',
    },
    servers: serverUrl ? [{ url: serverUrl }] : [],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    paths: {
      '/api/v1/auth/token': {
        post: {
          summary:
            'Exchange agent credentials or a refresh token for an access token and a new refresh token',
          requestBody: { required: true, ...json(TokenRequest, 'input') },
          responses: {
            '200': {
              description: 'Tokens and the agent as the directory describes them',
              ...json(TokenReply),
            },
            '400': error('Malformed request'),
            '401': error('Wrong credentials, or refresh token unknown/expired/used'),
          },
        },
      },
      '/api/v1/changes': {
        get: {
          summary: 'The ordered change feed of what this agent may see, after a cursor',
          security: bearer,
          parameters: [
            { name: 'since', in: 'query', schema: { type: 'string', pattern: '^\\d{1,15}$', default: '0' } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: SYNC_LIMITS.changesPerPage, default: 500 },
            },
          ],
          responses: {
            '200': { description: 'One page of changes and the next cursor', ...json(ChangesReply) },
            '400': error('Bad cursor or limit'),
            '401': error('Missing or expired access token'),
          },
        },
      },
      '/api/v1/mutations': {
        post: {
          summary: 'Apply a batch of console changes, each at most once, in order',
          security: bearer,
          requestBody: { required: true, ...json(MutationBatch, 'input') },
          responses: {
            '200': {
              description: 'One result per mutation: applied, conflict or rejected',
              ...json(MutationsReply),
            },
            '400': error('Malformed batch'),
            '401': error('Missing or expired access token'),
          },
        },
      },
      '/api/v1/events': {
        get: {
          summary:
            'Server-sent events: `event: changes` when the change feed has something new for this agent',
          security: bearer,
          responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': {} } } },
        },
      },
      '/open311/v2/services.{format}': {
        get: {
          summary: 'Open311 GeoReport v2: service list (json or xml)',
          responses: { '200': { description: 'Services' } },
        },
      },
      '/open311/v2/services/{service_code}.{format}': {
        get: {
          summary: 'Open311: one service definition (attributes)',
          responses: { '200': { description: 'Definition' }, '404': { description: 'Unknown service_code' } },
        },
      },
      '/open311/v2/requests.{format}': {
        get: {
          summary: 'Open311: requests (service_request_id, service_code, status, start_date, end_date)',
          responses: { '200': { description: 'Requests' } },
        },
        post: {
          summary:
            'Open311: submit a request (form-encoded; api_key, service_code, lat/long or address_string, description ≤ 4000)',
          responses: {
            '200': { description: 'The new request id' },
            '400': { description: 'Missing location, attribute or field' },
            '403': { description: 'Missing or unknown api_key' },
            '404': { description: 'Unknown service_code' },
          },
        },
      },
      '/open311/v2/requests/{service_request_id}.{format}': {
        get: {
          summary: 'Open311: one request',
          responses: { '200': { description: 'The request' }, '404': { description: 'Unknown id' } },
        },
      },
    },
  }
}
