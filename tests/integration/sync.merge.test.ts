/**
 * Merging a duplicate into its master (issue 14), between consoles through a real server over
 * real HTTP, on SQLite and again on PostgreSQL: the duplicate's comments and photo carried
 * over to the master (the same stored bytes), its citizen told by e-mail (a real SMTP relay)
 * when the master is resolved, `merged` in both histories, and all of it on another console
 * through the change feed; a push sent twice merges once; a merge refused (no right, already
 * merged, changed meanwhile) says why, on the console and in its conflict inbox.
 */
import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppConfigSchema } from '../../src/core/config'
import { startNotificationJob, type NotificationJob } from '../../src/server/notifications/dispatcher'
import { carriedId } from '../../src/core/requests/merge'
import type { Mutation, MutationResult } from '../../src/shared/sync'
import { startFaultProxy } from '../support/faultProxy'
import { feedHistory } from '../support/feedHistory'
import { accessTokenOf } from '../support/passwordLogin'
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer'
import { openSyncWorld, type SyncClient, type SyncWorld } from '../support/syncWorld'
import { makePki } from '../support/tlsCerts'

const PASSWORD_ENV = 'GRC_TEST_MERGE_SMTP_PASSWORD'

interface ServerRow {
  id: string
  reference: string
  version: number
  status: string
  fields: string
  citizen_id: string | null
}

let world: SyncWorld
let smtp: TestSmtpServer
let notices: NotificationJob
let zoe: SyncClient
let luc: SyncClient
/** Open voirie requests, those with a citizen first, handed out once each. */
let fresh: ServerRow[]

beforeAll(async () => {
  world = await openSyncWorld({ requests: 400 })
  fresh = await world.server.store.sql.all<ServerRow>(
    `SELECT id, reference, version, status, fields, citizen_id FROM requests
     WHERE team_id = 'voirie' AND status IN ('new', 'qualified')
     ORDER BY CASE WHEN citizen_id IS NULL THEN 1 ELSE 0 END, id LIMIT 16`,
  )
  expect(fresh.length).toBeGreaterThanOrEqual(13)
  // The notices job as a server with notifications configured runs it, through a real SMTP relay.
  const pki = makePki()
  smtp = await startTestSmtpServer(pki)
  process.env[PASSWORD_ENV] = smtp.password
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
  zoe = await world.client('zoe-merge', 'zoe.agent')
  luc = await world.client('luc-merge', 'luc.lead')
  await zoe.sync()
  await luc.sync()
})
afterAll(async () => {
  await notices?.stop()
  await world?.close()
  await smtp?.close()
  delete process.env[PASSWORD_ENV]
})

const take = () => fresh.shift()!

const serverRow = async (id: string) =>
  (await world.server.store.sql.get<ServerRow>(
    'SELECT id, reference, version, status, fields, citizen_id FROM requests WHERE id = ?',
    [id],
  ))!

const serverComments = (requestId: string) =>
  world.server.store.sql.all<{ id: string; body: string }>(
    'SELECT id, body FROM comments WHERE request_id = ? ORDER BY created_at, id',
    [requestId],
  )

const serverFiles = (requestId: string) =>
  world.server.store.sql.all<{ id: string; sha256: string; name: string }>(
    'SELECT id, sha256, name FROM attachments WHERE request_id = ? ORDER BY id',
    [requestId],
  )

async function token(login: string) {
  const clientId = `test-${login}-${randomUUID().slice(0, 8)}`
  return { clientId, token: await accessTokenOf(world.url, login, clientId) }
}

