/**
 * Several consoles and one reference server, over real HTTP, each console on its own
 * SQLite file: what one agent does reaches the others; concurrent edits merge or land in
 * the conflict inbox, never silently lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFaultProxy, type FaultProxy } from '../support/faultProxy'
import { openSyncWorld, requestRows, serverRequestRows, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let proxy: FaultProxy | null = null

beforeEach(async () => {
  world = await openSyncWorld({ requests: 60 })
})
afterEach(async () => {
  await proxy?.close()
  proxy = null
  await world.close()
})

const server = () => world.server.store.sql
const serverRow = async (id: string) =>
  (await server().get<{
    title: string
    priority: string
    assigneeId: string | null
    status: string
    version: number
  }>('SELECT title, priority, assignee_id AS "assigneeId", status, version FROM requests WHERE id = ?', [
    id,
  ]))!
/**
 * The console that must reach the server second when two change the same request, on a link
 * the test cuts meanwhile: each console starts a round of its own 20 ms after a change, and
 * whichever is in first wins, whatever order the test wrote them in.
 */
async function secondConsole(name: string, login: string) {
  proxy = await startFaultProxy(world.url)
  const link = proxy
  const client = await world.client(name, login, { via: link.url })
  return Object.assign(client, {
    cut: () => link.setPlan(() => ({ kind: 'drop' })),
    /**
     * The link back, and rounds until one went through: a round the cut link failed leaves
     * the console offline, and a `sync.now` that came meanwhile waits for it without trying
     * again (the backoff decides).
     */
    restore: async () => {
      link.setPlan(() => ({ kind: 'pass' }))
      await client.settle()
    },
  })
}

/** A request of team `team`, in `status` when there is one, from the server. */
const pick = async (team: string, status: string, offset = 0) =>
  (await server().get<{ id: string }>(
    'SELECT id FROM requests WHERE team_id = ? ORDER BY status = ? DESC, id LIMIT 1 OFFSET ?',
    [team, status, offset],
  ))!.id

