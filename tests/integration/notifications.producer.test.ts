/**
 * The core's notifications, produced from what the cache takes in: another console's
 * assignment and mention through the real server, a conflict, the agent's switches, IT's
 * switch in the configuration, and a deadline about to pass (business time), on real
 * SQLite files.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/core/config'
import { createConsole } from '../../src/main/console'
import { addBusinessMs, DEFAULT_CALENDAR } from '../../src/core/workflow/sla'
import { DEMO_PASSWORD, repoRoot } from '../support/core'
import { startFaultProxy, type FaultProxy } from '../support/faultProxy'
import { openSyncWorld, type SyncClient, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let zoe: SyncClient
let luc: SyncClient
let zoeId: string
/** Zoé's way to the server, to take her offline. */
let proxy: FaultProxy
const zoeChanged: number[] = []

/** An open request of Zoé's team that is not hers yet. */
function voirieRequest(skip: readonly string[] = []): { id: string; reference: string; version: number } {
  const rows = zoe.db
    .prepare(
      `SELECT r.id, r.reference, r.version FROM requests r JOIN teams t ON t.id = r.team_id
       WHERE t.code = 'voirie' AND r.status_kind = 'open' AND (r.assignee_id IS NULL OR r.assignee_id <> ?)
       ORDER BY r.reference`,
    )
    .all(zoeId) as Array<{ id: string; reference: string; version: number }>
  const row = rows.find((r) => !skip.includes(r.id))
  if (!row) throw new Error('no request left to assign in the demo data')
  return row
}

const used: string[] = []

describe('notifications from another console', () => {
  beforeAll(async () => {
    world = await openSyncWorld({ requests: 60 })
    proxy = await startFaultProxy(world.url)
    zoe = await world.client('zoe', 'zoe.agent', { via: proxy.url })
    luc = await world.client('luc', 'luc.lead')
    zoeId = (await zoe.value('session.current', {}))!.agentId
    zoe.core.on('notifications.changed', () => zoeChanged.push(Date.now()))
    await zoe.sync()
    await luc.sync()
  }, 60_000)
  afterAll(async () => {
    await proxy?.close()
    await world?.close()
  })

  it('a first download notifies nothing: what was there before the agent logged in is not news', async () => {
    const list = await zoe.value('notifications.list', {})
    expect(list).toEqual({ items: [], unread: 0 })
  })

  it('a request assigned to the agent by a lead elsewhere: one notification, in words, once', async () => {
    const target = voirieRequest()
    used.push(target.id)
    const before = zoeChanged.length
    await luc.value('request.assign', { id: target.id, assigneeId: zoeId })
    await luc.sync()
    await zoe.sync()
    const list = await zoe.value('notifications.list', {})
    expect(list.unread).toBe(1)
    expect(list.items).toHaveLength(1)
    expect(list.items[0]).toMatchObject({
      kind: 'assigned',
      requestId: target.id,
      reference: target.reference,
      actorName: 'Luc Henrion',
      readAt: null,
    })
    expect(zoeChanged.length).toBeGreaterThan(before)
    // The lead did it himself: nothing for him.
    expect((await luc.value('notifications.list', {})).items).toEqual([])
    // Pulled again (another round), still one.
    await zoe.sync()
    expect((await zoe.value('notifications.list', {})).items).toHaveLength(1)
  })

  it('a comment naming @zoe.agent notifies her; one naming someone else does not', async () => {
    /** Luc's internal note on a request of the team nobody used yet. */
    const commented = async (body: string) => {
      const request = voirieRequest(used)
      used.push(request.id)
      await luc.value('request.comment', { id: request.id, kind: 'internal', body })
      return request
    }
    const target = await commented('Vu sur place, @zoe.agent peux-tu rappeler ?')
    await commented('Pour @zoe.agentx et zoe.agent@ville.fr')
    await luc.sync()
    await zoe.sync()
    const list = await zoe.value('notifications.list', {})
    const mentions = list.items.filter((n) => n.kind === 'mention')
    expect(mentions).toHaveLength(1)
    expect(mentions[0]).toMatchObject({
      requestId: target.id,
      reference: target.reference,
      actorName: 'Luc Henrion',
    })
    expect(list.unread).toBe(2)
  })

  it('a change of hers the server answered with a conflict notifies her', async () => {
    const target = voirieRequest(used)
    used.push(target.id)
    // Offline, Zoé edits the title; meanwhile Luc changes it and sends his.
    proxy.setOffline(true)
    const v = (await zoe.value('request.get', { id: target.id })).version
    await zoe.value('request.update', { id: target.id, patch: { title: 'Version de Zoé' }, baseVersion: v })
    await luc.value('request.update', { id: target.id, patch: { title: 'Version de Luc' }, baseVersion: v })
    await luc.sync()
    proxy.setOffline(false)
    const status = await zoe.settle()
    expect(status.conflicts).toBe(1)
    const conflicts = (await zoe.value('notifications.list', {})).items.filter((n) => n.kind === 'conflict')
    expect(conflicts).toHaveLength(1)
    expect(conflicts[0]).toMatchObject({ requestId: target.id, conflictKind: 'conflict' })
  })

  it('marked read one by one or all at once; the newest first', async () => {
    const list = await zoe.value('notifications.list', {})
    expect(list.items.map((n) => n.kind)).toEqual(['conflict', 'mention', 'assigned'])
    const after = await zoe.value('notifications.markRead', { id: list.items[2]!.id })
    expect(after.unread).toBe(2)
    expect(after.items[2]!.readAt).not.toBeNull()
    expect((await zoe.value('notifications.markRead', { all: true })).unread).toBe(0)
    const foreign = await luc.call('notifications.markRead', { id: list.items[0]!.id })
    expect(foreign.ok ? null : foreign.error.code).toBe('not_found')
  })

  it('a kind the agent turned off is not produced', async () => {
    const settings = await zoe.value('notifications.setEnabled', { kind: 'assigned', enabled: false })
    const before = (await zoe.value('notifications.list', {})).unread
    expect(settings.kinds.find((k) => k.kind === 'assigned')).toEqual({
      kind: 'assigned',
      chosen: false,
      forcedOff: false,
    })
    const target = voirieRequest(used)
    used.push(target.id)
    await luc.value('request.assign', { id: target.id, assigneeId: zoeId })
    await luc.sync()
    await zoe.sync()
    const list = await zoe.value('notifications.list', {})
    expect(list.items.some((n) => n.requestId === target.id)).toBe(false)
    expect(list.unread).toBe(before)
    await zoe.value('notifications.setEnabled', { kind: 'assigned', enabled: true })
  })
})

