/**
 * `duplicateOf` is a checked reference on the central server too (issue 14), on both stores:
 * a console's `mark_duplicate` naming a request that does not exist, that its agent may not
 * see, the request itself, or a duplicate, is rejected with the reason; a good one is
 * applied, and un-linking takes the request back to an open state without its master.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Mutation, MutationResult } from '../../src/shared/sync'
import { DEMO_PASSWORD } from '../support/core'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld

beforeAll(async () => {
  world = await openSyncWorld({ requests: 120 })
})
afterAll(async () => world?.close())

interface Row {
  id: string
  reference: string
  version: number
  status: string
  fields: string
}

const row = async (id: string): Promise<Row> =>
  (await world.server.store.sql.get<Row>(
    'SELECT id, reference, version, status, fields FROM requests WHERE id = ?',
    [id],
  ))!

async function token(login: string) {
  const clientId = `test-${login}-${randomUUID().slice(0, 8)}`
  const r = await fetch(`${world.url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grantType: 'password', login, password: DEMO_PASSWORD, clientId }),
  })
  expect(r.status).toBe(200)
  return { clientId, token: ((await r.json()) as { accessToken: string }).accessToken }
}

/** One transition pushed as a console pushes it; the server's answer. */
async function transition(
  agent: { clientId: string; token: string },
  id: string,
  transitionId: string,
  fields: Record<string, string>,
): Promise<MutationResult> {
  const current = await row(id)
  const m: Mutation = {
    mutationId: randomUUID(),
    clientId: agent.clientId,
    entityId: id,
    baseVersion: current.version,
    createdAt: Date.now(),
    op: 'transition',
    payload: { transitionId, fields },
  }
  const r = await fetch(`${world.url}/api/v1/mutations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ mutations: [m] }),
  })
  expect(r.status).toBe(200)
  return ((await r.json()) as { results: MutationResult[] }).results[0]!
}

const reasonOf = (r: MutationResult) => (r.status === 'rejected' ? r.reason : `(${r.status})`)

it('rejects a bad master, applies a good one, refuses loops, and un-links', async () => {
  const sql = world.server.store.sql
  const fresh = await sql.all<Row>(
    `SELECT id, reference, version, status, fields FROM requests
     WHERE team_id = 'voirie' AND status IN ('new', 'qualified') ORDER BY id LIMIT 3`,
  )
  expect(fresh).toHaveLength(3)
  const [dup, master, third] = fresh as [Row, Row, Row]
  const hidden = await sql.get<Row>(
    "SELECT id, reference, version, status, fields FROM requests WHERE team_id = 'eclairage' LIMIT 1",
  )
  expect(hidden).toBeDefined()
  const zoe = await token('zoe.agent')

  for (const [bad, words] of [
    ['GRC-1999-999999', 'Aucune demande visible'],
    [dup.reference, 'elle-même'],
    [hidden!.reference, 'Aucune demande visible'],
  ] as const) {
    const refused = await transition(zoe, dup.id, 'mark_duplicate', { duplicateOf: bad })
    expect(refused.status).toBe('rejected')
    expect(reasonOf(refused)).toContain(words)
  }
  expect((await row(dup.id)).status).toBe(dup.status)

  const linked = await transition(zoe, dup.id, 'mark_duplicate', { duplicateOf: master.reference })
  expect(linked.status, reasonOf(linked)).toBe('applied')
  const stored = await row(dup.id)
  expect(stored.status).toBe('duplicate')
  expect(JSON.parse(stored.fields)).toMatchObject({ duplicateOf: master.reference })

  const loop = await transition(zoe, master.id, 'mark_duplicate', { duplicateOf: dup.reference })
  expect(reasonOf(loop)).toContain('déjà un doublon de cette demande')
  const chain = await transition(zoe, third.id, 'mark_duplicate', { duplicateOf: dup.reference })
  expect(reasonOf(chain)).toContain(`liez cette demande à ${master.reference}`)

  const unlinked = await transition(zoe, dup.id, 'unlink_duplicate', {})
  expect(unlinked.status, reasonOf(unlinked)).toBe('applied')
  const back = await row(dup.id)
  expect(back.status).toBe('qualified')
  expect(JSON.parse(back.fields)).not.toHaveProperty('duplicateOf')
})
