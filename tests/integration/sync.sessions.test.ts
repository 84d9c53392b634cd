/**
 * Who the sync works for: a profile used by a second agent, a restart, a logout in the
 * middle of a download, sessions that end on the server, personal data that leaves.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startFaultProxy } from '../support/faultProxy'
import { openSyncWorld, requestRows, serverRequestRows, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
afterEach(async () => world?.close())

const cipher = {
  isEncryptionAvailable: () => true,
  encryptString: (s: string) => Buffer.from(`sealed:${Buffer.from(s).toString('hex')}`),
  decryptString: (b: Buffer) => Buffer.from(b.toString().slice(7), 'hex').toString(),
}
const server = () => world.server.store.sql

describe('one profile, several agents', () => {
  it('the next agent gets a clean cache: none of the previous agent’s requests or citizens', async () => {
    world = await openSyncWorld({ requests: 80 })
    const zoe = await world.client('poste-1', 'zoe.agent')
    await zoe.sync()
    expect(zoe.db.prepare('SELECT count(*) FROM citizens').pluck().get()).toBeGreaterThan(0)
    await zoe.value('session.logout', {})
    await zoe.value('session.login', { login: 'nora.agent', password: 'demo' })
    await zoe.sync()
    expect(requestRows(zoe.db)).toEqual(await serverRequestRows(world.server.store, ['eclairage']))
    const citizens = zoe.db.prepare('SELECT id FROM citizens').pluck().all() as string[]
    const noraCitizens = (
      await server().all<{ id: string }>(
        "SELECT DISTINCT citizen_id AS id FROM requests WHERE team_id = 'eclairage' AND citizen_id IS NOT NULL",
      )
    ).map((r) => r.id)
    expect(citizens.every((c) => noraCitizens.includes(c))).toBe(true)
  })

  it('changes of the previous agent not yet sent block another agent’s login, and are never sent under their name', async () => {
    world = await openSyncWorld({ requests: 40 })
    const proxy = await startFaultProxy(world.url)
    const zoe = await world.client('poste-1', 'zoe.agent', { via: proxy.url })
    await zoe.sync()
    const id = zoe.db
      .prepare("SELECT id FROM requests WHERE team_id = 'voirie' LIMIT 1")
      .pluck()
      .get() as string
    proxy.setOffline(true)
    await zoe.value('request.update', { id, patch: { title: 'Modifié hors ligne par Zoé' } })
    await zoe.value('session.logout', {})
    const luc = await zoe.call('session.login', { login: 'luc.lead', password: 'demo' })
    expect(luc.ok).toBe(false)
    if (!luc.ok) expect(luc.error.message).toMatch(/zoe\.agent doit se reconnecter/)
    expect(await zoe.value('session.current', {})).toBeNull()
    expect(zoe.db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(1)
    // Zoé comes back: her change goes out under her name.
    proxy.setOffline(false)
    await zoe.value('session.login', { login: 'zoe.agent', password: 'demo' })
    expect(await zoe.settle()).toMatchObject({ pending: 0 })
    const edited = (
      await server().get<{ actor_name: string }>(
        "SELECT actor_name FROM history_events WHERE request_id = ? AND kind = 'edited'",
        [id],
      )
    )?.actor_name
    expect(edited).toBe('Zoé Marchal')
    await proxy.close()
  })
})

describe('logging in over a session', () => {
  it('ends the previous agent’s sync and server session: the next agent’s work is under their own name', async () => {
    world = await openSyncWorld({ requests: 40 })
    const poste = await world.client('poste-1', 'zoe.agent')
    await poste.sync()
    // No logout: Nora logs in over Zoé's session.
    await poste.value('session.login', { login: 'nora.agent', password: 'demo' })
    await poste.sync()
    const created = await poste.value('request.create', {
      categoryId: 'eclairage-public',
      channel: 'phone',
      title: 'Lampadaire éteint',
      description: '',
      location: { lat: 48.69, lon: 6.18 },
    })
    await poste.sync()
    const author = (
      await server().get<{ actor_name: string }>(
        "SELECT actor_name FROM history_events WHERE request_id = ? AND kind = 'created'",
        [created.id],
      )
    )?.actor_name
    expect(author).toBe('Nora Benali')
  })
})

describe('sessions with the server', () => {
  it('a restart with the stored refresh token syncs at once, without asking for the password again', async () => {
    world = await openSyncWorld({ requests: 30 })
    const first = await world.client('zoe', 'zoe.agent', { secretCipher: cipher })
    await first.sync()
    await first.close()
    const again = await world.client('zoe', 'zoe.agent', { secretCipher: cipher })
    // Login starts the nudge stream and a round at once: both need a token, one refresh serves both.
    const status = await again.sync()
    expect(status).toMatchObject({ state: 'idle' })
    await new Promise((r) => setTimeout(r, 200))
    expect((await again.value('sync.status', {})).state).toBe('idle')
  })

  it('logout revokes the session on the server; a refresh token stops working after the session’s end', async () => {
    world = await openSyncWorld({
      requests: 20,
      server: { tokens: { accessTtlSeconds: 1, maxSessionHours: 1.5 / 3600 } },
    })
    const zoe = await world.client('zoe', 'zoe.agent')
    await zoe.sync()
    expect(
      (await server().get<{ n: number }>('SELECT count(*) AS n FROM refresh_tokens'))?.n,
    ).toBeGreaterThan(0)
    await zoe.value('session.logout', {})
    expect((await server().get<{ n: number }>('SELECT count(*) AS n FROM refresh_tokens'))?.n).toBe(0)

    await zoe.value('session.login', { login: 'zoe.agent', password: 'demo' })
    await zoe.sync()
    await new Promise((r) => setTimeout(r, 1700))
    // The access token expired, and the refresh is past the session's end: the password again.
    expect((await zoe.sync()).state).toBe('auth_required')
  })

  it('logging out in the middle of a first download stops writing at once', async () => {
    world = await openSyncWorld({ requests: 400 })
    const sara = await world.client('sara', 'sara.sup', { login: false, pageSize: 10 })
    const started = new Promise<void>((resolve) =>
      sara.core.on('sync.changed', (s) => s.initial && s.initial.done > 0 && resolve()),
    )
    await sara.value('session.login', { login: 'sara.sup', password: 'demo' })
    await started
    await sara.value('session.logout', {})
    const count = () => sara.db.prepare('SELECT count(*) FROM requests').pluck().get() as number
    const atLogout = count()
    await new Promise((r) => setTimeout(r, 300))
    expect(count()).toBe(atLogout)
    expect(atLogout).toBeLessThan(400)
  })
})

describe('personal data leaves with the request', () => {
  it('a request moved to a team the agent is not in leaves the cache with its citizen', async () => {
    world = await openSyncWorld({ requests: 60 })
    const zoe = await world.client('zoe', 'zoe.agent')
    await zoe.sync()
    const { id, citizen } = zoe.db
      .prepare(
        `SELECT r.id, r.citizen_id AS citizen FROM requests r
         WHERE r.citizen_id IS NOT NULL
           AND (SELECT count(*) FROM requests o WHERE o.citizen_id = r.citizen_id) = 1 LIMIT 1`,
      )
      .get() as { id: string; citizen: string }
    expect(zoe.db.prepare('SELECT count(*) FROM citizens WHERE id = ?').pluck().get(citizen)).toBe(1)
    // Moved on the server (a dispatcher's decision), outside Zoé's teams.
    await world.serverWrite(
      "UPDATE requests SET team_id = 'eclairage', version = version + 1 WHERE id = ?",
      [id],
      {
        requests: [id],
      },
    )
    await zoe.sync()
    expect(zoe.db.prepare('SELECT count(*) FROM requests WHERE id = ?').pluck().get(id)).toBe(0)
    expect(zoe.db.prepare('SELECT count(*) FROM citizens WHERE id = ?').pluck().get(citizen)).toBe(0)
  })

  it('a note the server refuses no longer shows as posted; it waits in the inbox', async () => {
    world = await openSyncWorld({ requests: 30 })
    const dina = await world.client('dina', 'dina.dpo')
    await dina.sync()
    const id = dina.db.prepare('SELECT id FROM requests LIMIT 1').pluck().get() as string
    // What a DPO's console would refuse itself, forged into its outbox and cache.
    dina.db
      .prepare(
        `INSERT INTO comments (id, request_id, kind, body, author_id, author_name, created_at)
         VALUES ('c-forged', ?, 'internal', 'note', 'agent-dina.dpo', 'Dina', 1)`,
      )
      .run(id)
    dina.db
      .prepare(
        `INSERT INTO outbox (mutation_id, entity, entity_id, op, base_version, payload, created_at)
         VALUES ('m-forged', 'request', ?, 'comment', 0, '{"commentId":"c-forged","kind":"internal","body":"note"}', 1)`,
      )
      .run(id)
    dina.db
      .prepare(
        `INSERT INTO history_events (request_id, kind, at, actor_id, actor_name, data, mutation_id)
         VALUES (?, 'commented', 1, 'agent-dina.dpo', 'Dina', '{"kind":"internal"}', 'm-forged')`,
      )
      .run(id)
    const status = await dina.sync()
    expect(status).toMatchObject({ pending: 0, conflicts: 1 })
    expect(dina.db.prepare("SELECT count(*) FROM comments WHERE id = 'c-forged'").pluck().get()).toBe(0)
    // Its history tells it was refused, and why, in the server's words.
    const event = (await dina.value('request.history', { id })).find((h) => h.kind === 'commented')
    expect(event?.sync).toMatchObject({ state: 'rejected' })
    expect(event?.sync?.reason).toMatch(/\S/)
  })
})
