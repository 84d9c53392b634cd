/**
 * `RequestDetail.actions`, the one answer the detail pane reads to show a control: through
 * the real dispatch on the demo data, for every demo role, each action the core calls
 * allowed is accepted by its write, and each it refuses is refused by its write, with the
 * same sentence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InputOf } from '../../src/shared/contract'
import type { RequestActionName, RequestDetail } from '../../src/shared/domain'
import { openTestCore, type TestCore } from '../support/core'

let t: TestCore

beforeAll(async () => {
  t = await openTestCore({ requests: 300 })
})
afterAll(() => t.close())

/** The newest open request of `teamIds` (any team when empty) that has a citizen. */
function openRequest(teamIds: readonly string[]): string {
  const teams = teamIds.length ? `AND team_id IN (${teamIds.map(() => '?').join(',')})` : ''
  const row = t.db
    .prepare(
      `SELECT id FROM requests WHERE status_kind = 'open' AND citizen_id IS NOT NULL ${teams}
       ORDER BY created_at DESC LIMIT 1`,
    )
    .get(...teamIds) as { id: string } | undefined
  if (!row) throw new Error('no such request in the demo data')
  return row.id
}

/** An open request of Zoé's teams that Luc (her lead) assigns to her: her own request. */
async function zoesOwnRequest(): Promise<string> {
  const zoe = await t.as('zoe.agent')
  await t.as('luc.lead')
  const id = openRequest(zoe.teamIds)
  await t.value('request.assign', { id, assigneeId: zoe.agentId })
  await t.as('zoe.agent')
  return id
}

/** The write behind each action, made as the detail pane would make it. */
async function attempt(action: RequestActionName, detail: RequestDetail) {
  const id = detail.id
  switch (action) {
    case 'edit':
      return t.call('request.update', {
        id,
        patch: { priority: detail.priority === 'high' ? 'normal' : 'high' },
      })
    case 'commentInternal':
      return t.call('request.comment', { id, kind: 'internal', body: 'Vu sur place.' })
    case 'commentPublic':
      return t.call('request.comment', { id, kind: 'public', body: 'Nous intervenons cette semaine.' })
    case 'assign':
      return t.call('request.assign', { id, assigneeId: detail.assigneeId })
    case 'readCitizen':
      return t.call('request.citizenContact', { id, purpose: 'callback' })
    case 'changeStatus': {
      // Allowed: the first step the workflow offers; refused: any step, which the write refuses too.
      const { allowed, blocked } = await t.value('request.transitions', { id })
      const step = allowed.find((o) => o.requires.length === 0) ?? allowed[0] ?? blocked[0]!
      const fields: InputOf<'request.transition'>['fields'] = {}
      for (const f of step.requires)
        fields[f as keyof typeof fields] = f === 'scheduledFor' ? new Date().toISOString() : 'x'
      return t.call('request.transition', { id, transitionId: step.id, fields })
    }
  }
}

const ROLES = [
  { login: 'zoe.agent', own: true },
  { login: 'luc.lead', own: false },
  { login: 'tom.tech', own: false },
  { login: 'sara.sup', own: false },
  { login: 'dina.dpo', own: false },
  { login: 'alex.admin', own: false },
]

describe('the actions the core announces are the ones its writes accept', () => {
  for (const { login, own } of ROLES)
    it(`for ${login}`, async () => {
      const id = own ? await zoesOwnRequest() : openRequest((await t.as(login)).teamIds)
      const detail = await t.value('request.get', { id })
      const actions = detail.actions!
      expect(Object.keys(actions).sort()).toEqual(
        ['assign', 'changeStatus', 'commentInternal', 'commentPublic', 'edit', 'readCitizen'].sort(),
      )
      for (const [name, answer] of Object.entries(actions) as [
        RequestActionName,
        (typeof actions)['edit'],
      ][]) {
        const current = await t.value('request.get', { id })
        const result = await attempt(name, current)
        if (answer.allowed) expect(result, `${login} ${name}`).toMatchObject({ ok: true })
        else if (answer.refusal === 'role')
          expect(result, `${login} ${name}`).toMatchObject({
            ok: false,
            error: { code: 'forbidden', message: answer.reason },
          })
        else expect(result, `${login} ${name}`).toMatchObject({ ok: false })
      }
    })
})

describe('what the DPO and an agent are offered', () => {
  it('gives the DPO nothing to change: every change refused for her role, with the reason in words', async () => {
    await t.as('dina.dpo')
    const detail = await t.value('request.get', { id: openRequest([]) })
    const refused = {
      allowed: false,
      refusal: 'role',
      reason: 'Votre rôle ne permet pas de modifier les demandes.',
    }
    expect(detail.actions).toMatchObject({
      edit: refused,
      commentInternal: refused,
      commentPublic: refused,
      changeStatus: refused,
      assign: { allowed: false, refusal: 'role' },
      readCitizen: { allowed: true },
    })
  })

  it('gives an agent on her own request the edit and the comments, not the assignment', async () => {
    const id = await zoesOwnRequest()
    const detail = await t.value('request.get', { id })
    expect(detail.assigneeId).toBe((await t.value('session.current', {}))!.agentId)
    expect(detail.actions).toMatchObject({
      edit: { allowed: true },
      commentInternal: { allowed: true },
      commentPublic: { allowed: true },
      readCitizen: { allowed: true },
      assign: {
        allowed: false,
        refusal: 'role',
        reason: 'Seuls les chefs d’équipe, superviseurs et administrateurs assignent les demandes.',
      },
    })
  })

  it('answers each change with what may be done next, and leaves lists of details without it', async () => {
    const luc = await t.as('luc.lead')
    const id = openRequest(luc.teamIds)
    const updated = await t.value('request.update', {
      id,
      patch: { title: 'Nid-de-poule, trottoir compris' },
    })
    expect(updated.actions?.assign).toEqual({ allowed: true })
    const [listed] = await t.value('request.getMany', { ids: [id] })
    expect(listed!.actions).toBeUndefined()
  })

  it('says the technician may not read citizens, with the sentence the read refuses him with', async () => {
    const tom = await t.as('tom.tech')
    const id = openRequest(tom.teamIds)
    const detail = await t.value('request.get', { id })
    const refused = await t.call('request.citizenContact', { id, purpose: 'intervention' })
    expect(detail.actions?.readCitizen).toMatchObject({ allowed: false, refusal: 'role' })
    expect(refused).toMatchObject({ ok: false, error: { message: detail.actions?.readCitizen.reason } })
  })
})