describe('two and three consoles on one server', () => {
  it('a fresh console pulls the requests of its teams, and only those, with the reference data', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    const status = await zoe.sync()
    expect(status).toMatchObject({ configured: true, state: 'idle', pending: 0, conflicts: 0, initial: null })
    expect(status.lastSyncAt).not.toBeNull()
    const teams = ['voirie', 'voirie-nord']
    const expected = (await serverRequestRows(world.server.store, teams)).map((r) => r.id)
    expect(expected.length).toBeGreaterThan(0)
    expect(requestRows(zoe.db).map((r) => r.id)).toEqual(expected)
    const reference = await zoe.value('reference.get', {})
    expect(reference.categories.length).toBeGreaterThan(5)
    // Queue and counts read the synced cache like any other.
    const page = await zoe.value('queue.list', { limit: 500 })
    expect(page.rows.map((r) => r.id).sort()).toEqual([...expected].sort())
  })

  it('personal data only reaches the roles that need it', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    const tom = await world.client('tom', 'tom.tech')
    await zoe.sync()
    await tom.sync()
    const count = (db: typeof zoe.db) => db.prepare('SELECT count(*) FROM citizens').pluck().get() as number
    expect(count(zoe.db)).toBeGreaterThan(0)
    expect(count(tom.db)).toBe(0)
    // Names only, for queue search: contact details come on demand, one request at a time.
    expect(
      zoe.db
        .prepare(
          'SELECT count(*) FROM citizens WHERE email IS NOT NULL OR phone IS NOT NULL OR postal_address IS NOT NULL',
        )
        .pluck()
        .get(),
    ).toBe(0)
  })

  it('an edit on one console shows on the other after a sync', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    const luc = await world.client('luc', 'luc.lead')
    await zoe.sync()
    await luc.sync()
    const id = await pick('voirie', 'new')
    const before = await zoe.value('request.get', { id })
    await zoe.value('request.update', {
      id,
      patch: { title: 'Nid-de-poule rue Saint-Dizier (corrigé)' },
      baseVersion: before.version,
    })
    expect((await zoe.sync()).pending).toBe(0)
    expect((await serverRow(id)).title).toBe('Nid-de-poule rue Saint-Dizier (corrigé)')
    await luc.sync()
    const seen = await luc.value('request.get', { id })
    expect(seen.title).toBe('Nid-de-poule rue Saint-Dizier (corrigé)')
    expect(seen.version).toBe((await serverRow(id)).version)
    // The history on the other console says who did it, once.
    const history = await luc.value('request.history', { id })
    expect(history.filter((h) => h.kind === 'edited')).toHaveLength(1)
    expect(history.find((h) => h.kind === 'edited')?.actorName).toBe('Zoé Marchal')
    // …and on the author's console the server's record did not duplicate the local one.
    expect((await zoe.value('request.history', { id })).filter((h) => h.kind === 'edited')).toHaveLength(1)
  })

  it('concurrent edits of different fields merge without a conflict', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    const luc = await world.client('luc', 'luc.lead')
    await zoe.sync()
    await luc.sync()
    const id = await pick('voirie', 'new')
    const v = (await zoe.value('request.get', { id })).version
    await zoe.value('request.update', { id, patch: { title: 'Titre revu par Zoé' }, baseVersion: v })
    await luc.value('request.update', { id, patch: { priority: 'urgent' }, baseVersion: v })
    await zoe.sync()
    const lucStatus = await luc.sync()
    expect(lucStatus.conflicts).toBe(0)
    await zoe.sync()
    for (const c of [zoe, luc]) {
      const r = await c.value('request.get', { id })
      expect(r).toMatchObject({
        title: 'Titre revu par Zoé',
        priority: 'urgent',
        version: (await serverRow(id)).version,
      })
    }
  })

  it('concurrent edits of the same field: the second lands in the conflict inbox, field by field; keep mine sends it again', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    const luc = await secondConsole('luc', 'luc.lead')
    await zoe.sync()
    await luc.sync()
    const id = await pick('voirie', 'new')
    const v = (await zoe.value('request.get', { id })).version
    luc.cut()
    await zoe.value('request.update', { id, patch: { title: 'Version de Zoé' }, baseVersion: v })
    await luc.value('request.update', {
      id,
      patch: { title: 'Version de Luc', priority: 'high' },
      baseVersion: v,
    })
    // Until it is sent, Luc's history tells his edit waits.
    const lucsEdit = async () =>
      (await luc.value('request.history', { id })).filter(
        (h) => h.kind === 'edited' && h.actorName === 'Luc Henrion',
      )
    expect((await lucsEdit()).map((h) => h.sync?.state)).toEqual(['pending'])
    await zoe.sync()
    await luc.restore()
    const status = await luc.sync()
    expect(status.conflicts).toBe(1)
    expect((await lucsEdit()).map((h) => h.sync?.state)).toEqual(['conflict'])
    // Nothing of Luc's was applied: not even the priority that did not overlap.
    expect((await serverRow(id)).title).toBe('Version de Zoé')
    const [conflict] = await luc.value('conflicts.list', {})
    expect(conflict).toMatchObject({ requestId: id, op: 'update', kind: 'conflict', mergeable: true })
    const title = conflict!.fields.find((f) => f.field === 'title')
    expect(title).toMatchObject({
      mine: 'Version de Luc',
      theirs: 'Version de Zoé',
      theirActor: 'Zoé Marchal',
    })
    expect(title!.theirAt).not.toBeNull()
    // The cache shows the server's state meanwhile; the agent's version waits in the inbox.
    expect((await luc.value('request.get', { id })).title).toBe('Version de Zoé')

    expect(await luc.value('conflicts.resolve', { id: conflict!.id, choice: 'mine' })).toEqual({
      requeued: true,
    })
    expect((await luc.sync()).conflicts).toBe(0)
    // The first try was not applied; the one sent again was, and says nothing more.
    expect((await lucsEdit()).map((h) => h.sync?.state)).toEqual(['dropped', undefined])
    expect(await serverRow(id)).toMatchObject({ title: 'Version de Luc', priority: 'high' })
    await zoe.sync()
    expect((await zoe.value('request.get', { id })).title).toBe('Version de Luc')
  })

  it('merge: the agent picks field by field', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    const luc = await secondConsole('luc', 'luc.lead')
    await zoe.sync()
    await luc.sync()
    const id = await pick('voirie', 'new')
    const v = (await zoe.value('request.get', { id })).version
    luc.cut()
    await zoe.value('request.update', {
      id,
      patch: { title: 'Titre de Zoé', description: 'Description de Zoé' },
      baseVersion: v,
    })
    await luc.value('request.update', {
      id,
      patch: { title: 'Titre de Luc', description: 'Description de Luc' },
      baseVersion: v,
    })
    await zoe.sync()
    await luc.restore()
    await luc.sync()
    const [conflict] = await luc.value('conflicts.list', {})
    await luc.value('conflicts.resolve', {
      id: conflict!.id,
      choice: 'merge',
      fields: { title: 'theirs', description: 'mine' },
    })
    await luc.sync()
    const onServer = await server().get('SELECT title, description FROM requests WHERE id = ?', [id])
    expect(onServer).toEqual({ title: 'Titre de Zoé', description: 'Description de Luc' })
  })

  it('assignment race: the first assignment stands, the second lead sees it in the inbox and keeps theirs', async () => {
    const luc = await world.client('luc', 'luc.lead')
    const sara = await secondConsole('sara', 'sara.sup')
    await luc.sync()
    await sara.sync()
    const id = await pick('voirie', 'qualified')
    const v = (await luc.value('request.get', { id })).version
    sara.cut()
    await luc.value('request.assign', { id, assigneeId: 'agent-tom.tech', baseVersion: v })
    await sara.value('request.assign', { id, assigneeId: 'agent-zoe.agent', baseVersion: v })
    await luc.sync()
    await sara.restore()
    expect((await sara.sync()).conflicts).toBe(1)
    const [conflict] = await sara.value('conflicts.list', {})
    expect(conflict!.fields).toEqual([
      expect.objectContaining({
        field: 'assigneeId',
        mine: 'agent-zoe.agent',
        theirs: 'agent-tom.tech',
        theirActor: 'Luc Henrion',
      }),
    ])
    await sara.value('conflicts.resolve', { id: conflict!.id, choice: 'theirs' })
    expect((await sara.value('sync.status', {})).conflicts).toBe(0)
    await sara.sync()
    expect((await serverRow(id)).assigneeId).toBe('agent-tom.tech')
    expect((await sara.value('request.get', { id })).assigneeId).toBe('agent-tom.tech')
  })

  it('two workflow steps on the same request: the second is a conflict on the status, with its reason kept', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    const luc = await secondConsole('luc', 'luc.lead')
    await zoe.sync()
    await luc.sync()
    const id = await pick('voirie', 'new')
    luc.cut()
    await zoe.value('request.transition', { id, transitionId: 'qualify' })
    await luc.value('request.transition', {
      id,
      transitionId: 'reject',
      fields: { reason: 'Hors compétence' },
    })
    await zoe.sync()
    await luc.restore()
    expect((await luc.sync()).conflicts).toBe(1)
    const [conflict] = await luc.value('conflicts.list', {})
    expect(conflict).toMatchObject({ op: 'transition', kind: 'conflict', mergeable: false })
    expect(conflict!.fields).toEqual([
      expect.objectContaining({
        field: 'status',
        mine: 'rejected',
        theirs: 'qualified',
        theirActor: 'Zoé Marchal',
      }),
      expect.objectContaining({ field: 'fields.reason', mine: 'Hors compétence' }),
    ])
    expect((await serverRow(id)).status).toBe('qualified')
    // Keeping mine is checked again on the current state: "reject" is still allowed from "qualified".
    await luc.value('conflicts.resolve', { id: conflict!.id, choice: 'mine' })
    await luc.sync()
    expect((await serverRow(id)).status).toBe('rejected')
  })

  it('offline work is kept, shown as pending, and pushed on reconnect', async () => {
    proxy = await startFaultProxy(world.url)
    const zoe = await world.client('zoe', 'zoe.agent', { via: proxy.url })
    const luc = await world.client('luc', 'luc.lead')
    await zoe.sync()
    const id = await pick('voirie', 'new')
    proxy.setOffline(true)
    await zoe.value('request.comment', { id, kind: 'internal', body: 'Vu sur place, trou de 40 cm' })
    const v = (await zoe.value('request.get', { id })).version
    await zoe.value('request.update', { id, patch: { priority: 'high' }, baseVersion: v })
    const offline = await zoe.sync()
    expect(offline).toMatchObject({ state: 'offline', pending: 2 })
    expect(offline.lastError).toMatch(/injoignable/)
    // Work goes on offline: the cache has it.
    expect((await zoe.value('request.get', { id })).priority).toBe('high')
    proxy.setOffline(false)
    expect(await zoe.settle()).toMatchObject({ state: 'idle', pending: 0, conflicts: 0, lastError: null })
    await luc.sync()
    expect((await luc.value('request.get', { id })).priority).toBe('high')
    const comments = await luc.value('request.comments', { id })
    expect(comments.map((c) => c.body)).toContain('Vu sur place, trou de 40 cm')
  })

  it('a request taken at the counter gets the server’s reference and reaches the team', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    const luc = await world.client('luc', 'luc.lead')
    await zoe.sync()
    const created = await zoe.value('request.create', {
      categoryId: 'voirie',
      channel: 'counter',
      title: 'Affaissement de chaussée',
      description: 'Signalé au guichet',
      location: { lat: 48.6937, lon: 6.1834 },
    })
    expect(created.reference).toMatch(/^PROV-/)
    await zoe.sync()
    const mine = await zoe.value('request.get', { id: created.id })
    expect(mine.reference).toMatch(/^GRC-\d{4}-\d{6}$/)
    await luc.sync()
    const theirs = await luc.call('request.get', { id: created.id })
    const team = (await server().get<{ team_id: string }>('SELECT team_id FROM requests WHERE id = ?', [
      created.id,
    ]))!.team_id
    if (['voirie', 'voirie-nord'].includes(team))
      expect(theirs.ok && theirs.value.reference).toBe(mine.reference)
    else expect(theirs.ok).toBe(false)
  })

  it('three consoles converge to the server’s state', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    const luc = await world.client('luc', 'luc.lead')
    const sara = await world.client('sara', 'sara.sup')
    for (const c of [zoe, luc, sara]) await c.sync()
    const [a, b, c] = [
      await pick('voirie', 'new', 0),
      await pick('voirie', 'new', 1),
      await pick('voirie-nord', 'new', 0),
    ]
    await zoe.value('request.update', { id: a, patch: { title: 'A par Zoé' } })
    await luc.value('request.transition', { id: b, transitionId: 'qualify' })
    await sara.value('request.comment', { id: c, kind: 'public', body: 'Intervention prévue' })
    for (let round = 0; round < 2; round++) for (const x of [zoe, luc, sara]) await x.sync()
    const teams = ['voirie', 'voirie-nord']
    const truth = await serverRequestRows(world.server.store, teams)
    expect(requestRows(zoe.db)).toEqual(truth)
    expect(requestRows(luc.db)).toEqual(truth)
    expect(requestRows(sara.db, teams)).toEqual(truth)
    expect(requestRows(sara.db)).toEqual(await serverRequestRows(world.server.store))
  })

  it('the server re-checks authorisation: a technician’s forged assignment is rejected and shown', async () => {
    const tom = await world.client('tom', 'tom.tech')
    await tom.sync()
    const id = await pick('voirie', 'new')
    const { version } = await serverRow(id)
    // Forge what the console itself would refuse: written straight into the outbox.
    tom.db
      .prepare(
        `INSERT INTO outbox (mutation_id, entity, entity_id, op, base_version, payload, created_at)
         VALUES ('forged-1', 'request', ?, 'assign', ?, '{"assigneeId":"agent-tom.tech"}', ?)`,
      )
      .run(id, version, Date.now())
    const status = await tom.sync()
    expect(status).toMatchObject({ pending: 0, conflicts: 1 })
    const [rejected] = await tom.value('conflicts.list', {})
    expect(rejected).toMatchObject({ kind: 'rejected', op: 'assign' })
    expect(rejected!.reason).toMatch(/chefs d’équipe/)
    expect((await serverRow(id)).assigneeId).toBeNull()
  })
})

