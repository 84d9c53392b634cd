/**
 * `GET /api/v1/snapshot`: a console's first download in large compressed chunks (issue 16).
 * Authorised as the feed is (the agent's access token, their teams and roles as the
 * server knows them now); what it holds is in store/snapshot.ts.
 *
 * A chunk is gzip-compressed NDJSON: a first line `{"type":"snapshot", cursor, next, total,
 * rows}`, then one feed change per line (the reference data and tours in the first chunk,
 * then the requests, comments, history and attachments' metadata included). The same
 * cursor and next come as headers too, so the console asks for the next chunk while it
 * still unpacks this one. `?after=<next>&cursor=<cursor>` resumes where a chunk ended.
 */
import { promisify } from 'node:util'
import { gzip, constants } from 'node:zlib'
import type { FastifyInstance, preHandlerHookHandler } from 'fastify'
import { z } from 'zod'
import { Id } from '../../shared/domain'
import { snapshotChunk, SNAPSHOT_LIMITS } from '../store/snapshot'
import type { ServerStore } from '../store/types'

export interface SnapshotRouteDeps {
  store: ServerStore
  /** Sets `req.session` from the agent's access token, or answers 401. */
  authenticate: preHandlerHookHandler
}

export const SnapshotQuery = z
  .object({
    /** The last request id of the previous chunk; empty or absent: the first chunk. */
    after: z.union([z.literal(''), Id]).default(''),
    /** The snapshot's cursor, given by its first chunk; required to resume. */
    cursor: z
      .string()
      .regex(/^\d{1,15}$/, 'cursor is the one the first chunk returned')
      .transform(Number)
      .optional(),
    limit: z.coerce.number().int().min(1).max(SNAPSHOT_LIMITS.maxChunk).default(SNAPSHOT_LIMITS.defaultChunk),
  })
  .strict()
  .refine((q) => q.after === '' || q.cursor !== undefined, {
    message: 'a chunk after the first one needs the snapshot’s cursor',
  })

/** Fast compression: the server makes the chunk while the console unpacks the previous one. */
const pack = promisify(gzip)

export const SNAPSHOT_CONTENT_TYPE = 'application/x-ndjson+gzip'

export function registerSnapshotRoutes(app: FastifyInstance, deps: SnapshotRouteDeps): void {
  app.get(
    '/api/v1/snapshot',
    { schema: { querystring: SnapshotQuery }, preHandler: deps.authenticate },
    async (req, reply) => {
      const query = req.query as z.output<typeof SnapshotQuery>
      const chunk = await snapshotChunk(deps.store, req.session!, {
        cursor: query.cursor,
        after: query.after,
        limit: query.limit,
      })
      const rows = chunk.head.length + chunk.requests.length
      const lines = [
        JSON.stringify({
          type: 'snapshot',
          cursor: String(chunk.cursor),
          next: chunk.next,
          total: chunk.total,
          rows,
        }),
      ]
      for (const change of chunk.head) lines.push(JSON.stringify(change))
      for (const change of chunk.requests) lines.push(JSON.stringify(change))
      const body = await pack(lines.join('\n') + '\n', { level: constants.Z_BEST_SPEED })
      return reply
        .header('content-type', SNAPSHOT_CONTENT_TYPE)
        .header('grc-snapshot-cursor', String(chunk.cursor))
        .header('grc-snapshot-next', chunk.next ?? '')
        .header('grc-snapshot-total', chunk.total === null ? '' : String(chunk.total))
        .send(body)
    },
  )
}
