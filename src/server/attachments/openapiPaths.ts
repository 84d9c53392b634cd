/** The OpenAPI entries of the attachment routes (routes.ts; the protocol: src/shared/attachments.ts). */
import { ATTACHMENT_TYPES, AttachmentMeta, THUMBNAIL_EDGE } from '../../shared/attachments'
import { agent, error, idParameter, json } from '../openapi/common'

const binary = (types: readonly string[]) =>
  Object.fromEntries(types.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]))

const refusals = {
  '401': error('Missing or expired access token'),
  '404': error('No such attachment, or its request is outside the agent’s teams'),
}

export const attachmentPaths = {
  '/api/v1/requests/{requestId}/attachments/{attachmentId}': {
    put: {
      summary: 'Attach a photo or a document to a request (raw bytes as the body)',
      description:
        'The id is made by the console: the same id again answers the stored attachment (200), ' +
        'so a retried upload is applied once. The type is sniffed from the bytes (the declared ' +
        '`Content-Type` is not believed). Images are turned upright and re-encoded without their ' +
        `metadata (GPS position, camera), with a JPEG thumbnail of at most ${THUMBNAIL_EDGE} px; ` +
        'PDFs are kept as they are. The request gets a history event `attachment_added` and moves ' +
        'in the change feed.',
      security: agent,
      parameters: [
        idParameter('requestId'),
        idParameter('attachmentId'),
        {
          name: 'name',
          in: 'query',
          required: false,
          description: 'The file name to show and offer on download (directories dropped)',
          schema: { type: 'string', maxLength: 1000 },
        },
      ],
      requestBody: { required: true, content: binary([...ATTACHMENT_TYPES, 'application/octet-stream']) },
      responses: {
        '200': { description: 'Already stored under this id', ...json(AttachmentMeta) },
        '201': { description: 'Stored', ...json(AttachmentMeta) },
        '403': error('The role may not add attachments'),
        '409': error('The request has its maximum of attachments, or the id is taken on another request'),
        '413': error('Larger than `attachments.maxBytes`'),
        '415': error('Not an accepted type, or an image that cannot be decoded'),
        ...refusals,
      },
    },
  },
  '/api/v1/attachments/{id}/content': {
    get: {
      summary: 'The stored bytes (images as re-encoded), offered as a download',
      description: 'Answered with `Content-Disposition: attachment` and `Content-Security-Policy: sandbox`.',
      security: agent,
      parameters: [idParameter()],
      responses: {
        '200': { description: 'The file', content: binary(ATTACHMENT_TYPES) },
        ...refusals,
      },
    },
  },
  '/api/v1/attachments/{id}/thumbnail': {
    get: {
      summary: `A JPEG of at most ${THUMBNAIL_EDGE} px (images only)`,
      security: agent,
      parameters: [idParameter()],
      responses: {
        '200': { description: 'The thumbnail', content: binary(['image/jpeg']) },
        ...refusals,
      },
    },
  },
  '/api/v1/attachments/{id}': {
    delete: {
      summary: 'Remove an attachment (the agent who added it, or a lead of the request’s team)',
      description:
        'The request gets a history event `attachment_removed`; the bytes are deleted once no attachment uses them.',
      security: agent,
      parameters: [idParameter()],
      responses: {
        '200': { description: 'Removed', content: { 'application/json': { schema: { type: 'object' } } } },
        '403': error('Neither its author nor a lead of the request’s team'),
        ...refusals,
      },
    },
  },
}
