/**
 * One entry point for every transport: validate the input against the contract, check
 * there is a session where one is needed, run the handler, validate its output, and
 * wrap everything in a Result. Nothing thrown ever crosses a process boundary.
 */
import { z } from 'zod'
import {
  CHEAP_OUTPUTS,
  contract,
  isChannelName,
  type ChannelName,
  type OutputOf,
  type ParsedInputOf,
  type SessionInfo,
} from '../shared/contract'
import { CoreError, fail, ok, type Result } from '../shared/result'

export interface HandlerContext {
  session: SessionInfo
}
export interface PublicHandlerContext {
  session: SessionInfo | null
}

type Handler<C extends ChannelName> = (
  input: ParsedInputOf<C>,
  ctx: (typeof contract)[C]['access'] extends 'public' ? PublicHandlerContext : HandlerContext,
) => OutputOf<C> | Promise<OutputOf<C>>

export type Handlers = { [C in ChannelName]: Handler<C> }

export interface DispatchContext {
  session: SessionInfo | null
  /** Where internal errors are reported: channel and error only, never the input (personal data). */
  logError?: (channel: string, error: unknown) => void
  /**
   * How a handler's output is checked against the contract. `full` (the default: tests,
   * development, the web bridge): every output parsed with its schema. `cheap` (a packaged
   * console): the big read channels the contract lists in CHEAP_OUTPUTS are checked in
   * constant time (shape and lengths), as their rows come from the cache's own queries;
   * every other channel still in full.
   */
  outputCheck?: 'full' | 'cheap'
}

function outputSchema(channel: ChannelName, check: DispatchContext['outputCheck']): z.ZodType {
  if (check === 'cheap' && Object.hasOwn(CHEAP_OUTPUTS, channel))
    return CHEAP_OUTPUTS[channel as keyof typeof CHEAP_OUTPUTS]
  return contract[channel].output
}

export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  raw: unknown,
  ctx: DispatchContext,
): Promise<Result<unknown>> {
  if (!isChannelName(channel)) return fail('unknown_channel', `Opération inconnue : ${describe(channel)}.`)
  const spec = contract[channel]
  const parsed = spec.input.safeParse(raw ?? {})
  if (!parsed.success)
    return fail('invalid_input', explainInput(parsed.error), { issues: issueList(parsed.error) })
  if (spec.access === 'session' && !ctx.session)
    return fail('unauthenticated', 'Votre session a expiré : reconnectez-vous.')
  try {
    const handler = handlers[channel] as (input: unknown, c: PublicHandlerContext) => unknown
    const value = await handler(parsed.data, { session: ctx.session })
    const checked = outputSchema(channel, ctx.outputCheck).safeParse(value)
    if (!checked.success) {
      ctx.logError?.(channel, new Error(`output does not match the contract: ${explainInput(checked.error)}`))
      return fail('internal', 'Erreur interne : la réponse du cœur est invalide.')
    }
    return ok(checked.data)
  } catch (e) {
    if (e instanceof CoreError) return fail(e.code, e.message, e.details)
    ctx.logError?.(channel, e)
    return fail('internal', 'Erreur interne : l’opération n’a pas abouti, rien n’a été modifié.')
  }
}

function describe(channel: unknown): string {
  return typeof channel === 'string' ? JSON.stringify(channel.slice(0, 64)) : typeof channel
}

function issueList(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
}

function explainInput(error: z.ZodError): string {
  const parts = issueList(error)
    .slice(0, 3)
    .map((i) => (i.path ? `${i.path} : ${i.message}` : i.message))
  return `Données invalides — ${parts.join(' ; ')}`
}
