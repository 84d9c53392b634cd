/** The OpenAPI entry of a console's first download in chunks (routes/snapshot.ts, issue 16). */
import { SNAPSHOT_LIMITS } from '../store/snapshot'
import { agent, error } from './common'

export const snapshotPaths = {
  '/api/v1/snapshot': {
    get: {
      summary: 'Everything this agent may see, at one feed cursor, in gzip-compressed NDJSON chunks',
      description:
        'For a console whose cache is empty. The first line of a chunk is `{"type":"snapshot","cursor",' +
        '"next","total","rows"}`; each following line is one change as the change feed words it (the ' +
        'reference data and tours in the first chunk, then requests with their comments, history and ' +
        'attachments’ metadata). Ask again with `after=<next>&cursor=<cursor>` until `next` is null, ' +
        'then read the change feed from `cursor`: nothing committed after the snapshot began is missed. ' +
        'The headers `grc-snapshot-cursor`, `grc-snapshot-next` and `grc-snapshot-total` repeat the first line.',
      security: agent,
      parameters: [
        { name: 'after', in: 'query', schema: { type: 'string', default: '' } },
        { name: 'cursor', in: 'query', schema: { type: 'string', pattern: '^\\d{1,15}$' } },
        {
          name: 'limit',
          in: 'query',
          schema: {
            type: 'integer',
            minimum: 1,
            maximum: SNAPSHOT_LIMITS.maxChunk,
            default: SNAPSHOT_LIMITS.defaultChunk,
          },
        },
      ],
      responses: {
        '200': {
          description: 'One chunk',
          content: { 'application/x-ndjson+gzip': { schema: { type: 'string', format: 'binary' } } },
        },
        '400': error('Bad cursor, position or limit'),
        '401': error('Missing or expired access token'),
      },
    },
  },
}
