/**
 * Who is on a request (issue 15) on the real server over HTTP, through the console's own
 * transport: an agent's report reaches, on the event stream, the agents who may see the
 * request's team and nobody else (not its author, not another team); a stream opened later
 * is told the live marks; leaving and running out end a mark; bad input and roles are
 * refused in words. On PostgreSQL, a report made on one instance reaches a stream another
 * instance holds (NOTIFY). Runs on both stores (integration and integration-pg).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PresenceMark } from '../../src/shared/presence'
import { startServer, type RunningServer } from '../../src/server/start'
import { createSyncTransport, SyncError } from '../../src/main/sync/transport'
import { repoRoot } from '../support/core'
import { accessTokenOf } from '../support/passwordLogin'
import { TEST_STORE } from '../support/serverStore'
import { openSyncWorld, SYNC_WORLD_SERVER_CONFIG, type SyncWorld } from '../support/syncWorld'
import { join } from 'node:path'

let world: SyncWorld
/** The server's clock: moved forward to let marks run out. */
let clockOffset = 0
let voirieRequest: string
let eclairageRequest: string

beforeAll(async () => {
  world = await openSyncWorld({ requests: 40, server: { now: () => Date.now() + clockOffset } })
  const first = (team: string) =>
    world.server.store.sql.get<{ id: string }>('SELECT id FROM requests WHERE team_id = ? ORDER BY id', [
      team,
    ])
  voirieRequest = (await first('voirie'))!.id
  eclairageRequest = (await first('eclairage'))!.id
})
afterAll(() => world?.close())
const streams: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const s of streams.splice(0)) await s.close()
})

/** An agent's event stream, as the console holds it: the presence marks it heard, in order. */
async function listen(baseUrl: string, login: string) {
  const transport = createSyncTransport({ baseUrl, timeoutMs: 5000 })
  const token = await accessTokenOf(baseUrl, login)
  const heard: PresenceMark[] = []
  const stop = new AbortController()
  let opened!: () => void
  const open = new Promise<void>((resolve) => (opened = resolve))
  // Ends when the test closes it, or when the server goes at the end of the file.
  const ended = transport
    .events(
      token,
      () => {},
      stop.signal,
      opened,
      undefined,
      (m) => heard.push(m),
    )
    .catch(() => {})
  await open
  const stream = {
    heard,
    /** Wait until a mark satisfying `match` has been heard; it. */
    async next(match: (m: PresenceMark) => boolean): Promise<PresenceMark> {
      await expect.poll(() => heard.find(match), { timeout: 5000 }).toBeDefined()
      return heard.find(match)!
    },
    async close() {
      stop.abort()
      await ended
    },
  }
  streams.push(stream)
  return stream
}

/** An agent reporting through their own console's transport. */
async function reporter(baseUrl: string, login: string) {
  const transport = createSyncTransport({ baseUrl, timeoutMs: 5000 })
  const token = await accessTokenOf(baseUrl, login)
  return {
    view: (requestId: string) => transport.presence(token, requestId, { activity: 'viewing', field: null }),
    edit: (requestId: string, field: PresenceMark['field']) =>
      transport.presence(token, requestId, { activity: 'editing', field }),
    leave: (requestId: string) => transport.presence(token, requestId, 'left'),
  }
}

async function refusal(p: Promise<unknown>): Promise<SyncError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(SyncError)
  return e as SyncError
}

