/**
 * Open311 GeoReport v2 intake for citizens' portals (http://wiki.open311.org/GeoReport_v2):
 * the services (our categories), request submission with an API account's key (scope
 * open311:submit), and the public status of requests. Reads are public as the
 * specification has them; a portal that sends its `api_key` on a read is identified (the
 * key must hold open311:read), counted against its rate and logged. Every path ends in
 * `.json` or `.xml`, and so does every answer, errors included, in the specification's
 * error shape.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Category } from '../../shared/domain'
import { parseRequestsQuery, parseSubmission } from '../open311/input'
import {
  publicRequestOf,
  receiptOf,
  serviceDefinitionOf,
  serviceDefinitionXml,
  serviceOf,
} from '../open311/mapping'
import { latestPublicReplies } from '../open311/statusNotes'
import { xmlDocument, xmlList, type XmlValue } from '../open311/xml'
import type { ApiScope } from '../store/apiAccounts'
import type { ServerStore } from '../store/types'
import type { ApiAccess, ApiRefusal } from './apiAccess'

export const OPEN311_PREFIX = '/open311/v2'

type Format = 'json' | 'xml'

const JSON_TYPE = 'application/json; charset=utf-8'
const XML_TYPE = 'text/xml; charset=utf-8'

const formatOf = (name: string | undefined): Format | null =>
  name === 'json' || name === 'xml' ? name : null

/** `eclairage-public.xml` → the code and the format; null when the extension is neither. */
function splitFile(file: string): { name: string; format: Format } | null {
  const dot = file.lastIndexOf('.')
  const format = dot > 0 ? formatOf(file.slice(dot + 1)) : null
  return format ? { name: file.slice(0, dot), format } : null
}

/** For errors raised before a handler knew the format (body parsing, unknown paths). */
function formatOfUrl(url: string): Format {
  const path = url.split('?')[0] ?? ''
  return path.endsWith('.xml') ? 'xml' : 'json'
}

/** One answer in both shapes: `json` as is, or XML under `root` with one `item` element per entry. */
function answer(
  reply: FastifyReply,
  format: Format,
  body: { json: unknown; root: string; item: string; items: readonly XmlValue[] },
) {
  if (format === 'json') return reply.type(JSON_TYPE).send(body.json)
  return reply.type(XML_TYPE).send(xmlDocument(body.root, xmlList(body.item, body.items)))
}

function fail(
  reply: FastifyReply,
  format: Format,
  code: 400 | 403 | 404 | 413 | 415 | 429 | 500,
  description: string,
) {
  const error = { code, description }
  return answer(reply.code(code), format, { json: [error], root: 'errors', item: 'error', items: [error] })
}

