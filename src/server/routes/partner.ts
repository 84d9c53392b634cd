/**
 * The partner API: partners' systems (a utility, a neighbouring authority, a contractor)
 * read and write requests with an API account's key, `Authorization: Bearer <key>`.
 * Each route needs one scope (requests:read, requests:write), stays within the account's
 * categories and teams, counts against its rate and is logged. Answers and errors are
 * JSON, errors in the sync protocol's shape (`{ error: { code, message } }`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CoreError } from '../../shared/result'
import {
  PARTNER_PREFIX,
  PartnerNoteCreate,
  PartnerRequestCreate,
  PartnerRequestsQuery,
  partnerRequestOf,
} from '../partner/schemas'
import type { ApiAccount, ApiScope } from '../store/apiAccounts'
import type { ServerStore } from '../store/types'
import type { ApiAccess, ApiRefusal } from './apiAccess'
import { apiError } from './validation'

export interface PartnerRouteDeps {
  store: ServerStore
  access: ApiAccess
}

/** A refusal as the partner reads it: status, code and a sentence. */
function refusal(r: ApiRefusal): { status: number; code: string; message: string } {
  switch (r.reason) {
    case 'missing':
      return {
        status: 401,
        code: 'unauthenticated',
        message: 'Clé d’API absente : envoyez l’en-tête Authorization: Bearer <clé>.',
      }
    case 'unknown':
      return { status: 401, code: 'unauthenticated', message: 'Clé d’API inconnue.' }
    case 'revoked':
      return { status: 401, code: 'unauthenticated', message: 'Cette clé d’API a été révoquée.' }
    case 'expired':
      return { status: 401, code: 'unauthenticated', message: 'Cette clé d’API a expiré.' }
    case 'scope':
      return {
        status: 403,
        code: 'forbidden',
        message: `Cette clé d’API n’a pas la portée « ${r.scope} » que demande cette route.`,
      }
    case 'rate':
      return {
        status: 429,
        code: 'rate_limited',
        message: `Trop d’appels pour cette clé (${r.account.ratePerMinute} par minute) : réessayez dans ${r.retryAfterSeconds} s.`,
      }
  }
}

const bearerKey = (req: FastifyRequest): string | undefined =>
  /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1]

const limitsOf = (a: ApiAccount) => ({ categoryIds: a.categoryIds, teamIds: a.teamIds })

const notFound = (reply: FastifyReply) =>
  reply.code(404).send(apiError('not_found', 'Demande inconnue, ou hors du périmètre de cette clé.'))

export function registerPartnerRoutes(app: FastifyInstance, deps: PartnerRouteDeps): void {
  const { store, access } = deps

  /** Before the body is even read: the key, the rate, the scope. */
  const needs = (scope: ApiScope) => async (req: FastifyRequest, reply: FastifyReply) => {
    const checked = await access.check(req, reply, bearerKey(req), scope)
    if (checked.ok) return
    const { status, code, message } = refusal(checked)
    if (status === 401) reply.header('www-authenticate', 'Bearer error="invalid_token"')
    return reply.code(status).send(apiError(code, message))
  }

  void app.register(
    async (scope) => {
      scope.get(
        '/requests',
        { onRequest: needs('requests:read'), schema: { querystring: PartnerRequestsQuery } },
        async (req, reply) => {
          const account = req.apiAccount!
          const q = req.query as PartnerRequestsQuery
          if (q.category && account.categoryIds && !account.categoryIds.includes(q.category))
            return reply
              .code(403)
              .send(apiError('forbidden', `Cette clé d’API ne donne pas accès à la catégorie ${q.category}.`))
          const page = await store.listPartnerRequests({
            ...limitsOf(account),
            after: q.after === undefined ? 0 : Number(q.after),
            limit: q.limit,
            statusKind: q.status,
            categoryId: q.category,
            updatedSince: q.updatedSince === undefined ? undefined : Date.parse(q.updatedSince),
          })
          return {
            requests: page.requests.map(partnerRequestOf),
            nextCursor: page.next === null ? null : String(page.next),
          }
        },
      )

      scope.get<{ Params: { id: string } }>(
        '/requests/:id',
        { onRequest: needs('requests:read') },
        async (req, reply) => {
          const { id } = req.params
          const record =
            id.length <= 64 ? await store.getPartnerRequest(id, limitsOf(req.apiAccount!)) : undefined
          return record ? partnerRequestOf(record) : notFound(reply)
        },
      )

      scope.post(
        '/requests',
        { onRequest: needs('requests:write'), schema: { body: PartnerRequestCreate } },
        async (req, reply) => {
          const account = req.apiAccount!
          const body = req.body as PartnerRequestCreate
          if (account.categoryIds && !account.categoryIds.includes(body.categoryId))
            return reply
              .code(403)
              .send(
                apiError(
                  'forbidden',
                  `Cette clé d’API ne permet pas de créer de demande dans la catégorie ${body.categoryId}.`,
                ),
              )
          try {
            const record = await store.createPartnerRequest(
              { id: account.id, name: account.name },
              {
                categoryId: body.categoryId,
                subcategory: body.subcategory,
                title: body.title ?? null,
                description: body.description,
                address: body.address,
                location: body.location,
              },
            )
            return reply.code(201).send(partnerRequestOf(record))
          } catch (e) {
            if (e instanceof CoreError && e.code === 'invalid_input')
              return reply.code(400).send(apiError(e.code, e.message))
            throw e
          }
        },
      )

      scope.post<{ Params: { id: string } }>(
        '/requests/:id/comments',
        { onRequest: needs('requests:write'), schema: { body: PartnerNoteCreate } },
        async (req, reply) => {
          const account = req.apiAccount!
          const { id } = req.params
          if (id.length > 64) return notFound(reply)
          const note = await store.addPartnerNote(
            { id: account.id, name: account.name },
            { ...limitsOf(account), requestId: id, body: (req.body as { body: string }).body },
          )
          if (!note) return notFound(reply)
          return reply.code(201).send({
            id: note.id,
            requestId: note.requestId,
            kind: 'internal',
            body: note.body,
            authorName: account.name,
            createdAt: note.createdAt,
          })
        },
      )
    },
    { prefix: PARTNER_PREFIX },
  )
}