describe(`presence on ${TEST_STORE}`, () => {
  it('tells the agents of the team who views and who edits which field, not the author, not another team', async () => {
    const luc = await listen(world.url, 'luc.lead')
    const zoeStream = await listen(world.url, 'zoe.agent')
    const nora = await listen(world.url, 'nora.agent')
    const zoe = await reporter(world.url, 'zoe.agent')
    const sara = await reporter(world.url, 'sara.sup')

    await zoe.view(voirieRequest)
    const viewing = await luc.next((m) => m.requestId === voirieRequest && m.activity === 'viewing')
    expect(viewing).toMatchObject({ agentId: 'agent-zoe.agent', displayName: 'Zoé Marchal', field: null })
    expect(viewing.expiresInMs).toBeGreaterThan(30_000)

    await zoe.edit(voirieRequest, 'title')
    const editing = await luc.next((m) => m.activity === 'editing')
    expect(editing).toMatchObject({ requestId: voirieRequest, displayName: 'Zoé Marchal', field: 'title' })

    // Sara (all teams) on a request of each team: each hears hers, so would have heard Zoé's by now.
    await sara.view(eclairageRequest)
    await sara.view(voirieRequest)
    await nora.next((m) => m.requestId === eclairageRequest)
    await zoeStream.next((m) => m.requestId === voirieRequest)
    await luc.next((m) => m.displayName === 'Sara Lefèvre')
    expect(nora.heard.map((m) => [m.displayName, m.requestId])).toEqual([['Sara Lefèvre', eclairageRequest]])
    expect(zoeStream.heard.map((m) => [m.displayName, m.requestId])).toEqual([
      ['Sara Lefèvre', voirieRequest],
    ])
    // Only the display name goes out: no login, no citizen data.
    expect(Object.keys(editing).sort()).toEqual(
      ['activity', 'agentId', 'displayName', 'expiresInMs', 'field', 'requestId', 'seat'].sort(),
    )

    await zoe.leave(voirieRequest)
    await luc.next((m) => m.requestId === voirieRequest && m.activity === 'left')
    await sara.leave(eclairageRequest)
    await sara.leave(voirieRequest)
  })

  it('tells a stream that opens the marks still alive, and forgets them once run out', async () => {
    const zoe = await reporter(world.url, 'zoe.agent')
    await zoe.edit(voirieRequest, 'description')
    const luc = await listen(world.url, 'luc.lead')
    const told = await luc.next((m) => m.requestId === voirieRequest)
    expect(told).toMatchObject({ displayName: 'Zoé Marchal', activity: 'editing', field: 'description' })

    const tom = await reporter(world.url, 'tom.tech')
    await tom.view(voirieRequest)
    clockOffset += 46_000
    try {
      // A mark is no longer told once its time is up (Zoé's and Tom's were not renewed).
      const later = await listen(world.url, 'luc.lead')
      await tom.view(voirieRequest)
      await later.next((m) => m.displayName === 'Tom Lallemand')
      expect(later.heard.map((m) => m.displayName)).toEqual(['Tom Lallemand'])
      await tom.leave(voirieRequest)
    } finally {
      clockOffset -= 46_000
    }
  })

  it('refuses what the session may not do, in words', async () => {
    const nora = await reporter(world.url, 'nora.agent')
    // Another team's request is answered as missing, as the feed hides it.
    const hidden = await refusal(nora.view(voirieRequest))
    expect([hidden.status, hidden.code]).toEqual([404, 'not_found'])
    expect((await refusal(nora.view('no-such-request'))).status).toBe(404)

    const dina = await reporter(world.url, 'dina.dpo')
    await dina.view(voirieRequest)
    const readOnly = await refusal(dina.edit(voirieRequest, 'title'))
    expect([readOnly.status, readOnly.code]).toEqual([403, 'forbidden'])
    expect(readOnly.message).toMatch(/sans les modifier/)
    await dina.leave(voirieRequest)

    // One agent holds a bounded number of marks at once (a leak or an attack, beyond).
    const ids = (
      await world.server.store.sql.all<{ id: string }>('SELECT id FROM requests ORDER BY id LIMIT 17')
    ).map((r) => r.id)
    const sara = await reporter(world.url, 'sara.sup')
    for (const id of ids.slice(0, 16)) await sara.view(id)
    const tooMany = await refusal(sara.view(ids[16]!))
    expect([tooMany.status, tooMany.code]).toEqual([429, 'too_many_attempts'])
    expect(tooMany.message).toMatch(/Trop de demandes ouvertes/)
    await sara.view(ids[0]!) // renewing one held is not one more
    for (const id of ids.slice(0, 16)) await sara.leave(id)

    const token = await accessTokenOf(world.url, 'zoe.agent')
    const put = (body: unknown, auth = `Bearer ${token}`) =>
      fetch(`${world.url}/api/v1/presence/${voirieRequest}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify(body),
      })
    const badField = await put({ activity: 'editing', field: 'citizen' })
    expect(badField.status).toBe(400)
    expect(((await badField.json()) as { error: { message: string } }).error.message).toMatch(/^field/)
    expect((await put({ activity: 'viewing', field: 'title' })).status).toBe(400)
    expect((await put({ activity: 'editing', field: 'title' }, 'Bearer nope')).status).toBe(401)
  })
})

describe.runIf(TEST_STORE === 'postgres')('presence across two server instances', () => {
  let second: RunningServer
  beforeAll(async () => {
    second = await startServer({
      database: world.database,
      resourcesDir: join(repoRoot, 'resources'),
      config: SYNC_WORLD_SERVER_CONFIG,
      portalKey: 'test-portal-key',
      dataDir: world.dir,
    })
  })
  afterAll(() => second?.close())

  it('carries a report made on one instance to a stream held by the other, and a stream opening there is told it', async () => {
    const luc = await listen(second.url, 'luc.lead')
    const zoe = await reporter(world.url, 'zoe.agent')
    await zoe.edit(voirieRequest, 'priority')
    expect(await luc.next((m) => m.requestId === voirieRequest)).toMatchObject({
      displayName: 'Zoé Marchal',
      activity: 'editing',
      field: 'priority',
    })
    const tom = await listen(second.url, 'tom.tech')
    await tom.next((m) => m.displayName === 'Zoé Marchal')

    await zoe.leave(voirieRequest)
    await luc.next((m) => m.activity === 'left')
  })
})