/** Resolve when `check` holds, polling; fail after `ms`. */
async function eventually(check: () => boolean, ms = 10_000): Promise<number> {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`not true after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return Date.now() - started
}

describe('live updates (server-sent nudges)', () => {
  it('an edit on one console appears on the other by itself within seconds', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    const luc = await world.client('luc', 'luc.lead')
    await zoe.sync()
    await luc.sync()
    const id = await pick('voirie', 'new')
    const changed: string[][] = []
    luc.core.on('requests.changed', ({ ids }) => changed.push(ids))
    await zoe.value('request.update', { id, patch: { title: 'Vu en direct' } })
    // No explicit sync anywhere: the local change pushes, the server nudges, Luc's console pulls.
    const titleOf = () => luc.db.prepare('SELECT title FROM requests WHERE id = ?').pluck().get(id)
    await eventually(() => titleOf() === 'Vu en direct')
    expect(changed.some((ids) => ids.includes(id))).toBe(true)
  })

  it('a request a citizen sends through Open311 reaches the right team’s consoles, and only theirs', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    const nora = await world.client('nora', 'nora.agent')
    await zoe.sync()
    await nora.sync()
    const form = new URLSearchParams({
      api_key: 'test-portal-key',
      service_code: 'voirie',
      lat: '48.71845',
      long: '6.17886',
      description: 'Plaque d’égout soulevée devant le 12',
    })
    const category = await server().get<{ data: string }>(
      "SELECT data FROM reference_items WHERE kind = 'category' AND id = 'voirie'",
    )
    form.set(
      'attribute[subcategory]',
      (JSON.parse(category!.data) as { subcategories: string[] }).subcategories[0]!,
    )
    const res = await fetch(`${world.url}/open311/v2/requests.json`, { method: 'POST', body: form })
    expect(res.status).toBe(200)
    const [receipt] = (await res.json()) as Array<{ service_request_id: string }>
    const id = receipt!.service_request_id
    const has = (c: typeof zoe) => c.db.prepare('SELECT team_id FROM requests WHERE id = ?').pluck().get(id)
    await eventually(() => has(zoe) === 'voirie-nord')
    expect((await zoe.value('request.get', { id })).channel).toBe('open311')
    await nora.sync()
    expect(has(nora)).toBeUndefined()
  })
})

describe('server session', () => {
  it('an expired session asks for the password again without losing the outbox', async () => {
    await world.close()
    world = await openSyncWorld({
      requests: 20,
      server: { tokens: { accessTtlSeconds: 1, refreshTtlSeconds: 1 } },
    })
    const zoe = await world.client('zoe', 'zoe.agent')
    await zoe.sync()
    const id = await pick('voirie', 'new')
    await new Promise((r) => setTimeout(r, 1100))
    await zoe.value('request.update', { id, patch: { title: 'Fait pendant la session expirée' } })
    const expired = await zoe.sync()
    expect(expired).toMatchObject({ state: 'auth_required', pending: 1 })
    expect(expired.lastError).toMatch(/mot de passe/)
    const wrong = await zoe.value('sync.reauth', { password: 'pas-le-bon' })
    expect(wrong).toMatchObject({ state: 'auth_required', pending: 1 })
    const back = await zoe.value('sync.reauth', { password: 'demo' })
    expect(back).toMatchObject({ state: 'idle', pending: 0 })
    expect((await serverRow(id)).title).toBe('Fait pendant la session expirée')
  })

  it('the refresh token is encrypted on disk with the OS cipher, and kept only in memory without one', async () => {
    const cipher = {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(`sealed:${Buffer.from(s).reverse().toString('hex')}`),
      decryptString: (b: Buffer) => Buffer.from(b.toString().slice(7), 'hex').reverse().toString(),
    }
    const zoe = await world.client('zoe', 'zoe.agent', { secretCipher: cipher })
    const nora = await world.client('nora', 'nora.agent')
    await zoe.sync()
    await nora.sync()
    const stored = zoe.db
      .prepare("SELECT value FROM sync_state WHERE key LIKE 'refresh%'")
      .pluck()
      .get() as string
    expect(stored).toBeTruthy()
    const issued = (await server().all<{ token_hash: string }>('SELECT token_hash FROM refresh_tokens')).map(
      (r) => r.token_hash,
    )
    expect(issued.length).toBeGreaterThan(0)
    expect(Buffer.from(stored, 'base64').toString()).toMatch(/^sealed:/)
    expect(nora.db.prepare("SELECT count(*) FROM sync_state WHERE key LIKE 'refresh%'").pluck().get()).toBe(0)
    // Logging out forgets it.
    await zoe.value('session.logout', {})
    expect(zoe.db.prepare("SELECT count(*) FROM sync_state WHERE key LIKE 'refresh%'").pluck().get()).toBe(0)
  })
})
