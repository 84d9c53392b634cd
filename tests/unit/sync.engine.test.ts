/**
 * The sync engine against a scripted server (the transport is the seam): the orderings that
 * a real network gives only now and then, made to happen every time.
 */
import { getEventListeners } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseConfig } from '../../src/core/config'
import { openMemoryStore, type Db } from '../../src/main/cache/db'
import { cacheOpContext } from '../../src/main/cache/requestWrites'
import { createSyncEngine } from '../../src/main/sync/engine'
import { SyncError, type SyncTransport } from '../../src/main/sync/transport'
import type { SessionInfo } from '../../src/shared/contract'
import type { ChangesReply, SyncStatus } from '../../src/shared/sync'

const session: SessionInfo = {
  agentId: 'a-zoe',
  login: 'zoe.agent',
  displayName: 'Zoé Agent',
  roles: ['agent'],
  teamIds: ['voirie'],
  kind: 'online',
  startedAt: new Date(0).toISOString(),
}

const emptyPage: ChangesReply = { changes: [], nextCursor: '0', hasMore: false, remaining: 0 }
const refusedToken = () => new SyncError('auth', 'Jeton refusé.', 401, 'unauthenticated')

/** A server that answers every call well unless a test says otherwise; counts what it was asked. */
function scriptedServer(overrides: Partial<SyncTransport> = {}) {
  const asked = { token: [] as string[], changes: 0, events: 0 }
  let issued = 0
  const transport = {
    token: async (body: { grantType: string }) => {
      asked.token.push(body.grantType)
      issued++
      return {
        accessToken: `access-${issued}`,
        refreshToken: `refresh-${issued}`,
        expiresIn: 900,
        agent: {
          id: session.agentId,
          login: session.login,
          displayName: session.displayName,
          roles: session.roles,
          teamIds: session.teamIds,
        },
      }
    },
    changes: async () => {
      asked.changes++
      return emptyPage
    },
    details: async () => ({ details: [] }),
    mutations: async () => ({ results: [] }),
    revoke: async () => ({}),
    events: async (_token: string, _nudge: () => void, signal: AbortSignal) => {
      asked.events++
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
    },
    ...overrides,
  } as unknown as SyncTransport
  return { transport, asked }
}

function engineOn(transport: SyncTransport, stored: { refreshToken?: string; db?: Db } = {}) {
  const db = stored.db ?? openMemoryStore()
  let refreshToken: string | null = stored.refreshToken ?? null
  const statuses: SyncStatus[] = []
  const engine = createSyncEngine({
    db,
    ctx: cacheOpContext(db, new Map(), parseConfig({}).sla),
    transport,
    tokens: { load: () => refreshToken, save: (t) => (refreshToken = t) },
    clientId: 'poste-test',
    session: () => session,
    emit: (event, payload) => event === 'sync.changed' && statuses.push(payload as SyncStatus),
    now: Date.now,
    newId: () => crypto.randomUUID(),
    intervalMs: 3_600_000,
  })
  return { engine, statuses, db }
}

let stop: (() => Promise<void>) | null = null
afterEach(async () => {
  vi.useRealTimers()
  await stop?.()
  stop = null
})

