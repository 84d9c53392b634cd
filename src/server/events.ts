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

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

/** What a stream is told as soon as it opens, for its session (presence marks, issue 15). */
type Greeter = (session: SessionInfo) => ReadonlyArray<readonly [event: string, data: unknown]>

export function createEventHub(options: { heartbeatMs?: number; maxStreamsPerAgent?: number } = {}) {
  const listeners = new Set<Listener>()
  const greeters = new Set<Greeter>()
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
      for (const greet of greeters) for (const [event, data] of greet(session)) res.write(frame(event, data))
    },

    /** An event with data of its own per stream: `pick` gives it for a session, or undefined to skip that stream. */
    send(event: string, pick: (session: SessionInfo) => unknown): void {
      for (const l of listeners) {
        const data = pick(l.session)
        if (data !== undefined) l.res.write(frame(event, data))
      }
    },

    /** Tell each stream opened from now on what `greeter` gives for its session; returns the undo. */
    greet(greeter: Greeter): () => void {
      greeters.add(greeter)
      return () => greeters.delete(greeter)
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
