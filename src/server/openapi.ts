/**
 * The protocol's reference document (OpenAPI 3.0), generated from the same zod schemas
 * the server validates with and the console parses with, so it cannot drift from them.
 * It describes every route the server registers (a test walks Fastify's routes), and names
 * the server only by its configured public address, never by a client's Host header.
 */
import { z } from 'zod'
import {
  ChangesReply,
  DetailsReply,
  DetailsRequest,
  MutationBatch,
  MutationsReply,
  SYNC_LIMITS,
  TokenReply,
  TokenRequest,
} from '../shared/sync'
import { REQUESTS_LIMIT } from './open311/input'
import {
  PARTNER_PREFIX,
  PartnerNote,
  PartnerNoteCreate,
  PartnerRequest,
  PartnerRequestCreate,
  PartnerRequestPage,
  PartnerRequestsQuery,
} from './partner/schemas'
import { EDITABLE_KINDS } from './store/referenceAdmin'
import {
  API_SCOPE_DESCRIPTIONS,
  API_SCOPES,
  DEFAULT_RATE_PER_MINUTE,
  type ApiScope,
} from './store/apiAccounts'
import { agent, error, json, queryParameters } from './openapi/common'
import { contactPaths } from './openapi/contactPaths'
import { privacyPaths } from './openapi/privacyPaths'
import { noticePaths } from './notifications/openapiPaths'
import { attachmentPaths } from './attachments/openapiPaths'
import { capacityPaths } from './openapi/capacityPaths'
import { snapshotPaths } from './openapi/snapshotPaths'
import { presencePaths } from './presence/openapiPaths'

// --- Open311 ---------------------------------------------------------------------------

const OPEN311_ERRORS = {
  type: 'array',
  items: {
    type: 'object',
    properties: { code: { type: 'integer' }, description: { type: 'string' } },
    required: ['code', 'description'],
  },
}
/** Open311 answers in the format the path ends with; errors too, as `[{code, description}]`. */
const open311 = (description: string, schema: Record<string, unknown> = {}) => ({
  description,
  content: { 'application/json': { schema }, 'text/xml': { schema: { type: 'string' } } },
})
const open311Error = (description: string) => open311(description, OPEN311_ERRORS)
const format = {
  name: 'format',
  in: 'path',
  required: true,
  schema: { type: 'string', enum: ['json', 'xml'] },
}
/** Reads are public; with a key (scope open311:read) they count against the account and are logged. */
const open311Read = {
  security: [{}, { open311ApiKey: [] }],
  'x-grc-scope': 'open311:read',
}
const open311KeyErrors = {
  '403': open311Error('api_key given but unknown, revoked, expired, or without the scope open311:read'),
  '429': open311Error('Over the account’s rate (Retry-After says when to try again)'),
}

// --- Partner API -----------------------------------------------------------------------

const scoped = (scope: ApiScope) => ({
  security: [{ partnerKey: [] }],
  'x-grc-scope': scope,
})
const partnerErrors = {
  '401': error('Key missing, unknown, revoked or expired'),
  '403': error('The key lacks the scope this route needs, or the category is outside the account’s'),
  '429': {
    ...error('Over the account’s rate'),
    headers: { 'Retry-After': { description: 'Seconds before trying again', schema: { type: 'integer' } } },
  },
}
const requestId = { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 64 } }

// --- administration ------------------------------------------------------------------

const adminKind = {
  name: 'kind',
  in: 'path',
  required: true,
  schema: { type: 'string', enum: [...EDITABLE_KINDS] },
}
const AdminItem = z.object({
  kind: z.enum([...EDITABLE_KINDS, 'workflow']),
  id: z.string(),
  version: z.number().int(),
  data: z.unknown(),
})
const AdminItems = z.object({ items: z.array(AdminItem) })
const AdminSave = z.object({ data: z.unknown(), baseVersion: z.number().int().nonnegative().nullable() })
const AdminAudit = z.object({
  entries: z.array(
    z.object({
      id: z.number().int(),
      kind: z.string(),
      itemId: z.string(),
      version: z.number().int(),
      action: z.enum(['create', 'update', 'delete']),
      before: z.unknown(),
      after: z.unknown(),
      actorName: z.string().nullable(),
      at: z.number().int(),
    }),
  ),
})

const scopeList = API_SCOPES.map((s) => `- \`${s}\`: ${API_SCOPE_DESCRIPTIONS[s]}`).join('\n')

