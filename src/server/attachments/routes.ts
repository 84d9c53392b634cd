/**
 * The attachment routes of the protocol (src/shared/attachments.ts): upload as a raw body,
 * download of the stored bytes and of the thumbnail, removal. Agents' access token like
 * every /api/v1 route; the service re-checks the request's team on every call. The bytes
 * are sniffed, never the declared type believed; a download is always offered as a file
 * (`Content-Disposition: attachment`) under a sandbox policy, so nothing uploaded runs in a
 * browser.
 */
import type { FastifyError, FastifyInstance, FastifyReply, preHandlerHookHandler } from 'fastify'
import { z } from 'zod'
import { Id } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import { apiError } from '../routes/validation'
import { acceptedTypesText, UnsupportedFile } from './images'
import { TooManyAttachments, type AttachmentService } from './service'

export interface AttachmentRouteDeps {
  attachments: AttachmentService
  /** Sets `req.session` from the agent's access token, or answers 401. */
  authenticate: preHandlerHookHandler
}

const UploadParams = z.object({ requestId: Id, attachmentId: Id }).strict()
const UploadQuery = z.object({ name: z.string().max(1000).optional() }).strict()
const AttachmentParams = z.object({ id: Id }).strict()

/** The declared types a raw upload may come as (the bytes decide what it is). */
const RAW_TYPES = /^(?:image\/[\w.+-]+|application\/pdf|application\/octet-stream)\s*(?:;|$)/i

const STATUS: Partial<Record<string, number>> = { not_found: 404, forbidden: 403, version_conflict: 409 }

function refuse(reply: FastifyReply, e: unknown) {
  if (e instanceof UnsupportedFile) return reply.code(415).send(apiError('unsupported_type', e.message))
  if (e instanceof TooManyAttachments) return reply.code(409).send(apiError('too_many', e.message))
  if (e instanceof CoreError) return reply.code(STATUS[e.code] ?? 400).send(apiError(e.code, e.message))
  throw e
}

/** `filename*` (RFC 6266/8187) for any name, and a plain ASCII `filename` for old clients. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

export function registerAttachmentRoutes(app: FastifyInstance, deps: AttachmentRouteDeps): void {
  const { attachments } = deps
  const maxBytes = attachments.settings.maxBytes
  const agents = { preHandler: [deps.authenticate] }

  void app.register(async (scope) => {
    // Raw bytes for these routes only; the rest of the API stays JSON.
    scope.addContentTypeParser(RAW_TYPES, { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) =>
      done(null, body),
    )
    scope.setErrorHandler((error: FastifyError, _req, reply) => {
      if (error.statusCode === 413)
        return reply
          .code(413)
          .send(
            apiError(
              'too_large',
              `Fichier trop volumineux : ${Math.floor(maxBytes / 1024 / 1024)} Mo au plus.`,
            ),
          )
      if (error.statusCode === 415)
        return reply
          .code(415)
          .send(
            apiError(
              'unsupported_type',
              `Type de fichier refusé : envoyez un fichier ${acceptedTypesText(attachments.settings.types)}.`,
            ),
          )
      throw error
    })

    scope.put(
      '/api/v1/requests/:requestId/attachments/:attachmentId',
      { ...agents, bodyLimit: maxBytes, schema: { params: UploadParams, querystring: UploadQuery } },
      async (req, reply) => {
        const { requestId, attachmentId } = req.params as z.output<typeof UploadParams>
        const { name } = req.query as z.output<typeof UploadQuery>
        const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
        try {
          const { meta, created } = await attachments.addByAgent(req.session!, {
            requestId,
            id: attachmentId,
            name: name ?? '',
            bytes,
          })
          return reply.code(created ? 201 : 200).send(meta)
        } catch (e) {
          return refuse(reply, e)
        }
      },
    )

    for (const what of ['content', 'thumbnail'] as const)
      scope.get(
        `/api/v1/attachments/:id/${what}`,
        { ...agents, schema: { params: AttachmentParams } },
        async (req, reply) => {
          const { id } = req.params as z.output<typeof AttachmentParams>
          try {
            const { meta, bytes } = await attachments.read(req.session!, id, what)
            const name = what === 'content' ? meta.name : `${meta.name.replace(/\.[^.]*$/, '')}-vignette.jpg`
            return reply
              .type(what === 'content' ? meta.mime : 'image/jpeg')
              .header('content-disposition', contentDisposition(name))
              .header('content-security-policy', 'sandbox')
              .send(bytes)
          } catch (e) {
            return refuse(reply, e)
          }
        },
      )

    scope.delete(
      '/api/v1/attachments/:id',
      { ...agents, schema: { params: AttachmentParams } },
      async (req, reply) => {
        const { id } = req.params as z.output<typeof AttachmentParams>
        try {
          await attachments.remove(req.session!, id)
          return { removed: true }
        } catch (e) {
          return refuse(reply, e)
        }
      },
    )
  })
}
