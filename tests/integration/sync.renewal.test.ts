/**
 * Session renewal that heals: a renewal whose answer was lost, or that reached the server
 * twice, is renewed again without asking for the password; a refresh token presented long
 * after its use, or by another console, ends its whole family. On both stores.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startFaultProxy, type FaultProxy } from '../support/faultProxy'
import { DEMO_PASSWORD } from '../support/core'
import { TEST_STORE } from '../support/serverStore'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let proxy: FaultProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
  await world?.close()
})

interface Pair {
  accessToken: string
  refreshToken: string
}

async function token(body: Record<string, string>): Promise<{ status: number; pair?: Pair; code?: string }> {
  const r = await fetch(`${world.url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = (await r.json()) as Pair & { error?: { code: string } }
  return { status: r.status, pair: r.ok ? json : undefined, code: json.error?.code }
}

const login = (clientId = 'poste-1') =>
  token({ grantType: 'password', login: 'zoe.agent', password: DEMO_PASSWORD, clientId })
const renew = (refreshToken: string, clientId = 'poste-1') =>
  token({ grantType: 'refresh_token', refreshToken, clientId })

describe(`session renewal on ${TEST_STORE}`, () => {
  it('the same refresh token again soon after renews again; the successor nobody received stops working', async () => {
    world = await openSyncWorld({ requests: 5 })
    const first = (await login()).pair!
    const lost = (await renew(first.refreshToken)).pair! // its answer never reached the console
    const again = await renew(first.refreshToken)
    expect(again.status).toBe(200)
    expect((await renew(lost.refreshToken)).code).toBe('session_expired')
    expect((await renew(again.pair!.refreshToken)).status).toBe(200)
  })

  it('a refresh token presented after the grace, or by another console, ends the whole family', async () => {
    let now = Date.now()
    world = await openSyncWorld({ requests: 5, server: { now: () => now } })
    const first = (await login()).pair!
    const second = (await renew(first.refreshToken)).pair!
    now += 61_000
    // The first token again, a minute later: a copy is in other hands.
    expect((await renew(first.refreshToken)).code).toBe('session_expired')
    // Its family is over: the token the console holds stops working too.
    expect((await renew(second.refreshToken)).code).toBe('session_expired')

    const other = (await login('poste-2')).pair!
    expect((await renew(other.refreshToken, 'poste-pirate')).code).toBe('session_expired')
    expect((await renew(other.refreshToken, 'poste-2')).code).toBe('session_expired')
  })

  for (const fault of ['drop_after_forward', 'duplicate'] as const)
    it(`after a server restart, a console whose renewal ${fault === 'duplicate' ? 'reaches the server twice' : 'answer is lost'} goes on without the password and pushes its edit`, async () => {
      // Access tokens of 2 s: every round renews the session.
      world = await openSyncWorld({ requests: 20, server: { tokens: { accessTtlSeconds: 2 } } })
      proxy = await startFaultProxy(world.url)
      const zoe = await world.client('zoe', 'zoe.agent', { via: proxy.url })
      await zoe.settle()
      const id = zoe.db
        .prepare("SELECT id FROM requests WHERE team_id = 'voirie' ORDER BY id LIMIT 1")
        .pluck()
        .get() as string
      await zoe.value('request.update', { id, patch: { title: 'Après un renouvellement perturbé' } })
      // The server restarts (an update, a crash) while the edit waits.
      await world.replaceServer(world.database)
      let renewals = 0
      proxy.setPlan(({ method, path }) =>
        method === 'POST' && path.startsWith('/api/v1/auth/token') && renewals++ === 0
          ? { kind: fault }
          : { kind: 'pass' },
      )
      const started = Date.now()
      const status = await zoe.settle()
      expect(renewals).toBeGreaterThan(0)
      expect(status).toMatchObject({ state: 'idle', pending: 0 })
      expect(Date.now() - started).toBeLessThan(5000)
      const title = await world.server.store.sql.get<{ title: string }>(
        'SELECT title FROM requests WHERE id = ?',
        [id],
      )
      expect(title?.title).toBe('Après un renouvellement perturbé')
    })
})
