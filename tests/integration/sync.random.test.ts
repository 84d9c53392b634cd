/**
 * Randomized schedules (fast-check, fixed seed): three consoles edit, assign, comment and
 * qualify the same few requests, sync through proxies that drop, cut, fail, truncate and
 * duplicate, and go offline and back. After every schedule, with the network healed:
 * - no mutation is lost: each change a console accepted was answered by the server once;
 * - none is applied twice: each applied change left exactly one history event there;
 * - every console holds exactly the server's state of what it may see;
 * - each conflict inbox holds exactly the changes the server answered as conflict/rejected.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { startFaultProxy, type Fault, type FaultProxy } from '../support/faultProxy'
import { openSyncWorld, requestRows, serverRequestRows, type SyncClient } from '../support/syncWorld'

const SEED = 20261129
const RUNS = Number(process.env.GRC_SYNC_RUNS ?? 25)
const LOGINS = ['zoe.agent', 'luc.lead', 'sara.sup'] as const
const ASSIGNEES = ['agent-zoe.agent', 'agent-tom.tech', 'agent-luc.lead']
const FAULTS: Fault[] = [
  { kind: 'pass' },
  { kind: 'drop' },
  { kind: 'drop_after_forward' },
  { kind: 'status', status: 500 },
  { kind: 'status', status: 503 },
  { kind: 'truncate' },
  { kind: 'duplicate' },
]

const client = fc.integer({ min: 0, max: 2 })
const request = fc.integer({ min: 0, max: 4 })
const Step = fc.oneof(
  fc.record({
    kind: fc.constant('edit' as const),
    client,
    request,
    field: fc.constantFrom('title', 'description', 'priority'),
    value: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('assign' as const),
    client: fc.integer({ min: 1, max: 2 }),
    request,
    assignee: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ kind: fc.constant('comment' as const), client, request }),
  fc.record({ kind: fc.constant('qualify' as const), client, request }),
  fc.record({
    kind: fc.constant('sync' as const),
    client,
    fault: fc.integer({ min: 0, max: FAULTS.length - 1 }),
    onRequest: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ kind: fc.constant('network' as const), client, online: fc.boolean() }),
)
type Step = typeof Step extends fc.Arbitrary<infer T> ? T : never

const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const

async function runSchedule(steps: Step[]) {
  const world = await openSyncWorld({ requests: 30 })
  const proxies: FaultProxy[] = []
  try {
    const clients: SyncClient[] = []
    for (const [i, login] of LOGINS.entries()) {
      const proxy = await startFaultProxy(world.url)
      proxies.push(proxy)
      clients.push(await world.client(`c${i}`, login, { via: proxy.url }))
    }
    for (const c of clients) await c.settle()
    const ids = (
      await world.server.store.sql.all<{ id: string }>(
        "SELECT id FROM requests WHERE team_id = 'voirie' ORDER BY id LIMIT 5",
      )
    ).map((r) => r.id)
    const accepted = [0, 0, 0]
    let comments = 0

    for (const [n, step] of steps.entries()) {
      const c = clients[step.client]!
      const id = ids[(step as { request?: number }).request ?? 0]!
      let ok = true
      switch (step.kind) {
        case 'edit': {
          const patch =
            step.field === 'priority'
              ? { priority: PRIORITIES[step.value]! }
              : { [step.field]: `${step.field} ${step.value} par c${step.client} (${n})` }
          ok = (await c.call('request.update', { id, patch })).ok
          break
        }
        case 'assign':
          ok = (await c.call('request.assign', { id, assigneeId: ASSIGNEES[step.assignee]! })).ok
          break
        case 'comment':
          ok = (
            await c.call('request.comment', { id, kind: 'internal', body: `note ${n} de c${step.client}` })
          ).ok
          if (ok) comments++
          break
        case 'qualify':
          ok = (await c.call('request.transition', { id, transitionId: 'qualify' })).ok
          break
        case 'sync': {
          let seen = 0
          const fault = FAULTS[step.fault]!
          proxies[step.client]!.setPlan(() => (++seen === step.onRequest ? fault : { kind: 'pass' }))
          await c.sync()
          proxies[step.client]!.setPlan(() => ({ kind: 'pass' }))
          continue
        }
        case 'network':
          proxies[step.client]!.setOffline(!step.online)
          continue
      }
      if (ok) accepted[step.client]!++
    }

    // Heal the network; let every console push and pull until all is quiet.
    for (const p of proxies) {
      p.setOffline(false)
      p.setPlan(() => ({ kind: 'pass' }))
    }
    for (let round = 0; round < 3; round++) for (const c of clients) await c.settle()

    const server = world.server.store.sql
    for (const [i, c] of clients.entries()) {
      const clientId = c.db
        .prepare("SELECT value FROM sync_state WHERE key = 'client_id'")
        .pluck()
        .get() as string
      const answered = await server.all<{ id: string; status: string; op: string }>(
        'SELECT mutation_id AS id, status, op FROM applied_mutations WHERE client_id = ?',
        [clientId],
      )
      // No lost change: every change the console accepted was answered, and nothing waits.
      expect(c.db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0)
      expect(answered).toHaveLength(accepted[i]!)
      // None applied twice: one history event per applied change, none for the others.
      for (const m of answered) {
        const events = (
          await server.get<{ n: number }>('SELECT count(*) AS n FROM history_events WHERE mutation_id = ?', [
            m.id,
          ])
        )?.n
        expect(events, `${m.op} ${m.status}`).toBe(m.status === 'applied' ? 1 : 0)
      }
      // The inbox holds exactly the real conflicts and refusals.
      const inbox = c.db.prepare('SELECT mutation_id FROM conflicts').pluck().all() as string[]
      expect(inbox.sort()).toEqual(
        answered
          .filter((m) => m.status !== 'applied')
          .map((m) => m.id)
          .sort(),
      )
      // Convergence: the console shows exactly the server's state of what it may see.
      const teams = LOGINS[i] === 'sara.sup' ? undefined : ['voirie', 'voirie-nord']
      expect(requestRows(c.db)).toEqual(await serverRequestRows(world.server.store, teams))
    }
    expect(
      (await server.get<{ n: number }>("SELECT count(*) AS n FROM comments WHERE body LIKE 'note %'"))?.n,
    ).toBe(comments)
  } finally {
    for (const p of proxies) await p.close()
    await world.close()
  }
}

describe('randomized sync schedules with faults', () => {
  it('never loses or doubles a change, converges, and reports exactly the real conflicts', async () => {
    let schedules = 0
    let steps = 0
    await fc.assert(
      fc.asyncProperty(fc.array(Step, { minLength: 5, maxLength: 30 }), async (schedule) => {
        schedules++
        steps += schedule.length
        await runSchedule(schedule)
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    )
    console.info(`randomized sync: ${schedules} schedules (${steps} steps) passed, seed ${SEED}`)
    expect(schedules).toBe(RUNS)
  }, 300_000)
})