/** A batch pushed as a console pushes it; the server's answers. */
async function push(agent: { token: string }, mutations: Mutation[]): Promise<MutationResult[]> {
  const r = await fetch(`${world.url}/api/v1/mutations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ mutations }),
  })
  expect(r.status).toBe(200)
  return ((await r.json()) as { results: MutationResult[] }).results
}

async function mergeMutation(agent: { clientId: string }, masterId: string, duplicateId: string) {
  const [master, duplicate] = [await serverRow(masterId), await serverRow(duplicateId)]
  return {
    mutationId: randomUUID(),
    clientId: agent.clientId,
    entityId: master.id,
    baseVersion: master.version,
    createdAt: Date.now(),
    op: 'merge',
    payload: { duplicateId: duplicate.id, duplicateVersion: duplicate.version },
  } satisfies Mutation
}

const reasonOf = (r: MutationResult) => (r.status === 'rejected' ? r.reason : `(${r.status})`)

async function photo() {
  const jpeg = await sharp({
    create: { width: 400, height: 300, channels: 3, background: { r: 30, g: 90, b: 160 } },
  })
    .jpeg()
    .toBuffer()
  return new Uint8Array(jpeg)
}

describe('merging a duplicate into its master', () => {
  let master: ServerRow
  let duplicate: ServerRow
  const notes = ['Le trou fait bien 40 cm, sur la voie de droite.', 'Appel de l’usager : ça empire.']

  it('carries the comments, the photo and the citizen over, with `merged` in both histories', async () => {
    master = take()
    duplicate = take()
    for (const body of notes) await zoe.value('request.comment', { id: duplicate.id, kind: 'internal', body })
    const added = await zoe.value('attachments.add', {
      requestId: duplicate.id,
      name: 'trou.jpg',
      bytes: await photo(),
    })
    expect((await zoe.settle()).pending).toBe(0)

    const preview = await zoe.value('duplicates.mergePreview', { id: master.id, duplicateId: duplicate.id })
    expect(preview).toMatchObject({
      merge: { allowed: true },
      reference: duplicate.reference,
      comments: notes.length,
      attachments: 1,
      citizen: true,
    })

    const shown = await zoe.value('duplicates.merge', {
      id: master.id,
      duplicateId: duplicate.id,
      duplicateVersion: preview.version,
    })
    expect(shown.id).toBe(master.id)
    expect((await zoe.settle()).pending).toBe(0)

    // On the server: the duplicate linked and merged, its comments and photo on the master.
    const after = await serverRow(duplicate.id)
    expect(after.status).toBe('duplicate')
    expect(JSON.parse(after.fields)).toMatchObject({
      duplicateOf: master.reference,
      mergedInto: master.reference,
    })
    expect((await serverComments(master.id)).map((c) => c.body)).toEqual(expect.arrayContaining(notes))
    const [original] = await serverFiles(duplicate.id)
    const copies = await serverFiles(master.id)
    expect(copies).toEqual([
      { id: carriedId(master.id, added.id), sha256: original!.sha256, name: 'trou.jpg' },
    ])

    // On the console that merged: everything, the history applied.
    const comments = await zoe.value('request.comments', { id: master.id })
    expect(comments.map((c) => c.body)).toEqual(expect.arrayContaining(notes))
    const merged = (await zoe.value('request.history', { id: master.id })).filter((e) => e.kind === 'merged')
    expect(merged).toHaveLength(1)
    expect(merged[0]!.sync).toBeUndefined()
    expect(merged[0]!.data).toMatchObject({
      direction: 'in',
      otherReference: duplicate.reference,
      comments: notes.length,
      attachments: 1,
      citizen: true,
    })
  })

  it('shows all of it on another console through the feed, the photo from the same bytes', async () => {
    await luc.sync()
    const detail = await luc.value('request.get', { id: duplicate.id })
    expect(detail.status).toBe('duplicate')
    const outOfIt = (await luc.value('request.history', { id: duplicate.id })).filter(
      (e) => e.kind === 'merged',
    )
    expect(outOfIt.map((e) => e.data)).toEqual([
      expect.objectContaining({ direction: 'out', otherReference: master.reference }),
    ])
    const comments = await luc.value('request.comments', { id: master.id })
    expect(comments.map((c) => c.body)).toEqual(expect.arrayContaining(notes))
    const files = await luc.value('attachments.ofRequest', { requestId: master.id })
    expect(files.items.map((f) => f.name)).toEqual(['trou.jpg'])
    const thumb = await luc.value('attachments.thumbnail', { id: files.items[0]!.id })
    expect((await sharp(thumb.bytes!).metadata()).format).toBe('jpeg')
    // Merged for good: it can no longer be un-linked.
    const unlink = await luc.call('duplicates.unlink', { id: duplicate.id })
    expect(unlink.ok ? '' : unlink.error.message).toContain(`fusionnée dans ${master.reference}`)
    // Nor does the detail offer a way back to work: every transition to an open state is blocked, with why.
    const { allowed, blocked } = await luc.value('request.transitions', { id: duplicate.id })
    const open = new Set(['new', 'qualified', 'assigned', 'planned', 'in_progress', 'waiting_citizen'])
    expect(allowed.filter((t) => open.has(t.to))).toEqual([])
    expect(
      blocked.filter((t) => t.reasons.some((r) => r.code === 'guard' && r.guard === 'notMerged')),
    ).not.toEqual([])
  })

  it('tells the merged duplicate’s citizen, by e-mail, when the master is resolved', async () => {
    await world.server.store.sql.run(
      "UPDATE citizens SET email = 'fusion@example.org', contact_preference = 'email' WHERE id = ?",
      [duplicate.citizen_id],
    )
    // The work on the master is done (its steps are not what this test is about).
    await world.serverWrite("UPDATE requests SET status = 'done' WHERE id = ?", [master.id], {
      requests: [master.id],
    })
    await zoe.sync()
    await zoe.value('request.transition', {
      id: master.id,
      transitionId: 'close',
      fields: { resolutionNote: 'Nid-de-poule rebouché.' },
    })
    expect((await zoe.settle()).pending).toBe(0)
    const agent = await token('zoe.agent')
    const told = (await feedHistory(world.url, agent.token, duplicate.id)).filter(
      (e) => e.kind === 'master_resolved',
    )
    expect(told.map((e) => e.data)).toEqual([expect.objectContaining({ masterReference: master.reference })])
    const before = smtp.received.length
    await notices.tick()
    const toCitizen = () =>
      smtp.received.slice(before).find((m) => m.envelopeTo.includes('fusion@example.org'))
    await expect.poll(toCitizen).toBeDefined()
    const mail = toCitizen()
    expect(mail?.mail.subject).toBe(`Votre demande ${duplicate.reference} : le problème signalé est résolu`)
    expect(mail!.mail.text).toContain(`la demande ${master.reference}, qui vient d'être résolue`)
  })
})

