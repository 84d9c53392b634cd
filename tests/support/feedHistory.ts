/**
 * A request's history as a console receives it: the whole change feed read from the start,
 * page by page, as an agent with `token` (only what that agent may see arrives).
 */
import { expect } from 'vitest'
import type { ChangesReply, ServerHistoryEvent } from '../../src/shared/sync'

export async function feedHistory(
  serverUrl: string,
  token: string,
  requestId: string,
): Promise<ServerHistoryEvent[]> {
  let since = '0'
  let history: ServerHistoryEvent[] = []
  for (;;) {
    const r = await fetch(`${serverUrl}/api/v1/changes?since=${since}&limit=500`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(r.status).toBe(200)
    const reply = (await r.json()) as ChangesReply
    for (const c of reply.changes)
      if (c.type === 'request' && c.entity.request.id === requestId) history = c.entity.history
    if (!reply.hasMore) return history
    since = reply.nextCursor
  }
}
