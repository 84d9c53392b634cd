/**
 * The tag channels (src/shared/channels/tags.ts): a tag change is a `tag` op decided by the
 * core (src/core/requests/operations.ts) like every change to a request, written with its
 * history and outbox entry; on a selection, through the bulk service (each request checked
 * on its own, refusals listed). Bulk priority goes the same way: one call, one write.
 */
import type { Handlers } from '../dispatch'
import type { BulkOutcome } from '../../shared/contract'
import { TAG_LIST_MAX } from '../../shared/channels/tags'
import { scopeFor } from '../../core/authz/permissions'
import { listTagsInUse } from '../cache/queries/tags'
import { createBulkService } from './bulkActions'
import type { CoreDeps } from './deps'
import type { RequestService } from './requests'

export type TagHandlers = Pick<
  Handlers,
  'request.tag' | 'requests.bulkTag' | 'requests.bulkPriority' | 'tags.list'
>

export function createTagHandlers(deps: CoreDeps, requests: RequestService): TagHandlers {
  const bulk = createBulkService(deps, requests)
  return {
    'request.tag': ({ id, add, remove }, { session }) => {
      requests.applyQuietly(session, id, { op: 'tag', payload: { add, remove } })
      deps.localChange?.()
      deps.emit('requests.changed', { ids: [id] })
      return requests.get(session, id)
    },
    'requests.bulkTag': (input, { session }): BulkOutcome => bulk.tag(session, input),
    'requests.bulkPriority': (input, { session }): BulkOutcome => bulk.priority(session, input),
    'tags.list': (_input, { session }) => listTagsInUse(deps.db, scopeFor(session), TAG_LIST_MAX),
  }
}
