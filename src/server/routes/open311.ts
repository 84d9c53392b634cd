/**
 * Open311 GeoReport v2 intake for citizens' portals (http://wiki.open311.org/GeoReport_v2):
 * the services (our categories), request submission with a portal API key, and the public
 * status of requests. Every path ends in `.json` or `.xml`, and so does every answer,
 * errors included, in the specification's error shape.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Category } from '../../shared/domain'
import { hashToken } from '../auth/tokens'
import { parseRequestsQuery, parseSubmission } from '../open311/input'
import {
  publicRequestOf,
  receiptOf,
  serviceDefinitionOf,
  serviceDefinitionXml,
  serviceOf,
} from '../open311/mapping'
import { xmlDocument, xmlList, type XmlValue } from '../open311/xml'
import type { ServerStore } from '../store/types'

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
  code: 400 | 403 | 404 | 413 | 415 | 500,
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

export function registerOpen311Routes(app: FastifyInstance, deps: { store: ServerStore }): void {
  const { store } = deps

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

      scope.get('/services.:format', async (req: FastifyRequest<FormatParams>, reply) => {
        const format = formatOf(req.params.format)
        if (!format) return unsupported(reply)
        const services = (await store.listCategories()).map(serviceOf)
        return answer(reply, format, { json: services, root: 'services', item: 'service', items: services })
      })

      scope.get('/services/:file', async (req: FastifyRequest<FileParams>, reply) => {
        const file = splitFile(req.params.file)
        if (!file) return unsupported(reply)
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
        const apiKey = stringField(req.body, 'api_key')
        if (!apiKey) return fail(reply, format, 403, 'api_key is required.')
        const portal = await store.portalOfKey(hashToken(apiKey))
        if (!portal) return fail(reply, format, 403, 'api_key is not valid.')
        const serviceCode = stringField(req.body, 'service_code')
        if (!serviceCode) return fail(reply, format, 400, 'service_code is required.')
        const category = (await categoriesById()).get(serviceCode)
        if (!category) return fail(reply, format, 404, `Unknown service_code: ${serviceCode}`)
        const submission = parseSubmission(req.body, category)
        if (!submission.ok) return fail(reply, format, 400, submission.description)
        const receipt = receiptOf(await store.createCitizenRequest({ ...submission.value, portal }))
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
        const filter = parseRequestsQuery(req.query)
        if (!filter.ok) return fail(reply, format, 400, filter.description)
        const categories = await categoriesById()
        const requests = (await store.listPublicRequests(filter.value)).map((r) =>
          publicRequestOf(r, categories),
        )
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
        const found =
          file.name.length <= 64 ? await store.listPublicRequests({ ids: [file.name], limit: 1 }) : []
        const record = found[0]
        if (!record) return fail(reply, file.format, 404, `Unknown service_request_id: ${file.name}`)
        const request = publicRequestOf(record, await categoriesById())
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