describe('notifications on a workstation without a server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'grc-notif-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  // Tuesday 10 March 2026, 10:00 in Paris: a working morning.
  const now = Date.parse('2026-03-10T09:00:00Z')
  async function localConsole(name: string, section: Record<string, unknown>) {
    const core = await createConsole({
      config: parseConfig(
        { profile: { name, dataDir: dir }, demo: { requests: 300, seed: 3 }, consoleNotifications: section },
        'test',
      ),
      resourcesDir: join(repoRoot, 'resources'),
      userDataDir: dir,
      now: () => now,
    })
    return core
  }
  const ok = async <T>(p: Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>) => {
    const r = await p
    if (!r.ok) throw new Error(`failed: ${r.error?.code}`)
    return r.value as T
  }

  /** Luc (lead) assigns `count` open requests of his team to Zoé on this workstation; their ids. */
  async function assignToZoe(core: Awaited<ReturnType<typeof localConsole>>, count: number) {
    const zoeId = (core.db.prepare("SELECT id FROM agents WHERE login = 'zoe.agent'").get() as { id: string })
      .id
    const ids = core.db
      .prepare(
        `SELECT r.id FROM requests r JOIN teams t ON t.id = r.team_id
         WHERE t.code = 'voirie' AND r.status_kind = 'open' ORDER BY r.reference LIMIT ?`,
      )
      .pluck()
      .all(count) as string[]
    await ok(core.invoke('session.login', { login: 'luc.lead', password: DEMO_PASSWORD }))
    for (const id of ids) await ok(core.invoke('request.assign', { id, assigneeId: zoeId }))
    await ok(core.invoke('session.logout', {}))
    return ids
  }

  it('one of my open requests with less than two business hours left notifies once per deadline', async () => {
    const core = await localConsole('sla', {})
    const ids = await assignToZoe(core, 3)
    const mine = ids.map(
      (id) =>
        core.db.prepare('SELECT id, reference FROM requests WHERE id = ?').get(id) as {
          id: string
          reference: string
        },
    )
    // Due in 1 h 30 of business time; in 3 h; in 6 h (this afternoon).
    const setDue = core.db.prepare('UPDATE requests SET due_at = ?, sla_paused_since = NULL WHERE id = ?')
    setDue.run(now + 90 * 60_000, mine[0]!.id)
    setDue.run(now + 180 * 60_000, mine[1]!.id)
    setDue.run(addBusinessMs(now, 6 * 60 * 60_000, DEFAULT_CALENDAR), mine[2]!.id)
    await ok(core.invoke('session.login', { login: 'zoe.agent', password: DEMO_PASSWORD }))
    const list = await ok<{
      items: Array<{ kind: string; requestId: string; minutesLeft: number | null; reference: string }>
    }>(core.invoke('notifications.list', {}))
    // The assignments made before her first login here are not news; the deadline is.
    expect(list.items.map((n) => n.kind)).toEqual(['sla_soon'])
    const soon = list.items.filter((n) => n.kind === 'sla_soon')
    expect(soon.map((n) => n.requestId)).toEqual([mine[0]!.id])
    expect(soon[0]).toMatchObject({ minutesLeft: 90, reference: mine[0]!.reference })
    // Logged in again: still one.
    await ok(core.invoke('session.logout', {}))
    await ok(core.invoke('session.login', { login: 'zoe.agent', password: DEMO_PASSWORD }))
    const again = await ok<{ items: Array<{ kind: string }> }>(core.invoke('notifications.list', {}))
    expect(again.items.filter((n) => n.kind === 'sla_soon')).toHaveLength(1)
    await core.close()
  })

  it('a kind IT turned off in the configuration: produced for nobody, and the agent cannot turn it on', async () => {
    const core = await localConsole('forced', { slaSoon: false })
    const [id] = await assignToZoe(core, 1)
    const mine = { id: id! }
    core.db
      .prepare('UPDATE requests SET due_at = ?, sla_paused_since = NULL WHERE id = ?')
      .run(now + 30 * 60_000, mine.id)
    await ok(core.invoke('session.login', { login: 'zoe.agent', password: DEMO_PASSWORD }))
    const list = await ok<{ items: unknown[] }>(core.invoke('notifications.list', {}))
    expect(list.items).toEqual([])
    const settings = await ok<{ kinds: Array<{ kind: string; chosen: boolean; forcedOff: boolean }> }>(
      core.invoke('notifications.settings', {}),
    )
    expect(settings.kinds.find((k) => k.kind === 'sla_soon')).toEqual({
      kind: 'sla_soon',
      chosen: true,
      forcedOff: true,
    })
    const refused = await core.invoke('notifications.setEnabled', { kind: 'sla_soon', enabled: true })
    expect(refused.ok ? null : refused.error.code).toBe('forbidden')
    await core.close()
  })
})
