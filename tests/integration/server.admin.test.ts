/**
 * Administrators change the authority's reference data on the server: checked, versioned,
 * audited, refused when still in use, and fed to every console; a new authority starts
 * from its own reference files. On both stores.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { accessTokenOf } from '../support/passwordLogin'
import { startServer } from '../../src/server/start'
import { readReferenceFiles, ReferenceFilesError } from '../../src/server/store/referenceFiles'
import { repoRoot } from '../support/core'
import { testDatabase, TEST_STORE } from '../support/serverStore'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
afterEach(async () => world?.close())
const scratch = mkdtempSync(join(tmpdir(), 'grc-admin-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** Malzéville, in the Nord sector. */
const IN_NORD = { lat: 48.71845, lon: 6.17886 }

async function token(login: string) {
  return accessTokenOf(world.url, login, `admin-${login}`)
}

function api(accessToken: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${world.url}/api/v1/admin/reference${path}`, {
      method,
      headers: {
        authorization: `Bearer ${accessToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    })
    return {
      status: r.status,
      body: (await r.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
    }
  }
  return {
    list: () => call('GET', ''),
    save: (kind: string, id: string, data: unknown, baseVersion: number | null) =>
      call('PUT', `/${kind}/${id}`, { data, baseVersion }),
    remove: (kind: string, id: string, baseVersion: number) =>
      call('DELETE', `/${kind}/${id}?baseVersion=${baseVersion}`),
    audit: (query: string) => call('GET', `/audit?${query}`),
  }
}

type Item = { kind: string; id: string; version: number; data: Record<string, unknown> }

describe(`reference data administration on ${TEST_STORE}`, () => {
  it('only administrators read or change it', async () => {
    world = await openSyncWorld({ requests: 10 })
    const lead = api(await token('luc.lead'))
    const refused = await lead.save('team', 'x', { id: 'x', code: 'x', name: 'X' }, null)
    expect(refused.status).toBe(403)
    expect(refused.body.error?.message).toMatch(/administrateurs/)
    expect((await lead.list()).status).toBe(403)
    expect((await api('not-a-token').list()).status).toBe(401)
  })

  it('a new team and routing rule route the next request and reach every console; each change is audited', async () => {
    world = await openSyncWorld({ requests: 30 })
    const luc = await world.client('luc', 'luc.lead')
    await luc.settle()
    const admin = api(await token('alex.admin'))
    const team = await admin.save(
      'team',
      'voirie-malzeville',
      { id: 'voirie-malzeville', code: 'VM', name: 'Voirie Malzéville' },
      null,
    )
    expect(team.status).toBe(200)
    expect(team.body.item).toMatchObject({ kind: 'team', id: 'voirie-malzeville', version: 0 })
    const rule = {
      id: 'voirie-malzeville',
      position: 5,
      name: 'Voirie de Malzéville',
      categoryId: 'voirie',
      subcategory: 'Nid-de-poule',
      channel: null,
      sectorId: 'secteur-nord',
      teamId: 'voirie-malzeville',
    }
    expect((await admin.save('routing_rule', rule.id, rule, null)).status).toBe(200)

    // The lead's console gets the new team and rule with the next pull (the nudge or the timer).
    await luc.settle()
    expect(luc.db.prepare("SELECT name FROM teams WHERE id = 'voirie-malzeville'").pluck().get()).toBe(
      'Voirie Malzéville',
    )
    expect(
      luc.db.prepare("SELECT team_id FROM routing_rules WHERE id = 'voirie-malzeville'").pluck().get(),
    ).toBe('voirie-malzeville')

    // A citizen's report in the Nord sector now goes to the new team.
    const posted = await fetch(`${world.url}/open311/v2/requests.json`, {
      method: 'POST',
      body: new URLSearchParams({
        api_key: 'test-portal-key',
        service_code: 'voirie',
        lat: String(IN_NORD.lat),
        long: String(IN_NORD.lon),
        'attribute[subcategory]': 'Nid-de-poule',
        description: 'Un trou devant la mairie de Malzéville.',
      }),
    })
    expect(posted.status).toBe(200)
    const [receipt] = (await posted.json()) as Array<{ service_request_id: string }>
    const id = receipt!.service_request_id
    const routed = await world.server.store.sql.get<{ team_id: string }>(
      'SELECT team_id FROM requests WHERE id = ?',
      [id],
    )
    expect(routed?.team_id).toBe('voirie-malzeville')

    const audit = await admin.audit('kind=routing_rule&id=voirie-malzeville')
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        action: 'create',
        version: 0,
        actorName: 'Alex Mathieu',
        before: null,
        after: rule,
      }),
    ])
  })

  it('refuses an edit made on an older version, saying who changed it; refuses what names nothing', async () => {
    world = await openSyncWorld({ requests: 10 })
    const admin = api(await token('alex.admin'))
    const other = api(await token('sara.sup'))
    expect((await other.list()).status).toBe(403)
    const items = (await admin.list()).body.items as Item[]
    const voirie = items.find((i) => i.kind === 'category' && i.id === 'voirie')!
    const renamed = { ...voirie.data, name: { fr: 'Voirie, trottoirs et pistes', en: 'Roads' } }
    const first = await admin.save('category', 'voirie', renamed, voirie.version)
    expect(first.status).toBe(200)
    // The same edit again on the version read before: someone (here, the same admin) changed it since.
    const stale = await admin.save(
      'category',
      'voirie',
      { ...voirie.data, slaBusinessHours: 24 },
      voirie.version,
    )
    expect(stale.status).toBe(409)
    expect(stale.body.error).toMatchObject({ code: 'version_conflict' })
    expect(stale.body.error?.message).toMatch(/Alex Mathieu/)
    const unknownTeam = await admin.save(
      'category',
      'voirie',
      { ...renamed, defaultTeamId: 'nulle-part' },
      voirie.version + 1,
    )
    expect(unknownTeam.status).toBe(400)
    expect(unknownTeam.body.error?.message).toMatch(/nulle-part/)
    const malformed = await admin.save(
      'category',
      'voirie',
      { ...renamed, slaBusinessHours: -3 },
      voirie.version + 1,
    )
    expect(malformed.status).toBe(400)
    expect(malformed.body.error?.message).toMatch(/slaBusinessHours/)
  })

  it('refuses to delete what requests or rules still use, and says what', async () => {
    world = await openSyncWorld({ requests: 40 })
    const admin = api(await token('alex.admin'))
    const items = (await admin.list()).body.items as Item[]
    const voirie = items.find((i) => i.kind === 'team' && i.id === 'voirie')!
    const inUse = await admin.remove('team', 'voirie', voirie.version)
    expect(inUse.status).toBe(409)
    expect(inUse.body.error).toMatchObject({ code: 'in_use' })
    expect(inUse.body.error?.message).toMatch(/traite encore \d+ demande/)
    const created = await admin.save(
      'team',
      'ephemere',
      { id: 'ephemere', code: 'E', name: 'Éphémère' },
      null,
    )
    expect((await admin.remove('team', 'ephemere', (created.body.item as Item).version)).status).toBe(200)
    const trail = (await admin.audit('kind=team&id=ephemere')).body.entries as Array<{ action: string }>
    expect(trail.map((e) => e.action)).toEqual(['delete', 'create'])
  })
})

