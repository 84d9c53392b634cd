/**
 * The citizen's data between the server and the consoles (issue 12), over real HTTP:
 * contact details come on demand, for a purpose, logged; an offline read of the agent's own
 * open request is logged on the workstation and uploaded once; an erasure on the server
 * leaves no byte of the citizen in any console's cache file or WAL, whether the console was
 * online, offline at the time, or had an edit of the request queued.
 */
import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cacheBytes } from '../support/consoleCache'
import type { SessionInfo } from '../../src/shared/contract'
import { startFaultProxy, type FaultProxy } from '../support/faultProxy'
import { openSyncWorld, type SyncClient, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let proxy: FaultProxy

beforeEach(async () => {
  world = await openSyncWorld({ requests: 60 })
  proxy = await startFaultProxy(world.url)
})
afterEach(async () => {
  await proxy.close()
  await world.close()
})

const ZOE = 'agent-zoe.agent'
const DPO: SessionInfo = {
  agentId: 'agent-dina.dpo',
  login: 'dina.dpo',
  displayName: 'Dina Colin',
  roles: ['dpo'],
  teamIds: [],
  kind: 'online',
  startedAt: new Date().toISOString(),
}

interface Planted {
  requestId: string
  citizenId: string
  name: string
  surname: string
  email: string
  phone: string
}

/**
 * A citizen found nowhere else (the demo's names repeat), on an open `voirie` request
 * assigned to zoe.agent (her own open request) whose description names them.
 */
async function plantCitizen(
  surname: string,
  /** `named`: the description names the citizen (default), as phone requests often do. */
  options: { assignee?: string | null; skip?: number; named?: boolean } = {},
) {
  const sql = world.server.store.sql
  const rows = await sql.all<{ id: string }>(
    "SELECT id FROM requests WHERE team_id = 'voirie' AND status_kind = 'open' ORDER BY id",
  )
  const requestId = rows[options.skip ?? 0]!.id
  const citizenId = randomUUID()
  const tag = randomUUID().slice(0, 8)
  const planted: Planted = {
    requestId,
    citizenId,
    name: `Éloïse ${surname}`,
    surname,
    email: `eloise.${surname.toLowerCase()}.${tag}@example.test`,
    phone: '+33 6 71 93 28 46',
  }
  await world.serverWrite(
    `INSERT INTO citizens (id, name, email, phone, postal_address, contact_preference) VALUES (?, ?, ?, ?, ?, ?)`,
    [citizenId, planted.name, planted.email, planted.phone, `3 impasse ${surname}, Nancy`, 'email'],
    {},
  )
  await world.serverWrite(
    'UPDATE requests SET citizen_id = ?, assignee_id = ?, description = ? WHERE id = ?',
    [
      citizenId,
      options.assignee === undefined ? ZOE : options.assignee,
      options.named === false ? 'Signalé par téléphone.' : `Signalé par ${planted.name} (${planted.phone}).`,
      requestId,
    ],
    { requests: [requestId] },
  )
  return planted
}

/** What of the citizen the console's cache file or its WAL still hold (every page and WAL frame, decrypted). */
function bytesOf(c: SyncClient, p: Planted): string[] {
  const file = c.db.name
  const files = cacheBytes(file)
  const needles = [p.surname, p.surname.toLowerCase(), p.email, '71 93 28 46']
  return needles.filter((n) => files.some((bytes) => bytes.indexOf(Buffer.from(n, 'utf8')) >= 0))
}

const serverAccessLog = (citizenId: string) =>
  world.server.store.sql.all<{ id: string; action: string; purpose: string | null; source: string }>(
    'SELECT id, action, purpose, source FROM citizen_access_log WHERE citizen_id = ? ORDER BY at, id',
    [citizenId],
  )

const count = (c: SyncClient, sql: string, ...params: unknown[]) =>
  c.db
    .prepare(sql)
    .pluck()
    .get(...params) as number

describe('contact details on demand', () => {
  it('the feed carries names only; a delivery is logged on the server with its purpose', async () => {
    const p = await plantCitizen('Quintavalle')
    const zoe = await world.client('zoe', 'zoe.agent')
    await zoe.sync()
    expect(count(zoe, 'SELECT count(*) FROM citizens')).toBeGreaterThan(0)
    expect(count(zoe, 'SELECT count(*) FROM citizens WHERE email IS NOT NULL OR phone IS NOT NULL')).toBe(0)
    expect(zoe.db.prepare('SELECT name FROM citizens WHERE id = ?').pluck().get(p.citizenId)).toBe(p.name)

    const contact = await zoe.value('request.citizenContact', { id: p.requestId, purpose: 'callback' })
    expect(contact).toMatchObject({ id: p.citizenId, email: p.email, purpose: 'callback', offline: false })
    expect(await serverAccessLog(p.citizenId)).toEqual([
      expect.objectContaining({ action: 'contact_delivered', purpose: 'callback', source: 'server' }),
    ])
    expect(count(zoe, 'SELECT count(*) FROM citizen_contacts WHERE request_id = ?', p.requestId)).toBe(1)
    // The server's history event of the delivery comes back through the feed.
    await zoe.sync()
    const history = await zoe.value('request.history', { id: p.requestId })
    expect(history.filter((h) => h.kind === 'viewed_personal_data')).toHaveLength(1)
    // Her own open request: kept when the pane closes (offline call-backs).
    await zoe.value('request.releaseCitizen', { id: p.requestId })
    expect(count(zoe, 'SELECT count(*) FROM citizen_contacts WHERE request_id = ?', p.requestId)).toBe(1)
  })

  it('details of a request that is not the agent’s own go when the pane closes, and at a reassignment', async () => {
    const p = await plantCitizen('Brancaleoni', { assignee: null, skip: 1 })
    const zoe = await world.client('zoe', 'zoe.agent')
    await zoe.sync()
    await zoe.value('request.citizenContact', { id: p.requestId, purpose: 'identity_check' })
    expect(count(zoe, 'SELECT count(*) FROM citizen_contacts')).toBe(1)
    await zoe.value('request.releaseCitizen', { id: p.requestId })
    expect(count(zoe, 'SELECT count(*) FROM citizen_contacts')).toBe(0)

    // Assigned to her, then given to someone else on the server: gone after the pull.
    await world.serverWrite('UPDATE requests SET assignee_id = ? WHERE id = ?', [ZOE, p.requestId], {
      requests: [p.requestId],
    })
    await zoe.sync()
    await zoe.value('request.citizenContact', { id: p.requestId, purpose: 'callback' })
    await zoe.value('request.releaseCitizen', { id: p.requestId })
    expect(count(zoe, 'SELECT count(*) FROM citizen_contacts')).toBe(1)
    await world.serverWrite(
      "UPDATE requests SET assignee_id = 'agent-luc.lead' WHERE id = ?",
      [p.requestId],
      { requests: [p.requestId] },
    )
    await zoe.sync()
    expect(count(zoe, 'SELECT count(*) FROM citizen_contacts')).toBe(0)
  })

  it('a technician gets no names in the cache, finds nobody by name, and is refused the details', async () => {
    // Not named in the description: a name typed into the text stays searchable by whoever
    // reads the text (out of scope, as the README says).
    const p = await plantCitizen('Zabrowskyte', { named: false })
    const tom = await world.client('tom', 'tom.tech')
    await tom.sync()
    expect(count(tom, 'SELECT count(*) FROM citizens')).toBe(0)
    expect((await tom.value('queue.list', { filter: { text: p.surname } })).rows).toEqual([])
    expect(
      await tom.call('request.citizenContact', { id: p.requestId, purpose: 'intervention' }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(bytesOf(tom, p)).toEqual([])
    const zoe = await world.client('zoe', 'zoe.agent')
    await zoe.sync()
    expect((await zoe.value('queue.list', { filter: { text: p.surname } })).rows.map((r) => r.id)).toEqual([
      p.requestId,
    ])
  })

  it('a session that may no longer read citizens keeps no names: dropped at login, bytes included', async () => {
    const p = await plantCitizen('Hardenbergh', { named: false })
    const zoe = await world.client('zoe', 'zoe.agent')
    await zoe.sync()
    expect(bytesOf(zoe, p)).toContain(p.surname)
    // The server's privacy policy, as its reference bundle brings it: agents lose citizen access.
    const policy = {
      citizenDataRoles: ['lead', 'supervisor', 'dpo'],
      retention: {
        anonymiseAfterClosedMonths: null,
        deleteAfterClosedMonths: null,
        keepInternalComments: false,
        runAt: '02:30',
      },
      accessLogMonths: 12,
    }
    zoe.db
      .prepare("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('privacy_policy', ?)")
      .run(JSON.stringify(policy))
    await zoe.value('session.logout', {})
    const session = await zoe.value('session.login', { login: 'zoe.agent', password: 'demo' })
    expect(session.citizenData).toBe(false)
    expect(count(zoe, 'SELECT count(*) FROM citizens')).toBe(0)
    expect(bytesOf(zoe, p)).toEqual([])
    expect((await zoe.value('queue.list', { filter: { text: p.surname } })).rows).toEqual([])
  })

  it('offline: the agent’s own open request is read from the kept copy, logged, and uploaded once back online', async () => {
    const p = await plantCitizen('Olivecrona')
    const other = await plantCitizen('Vasconcelos', { assignee: null, skip: 2 })
    const zoe = await world.client('zoe', 'zoe.agent', { via: proxy.url, timeoutSeconds: 2 })
    await zoe.sync()
    await zoe.value('request.citizenContact', { id: p.requestId, purpose: 'callback' })
    await zoe.value('request.releaseCitizen', { id: p.requestId })
    await zoe.sync()

    proxy.setOffline(true)
    const offline = await zoe.value('request.citizenContact', { id: p.requestId, purpose: 'intervention' })
    expect(offline).toMatchObject({ email: p.email, purpose: 'intervention', offline: true })
    const logged = zoe.db
      .prepare('SELECT entry_id, action, purpose FROM access_log WHERE citizen_id = ?')
      .all(p.citizenId) as Array<{ entry_id: string; action: string; purpose: string }>
    expect(logged).toEqual([
      expect.objectContaining({ action: 'contact_read_offline', purpose: 'intervention' }),
    ])
    // Another request, never delivered here: refused in words.
    expect(
      await zoe.call('request.citizenContact', { id: other.requestId, purpose: 'callback' }),
    ).toMatchObject({ ok: false, error: { code: 'server_unavailable' } })

    proxy.setOffline(false)
    await zoe.settle()
    expect(count(zoe, 'SELECT count(*) FROM access_log')).toBe(0)
    const onServer = await serverAccessLog(p.citizenId)
    expect(onServer).toContainEqual(
      expect.objectContaining({ id: logged[0]!.entry_id, action: 'contact_read_offline', source: 'console' }),
    )
    // Uploaded again (a lost answer): recorded once. The local history event is linked, not doubled.
    await zoe.sync()
    expect((await serverAccessLog(p.citizenId)).filter((e) => e.id === logged[0]!.entry_id)).toHaveLength(1)
    const views = (await zoe.value('request.history', { id: p.requestId })).filter(
      (h) => h.kind === 'viewed_personal_data',
    )
    expect(views).toHaveLength(2)
  })
})

describe('erasure on the server', () => {
  it('after one sync, the name, e-mail and phone are in no console’s cache file or WAL', async () => {
    const p = await plantCitizen('Quintavalle')
    const zoe = await world.client('zoe', 'zoe.agent')
    const luc = await world.client('luc', 'luc.lead')
    await zoe.sync()
    await luc.sync()
    await zoe.value('request.citizenContact', { id: p.requestId, purpose: 'callback' })
    await zoe.value('request.comment', {
      id: p.requestId,
      kind: 'internal',
      body: `Rappelé ${p.name} au ${p.phone}`,
    })
    await zoe.sync()
    await luc.sync()
    expect(bytesOf(zoe, p)).toEqual(expect.arrayContaining([p.surname, p.email]))
    expect(bytesOf(luc, p)).toContain(p.surname)

    await world.server.store.eraseCitizen(DPO, p.citizenId, 'Demande de l’usager')
    await zoe.sync()
    await luc.sync()
    for (const c of [zoe, luc]) {
      expect(bytesOf(c, p), c.name).toEqual([])
      expect(count(c, 'SELECT count(*) FROM citizens WHERE id = ?', p.citizenId)).toBe(0)
      // The anonymised copy came back, without its citizen.
      expect(c.db.prepare('SELECT citizen_id FROM requests WHERE id = ?').get(p.requestId)).toEqual({
        citizen_id: null,
      })
      expect((await c.value('queue.list', { filter: { text: p.surname } })).rows).toEqual([])
    }
    expect(count(zoe, 'SELECT count(*) FROM citizen_contacts')).toBe(0)
  })

  it('a console offline during the erasure applies it on reconnection', async () => {
    const p = await plantCitizen('Karamanlidou')
    const luc = await world.client('luc', 'luc.lead', { via: proxy.url, timeoutSeconds: 2 })
    await luc.sync()
    expect(bytesOf(luc, p)).toContain(p.surname)
    proxy.setOffline(true)
    await world.server.store.eraseCitizen(DPO, p.citizenId, 'Demande de l’usager')
    expect((await luc.sync()).state).toBe('offline')
    proxy.setOffline(false)
    await luc.settle()
    expect(bytesOf(luc, p)).toEqual([])
    expect(count(luc, 'SELECT count(*) FROM citizens WHERE id = ?', p.citizenId)).toBe(0)
  })

  it('an edit queued offline on an erased citizen’s request does not bring the data back', async () => {
    const p = await plantCitizen('Wojciechowska')
    const zoe = await world.client('zoe', 'zoe.agent', { via: proxy.url, timeoutSeconds: 2 })
    await zoe.sync()
    proxy.setOffline(true)
    const before = await zoe.value('request.get', { id: p.requestId })
    await zoe.value('request.comment', {
      id: p.requestId,
      kind: 'public',
      body: `Bonjour ${p.name}, nous passons demain.`,
    })
    await zoe.value('request.update', {
      id: p.requestId,
      patch: { description: `Rappeler ${p.name} : ${p.email}` },
      baseVersion: before.version,
    })
    await world.server.store.eraseCitizen(DPO, p.citizenId, 'Demande de l’usager')
    proxy.setOffline(false)
    const status = await zoe.settle()
    expect(status.pending).toBe(0)

    // Both changes wait in the inbox, refused, without their text.
    const inbox = await zoe.value('conflicts.list', {})
    const mine = inbox.filter((c) => c.requestId === p.requestId)
    expect(mine.map((c) => c.kind)).toEqual(['rejected', 'rejected'])
    expect(mine.every((c) => c.reason?.includes('effacé'))).toBe(true)
    expect(JSON.stringify(mine)).not.toContain(p.surname)
    // Nothing of it on the server, nor in the console's bytes.
    const sql = world.server.store.sql
    const onServer = await sql.all<{ body: string }>('SELECT body FROM comments WHERE request_id = ?', [
      p.requestId,
    ])
    expect(JSON.stringify(onServer)).not.toContain(p.surname)
    const request = await sql.get<{ description: string }>('SELECT description FROM requests WHERE id = ?', [
      p.requestId,
    ])
    expect(request?.description).not.toContain(p.surname)
    expect(bytesOf(zoe, p)).toEqual([])
  })
})
