/**
 * Who is on a request (issue 15): an agent reports viewing or editing a request
 * (`PUT /api/v1/presence/{requestId}`, renewed while it lasts) or leaving it (`DELETE`).
 * The mark goes to every instance through the database's notifications (PostgreSQL
 * NOTIFY; SQLite: this process), and each instance writes it, as the event `presence`, to
 * the streams of the agents who may see the request's team, never to its author's.
 */
import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify'
import { z } from 'zod'
import { Id } from '../../shared/domain'
import { PRESENCE_LIMITS, PresenceReport } from '../../shared/presence'
import { canChangeRequests, canSeeTeam } from '../../core/authz/permissions'
import type { EventHub } from '../events'
import type { ServerStore } from '../store/types'
import { apiError } from '../routes/validation'
import { createPresenceRegistry, markFor, type TeamMark } from './registry'

export interface PresenceRouteDeps {
  store: ServerStore
  hub: EventHub
  /** Sets `req.session` and `req.clientId` from the agent's access token, or answers 401. */
  authenticate: preHandlerHookHandler
  now: () => number
}

export const PRESENCE_CHANNEL = 'grc_presence'
/** Requests one agent may be marked on at once (several workstations, a few windows each). */
const MAX_MARKS_PER_AGENT = 16

const Params = z.object({ requestId: Id }).strict()

/** An agent's workstation, told apart without giving its client id to others. */
const seatOf = (clientId: string) => createHash('sha256').update(clientId).digest('base64url').slice(0, 16)

function parseMark(payload: string): TeamMark | null {
  try {
    const m = JSON.parse(payload) as TeamMark
    return typeof m?.requestId === 'string' && typeof m.teamId === 'string' && typeof m.ttlMs === 'number'
      ? m
      : null
  } catch {
    return null
  }
}

export async function registerPresenceRoutes(app: FastifyInstance, deps: PresenceRouteDeps): Promise<void> {
  const registry = createPresenceRegistry(deps.now)
  const unlisten = await deps.store.sql.listen(PRESENCE_CHANNEL, (payload) => {
    const mark = parseMark(payload)
    if (!mark) return
    registry.apply(mark)
    deps.hub.send('presence', (session) => markFor(session, mark, mark.ttlMs))
  })
  const ungreet = deps.hub.greet((session) =>
    registry.visibleTo(session).map((m) => ['presence', m] as const),
  )
  app.addHook('onClose', async () => {
    ungreet()
    await unlisten()
    registry.clear()
  })

  /** The request's team when the agent may see it; null otherwise (answered 404, as the feed hides it). */
  async function teamOf(req: FastifyRequest): Promise<string | null> {
    const { requestId } = req.params as z.output<typeof Params>
    const row = await deps.store.sql.get<{ team_id: string }>('SELECT team_id FROM requests WHERE id = ?', [
      requestId,
    ])
    return row && canSeeTeam(req.session!, row.team_id) ? row.team_id : null
  }
  const notFound = (reply: FastifyReply) =>
    reply.code(404).send(apiError('not_found', 'Demande introuvable.'))

  const publish = (mark: TeamMark) => deps.store.sql.notify(null, PRESENCE_CHANNEL, JSON.stringify(mark))
  const markOf = (req: FastifyRequest, teamId: string): Omit<TeamMark, 'activity' | 'field' | 'ttlMs'> => ({
    requestId: (req.params as z.output<typeof Params>).requestId,
    teamId,
    agentId: req.session!.agentId,
    seat: seatOf(req.clientId!),
    displayName: req.session!.displayName,
  })

  app.put(
    '/api/v1/presence/:requestId',
    { preHandler: deps.authenticate, schema: { params: Params, body: PresenceReport } },
    async (req, reply) => {
      const report = req.body as PresenceReport
      const session = req.session!
      if (report.activity === 'editing' && !canChangeRequests(session))
        return reply.code(403).send(apiError('forbidden', 'Ce rôle consulte les demandes sans les modifier.'))
      const teamId = await teamOf(req)
      if (teamId === null) return notFound(reply)
      const { requestId } = req.params as z.output<typeof Params>
      if (registry.heldElsewhere(session.agentId, requestId) >= MAX_MARKS_PER_AGENT)
        return reply
          .code(429)
          .header('retry-after', String(PRESENCE_LIMITS.ttlMs / 1000))
          .send(apiError('too_many_attempts', 'Trop de demandes ouvertes en même temps pour cet agent.'))
      await publish({ ...markOf(req, teamId), ...report, ttlMs: PRESENCE_LIMITS.ttlMs })
      return { expiresInMs: PRESENCE_LIMITS.ttlMs }
    },
  )

  app.delete(
    '/api/v1/presence/:requestId',
    { preHandler: deps.authenticate, schema: { params: Params } },
    async (req, reply) => {
      const teamId = await teamOf(req)
      if (teamId === null) return notFound(reply)
      await publish({ ...markOf(req, teamId), activity: 'left', field: null, ttlMs: 0 })
      return reply.code(204).send()
    },
  )
}
