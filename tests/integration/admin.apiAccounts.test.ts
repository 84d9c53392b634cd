/**
 * API accounts through the console's contract, against the real server: an administrator
 * creates one (its key answered once), the key works on the partner API, revoking it makes
 * the server refuse it; the core refuses other roles, and a missing server is said in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSyncWorld, type SyncClient, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let alex: SyncClient

beforeAll(async () => {
  world = await openSyncWorld({ requests: 20 })
  alex = await world.client('alex', 'alex.admin')
  await alex.settle()
})
afterAll(async () => world?.close())

const partnerRequests = (key: string) =>
  fetch(`${world.url}/api/v1/partner/requests`, { headers: { authorization: `Bearer ${key}` } })

describe('API accounts through the contract', () => {
  it('is refused by the core to any role but admin', async () => {
    const luc = await world.client('luc-refused', 'luc.lead')
    for (const [channel, input] of [
      ['admin.apiAccounts.list', {}],
      [
        'admin.apiAccounts.create',
        { name: 'x', scopes: ['requests:read'], categoryIds: null, teamIds: null, expiresInDays: null },
      ],
      ['admin.apiAccounts.revoke', { id: 'x' }],
    ] as const) {
      const r = await luc.call(channel, input as never)
      expect(r, channel).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
  })

  it('creates an account whose key works on the partner API, then revokes it: the key is refused', async () => {
    const created = await alex.value('admin.apiAccounts.create', {
      name: 'Cantines',
      scopes: ['requests:read'],
      categoryIds: null,
      teamIds: ['voirie'],
      ratePerMinute: 120,
      expiresInDays: 30,
    })
    expect(created.key).toMatch(/^grc_[0-9a-f]{8}_/)
    expect(created.account).toMatchObject({
      name: 'Cantines',
      scopes: ['requests:read'],
      categoryIds: null,
      teamIds: ['voirie'],
      ratePerMinute: 120,
      revokedAt: null,
      lastUsedAt: null,
    })
    expect(created.key.startsWith(created.account.keyPrefix)).toBe(true)
    const days = (Date.parse(created.account.expiresAt!) - Date.parse(created.account.createdAt)) / 86_400_000
    expect(days).toBe(30)

    const ok = await partnerRequests(created.key)
    expect(ok.status).toBe(200)

    // The list shows the account by its prefix, never its key, and its last use.
    const { accounts } = await alex.value('admin.apiAccounts.list', {})
    const listed = accounts.find((a) => a.id === created.account.id)!
    expect(listed.keyPrefix).toBe(created.account.keyPrefix)
    expect(listed.lastUsedAt).not.toBeNull()
    expect(JSON.stringify(accounts)).not.toContain(created.key)

    const { account } = await alex.value('admin.apiAccounts.revoke', { id: created.account.id })
    expect(account.id).toBe(created.account.id)
    expect(account.revokedAt).not.toBeNull()
    const refused = await partnerRequests(created.key)
    expect(refused.status).toBe(401)

    const again = await alex.call('admin.apiAccounts.revoke', { id: 'no-such-account' })
    expect(again).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('passes on the server’s refusal of an unknown team', async () => {
    const r = await alex.call('admin.apiAccounts.create', {
      name: 'Fantôme',
      scopes: ['requests:read'],
      categoryIds: null,
      teamIds: ['fantome'],
      expiresInDays: null,
    })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(!r.ok && r.error.message).toContain('fantome')
  })

  it('says a server is needed when it cannot be reached', async () => {
    const away = await world.client('away', 'alex.admin', {
      via: 'http://127.0.0.1:9',
      login: false,
      timeoutSeconds: 1,
    })
    await away.value('session.login', { login: 'alex.admin', password: 'demo' })
    const r = await away.call('admin.apiAccounts.list', {})
    expect(r).toMatchObject({ ok: false, error: { code: 'server_unavailable' } })
    expect(!r.ok && r.error.message).toContain(
      'L’administration du référentiel demande une connexion au serveur central.',
    )
  })
})