it('merges once when the same push arrives twice, with a comment made just before in the batch', async () => {
  const [master, duplicate] = [take(), take()]
  const agent = await token('zoe.agent')
  const before = await serverRow(duplicate.id)
  const comment: Mutation = {
    mutationId: randomUUID(),
    clientId: agent.clientId,
    entityId: duplicate.id,
    baseVersion: before.version,
    createdAt: Date.now(),
    op: 'comment',
    payload: { commentId: randomUUID(), kind: 'internal', body: 'Signalé aussi par le gardien.' },
  }
  const batch = [comment, await mergeMutation(agent, master.id, duplicate.id)]
  const first = await push(agent, batch)
  const again = await push(agent, batch)
  expect(first.map((r) => r.status)).toEqual(['applied', 'applied'])
  expect(again.map((r) => [r.status, (r as { version?: number }).version])).toEqual(
    first.map((r) => [r.status, (r as { version?: number }).version]),
  )
  const carried = (await serverComments(master.id)).filter((c) => c.body === 'Signalé aussi par le gardien.')
  expect(carried.map((c) => c.id)).toEqual([carriedId(master.id, comment.payload.commentId)])
  const merged = (await feedHistory(world.url, agent.token, master.id)).filter((e) => e.kind === 'merged')
  expect(merged).toHaveLength(1)
})

