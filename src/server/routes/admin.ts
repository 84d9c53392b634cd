/**
 * The administrators' routes: the authority's reference data (teams, categories, routing
 * rules, sectors), versioned and audited, and the API accounts of portals and partners.
 * Only the `admin` role; the core's rules decide.
 */
import type { FastifyInstance, FastifyReply, preHandlerHookHandler } from 'fastify'
import { z } from 'zod'
import { Id } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import { canAdministerReference } from '../../core/authz/permissions'
import {
  deleteReferenceItem,
  EDITABLE_KINDS,
  listReferenceItems,
  referenceAudit,
  saveReferenceItem,
} from '../store/referenceAdmin'
import {
  API_SCOPES,
  ApiAccountError,
  createApiAccount,
  listApiAccounts,
  revokeApiAccount,
} from '../store/apiAccounts'
import type { ServerStore } from '../store/types'
import { apiError } from './validation'

export interface AdminRouteDeps {
  store: ServerStore
  /** Sets `req.session` from the agent's access token, or answers 401. */
  authenticate: preHandlerHookHandler
  now: () => number
}

const Kind = z.enum(EDITABLE_KINDS)
const ItemParams = z.object({ kind: Kind, id: Id }).strict()
const SaveBody = z
  .object({ data: z.unknown(), baseVersion: z.number().int().nonnegative().nullable() })
  .strict()
const DeleteQuery = z.object({ baseVersion: z.coerce.number().int().nonnegative() }).strict()
const AuditQuery = z
  .object({
    kind: z.enum([...EDITABLE_KINDS, 'workflow']).optional(),
    id: Id.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict()

const AccountCreate = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(API_SCOPES)).min(1),
    categoryIds: z.array(Id).max(200).nullable().default(null),
    teamIds: z.array(Id).max(200).nullable().default(null),
    ratePerMinute: z.number().int().min(1).max(100_000).optional(),
    expiresInDays: z.number().int().min(1).max(3650).nullable().default(null),
  })
  .strict()
const AccountParams = z.object({ id: z.string().min(1).max(64) }).strict()

const STATUS: Partial<Record<string, number>> = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  version_conflict: 409,
  in_use: 409,
}

function refuse(reply: FastifyReply, e: unknown) {
  if (!(e instanceof CoreError)) throw e
  return reply.code(STATUS[e.code] ?? 400).send(apiError(e.code, e.message))
}

export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  const { store } = deps
  const onlyAdmins: preHandlerHookHandler = async (req, reply) => {
    if (!req.session || !canAdministerReference(req.session))
      return reply
        .code(403)
        .send(apiError('forbidden', 'Seuls les administrateurs modifient le référentiel de la collectivité.'))
  }
  const guard = { preHandler: [deps.authenticate, onlyAdmins] }

  app.get('/api/v1/admin/reference', guard, async () => ({ items: await listReferenceItems(store.sql) }))

  app.put(
    '/api/v1/admin/reference/:kind/:id',
    { ...guard, schema: { params: ItemParams, body: SaveBody } },
    async (req, reply) => {
      const { kind, id } = req.params as z.output<typeof ItemParams>
      const { data, baseVersion } = req.body as z.output<typeof SaveBody>
      try {
        return {
          item: await saveReferenceItem(store.sql, req.session!, kind, id, data, baseVersion, deps.now()),
        }
      } catch (e) {
        return refuse(reply, e)
      }
    },
  )

  app.delete(
    '/api/v1/admin/reference/:kind/:id',
    { ...guard, schema: { params: ItemParams, querystring: DeleteQuery } },
    async (req, reply) => {
      const { kind, id } = req.params as z.output<typeof ItemParams>
      const { baseVersion } = req.query as z.output<typeof DeleteQuery>
      try {
        await deleteReferenceItem(store.sql, req.session!, kind, id, baseVersion, deps.now())
        return {}
      } catch (e) {
        return refuse(reply, e)
      }
    },
  )

  // API accounts of portals and partners: the same as `npm run server -- api-accounts`.
  app.get('/api/v1/admin/api-accounts', guard, async () => ({ accounts: await listApiAccounts(store.sql) }))

  app.post(
    '/api/v1/admin/api-accounts',
    { ...guard, schema: { body: AccountCreate } },
    async (req, reply) => {
      const input = req.body as z.output<typeof AccountCreate>
      const at = deps.now()
      try {
        const { account, key } = await createApiAccount(
          store.sql,
          {
            name: input.name,
            scopes: input.scopes,
            categoryIds: input.categoryIds,
            teamIds: input.teamIds,
            ratePerMinute: input.ratePerMinute,
            expiresAt: input.expiresInDays === null ? null : at + input.expiresInDays * 24 * 3600_000,
          },
          { at },
        )
        // The key, in clear, this once: only its hash is kept.
        return reply.code(201).send({ account, key })
      } catch (e) {
        if (e instanceof ApiAccountError) return reply.code(400).send(apiError('invalid_input', e.message))
        throw e
      }
    },
  )

  app.delete(
    '/api/v1/admin/api-accounts/:id',
    { ...guard, schema: { params: AccountParams } },
    async (req, reply) => {
      const { id } = req.params as z.output<typeof AccountParams>
      try {
        return { account: await revokeApiAccount(store.sql, id, deps.now()) }
      } catch (e) {
        if (e instanceof ApiAccountError) return reply.code(404).send(apiError('not_found', e.message))
        throw e
      }
    },
  )

  app.get('/api/v1/admin/reference/audit', { ...guard, schema: { querystring: AuditQuery } }, async (req) => {
    const { kind, id, limit } = req.query as z.output<typeof AuditQuery>
    return { entries: await referenceAudit(store.sql, { kind, id, limit }) }
  })
}