export function openApiDocument(serverUrl?: string) {
  return {
    openapi: '3.0.3',
    info: {
      title: 'GRC Console — central server',
      version: '1.1.0',
      description:
        'Sync protocol between GRC consoles and the central server, the Open311 GeoReport v2 intake ' +
        'for citizen portals, and the partner API. Sync times are epoch milliseconds, partner API times ' +
        'ISO 8601. Every mutation is applied at most once (by mutationId); authorisation and workflow ' +
        'guards are checked by the server.\n\n' +
        'Partners and portals hold an API account (made by `npm run server -- api-accounts create`): ' +
        'a key shown once, stored hashed, with scopes, optional category and team limits, an expiry, ' +
        `and a rate per minute (default ${DEFAULT_RATE_PER_MINUTE}); each use is logged (account, scope, ` +
        'route, status, time). Scopes:\n' +
        scopeList,
    },
    // No server at all rather than one taken from the request: a Host header can be forged.
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: {
        agentToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An agent’s access token from POST /api/v1/auth/token (short-lived; refreshed).',
        },
        partnerKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'grc_<prefix>_<secret>',
          description:
            'An API account’s key: `Authorization: Bearer grc_…`. Each operation names the scope it ' +
            'needs (`x-grc-scope`); a key without it gets 403, an unknown, revoked or expired key 401, ' +
            'a key over its rate 429 with Retry-After. Scopes:\n' +
            scopeList,
          'x-grc-scopes': API_SCOPE_DESCRIPTIONS,
        },
        open311ApiKey: {
          type: 'apiKey',
          in: 'query',
          name: 'api_key',
          description:
            'An API account’s key for Open311. Submitting (scope `open311:submit`) sends it in the ' +
            'form body as `api_key`, never in the URL. Reads are public; a portal may add ' +
            '`?api_key=` to be identified (scope `open311:read`).',
          'x-grc-scopes': {
            'open311:submit': API_SCOPE_DESCRIPTIONS['open311:submit'],
            'open311:read': API_SCOPE_DESCRIPTIONS['open311:read'],
          },
        },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The monitoring token, asked only when the server runs with GRC_METRICS_TOKEN.',
        },
      },
    },
    paths: {
      '/api/openapi.json': {
        get: {
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.0', content: { 'application/json': {} } } },
        },
      },
      '/api/v1/health': {
        get: {
          summary: 'Liveness: this process serves (never depends on the database)',
          responses: {
            '200': { description: 'Alive', ...json(z.object({ status: z.literal('ok') })) },
          },
        },
      },
      '/api/v1/health/ready': {
        get: {
          summary: 'Readiness: the database answers (a load balancer sends traffic only then)',
          responses: {
            '200': {
              description: 'Ready',
              ...json(z.object({ status: z.literal('ready'), database: z.literal('ok') })),
            },
            '503': {
              description: 'The database does not answer',
              ...json(z.object({ status: z.literal('unavailable'), database: z.literal('unreachable') })),
            },
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (route patterns and statuses; never ids or bodies)',
          security: [{}, { metricsToken: [] }],
          responses: {
            '200': { description: 'Prometheus text format 0.0.4', content: { 'text/plain': {} } },
            '401': error('The monitoring token is set and was not given'),
          },
        },
      },
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
            '403': error('Account disabled, or no role in the console'),
            '429': error('Too many failed logins for this account (Retry-After)'),
            '503': error('The directory does not answer'),
          },
        },
      },
      '/api/v1/auth/revoke': {
        post: {
          summary: 'Log out: every refresh token of this agent stops working at once',
          security: agent,
          responses: {
            '200': { description: 'Done', ...json(z.object({})) },
            '401': error('Missing or expired access token'),
          },
        },
      },
      '/api/v1/changes': {
        get: {
          summary: 'The ordered change feed of what this agent may see, after a cursor',
          security: agent,
          parameters: [
            { name: 'since', in: 'query', schema: { type: 'string', pattern: '^\\d{1,15}$', default: '0' } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: SYNC_LIMITS.changesPerPage, default: 500 },
            },
            {
              name: 'light',
              in: 'query',
              description: '1: requests without comments and history (a first download)',
              schema: { type: 'string', enum: ['0', '1'], default: '0' },
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
          security: agent,
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
      '/api/v1/requests/details': {
        post: {
          summary:
            'Comments and history of requests first sent without them (ids the agent may not see are left out)',
          security: agent,
          requestBody: { required: true, ...json(DetailsRequest, 'input') },
          responses: {
            '200': { description: 'The details, by request', ...json(DetailsReply) },
            '400': error('Malformed list of ids'),
            '401': error('Missing or expired access token'),
          },
        },
      },
      '/api/v1/events': {
        get: {
          summary:
            'Server-sent events: `event: changes` when the change feed has something new for this agent',
          security: agent,
          responses: {
            '200': { description: 'text/event-stream', content: { 'text/event-stream': {} } },
            '401': error('Missing or expired access token'),
          },
        },
      },
      '/open311/v2/services.{format}': {
        get: {
          summary: 'Open311 GeoReport v2: service list (json or xml)',
          ...open311Read,
          parameters: [format],
          responses: {
            '200': open311('Services', { type: 'array', items: { type: 'object' } }),
            ...open311KeyErrors,
          },
        },
      },
      '/open311/v2/services/{service_code}.{format}': {
        get: {
          summary: 'Open311: one service definition (attributes)',
          ...open311Read,
          parameters: [
            { name: 'service_code', in: 'path', required: true, schema: { type: 'string' } },
            format,
          ],
          responses: {
            '200': open311('Definition', { type: 'object' }),
            '404': open311Error('Unknown service_code'),
            ...open311KeyErrors,
          },
        },
      },
      '/open311/v2/requests.{format}': {
        get: {
          summary: 'Open311: public requests, newest first (only those citizens sent through a portal)',
          ...open311Read,
          parameters: [
            format,
            ...['service_request_id', 'service_code', 'status'].map((name) => ({
              name,
              in: 'query',
              description: 'Comma-separated list',
              schema: { type: 'string' },
            })),
            ...['start_date', 'end_date'].map((name) => ({
              name,
              in: 'query',
              schema: { type: 'string', format: 'date-time' },
            })),
            {
              name: 'limit',
              in: 'query',
              schema: {
                type: 'integer',
                minimum: 1,
                maximum: REQUESTS_LIMIT.max,
                default: REQUESTS_LIMIT.default,
              },
            },
          ],
          responses: {
            '200': open311('Requests', { type: 'array', items: { type: 'object' } }),
            '400': open311Error('A malformed parameter (named in the description)'),
            ...open311KeyErrors,
          },
        },
        post: {
          summary: 'Open311: submit a request, routed by the routing rules',
          description: 'Needs an API account’s key with the scope `open311:submit`, in the form body.',
          'x-grc-scope': 'open311:submit',
          parameters: [format],
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['api_key', 'service_code'],
                  properties: {
                    api_key: { type: 'string', description: 'The API account’s key (scope open311:submit)' },
                    service_code: { type: 'string' },
                    lat: { type: 'number', minimum: -90, maximum: 90 },
                    long: { type: 'number', minimum: -180, maximum: 180 },
                    address_string: { type: 'string', maxLength: 300 },
                    description: { type: 'string', maxLength: 4000 },
                    'attribute[subcategory]': { type: 'string' },
                    email: { type: 'string', format: 'email' },
                    phone: { type: 'string' },
                    first_name: { type: 'string' },
                    last_name: { type: 'string' },
                  },
                },
              },
            },
          },
          responses: {
            '200': open311('The new request id', { type: 'array', items: { type: 'object' } }),
            '400': open311Error('Missing location, attribute or field'),
            '403': open311Error(
              'api_key missing, unknown, revoked, expired, without open311:submit, or not for this service',
            ),
            '404': open311Error('Unknown service_code'),
            '429': open311Error('Over the account’s rate (Retry-After says when to try again)'),
          },
        },
      },
      '/open311/v2/requests/{service_request_id}.{format}': {
        get: {
          summary: 'Open311: one public request',
          ...open311Read,
          parameters: [
            { name: 'service_request_id', in: 'path', required: true, schema: { type: 'string' } },
            format,
          ],
          responses: {
            '200': open311('The request', { type: 'array', items: { type: 'object' } }),
            '404': open311Error('Unknown id'),
            ...open311KeyErrors,
          },
        },
      },
      [`${PARTNER_PREFIX}/requests`]: {
        get: {
          summary: 'Requests within the account’s categories and teams, in creation order (keyset pages)',
          description:
            'Scope `requests:read`. Follow `nextCursor` (as `after`) until it is null; filter by status ' +
            'kind, category, or change time. Never citizens’ personal data.',
          ...scoped('requests:read'),
          parameters: queryParameters(PartnerRequestsQuery),
          responses: {
            '200': { description: 'One page', ...json(PartnerRequestPage) },
            '400': error('A malformed parameter'),
            ...partnerErrors,
          },
        },
        post: {
          summary: 'Create a request, routed by the routing rules (channel `api`)',
          description:
            'Scope `requests:write`. The category must be one of the account’s (when it has a list); ' +
            'the request goes to the team the routing rules choose.',
          ...scoped('requests:write'),
          requestBody: { required: true, ...json(PartnerRequestCreate, 'input') },
          responses: {
            '201': { description: 'The new request', ...json(PartnerRequest) },
            '400': error('Malformed request, unknown category or sub-category, missing location'),
            ...partnerErrors,
          },
        },
      },
      [`${PARTNER_PREFIX}/requests/{id}`]: {
        get: {
          summary: 'One request within the account’s categories and teams',
          description: 'Scope `requests:read`. 404 for a request outside the account’s limits.',
          ...scoped('requests:read'),
          parameters: [requestId],
          responses: {
            '200': { description: 'The request', ...json(PartnerRequest) },
            '404': error('Unknown, or outside the account’s categories and teams'),
            ...partnerErrors,
          },
        },
      },
      [`${PARTNER_PREFIX}/requests/{id}/comments`]: {
        post: {
          summary: 'Add an internal note, signed with the account’s name',
          description: 'Scope `requests:write`. Only on requests within the account’s categories and teams.',
          ...scoped('requests:write'),
          parameters: [requestId],
          requestBody: { required: true, ...json(PartnerNoteCreate, 'input') },
          responses: {
            '201': { description: 'The note', ...json(PartnerNote) },
            '400': error('Empty or too long'),
            '404': error('Unknown, or outside the account’s categories and teams'),
            ...partnerErrors,
          },
        },
      },
      '/api/v1/admin/reference': {
        get: {
          summary: 'The authority’s reference data, every item with its version (admin role)',
          security: agent,
          responses: {
            '200': { description: 'Items `{ kind, id, version, data }`', ...json(AdminItems) },
            '401': error('Missing or expired access token'),
            '403': error('Not an administrator'),
          },
        },
      },
      '/api/v1/admin/reference/{kind}/{id}': {
        put: {
          summary:
            'Create (baseVersion null) or change a team, category, sector or routing rule (admin role)',
          description:
            'Checked like the reference files (its shape, and that the team, category, sector or workflow it names ' +
            'exists), written with the next version and an audit entry, and fed to every console.',
          security: agent,
          parameters: [adminKind, requestId],
          requestBody: { required: true, ...json(AdminSave, 'input') },
          responses: {
            '200': { description: 'The item as stored', ...json(z.object({ item: AdminItem })) },
            '400': error('Invalid, or names something that does not exist'),
            '401': error('Missing or expired access token'),
            '403': error('Not an administrator'),
            '404': error('The item no longer exists'),
            '409': error('Changed since baseVersion (says who and when), or already exists'),
          },
        },
        delete: {
          summary: 'Delete an item nothing uses any more (admin role)',
          security: agent,
          parameters: [
            adminKind,
            requestId,
            { name: 'baseVersion', in: 'query', required: true, schema: { type: 'integer', minimum: 0 } },
          ],
          responses: {
            '200': { description: 'Deleted', ...json(z.object({})) },
            '401': error('Missing or expired access token'),
            '403': error('Not an administrator'),
            '404': error('The item no longer exists'),
            '409': error('Still in use (says what uses it), or changed since baseVersion'),
          },
        },
      },
      '/api/v1/admin/api-accounts': {
        get: {
          summary: 'The API accounts of portals and partners, with their last use; never a key (admin role)',
          security: agent,
          responses: {
            '200': {
              description: '`{ accounts }`',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            '401': error('Missing or expired access token'),
            '403': error('Not an administrator'),
          },
        },
        post: {
          summary: 'Create an API account; its key is in this answer only (admin role)',
          description: `Scopes: ${API_SCOPES.join(', ')}. Optional category and team limits, rate per minute, expiry in days.`,
          security: agent,
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: {
            '201': {
              description: '`{ account, key }`: the key shown once',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            '400': error('Unknown scope, team or category'),
            '401': error('Missing or expired access token'),
            '403': error('Not an administrator'),
          },
        },
      },
      '/api/v1/admin/api-accounts/{id}': {
        delete: {
          summary: 'Revoke an API account (by id or key prefix): its key stops working at once (admin role)',
          security: agent,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 64 } }],
          responses: {
            '200': {
              description: '`{ account }`',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            '401': error('Missing or expired access token'),
            '403': error('Not an administrator'),
            '404': error('No such account'),
          },
        },
      },
      '/api/v1/admin/reference/audit': {
        get: {
          summary: 'The reference data’s audit trail, newest first (admin role)',
          security: agent,
          parameters: [
            {
              name: 'kind',
              in: 'query',
              required: false,
              schema: { type: 'string', enum: [...EDITABLE_KINDS, 'workflow'] },
            },
            { name: 'id', in: 'query', required: false, schema: { type: 'string', maxLength: 64 } },
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 500 },
            },
          ],
          responses: {
            '200': { description: 'Who changed what, when: the item before and after', ...json(AdminAudit) },
            '401': error('Missing or expired access token'),
            '403': error('Not an administrator'),
          },
        },
      },
      ...contactPaths,
      ...privacyPaths,
      ...noticePaths,
      ...attachmentPaths,
      ...capacityPaths,
      ...snapshotPaths,
      ...presencePaths,
    },
  }
}
