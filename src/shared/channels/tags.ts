/**
 * Tags on requests (issue 15): put on and taken off one request or a selection (each
 * request checked on its own, as every bulk action), and the tags in use for completion.
 * The bulk channels take the contract's selection and outcome schemas (contract.ts defines
 * them and spreads these channels: passing them avoids an import cycle).
 */
import { z } from 'zod'
import { Id, Priority, RequestDetail } from '../domain'
import { spec } from '../channelSpec'
import { tagChangeWith } from '../tags'

/** One tag in use within the session's teams, with the number of requests carrying it. */
export const TagUse = z.object({ tag: z.string(), count: z.number().int().positive() })
export type TagUse = z.infer<typeof TagUse>

/** The most tags `tags.list` answers: completion needs the most used ones. */
export const TAG_LIST_MAX = 500

export const tagChannels = <I extends z.ZodType<string[]>, O extends z.ZodType<object>>(
  BulkIds: I,
  BulkOutcome: O,
) =>
  ({
    /** Put tags on and take tags off one request: the request as it is now. */
    'request.tag': spec(tagChangeWith({ id: Id }), RequestDetail),
    /** The same on every request of a selection; each is checked on its own. */
    'requests.bulkTag': spec(tagChangeWith({ ids: BulkIds }), BulkOutcome),
    /** One priority for every request of a selection, in one call; each is checked on its own. */
    'requests.bulkPriority': spec(z.object({ ids: BulkIds, priority: Priority }).strict(), BulkOutcome),
    /** The tags in use on the session's teams' requests, most used first (completion). */
    'tags.list': spec(z.object({}).strict(), z.array(TagUse).max(TAG_LIST_MAX)),
  }) as const
