/**
 * Reference administration through the console's contract, against the real server: the
 * core refuses other roles, an administrator's change is versioned and audited on the
 * server and reaches every console through the change feed; conflicts, deletions of what
 * is in use and a missing server are said in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AdminItem } from '../../src/shared/adminReference'
import { openSyncWorld, type SyncClient, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let alex: SyncClient

beforeAll(async () => {
  world = await openSyncWorld({ requests: 40 })
  alex = await world.client('alex', 'alex.admin')
  await alex.settle()
})
afterAll(async () => world?.close())

const teamOf = (items: AdminItem[], id: string) => items.find((i) => i.kind === 'team' && i.id === id)

describe('reference administration through the contract', () => {
  it('is refused by the core to any role but admin', async () => {
    const luc = await world.client('luc-refused', 'luc.lead')
    for (const [channel, input] of [
      ['admin.reference.list', {}],
      ['admin.reference.save', { kind: 'team', data: { id: 'x', code: 'x', name: 'X' }, baseVersion: null }],
      ['admin.reference.delete', { kind: 'team', id: 'voirie', baseVersion: 0 }],
      ['admin.reference.audit', {}],
    ] as const) {
      const r = await luc.call(channel, input as never)
      expect(r, channel).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
  })

  it('creates a team on the server; this console and another one get it through the feed', async () => {
    const luc = await world.client('luc', 'luc.lead')
    await luc.settle()
    const before = await alex.value('admin.reference.list', {})
    expect(teamOf(before.items, 'voirie')).toBeTruthy()
    expect(before.workflows.map((w) => w.id).sort()).toEqual(['information', 'intervention'])
    expect(before.workflows.every((w) => w.name !== null)).toBe(true)

    const created = await alex.value('admin.reference.save', {
      kind: 'team',
      data: { id: 'mobilite', code: 'mobilite', name: 'Mobilités douces' },
      baseVersion: null,
    })
    expect(created).toMatchObject({ kind: 'team', id: 'mobilite', version: 0 })
    // The save set a round going: Alex's console takes the new reference bundle at once.
    await expect
      .poll(async () => (await alex.value('reference.get', {})).teams.map((t) => t.id), { timeout: 10_000 })
      .toContain('mobilite')
    await luc.sync()
    expect((await luc.value('reference.get', {})).teams.map((t) => t.name)).toContain('Mobilités douces')

    const { entries } = await alex.value('admin.reference.audit', { kind: 'team', id: 'mobilite' })
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      action: 'create',
      actorName: 'Alex Mathieu',
      version: 0,
      name: 'Mobilités douces',
    })
    expect(entries[0]!.changes).toEqual([
      { field: 'code', before: null, after: 'mobilite' },
      { field: 'name', before: null, after: 'Mobilités douces' },
    ])
  })

  it('refuses an edit made on an older version, saying who changed it', async () => {
    const other = await world.client('alex-2', 'alex.admin')
    const seen = teamOf((await alex.value('admin.reference.list', {})).items, 'eclairage')!
    expect(seen.kind).toBe('team')
    const data = seen.data as { id: string; code: string; name: string }
    await other.value('admin.reference.save', {
      kind: 'team',
      data: { ...data, name: 'Éclairage et signalisation' },
      baseVersion: seen.version,
    })
    const stale = await alex.call('admin.reference.save', {
      kind: 'team',
      data: { ...data, name: 'Éclairage public (Nancy)' },
      baseVersion: seen.version,
    })
    expect(stale).toMatchObject({ ok: false, error: { code: 'version_conflict' } })
    expect(!stale.ok && stale.error.message).toContain('Alex Mathieu')
  })

  it('refuses to delete a team that still handles requests, in the server’s words', async () => {
    const voirie = teamOf((await alex.value('admin.reference.list', {})).items, 'voirie')!
    const r = await alex.call('admin.reference.delete', {
      kind: 'team',
      id: 'voirie',
      baseVersion: voirie.version,
    })
    expect(r).toMatchObject({ ok: false, error: { code: 'in_use' } })
    expect(!r.ok && r.error.message).toMatch(/demande/)
  })

  it('refuses a reference to something that does not exist', async () => {
    const r = await alex.call('admin.reference.save', {
      kind: 'routing_rule',
      data: {
        id: 'ghost',
        position: 1,
        name: 'Vers une équipe fantôme',
        categoryId: null,
        subcategory: null,
        channel: null,
        sectorId: null,
        teamId: 'fantome',
      },
      baseVersion: null,
    })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })

  it('says a server is needed when it cannot be reached', async () => {
    const away = await world.client('away', 'alex.admin', {
      via: 'http://127.0.0.1:9',
      login: false,
      timeoutSeconds: 1,
    })
    // Offline login: the directory is local, the server is not there.
    await away.value('session.login', { login: 'alex.admin', password: 'demo' })
    const r = await away.call('admin.reference.list', {})
    expect(r).toMatchObject({ ok: false, error: { code: 'server_unavailable' } })
    expect(!r.ok && r.error.message).toContain(
      'L’administration du référentiel demande une connexion au serveur central.',
    )
  })
})