describe(`API accounts from the administration on ${TEST_STORE}`, () => {
  it('an administrator creates an account (key shown once), lists it without its key, and revokes it', async () => {
    world = await openSyncWorld({ requests: 10 })
    const headers = {
      authorization: `Bearer ${await token('alex.admin')}`,
      'content-type': 'application/json',
    }
    const created = await fetch(`${world.url}/api/v1/admin/api-accounts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'Cantines',
        scopes: ['requests:read'],
        categoryIds: ['voirie'],
        expiresInDays: 30,
      }),
    })
    expect(created.status).toBe(201)
    const { account, key } = (await created.json()) as {
      account: { id: string; keyPrefix: string }
      key: string
    }
    expect(key).toMatch(/^grc_[0-9a-f]{8}_/)
    const read = await fetch(`${world.url}/api/v1/partner/requests`, {
      headers: { authorization: `Bearer ${key}` },
    })
    expect(read.status).toBe(200)

    const listed = await (await fetch(`${world.url}/api/v1/admin/api-accounts`, { headers })).text()
    expect(listed).toContain('Cantines')
    expect(listed).not.toContain(key)
    const stored = await world.server.store.sql.all<Record<string, unknown>>('SELECT * FROM api_accounts')
    expect(JSON.stringify(stored)).not.toContain(key)

    const badScope = await fetch(`${world.url}/api/v1/admin/api-accounts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'X', scopes: ['everything'] }),
    })
    expect(badScope.status).toBe(400)
    const lead = await fetch(`${world.url}/api/v1/admin/api-accounts`, {
      headers: { authorization: `Bearer ${await token('luc.lead')}` },
    })
    expect(lead.status).toBe(403)

    // A DELETE has no body: no content type either (Fastify refuses an empty JSON body).
    const revoked = await fetch(`${world.url}/api/v1/admin/api-accounts/${account.id}`, {
      method: 'DELETE',
      headers: { authorization: headers.authorization },
    })
    expect(revoked.status).toBe(200)
    const after = await fetch(`${world.url}/api/v1/partner/requests`, {
      headers: { authorization: `Bearer ${key}` },
    })
    expect(after.status).toBe(401)
  })
})

describe('an authority’s own reference files (--reference DIR)', () => {
  it('starts a new authority from its files, and names the file and field of a mistake', async () => {
    const dir = join(scratch, 'reference')
    cpSync(join(repoRoot, 'resources', 'demo'), dir, { recursive: true })
    cpSync(join(repoRoot, 'resources', 'workflows'), join(dir, 'workflows'), { recursive: true })
    rmSync(join(dir, 'accounts.json'))
    const server = await startServer({
      database: await testDatabase(join(scratch, 'own')),
      resourcesDir: join(repoRoot, 'resources'),
      referenceDir: dir,
      portalKey: 'k',
    })
    try {
      const categories = await server.store.listCategories()
      expect(categories.map((c) => c.id)).toContain('voirie')
      const requests = await server.store.sql.get<{ n: number }>('SELECT count(*) AS n FROM requests')
      expect(requests?.n).toBe(0)
    } finally {
      await server.close()
    }

    const categories = JSON.parse(readFileSync(join(dir, 'categories.json'), 'utf8')) as Array<
      Record<string, unknown>
    >
    categories[0]!.defaultTeamId = 'equipe-inconnue'
    writeFileSync(join(dir, 'categories.json'), JSON.stringify(categories))
    expect(() => readReferenceFiles(dir)).toThrow(ReferenceFilesError)
    expect(() => readReferenceFiles(dir)).toThrow(
      /categories\.json: voirie\.defaultTeamId: no team equipe-inconnue/,
    )
    categories[0]!.slaBusinessHours = 'vite'
    writeFileSync(join(dir, 'categories.json'), JSON.stringify(categories))
    expect(() => readReferenceFiles(dir)).toThrow(/categories\.json: 0\.slaBusinessHours:/)
  })
})
