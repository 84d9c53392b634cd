/**
 * The feed as a console parses it: a newer server's change kinds are passed over, what the
 * console knows is still taken, and a malformed change it knows is still refused.
 */
import { describe, expect, it } from 'vitest'
import { ChangesReplyFromServer } from '../../src/shared/sync'

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
