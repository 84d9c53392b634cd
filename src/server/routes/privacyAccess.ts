/**
 * What the citizen's-data routes (contacts.ts, privacy.ts) share: who may call the DPO's
 * routes, how a refusal of the store is said over HTTP, and the answer of a route whose
 * store function is still to come.
 */
import type { FastifyReply, preHandlerHookHandler } from 'fastify'
import { CoreError } from '../../shared/result'
import { canExerciseRights, canReadAccessLog } from '../../core/authz/permissions'
import { apiError } from './validation'

const DPO_ONLY = 'Seul le délégué à la protection des données accède à ces données.'

/** After `authenticate`: answers 403 unless the session may exercise the citizens' rights (the DPO). */
export const mayExerciseRights: preHandlerHookHandler = async (req, reply) => {
  if (!req.session || !canExerciseRights(req.session))
    return reply.code(403).send(apiError('forbidden', DPO_ONLY))
}

/** After `authenticate`: answers 403 unless the session may read the access log (the DPO). */
export const mayReadAccessLog: preHandlerHookHandler = async (req, reply) => {
  if (!req.session || !canReadAccessLog(req.session))
    return reply.code(403).send(apiError('forbidden', DPO_ONLY))
}

const STATUS: Partial<Record<string, number>> = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  version_conflict: 409,
}

/** A CoreError from the store, as its HTTP status and the protocol's error shape; anything else goes on. */
export function refuse(reply: FastifyReply, e: unknown) {
  if (!(e instanceof CoreError)) throw e
  return reply.code(STATUS[e.code] ?? 400).send(apiError(e.code, e.message))
}

/** A route whose store function is still to come (issue 12, wave 1). */
export const notImplemented = (reply: FastifyReply) =>
  reply.code(501).send(apiError('not_implemented', 'Pas encore disponible sur ce serveur.'))
