/**
 * The restore drill: consoles sync, the server is backed up, consoles make more edits that
 * the server applies, then the server is restored from the backup (it has forgotten those
 * edits). Each console notices the new epoch in the server's replies, sends again what the
 * server no longer has (kept after the server applied it), pulls everything again, and
 * converges: nothing an agent did is lost, nothing is applied twice. On both stores.
 */
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { backupDatabase, restoreDatabase } from '../../src/server/backup'
import { databaseTarget } from '../../src/server/store/open'
import { serverRequestRows, testDatabase, TEST_STORE } from '../support/serverStore'
import { openSyncWorld, requestRows, type SyncClient, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
afterEach(async () => world?.close())

const sql = () => world.server.store.sql

async function pickIds(team: string, n: number): Promise<string[]> {
  const rows = await sql().all<{ id: string }>(
    "SELECT id FROM requests WHERE team_id = ? AND status_kind = 'open' ORDER BY id LIMIT ?",
    [team, n],
  )
  return rows.map((r) => r.id)
}

const versionOf = (c: SyncClient, id: string) =>
  c.db.prepare('SELECT version FROM requests WHERE id = ?').pluck().get(id) as number

async function title(id: string) {
  return (await sql().get<{ title: string }>('SELECT title FROM requests WHERE id = ?', [id]))?.title
}

describe(`restore drill on ${TEST_STORE}`, () => {
  it('every console sends again what a restored server forgot, and all converge', async () => {
    world = await openSyncWorld({ requests: 80 })
    const zoe = await world.client('zoe', 'zoe.agent')
    const luc = await world.client('luc', 'luc.lead')
    const nora = await world.client('nora', 'nora.agent')
    for (const c of [zoe, luc, nora]) await c.settle()
    const [a, b, c] = await pickIds('voirie', 3)
    const [e] = await pickIds('eclairage', 1)

    const backup = join(world.dir, `backup-${TEST_STORE}.dump`)
    await backupDatabase(databaseTarget(world.database), backup)

    // After the backup: edits on every console, each applied by the server.
    await zoe.value('request.update', { id: a!, patch: { title: 'Zoé : titre après la sauvegarde' } })
    await zoe.value('request.comment', { id: b!, kind: 'internal', body: 'Note de Zoé après la sauvegarde' })
    const created = await zoe.value('request.create', {
      categoryId: 'voirie',
      channel: 'counter',
      title: 'Créée après la sauvegarde',
      description: 'Signalée au guichet',
      location: { lat: 48.6937, lon: 6.1834 },
    })
    await zoe.settle()
    await luc.settle()
    // Luc builds on Zoé's edit: a version the restored server will never have seen.
    await luc.value('request.update', {
      id: a!,
      patch: { priority: 'urgent' },
      baseVersion: versionOf(luc, a!),
    })
    await luc.value('request.assign', { id: c!, assigneeId: 'agent-zoe.agent' })
    await nora.value('request.update', { id: e!, patch: { title: 'Nora : après la sauvegarde' } })
    for (const client of [luc, nora, zoe]) await client.settle()
    const mutationsBefore = (await sql().get<{ n: number }>('SELECT count(*) AS n FROM applied_mutations'))!.n
    expect(await title(a!)).toBe('Zoé : titre après la sauvegarde')

    // The disaster: the server comes back from the backup, on the same address.
    const restoredDb =
      TEST_STORE === 'postgres' ? await testDatabase(world.dir) : join(world.dir, 'restored.db')
    const { epoch } = await restoreDatabase(databaseTarget(restoredDb), backup)
    await world.replaceServer(restoredDb)
    expect(world.server.store.epoch).toBe(epoch)
    expect(await title(a!)).not.toBe('Zoé : titre après la sauvegarde')
    expect(await sql().get('SELECT 1 AS x FROM requests WHERE id = ?', [created.id])).toBeUndefined()

    for (const client of [zoe, luc, nora]) {
      const status = await client.settle()
      expect(status).toMatchObject({ state: 'idle', pending: 0, conflicts: 0 })
    }
    // What the consoles after it sent again reaches the first one too (a nudge would do it within a second).
    for (const client of [zoe, luc, nora]) await client.settle()

    // Everything the agents did is on the server again…
    expect(await title(a!)).toBe('Zoé : titre après la sauvegarde')
    const onServer = await sql().get<{ priority: string; title: string }>(
      'SELECT priority, title FROM requests WHERE id = ?',
      [a!],
    )
    expect(onServer).toEqual({ priority: 'urgent', title: 'Zoé : titre après la sauvegarde' })
    expect(
      (await sql().get<{ assignee_id: string }>('SELECT assignee_id FROM requests WHERE id = ?', [c!]))
        ?.assignee_id,
    ).toBe('agent-zoe.agent')
    expect(await title(e!)).toBe('Nora : après la sauvegarde')
    expect(await title(created.id)).toBe('Créée après la sauvegarde')
    const note = await sql().get<{ n: number }>(
      "SELECT count(*) AS n FROM comments WHERE request_id = ? AND body = 'Note de Zoé après la sauvegarde'",
      [b!],
    )
    expect(note?.n).toBe(1)

    // …each change once: one history event per mutation, as many mutations as before the disaster.
    const ledger = await sql().all<{ mutation_id: string; n: number }>(
      `SELECT mutation_id, count(*) AS n FROM history_events WHERE mutation_id IS NOT NULL AND kind <> 'routed'
       GROUP BY mutation_id HAVING count(*) > 1`,
    )
    expect(ledger).toEqual([])
    const mutationsAfter = (await sql().get<{ n: number }>('SELECT count(*) AS n FROM applied_mutations'))!.n
    expect(mutationsAfter).toBe(mutationsBefore)

    // …and every console shows exactly what the server has for it.
    expect(requestRows(zoe.db)).toEqual(
      await serverRequestRows(world.server.store, ['voirie', 'voirie-nord']),
    )
    expect(requestRows(luc.db)).toEqual(
      await serverRequestRows(world.server.store, ['voirie', 'voirie-nord']),
    )
    expect(requestRows(nora.db)).toEqual(await serverRequestRows(world.server.store, ['eclairage']))
  })
})
