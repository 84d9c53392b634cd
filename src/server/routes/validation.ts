/**
 * Fastify validates requests with the same zod schemas the console uses (src/shared):
 * a route's `schema.body` / `schema.querystring` is a zod schema, and a refusal answers
 * 400 with the protocol's error shape, naming the field.
 */
import type { FastifyInstance } from 'fastify'
import type { ZodType } from 'zod'

export function useZodValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema }) => {
    const zod = schema as unknown as ZodType
    return (data: unknown) => {
      const parsed = zod.safeParse(data)
      if (parsed.success) return { value: parsed.data }
      const issue = parsed.error.issues[0]
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
      return { error: new Error(`${where}${issue?.message ?? 'invalid'}`) }
    }
  })
}

export const apiError = (code: string, message: string) => ({ error: { code, message } })