const stringField = (body: unknown, name: string): string | undefined => {
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/** A key refused, in the specification's terms: 403 for the key itself, 429 over the account's rate. */
function refusal(r: ApiRefusal): { code: 403 | 429; description: string } {
  switch (r.reason) {
    case 'missing':
      return { code: 403, description: 'api_key is required.' }
    case 'unknown':
      return { code: 403, description: 'api_key is not valid.' }
    case 'revoked':
      return { code: 403, description: 'api_key has been revoked.' }
    case 'expired':
      return { code: 403, description: 'api_key has expired.' }
    case 'scope':
      return { code: 403, description: `api_key does not have the scope ${r.scope} this call needs.` }
    case 'rate':
      return {
        code: 429,
        description: `Too many calls with this api_key (${r.account.ratePerMinute} per minute): retry in ${r.retryAfterSeconds} s.`,
      }
  }
}

export function registerOpen311Routes(
  app: FastifyInstance,
  // attachMedia: the citizen's `media_url` fetched and attached in the background (attachments/index.ts).
  deps: {
    store: ServerStore
    access: ApiAccess
    attachMedia?: (requestId: string, url: string) => Promise<unknown>
  },
): void {
  const { store, access } = deps

  const categoriesById = async () =>
    new Map<string, Category>((await store.listCategories()).map((c) => [c.id, c]))

  void app.register(
    async (scope) => {
      scope.setErrorHandler((error: FastifyError, req, reply) => {
        const format = formatOfUrl(req.url)
        if (error.statusCode === 413) return fail(reply, format, 413, 'The request body is too large.')
        if (error.statusCode === 415)
          return fail(reply, format, 415, 'Send the form as application/x-www-form-urlencoded.')
        if (error.statusCode && error.statusCode < 500) return fail(reply, format, 400, error.message)
        scope.log.error({ err: { name: error.name, code: error.code } }, 'open311 internal error')
        return fail(reply, format, 500, 'Internal server error.')
      })
      scope.setNotFoundHandler((req, reply) =>
        fail(reply, formatOfUrl(req.url), 404, 'Unknown resource: see services.json.'),
      )

      type FormatParams = { Params: { format: string } }
      type FileParams = { Params: { file: string } }
      const unsupported = (reply: FastifyReply) =>
        fail(reply, 'json', 404, 'Unknown format: the path ends in .json or .xml.')

      /** Check `key` for `scope`: null when it may go on, else the reply already sent. */
      async function keyRefused(
        req: FastifyRequest,
        reply: FastifyReply,
        format: Format,
        key: string | undefined,
        scope: ApiScope,
      ) {
        const checked = await access.check(req, reply, key, scope)
        if (checked.ok) return null
        const { code, description } = refusal(checked)
        return fail(reply, format, code, description)
      }

      /** A read is public; with an api_key (in the query) the key must be valid and hold open311:read. */
      const readKeyRefused = (req: FastifyRequest, reply: FastifyReply, format: Format) => {
        const key = stringField(req.query, 'api_key')
        return key === undefined ? null : keyRefused(req, reply, format, key, 'open311:read')
      }

      scope.get('/services.:format', async (req: FastifyRequest<FormatParams>, reply) => {
        const format = formatOf(req.params.format)
        if (!format) return unsupported(reply)
        const refused = await readKeyRefused(req, reply, format)
        if (refused) return refused
        const services = (await store.listCategories()).map(serviceOf)
        return answer(reply, format, { json: services, root: 'services', item: 'service', items: services })
      })

      scope.get('/services/:file', async (req: FastifyRequest<FileParams>, reply) => {
        const file = splitFile(req.params.file)
        if (!file) return unsupported(reply)
        const refused = await readKeyRefused(req, reply, file.format)
        if (refused) return refused
        const category = (await categoriesById()).get(file.name)
        if (!category) return fail(reply, file.format, 404, `Unknown service_code: ${file.name}`)
        const definition = serviceDefinitionOf(category)
        if (file.format === 'json') return reply.type(JSON_TYPE).send(definition)
        return reply.type(XML_TYPE).send(xmlDocument('service_definition', serviceDefinitionXml(definition)))
      })

      scope.post('/requests.:format', async (req: FastifyRequest<FormatParams>, reply) => {
        const format = formatOf(req.params.format)
        if (!format) return unsupported(reply)
        // The key travels in the body, never in the URL: URLs end up in access logs.
        const refused = await keyRefused(
          req,
          reply,
          format,
          stringField(req.body, 'api_key'),
          'open311:submit',
        )
        if (refused) return refused
        const account = req.apiAccount!
        const serviceCode = stringField(req.body, 'service_code')
        if (!serviceCode) return fail(reply, format, 400, 'service_code is required.')
        const category = (await categoriesById()).get(serviceCode)
        if (!category) return fail(reply, format, 404, `Unknown service_code: ${serviceCode}`)
        if (account.categoryIds && !account.categoryIds.includes(category.id))
          return fail(reply, format, 403, `api_key may not submit requests for service_code ${category.id}.`)
        const submission = parseSubmission(req.body, category)
        if (!submission.ok) return fail(reply, format, 400, submission.description)
        const created = await store.createCitizenRequest({ ...submission.value, portal: account.name })
        // The photo is fetched after the answer is sent: never a wait nor a failure for the citizen.
        const mediaUrl = stringField(req.body, 'media_url')
        if (mediaUrl && mediaUrl.length <= 2048 && deps.attachMedia)
          void deps.attachMedia(created.id, mediaUrl)
        const receipt = receiptOf(created)
        return answer(reply, format, {
          json: [receipt],
          root: 'service_requests',
          item: 'request',
          items: [receipt],
        })
      })

      scope.get('/requests.:format', async (req: FastifyRequest<FormatParams>, reply) => {
        const format = formatOf(req.params.format)
        if (!format) return unsupported(reply)
        const refused = await readKeyRefused(req, reply, format)
        if (refused) return refused
        const filter = parseRequestsQuery(req.query)
        if (!filter.ok) return fail(reply, format, 400, filter.description)
        const categories = await categoriesById()
        const records = await store.listPublicRequests(filter.value)
        const notes = await latestPublicReplies(
          store.sql,
          records.map((r) => r.id),
        )
        const requests = records.map((r) => publicRequestOf(r, categories, notes))
        return answer(reply, format, {
          json: requests,
          root: 'service_requests',
          item: 'request',
          items: requests,
        })
      })

      scope.get('/requests/:file', async (req: FastifyRequest<FileParams>, reply) => {
        const file = splitFile(req.params.file)
        if (!file) return unsupported(reply)
        const refused = await readKeyRefused(req, reply, file.format)
        if (refused) return refused
        const found =
          file.name.length <= 64 ? await store.listPublicRequests({ ids: [file.name], limit: 1 }) : []
        const record = found[0]
        if (!record) return fail(reply, file.format, 404, `Unknown service_request_id: ${file.name}`)
        const request = publicRequestOf(
          record,
          await categoriesById(),
          await latestPublicReplies(store.sql, [record.id]),
        )
        return answer(reply, file.format, {
          json: [request],
          root: 'service_requests',
          item: 'request',
          items: [request],
        })
      })
    },
    { prefix: OPEN311_PREFIX },
  )
}
