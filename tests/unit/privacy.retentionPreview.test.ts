/**
 * The DPO's retention preview in the console's core: the server's dry run over the real
 * transport (a fake `fetch`), with the policy the console holds from the server's reference
 * data (the configuration's before any sync), and a server without the route said to be
 * outdated rather than unreachable.
 */
import { describe, expect, it, vi } from 'vitest'
import type { SessionInfo } from '../../src/shared/contract'
import { RETENTION_DEFAULTS, type RetentionPlan } from '../../src/shared/privacy'
import { CoreError } from '../../src/shared/result'
import { openMemoryStore } from '../../src/main/cache/db'
import { setSyncState } from '../../src/main/cache/queries/syncState'
import { createPrivacyService, type PrivacyRemote } from '../../src/main/services/privacy'
import { createSyncTransport } from '../../src/main/sync/transport'

const dpo: SessionInfo = {
  agentId: 'ag-dina',
  login: 'dina.dpo',
  displayName: 'Dina Colin',
  roles: ['dpo'],
  teamIds: [],
  kind: 'online',
  startedAt: '2026-03-02T08:00:00.000Z',
}
const admin: SessionInfo = { ...dpo, login: 'alex.admin', roles: ['admin'] }

const plan: RetentionPlan = {
  at: '2026-03-02T10:00:00.000Z',
  categories: [
    {
      categoryId: 'voirie',
      rule: { anonymiseAfterClosedMonths: 12, deleteAfterClosedMonths: null },
      anonymise: 2,
      delete: 0,
      held: 1,
      samples: ['GRC-2024-000001', 'GRC-2024-000002'],
    },
  ],
  accessLog: { before: '2025-03-02T10:00:00.000Z', entries: 5 },
}

function serviceAnswering(status: number, body: unknown) {
  const urls: string[] = []
  const fetch = vi.fn(async (url: string | URL | Request) => {
    urls.push(String(url))
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  })
  const transport = createSyncTransport({ baseUrl: 'http://server.test/', timeoutMs: 1000, fetch })
  const remote: PrivacyRemote = { withAccess: (fn) => fn('access-token'), transport, afterChange: vi.fn() }
  return { urls, service: createPrivacyService(remote) }
}

const configured = { ...RETENTION_DEFAULTS, runAt: '03:15' }

async function refusal(promise: Promise<unknown>): Promise<CoreError> {
  try {
    await promise
  } catch (e) {
    if (e instanceof CoreError) return e
    throw e
  }
  throw new Error('expected a refusal')
}

describe('the retention preview in the core', () => {
  it('asks the server’s dry run and adds the policy the server sent with the reference data', async () => {
    const db = openMemoryStore()
    const { service, urls } = serviceAnswering(200, plan)
    const config = { privacy: { retention: configured } }
    // Not synced yet: the configuration's policy.
    expect(await service.retentionPreview(dpo, { db, config })).toEqual({ ...plan, policy: configured })
    expect(urls).toEqual(['http://server.test/api/v1/privacy/retention/preview'])
    // Synced: the server's.
    const server = { ...RETENTION_DEFAULTS, anonymiseAfterClosedMonths: 24, runAt: '01:00' }
    setSyncState(
      db,
      'privacy_policy',
      JSON.stringify({ citizenDataRoles: ['dpo'], retention: server, accessLogMonths: 12 }),
    )
    expect((await service.retentionPreview(dpo, { db, config })).policy).toEqual(server)
    db.close()
  })

  it('is the DPO’s only, and says a server without the route must be updated', async () => {
    const db = openMemoryStore()
    const config = { privacy: { retention: configured } }
    const { service, urls } = serviceAnswering(501, { error: { code: 'not_implemented', message: 'x' } })
    expect(await refusal(service.retentionPreview(admin, { db, config }))).toMatchObject({
      code: 'forbidden',
    })
    expect(urls).toEqual([])
    for (const status of [501, 404]) {
      const { service: older } = serviceAnswering(status, { error: { code: 'not_found', message: 'x' } })
      const e = await refusal(older.retentionPreview(dpo, { db, config }))
      expect(e.code).toBe('server_unavailable')
      expect(e.message).toContain('le serveur doit être mis à jour')
      expect(e.details).toMatchObject({ outdated: true })
    }
    // Unreachable is not outdated.
    const { service: down } = serviceAnswering(503, {})
    const e = await refusal(down.retentionPreview(dpo, { db, config }))
    expect(e.code).toBe('server_unavailable')
    expect(e.details).not.toMatchObject({ outdated: true })
    // A local profile: a server is needed.
    expect(await refusal(createPrivacyService(null).retentionPreview(dpo, { db, config }))).toMatchObject({
      code: 'server_unavailable',
    })
    db.close()
  })
})