describe('one owner of the access token', () => {
  it('a refused stream and a refused round right after it share one renewal: no password asked', async () => {
    // The server lost the key of the first access token: the stream is refused first, then the
    // round's first call; the refusals come in that order every time here.
    let streamRefused!: () => void
    const afterStream = new Promise<void>((resolve) => (streamRefused = resolve))
    let changesCalls = 0
    const { transport, asked } = scriptedServer({
      events: async (token: string, _nudge: () => void, signal: AbortSignal) => {
        if (token === 'access-1') {
          setImmediate(streamRefused)
          throw refusedToken()
        }
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        )
      },
      changes: async (token: string) => {
        changesCalls++
        if (token === 'access-1') {
          await afterStream
          throw refusedToken()
        }
        return emptyPage
      },
    } as Partial<SyncTransport>)
    const { engine, statuses } = engineOn(transport)
    stop = () => engine.stop({ forget: false })
    engine.start({ login: 'zoe.agent', password: 'demo' })
    const status = await engine.syncNow()

    expect(statuses.some((s) => s.state === 'auth_required')).toBe(false)
    expect(status).toMatchObject({ state: 'idle', lastError: null })
    expect(changesCalls).toBeGreaterThanOrEqual(2)
    // One password grant at login; the refusals cost a single renewal between them.
    expect(asked.token.filter((g) => g === 'password')).toHaveLength(1)
    expect(asked.token.filter((g) => g === 'refresh_token')).toHaveLength(1)
  })

  it('asks for the password only when the server ends the session for good', async () => {
    const { transport } = scriptedServer({
      token: async (body: { grantType: string }) => {
        if (body.grantType === 'refresh_token')
          throw new SyncError('auth', 'Session terminée.', 401, 'session_expired')
        throw new Error('no password grant expected')
      },
    } as Partial<SyncTransport>)
    // A console restarted with a stored refresh token the server no longer honours.
    const { engine } = engineOn(transport, { refreshToken: 'refresh-old' })
    stop = () => engine.stop({ forget: false })
    engine.start(null)
    expect(await engine.syncNow()).toMatchObject({ state: 'auth_required' })
  })
})

describe('retries that reward progress', () => {
  it('a page the network loses is asked again on its own, within the round', async () => {
    let calls = 0
    const { transport } = scriptedServer({
      changes: async () => {
        calls++
        if (calls <= 2) throw new SyncError('offline', 'Serveur injoignable.')
        return emptyPage
      },
    } as Partial<SyncTransport>)
    const { engine, statuses } = engineOn(transport)
    stop = () => engine.stop({ forget: false })
    engine.start({ login: 'zoe.agent', password: 'demo' })
    const status = await engine.syncNow()
    expect(status.state).toBe('idle')
    expect(calls).toBeGreaterThanOrEqual(3)
    // The round that met the two failures went through: the agent never saw « hors ligne ».
    expect(statuses.some((s) => s.state === 'offline' || s.lastError !== null)).toBe(false)
  })
})

describe('the nudge stream', () => {
  it('a thousand reconnects leave no listener and no timer behind', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    let signal: AbortSignal | null = null
    const listeners: number[] = []
    let reconnects = 0
    const { transport } = scriptedServer({
      events: async (_token: string, _nudge: () => void, s: AbortSignal, onOpen?: () => void) => {
        signal = s
        reconnects++
        listeners.push(getEventListeners(s, 'abort').length)
        // Every other connection opens, then the server goes away; the others are refused at once.
        if (reconnects % 2 === 0) {
          onOpen?.()
          return
        }
        throw new SyncError('offline', 'Serveur injoignable.')
      },
    } as Partial<SyncTransport>)
    const { engine } = engineOn(transport)
    stop = () => engine.stop({ forget: false })
    engine.start({ login: 'zoe.agent', password: 'demo' })
    await vi.advanceTimersByTimeAsync(0)
    const timersAtStart = vi.getTimerCount()
    let elapsedMs = 0
    while (reconnects < 1000) {
      await vi.advanceTimersByTimeAsync(5_000)
      elapsedMs += 5_000
    }
    expect(signal).not.toBeNull()
    // Flat: what one attempt adds, it removes.
    expect(Math.max(...listeners)).toBe(listeners[0])
    // Now: at most the one of the wait in progress.
    expect(getEventListeners(signal!, 'abort').length).toBeLessThanOrEqual(listeners[0]! + 1)
    expect(vi.getTimerCount()).toBeLessThanOrEqual(timersAtStart + 1)
    // A connection that opened starts the backoff again: a thousand reconnects take minutes,
    // not the hours a backoff that kept growing to its 60 s ceiling would.
    expect(elapsedMs).toBeLessThan(1000 * 2_000)
  })
})
