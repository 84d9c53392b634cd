/** The OpenAPI entries of the reply templates' admin routes (routes.ts). */
import { z } from 'zod'
import { agent, error, json } from '../openapi/common'
import { TemplateParams, TemplateSave, NOTICE_TEMPLATES_PATH } from './routes'
import { NoticeTemplate } from './templates'

const StoredTemplate = NoticeTemplate.extend({
  version: z.number().int().describe('0: the shipped default, not changed on this server'),
  updatedAt: z.number().int().nullable(),
  updatedBy: z.string().nullable(),
})
const TemplateList = z.object({
  templates: z.array(StoredTemplate),
  placeholders: z.record(z.string(), z.string()),
  allowAgentName: z.boolean(),
})
const params = Object.keys(TemplateParams.shape).map((name) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description:
    name === 'event'
      ? '`public_reply`, `master_resolved` (the master of a duplicate was resolved), `transition` (any status change that notifies) or `transition:<id>`'
      : 'a category id, or `*` for any category',
}))
const adminErrors = {
  '401': error('Missing or expired access token'),
  '403': error('Not an administrator'),
}

export const noticePaths = {
  [NOTICE_TEMPLATES_PATH]: {
    get: {
      summary: 'The reply templates in force, with their placeholders (admin role)',
      security: agent,
      responses: {
        '200': { description: 'Defaults and the server’s own versions', ...json(TemplateList) },
        ...adminErrors,
      },
    },
  },
  [`${NOTICE_TEMPLATES_PATH}/{categoryId}/{event}`]: {
    put: {
      summary: 'Save a reply template for a category and an event (admin role)',
      description:
        'Unknown placeholders are refused, and `{agent}` unless `notifications.allowAgentName`. ' +
        '`baseVersion` is the version edited (0 for the default): 409 when someone saved since.',
      security: agent,
      parameters: params,
      requestBody: { required: true, ...json(TemplateSave, 'input') },
      responses: {
        '200': { description: 'The saved template', ...json(z.object({ template: StoredTemplate })) },
        '400': error('A malformed template or an unknown placeholder or category'),
        '409': error('Saved by someone else since baseVersion'),
        ...adminErrors,
      },
    },
    delete: {
      summary: 'Go back to the shipped template (admin role)',
      security: agent,
      parameters: params,
      responses: {
        '200': { description: 'Back to the default', ...json(z.object({})) },
        '404': error('Not changed on this server'),
        ...adminErrors,
      },
    },
  },
}
