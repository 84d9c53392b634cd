/**
 * Every contract operation through the real dispatch on a real SQLite file, with each
 * role: what it may do, what it is refused, and that a refusal changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestSummary } from '../../src/shared/domain'
import { openTestCore, type TestCore } from '../support/core'

let t: TestCore

beforeAll(async () => {
  t = await openTestCore({ requests: 600 })
})
afterAll(() => t.close())

const count = (table: string) => (t.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n

async function firstRow(filter: Record<string, unknown>): Promise<RequestSummary> {
  const page = await t.value('queue.list', { filter, limit: 1 })
  const row = page.rows[0]
  if (!row) throw new Error(`no request for ${JSON.stringify(filter)}`)
  return row
}

describe('sessions', () => {
  it('refuses a wrong password and an empty one, and every call without a session', async () => {
    await t.call('session.logout', {})
    expect(await t.call('session.login', { login: 'zoe.agent', password: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'bad_credentials' },
    })
    expect(await t.call('session.login', { login: 'zoe.agent', password: '' })).toMatchObject({ ok: false })
    expect(await t.call('queue.list', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } })
    expect(await t.value('session.current', {})).toBeNull()
  })

  it('logs every demo role in with its teams', async () => {
    for (const login of ['zoe.agent', 'luc.lead', 'tom.tech', 'sara.sup', 'dina.dpo', 'alex.admin']) {
      const s = await t.as(login)
      expect(s.login).toBe(login)
      expect(s.roles.length).toBeGreaterThan(0)
    }
  })
})

describe('visibility by team', () => {
  it('an agent only lists, counts and opens requests of their teams', async () => {
    const zoe = await t.as('zoe.agent')
    const page = await t.value('queue.list', { limit: 500 })
    expect(page.rows.length).toBeGreaterThan(0)
    expect(page.rows.every((r) => zoe.teamIds.includes(r.teamId))).toBe(true)
    const counts = await t.value('queue.counts', {})
    const mine = t.db
      .prepare(
        `SELECT count(*) AS n FROM requests WHERE team_id IN (${zoe.teamIds.map(() => '?').join(',')})`,
      )
      .get(...zoe.teamIds) as { n: number }
    expect(counts.total).toBe(mine.n)

    const other = t.db
      .prepare(
        `SELECT id FROM requests WHERE team_id NOT IN (${zoe.teamIds.map(() => '?').join(',')}) LIMIT 1`,
      )
      .get(...zoe.teamIds) as { id: string }
    for (const channel of [
      'request.get',
      'request.history',
      'request.comments',
      'request.transitions',
    ] as const) {
      expect(await t.call(channel, { id: other.id })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      })
    }
    // Several at once: in the order asked, another team's request left out as if it did not exist.
    const [a, b] = page.rows
    const many = await t.value('request.getMany', { ids: [b!.id, other.id, a!.id, 'nope'] })
    expect(many.map((d) => d.id)).toEqual([b!.id, a!.id])
  })

  it('a supervisor sees every team', async () => {
    await t.as('sara.sup')
    const counts = await t.value('queue.counts', {})
    expect(counts.total).toBe(count('requests'))
  })
})

describe('citizen data', () => {
  async function requestWithCitizen(): Promise<string> {
    const zoe = await t.as('zoe.agent')
    const row = t.db
      .prepare(
        `SELECT id FROM requests WHERE citizen_id IS NOT NULL AND team_id IN (${zoe.teamIds.map(() => '?').join(',')}) LIMIT 1`,
      )
      .get(...zoe.teamIds) as { id: string }
    return row.id
  }

  it('is returned to an agent and every read is logged', async () => {
    const id = await requestWithCitizen()
    const before = count('access_log')
    const citizen = await t.value('request.citizen', { id })
    expect(citizen?.name).toBeTruthy()
    expect(count('access_log')).toBe(before + 1)
    const history = await t.value('request.history', { id })
    expect(history.some((h) => h.kind === 'viewed_personal_data')).toBe(true)
  })

  it('is delivered for a stated purpose, which the log and the history keep (local profile)', async () => {
    const id = await requestWithCitizen()
    const before = count('access_log')
    const contact = await t.value('request.citizenContact', { id, purpose: 'written_reply' })
    expect(contact).toMatchObject({ purpose: 'written_reply', offline: false })
    expect(count('access_log')).toBe(before + 1)
    const history = await t.value('request.history', { id })
    expect(history.at(-1)).toMatchObject({ kind: 'viewed_personal_data', data: { purpose: 'written_reply' } })
  })

  it('is refused to a technician and an admin, and nothing is logged', async () => {
    const id = await requestWithCitizen()
    const before = count('access_log')
    await t.as('tom.tech')
    expect(await t.call('request.citizen', { id })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await t.call('request.citizenContact', { id, purpose: 'intervention' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    await t.as('alex.admin')
    expect(await t.call('request.citizen', { id })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await t.call('request.citizenContact', { id, purpose: 'callback' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(count('access_log')).toBe(before)
  })
})

describe('workflow through the contract', () => {
  it('a rejection needs a reason; with it the status, history and outbox change together', async () => {
    await t.as('zoe.agent')
    const row = await firstRow({ status: ['new'] })
    const availability = await t.value('request.transitions', { id: row.id })
    expect(availability.allowed.map((a) => a.id)).toContain('reject')
    const [history0, outbox0] = [count('history_events'), count('outbox')]
    const version0 = (await t.value('request.get', { id: row.id })).version

    const refused = await t.call('request.transition', { id: row.id, transitionId: 'reject', fields: {} })
    expect(refused).toMatchObject({ ok: false, error: { code: 'transition_refused' } })
    expect(JSON.stringify(refused)).toContain('missing_field')
    expect((await t.value('request.get', { id: row.id })).status).toBe('new')
    expect([count('history_events'), count('outbox')]).toEqual([history0, outbox0])

    const done = await t.value('request.transition', {
      id: row.id,
      transitionId: 'reject',
      fields: { reason: 'Hors compétence de la commune' },
    })
    expect(done.status).toBe('rejected')
    expect(done.statusKind).toBe('closed')
    expect(done.fields.reason).toBe('Hors compétence de la commune')
    expect(done.version).toBe(version0 + 1)
    expect([count('history_events'), count('outbox')]).toEqual([history0 + 1, outbox0 + 1])
    const last = (await t.value('request.history', { id: row.id })).at(-1)
    expect(last).toMatchObject({ kind: 'transitioned', data: { from: 'new', to: 'rejected' } })
  })

  it('a stale version is refused instead of overwriting, and writes nothing', async () => {
    await t.as('zoe.agent')
    const row = await firstRow({ status: ['new'] })
    const detail = await t.value('request.get', { id: row.id })
    const [history0, outbox0] = [count('history_events'), count('outbox')]
    const r = await t.call('request.transition', {
      id: row.id,
      transitionId: 'qualify',
      baseVersion: detail.version + 5,
    })
    expect(r).toMatchObject({ ok: false, error: { code: 'version_conflict' } })
    expect([count('history_events'), count('outbox')]).toEqual([history0, outbox0])
  })

  it('an unknown transition and a wrong-state transition are refused with reasons', async () => {
    await t.as('zoe.agent')
    const row = await firstRow({ status: ['new'] })
    expect(await t.call('request.transition', { id: row.id, transitionId: 'teleport' })).toMatchObject({
      ok: false,
      error: { code: 'transition_refused' },
    })
    const wrongState = await t.call('request.transition', {
      id: row.id,
      transitionId: 'close',
      fields: { resolutionNote: 'x' },
    })
    expect(JSON.stringify(wrongState)).toContain('wrong_state')
  })

  it('the DPO reads but cannot move the workflow', async () => {
    await t.as('dina.dpo')
    const row = await firstRow({ status: ['new'] })
    const availability = await t.value('request.transitions', { id: row.id })
    expect(availability.allowed).toEqual([])
    expect(await t.call('request.comment', { id: row.id, kind: 'internal', body: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
  })
})

describe('assignment', () => {
  it('is refused to an agent, allowed to the team lead, refused outside the team', async () => {
    const luc = await t.as('luc.lead')
    const row = await firstRow({ teamId: [luc.teamIds[0]!], status: ['new', 'qualified'] })
    const reference = await t.value('reference.get', {})
    const teammate = reference.agents.find((a) => a.teamIds.includes(row.teamId) && a.id !== luc.agentId)
    const outsider = reference.agents.find((a) => !a.teamIds.includes(row.teamId))
    expect(teammate).toBeDefined()

    await t.as('zoe.agent')
    const outbox0 = count('outbox')
    expect(await t.call('request.assign', { id: row.id, assigneeId: teammate!.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(count('outbox')).toBe(outbox0)

    await t.as('luc.lead')
    const assigned = await t.value('request.assign', { id: row.id, assigneeId: teammate!.id })
    expect(assigned.assigneeId).toBe(teammate!.id)
    expect(count('outbox')).toBe(outbox0 + 1)
    if (outsider) {
      await t.as('sara.sup')
      expect(await t.call('request.assign', { id: row.id, assigneeId: outsider.id })).toMatchObject({
        ok: false,
        error: { code: 'invalid_input' },
      })
    }
  })
})

describe('comments, creation, saved views', () => {
  it('stores internal notes and public replies verbatim, even markup', async () => {
    await t.as('zoe.agent')
    const row = await firstRow({})
    const body = '<script>alert(1)</script> Merci pour votre signalement'
    await t.value('request.comment', { id: row.id, kind: 'public', body })
    const comments = await t.value('request.comments', { id: row.id })
    expect(comments.at(-1)).toMatchObject({ kind: 'public', body })
  })

  it('creates a request at the counter and routes it to a team, with history', async () => {
    const zoe = await t.as('zoe.agent')
    const reference = await t.value('reference.get', {})
    const category = reference.categories.find((c) => c.requiresLocation)!
    const created = await t.value('request.create', {
      categoryId: category.id,
      channel: 'counter',
      title: 'Nid-de-poule devant la mairie',
      description: 'Trou profond sur la chaussée',
      address: 'Place Stanislas, 54000 Nancy',
      location: { lat: 48.6936, lon: 6.1832 },
    })
    expect(created.reference).toMatch(/^GRC-\d{4}-\d{6}$/)
    expect(created.status).toBe('new')
    expect(created.dueAt).not.toBeNull()
    const history = t.db
      .prepare('SELECT kind FROM history_events WHERE request_id = ? ORDER BY id')
      .all(created.id)
    expect(history.map((h) => (h as { kind: string }).kind)).toEqual(['created', 'routed'])
    const mutation = t.db.prepare('SELECT op, entity_id FROM outbox WHERE entity_id = ?').get(created.id)
    expect(mutation).toMatchObject({ op: 'create' })
    expect(zoe.teamIds.length).toBeGreaterThan(0)
  })

  it('keeps each agent’s saved views to themselves', async () => {
    await t.as('zoe.agent')
    const view = await t.value('views.save', {
      name: 'Mes urgences',
      filter: { priority: ['urgent'] },
      sort: 'due_asc',
    })
    expect((await t.value('views.list', {})).map((v) => v.name)).toContain('Mes urgences')
    await t.as('nora.agent')
    expect(await t.value('views.list', {})).toEqual([])
    expect(await t.call('views.delete', { id: view.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
  })
})

describe('search box input', () => {
  it('searches FTS syntax as plain text, never an error', async () => {
    await t.as('sara.sup')
    for (const text of ['"', 'NEAR(', '*', '-', 'éclairage OR', '"lampadaire', 'a AND (b']) {
      const r = await t.call('queue.list', { filter: { text } })
      expect(r.ok, text).toBe(true)
    }
    const folded = await t.value('queue.list', { filter: { text: 'eclairage' }, limit: 5 })
    const accented = await t.value('queue.list', { filter: { text: 'éclairage' }, limit: 5 })
    expect(folded.rows.map((r) => r.id)).toEqual(accented.rows.map((r) => r.id))
  })
})
