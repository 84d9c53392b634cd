/**
 * People's capacity on the real server over HTTP (issue 15): a lead sets the weekly hours and
 * absences of a person of their team through the console's transport, is refused for
 * another team's person, an agent is refused, bad input is refused in words; the change
 * reaches another console through the change feed and shows on its dispatch board.
 * Runs on PostgreSQL too (integration-pg).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSyncTransport, SyncError } from '../../src/main/sync/transport'
import { createDispatchHandlers } from '../../src/main/services/dispatchHandlers'
import type { CoreDeps } from '../../src/main/services/deps'
import type { RequestService } from '../../src/main/services/requests'
import { accessTokenOf } from '../support/passwordLogin'
import { TEST_STORE } from '../support/serverStore'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let transport: ReturnType<typeof createSyncTransport>

beforeAll(async () => {
  world = await openSyncWorld({ requests: 20 })
  transport = createSyncTransport({ baseUrl: world.url, timeoutMs: 5000 })
})
afterAll(() => world?.close())

const TOM = 'agent-tom.tech'
const NORA = 'agent-nora.agent'
const week = {
  weeklyHours: 28,
  absences: [{ from: '2099-03-16', to: '2099-03-20', reason: 'training' as const }],
}

async function refusal(p: Promise<unknown>): Promise<SyncError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(SyncError)
  return e as SyncError
}

describe(`people's capacity on ${TEST_STORE}`, () => {
  it('lets a lead set their team member’s week, and carries it to another console', async () => {
    const sara = await world.client('sara', 'sara.sup')
    await sara.settle()
    const before = await sara.value('dispatch.board', { teamIds: ['voirie'] })
    expect(before.columns.find((c) => c.agentId === TOM)).toMatchObject({
      weeklyHours: 35,
      capacitySet: false,
    })

    const token = await accessTokenOf(world.url, 'luc.lead')
    const reply = await transport.setCapacity(token, TOM, week)
    expect(reply.capacity).toEqual({ agentId: TOM, ...week })

    await sara.settle()
    const after = await sara.value('dispatch.board', { teamIds: ['voirie'] })
    expect(after.columns.find((c) => c.agentId === TOM)).toMatchObject({
      weeklyHours: 28,
      capacitySet: true,
      absences: week.absences,
    })
  })

  it('refuses a lead for another team’s person, and an agent for anyone', async () => {
    const lead = await accessTokenOf(world.url, 'luc.lead')
    const other = await refusal(transport.setCapacity(lead, NORA, week))
    expect(other.status).toBe(403)
    expect(other.message).toContain('chefs d’équipe')
    const agent = await accessTokenOf(world.url, 'zoe.agent')
    expect((await refusal(transport.setCapacity(agent, TOM, week))).status).toBe(403)
    const supervisor = await accessTokenOf(world.url, 'sara.sup')
    expect(
      (await transport.setCapacity(supervisor, NORA, { weeklyHours: 30, absences: [] })).capacity.weeklyHours,
    ).toBe(30)
  })

  it('refuses bad input and unknown people, keeping what was stored', async () => {
    const lead = await accessTokenOf(world.url, 'luc.lead')
    const backwards = {
      weeklyHours: 20,
      absences: [{ from: '2099-03-20', to: '2099-03-16', reason: 'leave' as const }],
    }
    expect((await refusal(transport.setCapacity(lead, TOM, backwards))).status).toBe(400)
    const res = await fetch(`${world.url}/api/v1/capacity/${TOM}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${lead}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        weeklyHours: 20,
        absences: [{ from: '2099-03-16', to: '2099-03-16', reason: 'leave', note: 'x' }],
      }),
    })
    expect(res.status).toBe(400)
    expect((await refusal(transport.setCapacity(lead, 'agent-nobody', week))).status).toBe(404)
    const luc = await world.client('luc', 'luc.lead')
    await luc.settle()
    const board = await luc.value('dispatch.board', { teamIds: ['voirie'] })
    expect(board.columns.find((c) => c.agentId === TOM)).toMatchObject({ weeklyHours: 28 })
  })

  it('sets it from a console’s channel with the sync engine’s token, keeping the answer, refusals in words', async () => {
    const luc = await world.client('luc-channel', 'luc.lead')
    await luc.settle()
    const session = (await luc.value('session.current', {}))!
    let token = await accessTokenOf(world.url, 'luc.lead')
    let syncs = 0
    // The remote console.ts gives the handlers (deps.capacityRemote): the engine's token and transport.
    const deps = {
      db: luc.db,
      capacityRemote: {
        withAccess: (fn: (t: string) => Promise<never>) => fn(token),
        transport,
        afterChange: () => syncs++,
      },
    } as unknown as CoreDeps
    const handlers = createDispatchHandlers(deps, {} as RequestService)
    const saved = await handlers['dispatch.setCapacity'](
      { agentId: TOM, weeklyHours: 31.5, absences: [] },
      { session },
    )
    expect(saved).toEqual({ agentId: TOM, weeklyHours: 31.5, absences: [] })
    expect(syncs).toBe(1)
    // Kept at once in this cache: the board shows it before the next round.
    const board = await luc.value('dispatch.board', { teamIds: ['voirie'] })
    expect(board.columns.find((c) => c.agentId === TOM)).toMatchObject({
      weeklyHours: 31.5,
      capacitySet: true,
    })

    // The server refuses what the console let through (a lead's team changed meanwhile, say).
    token = await accessTokenOf(world.url, 'zoe.agent')
    const refused = await Promise.resolve(
      handlers['dispatch.setCapacity']({ agentId: TOM, weeklyHours: 10, absences: [] }, { session }),
    ).then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    )
    expect(refused?.code).toBe('forbidden')
    expect(refused?.message).toContain('chefs d’équipe')
  })
})
