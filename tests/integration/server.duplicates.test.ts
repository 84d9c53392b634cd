/**
 * `duplicateOf` is a checked reference on the central server too (issue 14), on both stores:
 * a console's `mark_duplicate` naming a request that does not exist, that its agent may not
 * see, the request itself, or a duplicate, is rejected with the reason; a good one is
 * applied, and un-linking takes the request back to an open state without its master.
 * A duplicate follows its master: when the master is resolved, the duplicate's history says
 * so (as consoles read it from the change feed) and its citizen gets an e-mail through a real
 * SMTP relay; a master rejected tells its duplicates nothing.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { AppConfigSchema } from '../../src/core/config'
import { startNotificationJob, type NotificationJob } from '../../src/server/notifications/dispatcher'
import type { Mutation, MutationResult } from '../../src/shared/sync'
import { DEMO_PASSWORD } from '../support/core'
import { feedHistory } from '../support/feedHistory'
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'
import { makePki } from '../support/tlsCerts'

const PASSWORD_ENV = 'GRC_TEST_DUPLICATES_SMTP_PASSWORD'

let world: SyncWorld
let smtp: TestSmtpServer
let notices: NotificationJob

beforeAll(async () => {
  world = await openSyncWorld({ requests: 240 })
  const pki = makePki()
  smtp = await startTestSmtpServer(pki)
  process.env[PASSWORD_ENV] = smtp.password
  // The notices job as a server with notifications configured runs it, on the world's store.
  const { notifications } = AppConfigSchema.parse({
    notifications: {
      smtp: {
        url: smtp.url,
        from: 'Ville de Nancy <grc@nancy.example>',
        startTls: 'required',
        caFile: pki.caFile,
        auth: { user: smtp.user, password: { env: PASSWORD_ENV } },
      },
    },
  })
  notices = startNotificationJob({ store: world.server.store, settings: notifications, log: () => {} })
  // Its first look places its cursor: what happens from now on is notified.
  await notices.tick()
})
afterAll(async () => {
  await notices?.stop()
  await world?.close()
  await smtp?.close()
  delete process.env[PASSWORD_ENV]
})

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

/** The request's history as zoe's console receives it through the change feed. */
const historyOf = (agent: { token: string }, id: string) => feedHistory(world.url, agent.token, id)

/** Open voirie requests with a citizen, each citizen now reachable at its own address. */
async function withCitizens(count: number, tag: string): Promise<Row[]> {
  const sql = world.server.store.sql
  const found = await sql.all<Row & { citizen_id: string }>(
    `SELECT id, reference, version, status, fields, citizen_id FROM requests
     WHERE team_id = 'voirie' AND status IN ('new', 'qualified') AND citizen_id IS NOT NULL
     ORDER BY id DESC LIMIT ?`,
    [count],
  )
  expect(found).toHaveLength(count)
  for (const [i, r] of found.entries())
    await sql.run("UPDATE citizens SET email = ?, contact_preference = 'email' WHERE id = ?", [
      `${tag}-${i}@example.org`,
      r.citizen_id,
    ])
  return found
}

const noticesOf = (id: string) =>
  world.server.store.sql.all<{ event: string; status: string }>(
    'SELECT event, status FROM notices WHERE request_id = ?',
    [id],
  )

it('tells the duplicates of a resolved master, in their history and by e-mail to their citizens', async () => {
  const zoe = await token('zoe.agent')
  const [master, first, second] = (await withCitizens(3, 'resolu')) as [Row, Row, Row]
  for (const dup of [first, second]) {
    const linked = await transition(zoe, dup.id, 'mark_duplicate', { duplicateOf: master.reference })
    expect(linked.status, reasonOf(linked)).toBe('applied')
  }
  // The work on the master is done (its steps are not what this test is about).
  await world.server.store.sql.run("UPDATE requests SET status = 'done' WHERE id = ?", [master.id])
  const before = smtp.received.length
  const closed = await transition(zoe, master.id, 'close', { resolutionNote: 'Nid-de-poule rebouché.' })
  expect(closed.status, reasonOf(closed)).toBe('applied')

  for (const dup of [first, second]) {
    const followed = (await historyOf(zoe, dup.id)).filter((e) => e.kind === 'master_resolved')
    expect(followed).toHaveLength(1)
    expect(followed[0]!.data).toMatchObject({ masterId: master.id, masterReference: master.reference })
    expect(followed[0]!.actorId).toBeNull()
    // Still a duplicate: it follows its master's outcome without being closed again.
    expect((await row(dup.id)).status).toBe('duplicate')
  }
  // The master itself has no such event.
  expect((await historyOf(zoe, master.id)).map((e) => e.kind)).not.toContain('master_resolved')

  await notices.tick()
  const mails = (await smtp.waitFor(before + 2)).slice(before)
  for (const [dup, address] of [
    [first, 'resolu-1@example.org'],
    [second, 'resolu-2@example.org'],
  ] as const) {
    const mail = mails.find((m) => m.envelopeTo.includes(address))
    expect(mail, address).toBeDefined()
    expect(mail!.mail.subject).toBe(`Votre demande ${dup.reference} : le problème signalé est résolu`)
    expect(mail!.mail.text).toContain(
      `concernait le même problème que la demande ${master.reference}, qui vient d'être résolue`,
    )
    expect(await noticesOf(dup.id)).toEqual([{ event: 'master_resolved', status: 'sent' }])
  }
})

it('tells the duplicates of a rejected master nothing', async () => {
  const zoe = await token('zoe.agent')
  const [master, dup] = (await withCitizens(2, 'rejete')) as [Row, Row]
  const linked = await transition(zoe, dup.id, 'mark_duplicate', { duplicateOf: master.reference })
  expect(linked.status, reasonOf(linked)).toBe('applied')
  const rejected = await transition(zoe, master.id, 'reject', { reason: 'Hors du domaine public.' })
  expect(rejected.status, reasonOf(rejected)).toBe('applied')
  await notices.tick()

  expect((await historyOf(zoe, dup.id)).map((e) => e.kind)).not.toContain('master_resolved')
  expect(await noticesOf(dup.id)).toEqual([])
  // The rejected master's own citizen is told, as before: the job did run.
  expect((await noticesOf(master.id)).map((n) => n.event)).toEqual(['transition:reject'])
})
