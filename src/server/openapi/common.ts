/** The pieces every part of the OpenAPI document is written with (openapi.ts and its paths files). */
import { z, type ZodObject, type ZodType } from 'zod'
import { ApiErrorReply } from '../../shared/sync'

export const schemaOf = (s: ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>

export const json = (s: ZodType, io: 'input' | 'output' = 'output') => ({
  content: { 'application/json': { schema: schemaOf(s, io) } },
})
export const error = (description: string) => ({ description, ...json(ApiErrorReply) })

/** The query parameters of a zod object, one by one. */
export const queryParameters = (s: ZodObject) =>
  Object.entries(s.shape).map(([name, field]) => {
    const schema = schemaOf(field as ZodType, 'input')
    const { description, ...rest } = schema
    return { name, in: 'query', required: false, ...(description ? { description } : {}), schema: rest }
  })

/** Operations an agent calls with their access token. */
export const agent = [{ agentToken: [] }]

/** A path parameter `name` holding an id. */
export const idParameter = (name = 'id') => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', maxLength: 64 },
})
