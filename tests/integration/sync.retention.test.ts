/**
 * The console's own retention against a real server (issue 12): the server's policy, sent
 * in the reference data, is applied to the cache after the pull that brought it; a profile
 * left unopened past `privacy.cacheMaxIdleDays` forgets what it synced at its next start,
 * and the change the agent made offline before is still sent once they log in again.
 */
import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { openConsoleCache } from '../support/consoleCache'
import { AppConfigSchema } from '../../src/core/config'
import { addMonths } from '../../src/core/privacy/retention'
import { LAST_SESSION_KEY } from '../../src/main/cache/retention'
import { setSyncState } from '../../src/main/cache/queries/syncState'
import { startFaultProxy, type FaultProxy } from '../support/faultProxy'
import { openSyncWorld, type SyncClient, type SyncWorld } from '../support/syncWorld'

const DAY = 24 * 3600_000

let world: SyncWorld | null = null
let proxy: FaultProxy | null = null
afterEach(async () => {
  await proxy?.close()
  await world?.close()
  proxy = null
  world = null
})

const count = (c: SyncClient, sql: string, ...params: unknown[]) =>
  c.db
    .prepare(sql)
    .pluck()
    .get(...params) as number

describe('the server’s retention policy on a console', () => {
  it('the pull that brings the policy is followed by a run: a request past its delay loses its citizen', async () => {
    // The server anonymises after 12 months (the default); its own job is not run here.
    world = await openSyncWorld({ requests: 120, server: { config: AppConfigSchema.parse({}) } })
    const sql = world.server.store.sql
    const pick = async (where: string) =>
      (
        await sql.get<{ id: string }>(
          `SELECT id FROM requests WHERE team_id = 'voirie' AND citizen_id IS NOT NULL AND ${where} ORDER BY id LIMIT 1`,
        )
      )?.id
    const due = (await pick("status_kind = 'closed'"))!
    const open = (await pick("status_kind = 'open'"))!
    expect(due).toBeDefined()
    expect(open).toBeDefined()
    await world.serverWrite(
      'UPDATE requests SET closed_at = ? WHERE id = ?',
      [addMonths(Date.now(), -14), due],
      {
        requests: [due],
      },
    )

    const zoe = await world.client('zoe', 'zoe.agent')
    await zoe.sync()
    const citizenOf = (id: string) =>
      zoe.db.prepare('SELECT citizen_id FROM requests WHERE id = ?').pluck().get(id) as
        string | null | undefined
    // Past 12 months: still cached, without its citizen; an open one keeps its citizen.
    expect(citizenOf(due)).toBeNull()
    expect(citizenOf(open)).toEqual(expect.any(String))
    expect(count(zoe, "SELECT count(*) FROM sync_state WHERE key = 'retention_pending'")).toBe(0)
  })
})

describe('a profile left unopened', () => {
  it('is purged at its next start; the offline change survives and is sent at the next login', async () => {
    world = await openSyncWorld({ requests: 60 })
    proxy = await startFaultProxy(world.url)
    const zoe = await world.client('zoe', 'zoe.agent', { via: proxy.url, timeoutSeconds: 2 })
    await zoe.sync()
    const target = zoe.db.prepare('SELECT id FROM requests ORDER BY rowid LIMIT 1').pluck().get() as string
    proxy.setOffline(true)
    const body = `Passage fait, note ${randomUUID()}`
    await zoe.value('request.comment', { id: target, kind: 'internal', body })
    expect((await zoe.sync()).state).toBe('offline')
    expect(count(zoe, 'SELECT count(*) FROM outbox')).toBe(1)
    const file = zoe.db.name
    await zoe.close()

    // Forty days later (nobody opened it since).
    const db = openConsoleCache(file)
    setSyncState(db, LAST_SESSION_KEY, String(Date.now() - 40 * DAY))
    db.close()
    const again = await world.client('zoe', 'zoe.agent', { via: proxy.url, timeoutSeconds: 2, login: false })
    expect(count(again, 'SELECT count(*) FROM requests')).toBe(0)
    expect(count(again, 'SELECT count(*) FROM citizens')).toBe(0)
    expect(count(again, 'SELECT count(*) FROM offline_verifiers')).toBe(0)
    expect(count(again, 'SELECT count(*) FROM outbox')).toBe(1)
    // The offline login verifiers went with the rest: the next login asks the directory.

    proxy.setOffline(false)
    await again.value('session.login', { login: 'zoe.agent', password: 'demo' })
    const status = await again.settle()
    expect(status.pending).toBe(0)
    expect(count(again, 'SELECT count(*) FROM requests')).toBeGreaterThan(0)
    const onServer = await world.server.store.sql.all<{ body: string }>(
      'SELECT body FROM comments WHERE request_id = ?',
      [target],
    )
    expect(onServer.map((c) => c.body)).toContain(body)
  })
})