describe('a refused merge says why', () => {
  it('refuses a role that may not link duplicates, on the server', async () => {
    const [master, duplicate] = [take(), take()]
    const tom = await token('tom.tech')
    const [refused] = await push(tom, [await mergeMutation(tom, master.id, duplicate.id)])
    expect(refused!.status).toBe('rejected')
    expect(reasonOf(refused!)).toMatch(/^Votre rôle ne permet pas de (fusionner|modifier)/)
    expect((await serverRow(duplicate.id)).status).toBe(duplicate.status)
  })

  it('refuses a duplicate already merged elsewhere, on the console and on the server', async () => {
    const [master, duplicate, other] = [take(), take(), take()]
    const agent = await token('zoe.agent')
    const [applied] = await push(agent, [await mergeMutation(agent, master.id, duplicate.id)])
    expect(applied!.status, reasonOf(applied!)).toBe('applied')
    await zoe.sync()

    const preview = await zoe.value('duplicates.mergePreview', { id: other.id, duplicateId: duplicate.id })
    expect(preview.merge).toMatchObject({ allowed: false, refusal: 'state' })
    expect(preview.merge.reason).toContain(`a déjà été fusionnée dans ${master.reference}`)
    const onConsole = await zoe.call('duplicates.merge', { id: other.id, duplicateId: duplicate.id })
    expect(onConsole.ok ? '' : onConsole.error.message).toContain(`fusionnée dans ${master.reference}`)

    const [onServer] = await push(agent, [await mergeMutation(agent, other.id, duplicate.id)])
    expect(reasonOf(onServer!)).toContain(
      `${duplicate.reference} a déjà été fusionnée dans ${master.reference}`,
    )
  })

  it('refuses a merge of a duplicate another agent changed meanwhile, into the inbox with its words', async () => {
    const [mine, duplicate] = [take(), take()]
    // Zoé's second workstation, cut from the server while she merges what she sees there.
    const proxy = await startFaultProxy(world.url)
    const away = await world.client('zoe-merge-away', 'zoe.agent', { via: proxy.url })
    try {
      await away.sync()
      proxy.setOffline(true)
      await away.value('duplicates.merge', { id: mine.id, duplicateId: duplicate.id })
      // Said at once in both histories, waiting for the server.
      for (const id of [mine.id, duplicate.id]) {
        const waiting = (await away.value('request.history', { id })).find((e) => e.kind === 'merged')
        expect(waiting?.sync?.state).toBe('pending')
      }
      // Luc, meanwhile, edits the duplicate; his change reaches the server first.
      await luc.sync()
      await luc.value('request.update', { id: duplicate.id, patch: { priority: 'high' } })
      expect((await luc.settle()).pending).toBe(0)
      proxy.setOffline(false)
      expect(await away.settle()).toMatchObject({ pending: 0, conflicts: 1 })

      const [inbox] = await away.value('conflicts.list', {})
      expect(inbox).toMatchObject({ op: 'merge', kind: 'rejected', requestId: mine.id })
      expect(inbox!.reason).toContain(`${duplicate.reference} a été modifiée par Luc`)
      expect(inbox!.reason).toContain('fusion non appliquée')
      expect(inbox!.fields).toEqual([expect.objectContaining({ field: 'merge', mine: duplicate.reference })])
      const said = (await away.value('request.history', { id: mine.id })).find((e) => e.kind === 'merged')
      expect(said?.sync?.state).toBe('rejected')
      // Nothing merged: the duplicate is worked on its own, as Luc left it.
      const after = await away.value('request.get', { id: duplicate.id })
      expect(after).toMatchObject({ status: duplicate.status, priority: 'high' })
      expect(after.fields).not.toHaveProperty('mergedInto')
      // Settling it cannot send it again: a merge is redone from the panel.
      const resend = await away.call('conflicts.resolve', { id: inbox!.id, choice: 'mine' })
      expect(resend.ok ? '' : resend.error.message).toContain('recommencez-la depuis le panneau des doublons')
    } finally {
      await away.close()
      await proxy.close()
    }
  })
})

describe('erasing the citizen of a merged duplicate', () => {
  it('reaches the copies on the master, leaves the master’s own comments, and reaches the consoles', async () => {
    const master = take()
    const duplicate = fresh.find((r) => r.citizen_id !== null)!
    fresh.splice(fresh.indexOf(duplicate), 1)
    const citizen = (await world.server.store.sql.get<{ name: string }>(
      'SELECT name FROM citizens WHERE id = ?',
      [duplicate.citizen_id],
    ))!
    const own = 'Voirie prévenue, passage prévu jeudi.'
    await zoe.value('request.comment', { id: master.id, kind: 'public', body: own })
    const told = `${citizen.name} a rappelé : le trou s’agrandit.`
    await zoe.value('request.comment', { id: duplicate.id, kind: 'public', body: told })
    expect((await zoe.settle()).pending).toBe(0)
    const preview = await zoe.value('duplicates.mergePreview', { id: master.id, duplicateId: duplicate.id })
    await zoe.value('duplicates.merge', {
      id: master.id,
      duplicateId: duplicate.id,
      duplicateVersion: preview.version,
    })
    expect((await zoe.settle()).pending).toBe(0)
    expect((await serverComments(master.id)).map((c) => c.body)).toContain(told)
    const versionBefore = (await serverRow(master.id)).version

    const dpo = await accessTokenOf(world.url, 'dina.dpo', 'merge-erase')
    const erased = await fetch(`${world.url}/api/v1/privacy/citizens/${duplicate.citizen_id}/erase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dpo}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Demande de l’usager (art. 17)' }),
    })
    expect(erased.status).toBe(200)

    // On the server: the copy no longer names the citizen; the master's own comment is as it was.
    const onMaster = (await serverComments(master.id)).map((c) => c.body)
    expect(onMaster).toContain(own)
    expect(onMaster.join('\n')).not.toContain(citizen.name)
    expect(onMaster.some((b) => b.includes('a rappelé : le trou s’agrandit.'))).toBe(true)
    expect((await serverRow(master.id)).version).toBeGreaterThan(versionBefore)

    // On another console, through the feed.
    await luc.sync()
    const shown = (await luc.value('request.comments', { id: master.id })).map((c) => c.body)
    expect(shown).toContain(own)
    expect(shown.join('\n')).not.toContain(citizen.name)
  })
})
