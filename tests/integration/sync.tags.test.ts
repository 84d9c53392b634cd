/**
 * Tags on requests through the real server (SQLite, and PostgreSQL in integration-pg):
 * two consoles tagging the same request both keep their tags, the history says who tagged
 * what, the feed brings tags to the other consoles, the queue filters by tag, and a
 * selection is tagged (or given a priority) in one call with each request checked.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionInfo } from '../../src/shared/contract'
import type { Mutation, MutationResult } from '../../src/shared/sync'
import { DEMO_PASSWORD } from '../support/core'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
const DPO: SessionInfo = {
  agentId: 'agent-dina.dpo',
  login: 'dina.dpo',
  displayName: 'Dina Colin',
  roles: ['dpo'],
  teamIds: [],
  kind: 'online',
  startedAt: new Date().toISOString(),
}
/** `voirie` requests (zoe.agent's, luc.lead's and tom.tech's team), open ones first. */
let voirie: { id: string; reference: string }[]

beforeAll(async () => {
  world = await openSyncWorld({ requests: 140 })
  voirie = await world.server.store.sql.all<{ id: string; reference: string }>(
    "SELECT id, reference FROM requests WHERE team_id = 'voirie' ORDER BY status_kind DESC, id",
  )
  expect(voirie.length).toBeGreaterThanOrEqual(14)
})
afterAll(async () => {
  await world.close()
})

const serverTags = async (id: string) =>
  JSON.parse(
    (await world.server.store.sql.get<{ tags: string }>('SELECT tags FROM requests WHERE id = ?', [id]))!
      .tags,
  ) as string[]

const serverHistory = async (id: string, kind: string) =>
  (
    await world.server.store.sql.all<{ data: string; actor_name: string | null }>(
      'SELECT data, actor_name FROM history_events WHERE request_id = ? AND kind = ? ORDER BY id',
      [id, kind],
    )
  ).map((h) => ({ actor: h.actor_name, ...(JSON.parse(h.data) as Record<string, unknown>) }))

