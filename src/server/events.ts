/**
 * "Changes available" nudges over server-sent events: each console keeps one stream open;
 * when a commit touches a team, the consoles that see that team are told to pull. The
 * nudge carries no data: the change feed, with its authorisation, stays the only way in.
 */
import type { ServerResponse } from 'node:http'
import type { SessionInfo } from '../shared/contract'
import { canSeeTeam } from '../core/authz/permissions'

interface Listener {
  session: SessionInfo
  res: ServerResponse
}

export function createEventHub(options: { heartbeatMs?: number; maxStreamsPerAgent?: number } = {}) {
  const listeners = new Set<Listener>()
  const maxStreamsPerAgent = options.maxStreamsPerAgent ?? 8
  const heartbeat = setInterval(() => {
    // A comment line keeps proxies from closing an idle stream and reveals dead peers.
    for (const l of listeners) l.res.write(': keep-alive\n\n')
  }, options.heartbeatMs ?? 15_000)
  heartbeat.unref()

  return {
    /** Hold `res` open as an event stream for `session` until the peer goes. */
    attach(session: SessionInfo, res: ServerResponse): void {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      res.write('retry: 2000\n\n')
      const listener = { session, res }
      listeners.add(listener)
      res.on('close', () => listeners.delete(listener))
    },

    nudge(scopes: ReadonlySet<string>): void {
      for (const l of listeners) {
        const concerned = scopes.has('*') || [...scopes].some((team) => canSeeTeam(l.session, team))
        if (concerned) l.res.write('event: changes\ndata: {}\n\n')
      }
    },

    get size() {
      return listeners.size
    },

    /** Streams `agentId` holds open on this instance. */
    streamsOf(agentId: string): number {
      let n = 0
      for (const l of listeners) if (l.session.agentId === agentId) n++
      return n
    },

    maxStreamsPerAgent,

    close(): void {
      clearInterval(heartbeat)
      for (const l of listeners) l.res.destroy()
      listeners.clear()
    },
  }
}

export type EventHub = ReturnType<typeof createEventHub>
