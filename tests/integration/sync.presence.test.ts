/**
 * Who is on a request (issue 15) between two consoles through the real server: Zoé opens
 * a request and Luc's console says she is viewing it, then which field she edits, then
 * that she left; the core tells the screen each time (`presence.changed`). The core
 * refuses what the session may not do; a local-only profile sends nothing. Runs on both
 * stores (integration and integration-pg).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_STORE } from '../support/serverStore'
import { openTestCore } from '../support/core'
import { openSyncWorld, type SyncClient, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let zoe: SyncClient
let luc: SyncClient
let requestId: string

beforeAll(async () => {
  world = await openSyncWorld({ requests: 30 })
  zoe = await world.client('zoe', 'zoe.agent')
  luc = await world.client('luc', 'luc.lead')
  await zoe.settle()
  await luc.settle()
  const row = zoe.db
    .prepare("SELECT id FROM requests WHERE team_id = 'voirie' ORDER BY id LIMIT 1")
    .get() as {
    id: string
  }
  requestId = row.id
})
afterAll(() => world?.close())

/** What Luc's detail would say of the others on the request. */
const othersSeenByLuc = async () => (await luc.value('presence.of', { requestId })).others

describe(`presence between two consoles on ${TEST_STORE}`, () => {
  it('shows on one console who views, then edits which field, then left, on the other', async () => {
    const changes: string[] = []
    const off = luc.core.on('presence.changed', ({ requestId: id }) => changes.push(id))

    // Sent once the console holds its event stream (right after login, a moment later).
    await expect
      .poll(() => zoe.value('presence.report', { requestId, activity: 'viewing', field: null }))
      .toEqual({ sent: true })
    await expect
      .poll(othersSeenByLuc)
      .toEqual([{ agentId: 'agent-zoe.agent', displayName: 'Zoé Marchal', activity: 'viewing', field: null }])
    expect(changes).toContain(requestId)
    // Zoé is not told about herself.
    expect((await zoe.value('presence.of', { requestId })).others).toEqual([])

    await zoe.value('presence.report', { requestId, activity: 'editing', field: 'title' })
    await expect
      .poll(othersSeenByLuc)
      .toEqual([
        { agentId: 'agent-zoe.agent', displayName: 'Zoé Marchal', activity: 'editing', field: 'title' },
      ])

    expect(await zoe.value('presence.report', { requestId, activity: 'left', field: null })).toEqual({
      sent: true,
    })
    await expect.poll(othersSeenByLuc).toEqual([])
    off()
  })

  it('refuses in the core what the session may not do', async () => {
    // Nora's console holds nothing of the voirie team: the request is « not found » there.
    const nora = await world.client('nora', 'nora.agent')
    await nora.settle()
    const hidden = await nora.call('presence.of', { requestId })
    expect(hidden.ok ? null : hidden.error.code).toBe('not_found')
    const report = await nora.call('presence.report', { requestId, activity: 'viewing', field: null })
    expect(report.ok ? null : report.error.code).toBe('not_found')

    const dina = await world.client('dina', 'dina.dpo')
    await dina.settle()
    const editing = await dina.call('presence.report', { requestId, activity: 'editing', field: 'title' })
    expect(editing.ok ? null : editing.error.code).toBe('forbidden')

    const fieldWhileViewing = await zoe.call('presence.report', {
      requestId,
      activity: 'viewing',
      field: 'title',
    })
    expect(fieldWhileViewing.ok ? null : fieldWhileViewing.error.code).toBe('invalid_input')
    // Bad input is refused before anything reaches the others.
    expect(await othersSeenByLuc()).toEqual([])
  })

  it('sends nothing from a local-only profile, and says so', async () => {
    const local = await openTestCore({ requests: 20 })
    try {
      await local.as('zoe.agent')
      const id = (
        local.db.prepare("SELECT id FROM requests WHERE team_id = 'voirie' ORDER BY id LIMIT 1").get() as {
          id: string
        }
      ).id
      expect(
        await local.value('presence.report', { requestId: id, activity: 'viewing', field: null }),
      ).toEqual({
        sent: false,
      })
      expect(await local.value('presence.of', { requestId: id })).toEqual({ others: [] })
    } finally {
      await local.close()
    }
  })
})
