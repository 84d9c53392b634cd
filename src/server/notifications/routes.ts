/**
 * The administrators' routes for reply templates (`admin` role): every template in force
 * (shipped defaults and the server's own versions), save one for a category and an event,
 * and go back to the default. The console's Administration screen calls them.
 */
import type { FastifyInstance, FastifyReply, preHandlerHookHandler } from 'fastify'
import { z } from 'zod'
import { CoreError } from '../../shared/result'
import { canAdministerReference } from '../../core/authz/permissions'
import { apiError } from '../routes/validation'
import type { ServerStore } from '../store/types'
import { listTemplates, resetTemplate, saveTemplate } from './templateStore'
import { NoticeEvent, PLACEHOLDERS, TemplateText } from './templates'

export const NOTICE_TEMPLATES_PATH = '/api/v1/admin/notice-templates'

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether templates may name the agent (config `notifications.allowAgentName`), set at start. */
    noticeAllowAgentName?: boolean
  }
}

export const TemplateParams = z
  .object({
    categoryId: z.union([z.literal('*'), z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)]),
    event: NoticeEvent,
  })
  .strict()
export const TemplateSave = TemplateText.extend({ baseVersion: z.number().int().nonnegative() }).strict()

const STATUS: Partial<Record<string, number>> = { invalid_input: 400, version_conflict: 409, not_found: 404 }

function refuse(reply: FastifyReply, e: unknown) {
  if (!(e instanceof CoreError)) throw e
  return reply.code(STATUS[e.code] ?? 400).send(apiError(e.code, e.message))
}

export function registerNoticeRoutes(
  app: FastifyInstance,
  deps: { store: ServerStore; authenticate: preHandlerHookHandler; now: () => number },
): void {
  const { store } = deps
  const onlyAdmins: preHandlerHookHandler = async (req, reply) => {
    if (!req.session || !canAdministerReference(req.session))
      return reply
        .code(403)
        .send(apiError('forbidden', 'Seuls les administrateurs modifient les modèles de réponse.'))
  }
  const guard = { preHandler: [deps.authenticate, onlyAdmins] }

  app.get(NOTICE_TEMPLATES_PATH, guard, async () => ({
    templates: await listTemplates(store.sql),
    placeholders: PLACEHOLDERS,
    allowAgentName: app.noticeAllowAgentName ?? false,
  }))

  app.put(
    `${NOTICE_TEMPLATES_PATH}/:categoryId/:event`,
    { ...guard, schema: { params: TemplateParams, body: TemplateSave } },
    async (req, reply) => {
      const { categoryId, event } = req.params as z.output<typeof TemplateParams>
      const { baseVersion, ...text } = req.body as z.output<typeof TemplateSave>
      const categories = new Set((await store.listCategories()).map((c) => c.id))
      try {
        return {
          template: await saveTemplate(store.sql, {
            categoryId,
            event,
            text,
            baseVersion,
            actor: req.session!.displayName,
            at: deps.now(),
            allowAgentName: app.noticeAllowAgentName ?? false,
            categoryExists: (id) => categories.has(id),
          }),
        }
      } catch (e) {
        return refuse(reply, e)
      }
    },
  )

  app.delete(
    `${NOTICE_TEMPLATES_PATH}/:categoryId/:event`,
    { ...guard, schema: { params: TemplateParams } },
    async (req, reply) => {
      const { categoryId, event } = req.params as z.output<typeof TemplateParams>
      if (!(await resetTemplate(store.sql, categoryId, event)))
        return reply.code(404).send(apiError('not_found', 'Ce modèle n’a pas été modifié sur ce serveur.'))
      return {}
    },
  )
}