describe('tags through the server', () => {
  it('two consoles tagging the same request at once both keep their tags, and others see them', async () => {
    const { id } = voirie[0]!
    // A citizen's report through the portal: Open311 shows it to the public.
    await world.serverWrite("UPDATE requests SET channel = 'open311' WHERE id = ?", [id], { requests: [id] })
    const zoe = await world.client('zoe-1', 'zoe.agent')
    const luc = await world.client('luc-1', 'luc.lead')
    await zoe.sync()
    await luc.sync()

    // Both tag the same version, offline from each other.
    const mine = await zoe.value('request.tag', { id, add: ['Presse'], remove: [] })
    expect(mine.tags).toEqual(['Presse'])
    await luc.value('request.tag', { id, add: ['élu', 'hiver 2026'], remove: [] })
    expect((await zoe.sync()).conflicts).toBe(0)
    const lucStatus = await luc.sync()
    expect(lucStatus).toMatchObject({ pending: 0, conflicts: 0 })

    expect(new Set(await serverTags(id))).toEqual(new Set(['Presse', 'élu', 'hiver 2026']))
    expect(await serverHistory(id, 'tagged')).toEqual([
      { actor: 'Zoé Marchal', added: ['Presse'], removed: [] },
      { actor: 'Luc Henrion', added: ['élu', 'hiver 2026'], removed: [] },
    ])
    await zoe.sync()
    expect(new Set((await zoe.value('request.get', { id })).tags)).toEqual(
      new Set(['Presse', 'élu', 'hiver 2026']),
    )

    // A third console, which never tagged, gets them from the feed.
    const tom = await world.client('tom-1', 'tom.tech')
    await tom.sync()
    expect(new Set((await tom.value('request.get', { id })).tags)).toEqual(
      new Set(['Presse', 'élu', 'hiver 2026']),
    )
    const history = await tom.value('request.history', { id })
    expect(history.filter((h) => h.kind === 'tagged').map((h) => h.data.added)).toEqual([
      ['Presse'],
      ['élu', 'hiver 2026'],
    ])

    // The citizens' portal (Open311) never shows an agent's labels.
    const shown = await fetch(`${world.url}/open311/v2/requests/${id}.json`)
    expect(shown.status).toBe(200)
    const publicText = await shown.text()
    expect(publicText).toContain(id)
    expect(publicText).not.toMatch(/Presse|hiver 2026|"tags"/)

    // Removing by another spelling, on a console that did not put it there.
    await tom.value('request.tag', { id, add: [], remove: ['PRESSE'] })
    await tom.sync()
    expect(new Set(await serverTags(id))).toEqual(new Set(['élu', 'hiver 2026']))
  })

  it('the queue finds requests by tag, whatever the case, and the tags in use are counted', async () => {
    const [a, b, c] = [voirie[1]!, voirie[2]!, voirie[3]!]
    const zoe = await world.client('zoe-2', 'zoe.agent')
    await zoe.sync()
    await zoe.value('request.tag', { id: a.id, add: ['Rue Pasteur'], remove: [] })
    await zoe.value('request.tag', { id: b.id, add: ['rue pasteur', 'Nuit'], remove: [] })
    await zoe.value('request.tag', { id: c.id, add: ['Nuit'], remove: [] })
    await zoe.sync()

    const page = await zoe.value('queue.list', { filter: { tags: ['RUE PASTEUR'] }, limit: 100 })
    expect(page.rows.map((r) => r.id).sort()).toEqual([a.id, b.id].sort())
    expect(page.rows.find((r) => r.id === b.id)!.tags).toEqual(['rue pasteur', 'Nuit'])
    const anyOf = await zoe.value('queue.list', { filter: { tags: ['nuit', 'rue pasteur'] }, limit: 100 })
    expect(anyOf.rows.map((r) => r.id).sort()).toEqual([a.id, b.id, c.id].sort())
    // Page by page, in another order: the same requests, each once.
    const paged: string[] = []
    let after: string | null = null
    do {
      const page: { rows: { id: string }[]; nextCursor: string | null } = await zoe.value('queue.list', {
        filter: { tags: ['nuit', 'rue pasteur'] },
        sort: 'due_asc',
        after,
        limit: 1,
      })
      paged.push(...page.rows.map((r) => r.id))
      after = page.nextCursor
    } while (after)
    expect(paged.sort()).toEqual([a.id, b.id, c.id].sort())
    const counts = await zoe.value('queue.counts', { filter: { tags: ['nuit'] } })
    expect(counts.total).toBe(2)
    expect((await zoe.value('queue.list', { filter: { tags: ['personne'] }, limit: 100 })).rows).toEqual([])

    const inUse = await zoe.value('tags.list', {})
    expect(inUse.find((t) => t.tag.toLowerCase() === 'rue pasteur')?.count).toBe(2)
    expect(inUse.find((t) => t.tag === 'Nuit')?.count).toBe(2)

    // The view's CSV export carries them in one « Étiquettes » cell, formula-safe like every cell.
    await zoe.value('request.tag', { id: a.id, add: ['=SOMME(A1)'], remove: [] })
    const { csv } = await zoe.value('queue.exportPage', {
      filter: { tags: ['nuit', '=somme(a1)'] },
      sort: 'created_desc',
      after: null,
      language: 'fr',
    })
    const [header, ...lines] = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    expect(header!.split(';').at(-1)).toBe('Étiquettes')
    const cellOf = (reference: string) =>
      lines
        .find((l) => l.startsWith(`${reference};`))
        ?.split(';')
        .at(-1)
    expect(cellOf(b.reference)).toBe('rue pasteur, Nuit')
    expect(cellOf(c.reference)).toBe('Nuit')
    await zoe.value('request.tag', { id: a.id, add: [], remove: ['rue pasteur'] })
    const again = await zoe.value('queue.exportPage', {
      filter: { tags: ['=SOMME(A1)'] },
      sort: 'created_desc',
      after: null,
      language: 'fr',
    })
    expect(again.csv.trim().split('\r\n')[1]!.split(';').at(-1)).toBe("'=SOMME(A1)")

    // Another team's agent sees neither these requests nor their tags.
    const nora = await world.client('nora-2', 'nora.agent')
    await nora.sync()
    expect((await nora.value('tags.list', {})).map((t) => t.tag)).not.toContain('Nuit')
    expect((await nora.value('queue.list', { filter: { tags: ['Nuit'] }, limit: 100 })).rows).toEqual([])
  })

  it('a role that may not change requests is refused with words, on the console and on the server', async () => {
    const { id } = voirie[4]!
    const dina = await world.client('dina-3', 'dina.dpo')
    await dina.sync()
    const refused = await dina.call('request.tag', { id, add: ['presse'], remove: [] })
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: 'Votre rôle ne permet pas de modifier les demandes.' },
    })
    // Another team's agent: the request does not exist for them.
    const nora = await world.client('nora-3', 'nora.agent')
    await nora.sync()
    expect(await nora.call('request.tag', { id, add: ['presse'], remove: [] })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })

    // The same change sent to the server directly is refused there too.
    const clientId = `test-dina-${randomUUID().slice(0, 8)}`
    const token = await fetch(`${world.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grantType: 'password', login: 'dina.dpo', password: DEMO_PASSWORD, clientId }),
    }).then(async (r) => ((await r.json()) as { accessToken: string }).accessToken)
    const mutation: Mutation = {
      mutationId: randomUUID(),
      clientId,
      entityId: id,
      baseVersion: 0,
      createdAt: Date.now(),
      op: 'tag',
      payload: { add: ['presse'], remove: [] },
    }
    const reply = await fetch(`${world.url}/api/v1/mutations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mutations: [mutation] }),
    })
    expect(reply.status).toBe(200)
    const [result] = ((await reply.json()) as { results: MutationResult[] }).results
    expect(result).toMatchObject({
      status: 'rejected',
      code: 'forbidden',
      reason: 'Votre rôle ne permet pas de modifier les demandes.',
    })
    expect(await serverTags(id)).toEqual([])
  })

  it('a selection is tagged in one call, each request checked: one refusal listed with its reason', async () => {
    const picked = voirie.slice(5, 9)
    const full = picked[0]!
    // One request already carries the most tags a request may.
    const twenty = Array.from({ length: 20 }, (_, i) => `t${i}`)
    await world.serverWrite('UPDATE requests SET tags = ? WHERE id = ?', [JSON.stringify(twenty), full.id], {
      requests: [full.id],
    })
    const luc = await world.client('luc-4', 'luc.lead')
    await luc.sync()
    const outcome = await luc.value('requests.bulkTag', {
      ids: picked.map((r) => r.id),
      add: ['Tempête'],
      remove: [],
    })
    expect(outcome.done.sort()).toEqual(
      picked
        .slice(1)
        .map((r) => r.id)
        .sort(),
    )
    expect(outcome.refused).toEqual([
      {
        id: full.id,
        reference: full.reference,
        code: 'invalid_input',
        reason: expect.stringContaining('au plus 20 étiquettes'),
      },
    ])
    await luc.sync()
    for (const r of picked.slice(1)) expect(await serverTags(r.id)).toContain('Tempête')
    expect(await serverTags(full.id)).toEqual(twenty)
  })

  it('a tag the server refuses (already 20 tags there) waits in the inbox with the reason, in words', async () => {
    const { id } = voirie[12]!
    const zoe = await world.client('zoe-6', 'zoe.agent')
    await zoe.sync()
    await zoe.value('request.tag', { id, add: ['un de trop'], remove: [] })
    // Meanwhile, on the server, the request got its twenty tags.
    const twenty = Array.from({ length: 20 }, (_, i) => `s${i}`)
    await world.serverWrite('UPDATE requests SET tags = ? WHERE id = ?', [JSON.stringify(twenty), id], {
      requests: [id],
    })
    const status = await zoe.sync()
    expect(status).toMatchObject({ pending: 0, conflicts: 1 })
    const [conflict] = await zoe.value('conflicts.list', {})
    expect(conflict).toMatchObject({
      requestId: id,
      op: 'tag',
      kind: 'rejected',
      reason: expect.stringContaining('au plus 20 étiquettes'),
      fields: [{ field: 'tags', mine: '+ un de trop', theirs: twenty.join(', ') }],
    })
    expect(await serverTags(id)).toEqual(twenty)
    expect((await zoe.value('request.get', { id })).tags).toEqual(twenty)
  })

  it('an erasure takes the citizen out of the tags too, and a tag queued before it is not applied', async () => {
    const { id } = voirie[13]!
    const citizenId = randomUUID()
    await world.serverWrite(
      `INSERT INTO citizens (id, name, email, phone, postal_address, contact_preference) VALUES (?, ?, ?, ?, ?, ?)`,
      [citizenId, 'Éloïse Quintavalle', null, null, null, 'none'],
      {},
    )
    await world.serverWrite('UPDATE requests SET citizen_id = ? WHERE id = ?', [citizenId, id], {
      requests: [id],
    })
    const zoe = await world.client('zoe-7', 'zoe.agent')
    await zoe.sync()
    await zoe.value('request.tag', { id, add: ['rappeler Quintavalle', 'presse'], remove: [] })
    await zoe.sync()
    expect(await serverTags(id)).toContain('rappeler Quintavalle')
    // Offline, another tag naming her waits in the outbox while the DPO erases her data.
    const luc = await world.client('luc-7', 'luc.lead')
    await luc.sync()
    await luc.value('request.tag', { id, add: ['Mme Quintavalle'], remove: [] })
    await world.server.store.eraseCitizen(DPO, citizenId, 'Demande de l’usager')

    const erased = await serverTags(id)
    expect(erased).toContain('presse')
    expect(erased.join(' ')).not.toMatch(/Quintavalle/)
    const history = await serverHistory(id, 'tagged')
    expect(JSON.stringify(history)).not.toMatch(/Quintavalle/)
    const status = await luc.sync()
    expect(status.conflicts).toBe(1)
    expect((await serverTags(id)).join(' ')).not.toMatch(/Quintavalle/)
    await zoe.sync()
    expect((await zoe.value('request.get', { id })).tags?.join(' ')).not.toMatch(/Quintavalle/)
  })

  it('a selection gets its priority in one call, each request an edit of its own', async () => {
    const picked = voirie.slice(9, 12).map((r) => r.id)
    const zoe = await world.client('zoe-5', 'zoe.agent')
    await zoe.sync()
    const outcome = await zoe.value('requests.bulkPriority', { ids: picked, priority: 'urgent' })
    expect(outcome).toEqual({ done: picked, refused: [] })
    expect((await zoe.sync()).pending).toBe(0)
    for (const id of picked) {
      const row = await world.server.store.sql.get<{ priority: string }>(
        'SELECT priority FROM requests WHERE id = ?',
        [id],
      )
      expect(row!.priority).toBe('urgent')
      expect((await serverHistory(id, 'edited')).at(-1)).toMatchObject({
        changes: [expect.objectContaining({ field: 'priority', to: 'urgent' })],
      })
    }
    // The DPO's selection is refused request by request, with words.
    const dina = await world.client('dina-5', 'dina.dpo')
    await dina.sync()
    const refused = await dina.value('requests.bulkPriority', { ids: picked.slice(0, 1), priority: 'low' })
    expect(refused.done).toEqual([])
    expect(refused.refused[0]).toMatchObject({ code: 'forbidden', reason: expect.stringMatching(/rôle/) })
  })
})
