/**
 * The feed as a console parses it: a newer server's change kinds are passed over, what the
 * console knows is still taken, and a malformed change it knows is still refused.
 */
import { describe, expect, it } from 'vitest'
import {
  ChangesReplyFromServer,
  DetailsReplyFromServer,
  MutationsReplyFromServer,
} from '../../src/shared/sync'
import { requestRow } from '../support/requestRow'

const page = (changes: unknown[]) => ({ changes, nextCursor: '12', hasMore: false, remaining: 0 })
const removed = { type: 'request_removed', seq: 11, id: 'r1', reason: 'deleted' }

describe('the change feed read by a console', () => {
  it('passes over change kinds it does not know and keeps the ones it does', () => {
    const parsed = ChangesReplyFromServer.parse(
      page([{ type: 'intervention_photo', seq: 10, url: 'https://x' }, removed]),
    )
    expect(parsed.changes).toEqual([removed])
    expect(parsed.nextCursor).toBe('12')
  })

  it('still refuses a change of a known kind that is malformed', () => {
    expect(ChangesReplyFromServer.safeParse(page([{ ...removed, reason: 'because' }])).success).toBe(false)
    expect(ChangesReplyFromServer.safeParse({ changes: 'nope' }).success).toBe(false)
  })
})

/** A request as a newer server sends it: one history event of a kind this console does not know. */
const event = (serverId: number, kind: string) => ({
  serverId,
  kind,
  at: 1_700_000_000_000 + serverId,
  actorId: null,
  actorName: null,
  data: {},
  mutationId: null,
})
const history = [event(1, 'created'), event(2, 'photo_rotated'), event(3, 'commented')]
const entity = {
  request: requestRow('r1', { createdAt: 1 }),
  citizen: null,
  comments: [],
  history,
}
const kinds = (h: Array<{ kind: string }>) => h.map((e) => e.kind)

describe('history events of a kind the console does not know', () => {
  it('are left out of a request in the feed, the details and a mutation’s answer, the rest kept', () => {
    const feed = ChangesReplyFromServer.parse(page([{ type: 'request', seq: 10, entity }]))
    const [change] = feed.changes
    expect(change?.type === 'request' && kinds(change.entity.history)).toEqual(['created', 'commented'])

    const details = DetailsReplyFromServer.parse({ details: [{ id: 'r1', comments: [], history }] })
    expect(kinds(details.details[0]!.history)).toEqual(['created', 'commented'])

    const answer = MutationsReplyFromServer.parse({
      results: [
        { status: 'applied', mutationId: 'm1', version: 2, entity },
        { status: 'rejected', mutationId: 'm2', code: 'forbidden', reason: 'Non.', entity: null },
      ],
    })
    const [applied, rejected] = answer.results
    expect(applied?.status === 'applied' && kinds(applied.entity!.history)).toEqual(['created', 'commented'])
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'Non.' })
  })

  it('does not make a malformed event of a known kind acceptable', () => {
    const broken = { ...entity, history: [{ ...event(1, 'created'), at: 'yesterday' }] }
    expect(
      ChangesReplyFromServer.safeParse(page([{ type: 'request', seq: 10, entity: broken }])).success,
    ).toBe(false)
  })
})
