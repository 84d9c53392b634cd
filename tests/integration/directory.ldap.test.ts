/**
 * Directory login against a real OpenLDAP (slapd started by the test on loopback, with
 * its own CA): login by each attribute, groups by memberOf / member / uniqueMember, role
 * and team mapping, refusals (wrong and empty password, injection, locked, no role), TLS
 * (LDAPS, StartTLS, untrusted CA), fail-over, offline login, and the server's token
 * endpoint on the same directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CoreError } from '../../src/shared/result'
import { AppConfigSchema, type AppConfig } from '../../src/core/config'
import { createAuthProvider } from '../../src/core/directory'
import { hashPassword } from '../../src/core/directory/password'
import { createConsoleAuthProvider } from '../../src/main/auth/offlineLogin'
import { openMemoryStore } from '../../src/main/cache/db'
import { startServer } from '../../src/server/start'
import { createConsole } from '../../src/main/console'
import { repoRoot } from '../support/core'
import {
  FIXTURE_PASSWORD,
  GROUPS_DN,
  PEOPLE_DN,
  SERVICE_DN,
  SERVICE_PASSWORD,
  startSlapd,
  type Slapd,
} from '../support/slapd'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { createServer, type AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'

let slapd: Slapd
/** A port nothing listens on: the "first server is down" of a fail-over list. */
const DEAD = 'ldap://127.0.0.1:9'
/** The profile's cache key, as a console would have it: the offline snapshots' MAC needs it. */
const SEAL_KEY = randomBytes(32)

beforeAll(async () => {
  // IP-only certificate names: StartTLS must check the name it connected to, not "localhost".
  slapd = await startSlapd({ subjectAltNames: ['IP:127.0.0.1'] })
}, 60_000)
afterAll(async () => slapd?.stop())

type LdapOverrides = Record<string, unknown>

function configWith(ldap: LdapOverrides = {}, auth: Record<string, unknown> = {}): AppConfig {
  return AppConfigSchema.parse({
    auth: {
      provider: 'ldap',
      ...auth,
      ldap: {
        urls: [slapd.url],
        startTls: true,
        caFile: slapd.caFile,
        connectTimeoutMs: 2000,
        timeoutMs: 4000,
        bindDN: SERVICE_DN,
        bindPassword: { env: 'GRC_TEST_LDAP_BIND' },
        userSearchBase: PEOPLE_DN,
        userFilter: '(objectClass=inetOrgPerson)',
        loginAttribute: 'uid',
        groups: { lookup: 'memberOf', searchBase: GROUPS_DN },
        mapping: [
          { group: 'grc-agents', roles: ['agent'] },
          { group: 'grc-leads', roles: ['lead'] },
          { group: 'grc-technicians', roles: ['technician'] },
          { group: 'grc-supervisors', roles: ['supervisor'] },
          { group: 'team-voirie', teams: ['voirie'] },
          { group: `cn=Voirie\\, Nord,${GROUPS_DN}`, teams: ['voirie-nord'] },
          { group: 'team-eclairage', teams: ['eclairage'] },
          { group: 'team-proprete', roles: ['technician'], teams: ['proprete'] },
        ],
        ...ldap,
      },
    },
  })
}

const env = { GRC_TEST_LDAP_BIND: SERVICE_PASSWORD }
const provider = (
  ldap: LdapOverrides = {},
  extra: { db?: ReturnType<typeof openMemoryStore>; now?: () => number } = {},
) => {
  const { db, ...rest } = extra
  const options = { resourcesDir: join(repoRoot, 'resources'), env, ...rest }
  // With a cache, the console's provider (offline login inside the throttle); without, the server's.
  return db
    ? createConsoleAuthProvider(configWith(ldap), { ...options, db, sealKey: SEAL_KEY })
    : createAuthProvider(configWith(ldap), options)
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p
  } catch (e) {
    if (e instanceof CoreError) return { code: e.code, message: e.message }
    throw e
  }
  throw new Error('expected a refusal')
}

describe('logging in with the directory', () => {
  it('by uid, with roles and teams from the groups (memberOf, a group name with a comma)', async () => {
    const zoe = await provider().authenticate('zoe.agent', FIXTURE_PASSWORD)
    expect(zoe).toMatchObject({
      login: 'zoe.agent',
      displayName: 'Zoé Marchal',
      kind: 'online',
      roles: ['agent'],
    })
    expect([...zoe.teamIds].sort()).toEqual(['voirie', 'voirie-nord'])
  })

  it.each([
    ['mail', 'zoe.marchal@grc.test'],
    ['sAMAccountName', 'ZMARCHAL'],
    ['userPrincipalName', 'zoe.marchal@grc.test'],
  ] as const)('by %s', async (loginAttribute, login) => {
    const zoe = await provider({ loginAttribute }).authenticate(login, FIXTURE_PASSWORD)
    expect(zoe.displayName).toBe('Zoé Marchal')
    expect(zoe.roles).toEqual(['agent'])
  })

  it('groups found by searching group entries: member, and uniqueMember (which fills no memberOf)', async () => {
    const luc = await provider({ groups: { lookup: 'member', searchBase: GROUPS_DN } }).authenticate(
      'luc.lead',
      FIXTURE_PASSWORD,
    )
    expect(luc.roles).toEqual(['lead'])
    const tom = await provider({ groups: { lookup: 'uniqueMember', searchBase: GROUPS_DN } }).authenticate(
      'tom.tech',
      FIXTURE_PASSWORD,
    )
    expect(tom).toMatchObject({ roles: ['technician'], teamIds: ['proprete'] })
  })

  it('without a service account: the user binds first (DN template) and reads their own entry and groups', async () => {
    const p = provider({
      bindDN: undefined,
      bindPassword: undefined,
      userBindTemplate: `uid={login},${PEOPLE_DN}`,
    })
    const zoe = await p.authenticate('zoe.agent', FIXTURE_PASSWORD)
    expect(zoe).toMatchObject({ displayName: 'Zoé Marchal', roles: ['agent'] })
    expect((await refusal(p.authenticate('zoe.agent', 'faux'))).code).toBe('bad_credentials')
    // A login that would change the DN's structure is data in it, not syntax.
    expect((await refusal(p.authenticate('zoe.agent,ou=people', FIXTURE_PASSWORD))).code).toBe(
      'bad_credentials',
    )
  })

  it('a user whose name has commas, quotes, parentheses, a star and accents', async () => {
    const who = await provider().authenticate('o.brien', FIXTURE_PASSWORD)
    expect(who.displayName).toBe("Aïssa O'Brien, (Voirie)*")
    expect(who.roles).toEqual(['agent'])
  })

  it('refuses a wrong password, and an empty one before any network call', async () => {
    expect((await refusal(provider().authenticate('zoe.agent', 'faux'))).code).toBe('bad_credentials')
    // Pointed at a dead server: still refused at once, as an empty password, not "unreachable".
    const empty = await refusal(provider({ urls: [DEAD] }).authenticate('zoe.agent', ''))
    expect(empty).toMatchObject({ code: 'bad_credentials', message: 'Le mot de passe est vide.' })
  })

  it.each(['*', 'zoe*', 'admin)(uid=*', 'zoe.agent)(|(uid=*', '*)(objectClass=*', 'zoe.agent\u0000', '\\2a'])(
    'treats the login %j as data, never as filter syntax',
    async (login) => {
      const r = await refusal(provider().authenticate(login, FIXTURE_PASSWORD))
      expect(r.code).toBe('bad_credentials')
    },
  )

  it('says when the directory disables the account, and when no group gives a role', async () => {
    expect((await refusal(provider().authenticate('locked', FIXTURE_PASSWORD))).code).toBe('account_disabled')
    const none = await refusal(provider().authenticate('nogroup', FIXTURE_PASSWORD))
    expect(none.code).toBe('no_role')
    expect(none.message).toMatch(/aucun groupe/)
  })

  it('a group of a mapped name outside the groups base gives nothing', async () => {
    await slapd.modify(
      `dn: cn=grc-supervisors,ou=services,dc=grc,dc=test\nchangetype: add\nobjectClass: groupOfNames\ncn: grc-supervisors\nmember: uid=nora.agent,${PEOPLE_DN}\n`,
    )
    try {
      expect((await provider().authenticate('nora.agent', FIXTURE_PASSWORD)).roles).toEqual(['agent'])
    } finally {
      await slapd.modify('dn: cn=grc-supervisors,ou=services,dc=grc,dc=test\nchangetype: delete\n')
    }
  })

  it('slows repeated failures for one login', async () => {
    const p = provider()
    for (let i = 0; i < 3; i++)
      expect((await refusal(p.authenticate('nora.agent', 'faux'))).code).toBe('bad_credentials')
    const slowed = await refusal(p.authenticate('nora.agent', FIXTURE_PASSWORD))
    expect(slowed.code).toBe('too_many_attempts')
    expect(slowed.message).not.toContain(FIXTURE_PASSWORD)
  })
})

describe('TLS and fail-over', () => {
  it('LDAPS with the authority’s CA; refused, in words, without it or with another CA', async () => {
    expect(
      (await provider({ urls: [slapd.ldapsUrl] }).authenticate('zoe.agent', FIXTURE_PASSWORD)).roles,
    ).toEqual(['agent'])
    for (const caFile of [slapd.otherCaFile, undefined]) {
      const r = await refusal(
        provider({ urls: [slapd.ldapsUrl], caFile }).authenticate('zoe.agent', FIXTURE_PASSWORD),
      )
      expect(r.code).toBe('certificate_untrusted')
      expect(r.message).toMatch(/certificat/)
    }
  })

  it('StartTLS with the CA; refused with another CA', async () => {
    expect((await provider({ startTls: true }).authenticate('luc.lead', FIXTURE_PASSWORD)).roles).toEqual([
      'lead',
    ])
    const r = await refusal(
      provider({ caFile: slapd.otherCaFile }).authenticate('luc.lead', FIXTURE_PASSWORD),
    )
    expect(r.code).toBe('certificate_untrusted')
  })

  it('the first server down, the second answering', async () => {
    const who = await provider({ urls: [DEAD, slapd.url] }).authenticate('sara.sup', FIXTURE_PASSWORD)
    expect(who.roles).toEqual(['supervisor'])
  })

  it('a server that accepts StartTLS and then says nothing: given up on time, the next one answers', async () => {
    const silent = createServer((socket) => socket.on('data', () => {}))
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const port = (silent.address() as AddressInfo).port
    try {
      const started = Date.now()
      const who = await provider({
        urls: [`ldap://127.0.0.1:${port}`, slapd.url],
        connectTimeoutMs: 300,
        timeoutMs: 300,
      }).authenticate('zoe.agent', FIXTURE_PASSWORD)
      expect(who.roles).toEqual(['agent'])
      expect(Date.now() - started).toBeLessThan(5000)
    } finally {
      silent.close()
    }
  })

  it('every server down: unreachable, in words', async () => {
    const r = await refusal(
      provider({ urls: [DEAD, 'ldap://127.0.0.1:10'] }).authenticate('zoe.agent', FIXTURE_PASSWORD),
    )
    expect(r.code).toBe('directory_unreachable')
    expect(r.message).toMatch(/injoignable/)
  })

  it('refuses a configuration that would send passwords in clear', () => {
    expect(() => configWith({ startTls: false })).toThrow(/in clear/)
  })
})

// Each check runs scrypt at N = 2^17 (about half a second, more on a loaded machine).
describe('offline login', { timeout: 30_000 }, () => {
  it('after an online login, the directory unreachable: an offline session until the expiry', async () => {
    const db = openMemoryStore()
    let now = Date.now()
    await provider({}, { db, now: () => now }).authenticate('zoe.agent', FIXTURE_PASSWORD)
    const offline = provider({ urls: [DEAD] }, { db, now: () => now })
    const zoe = await offline.authenticate('zoe.agent', FIXTURE_PASSWORD)
    expect(zoe).toMatchObject({ kind: 'offline', roles: ['agent'] })
    expect((await refusal(offline.authenticate('zoe.agent', 'faux'))).code).toBe('bad_credentials')
    now += 8 * 24 * 3600 * 1000
    const expired = await refusal(
      provider({ urls: [DEAD] }, { db, now: () => now }).authenticate('zoe.agent', FIXTURE_PASSWORD),
    )
    expect(expired.code).toBe('directory_unreachable')
    expect(expired.message).toMatch(/expiré/)
  })

  it('a snapshot edited on disk (a role granted, the expiry pushed) opens nothing, and is forgotten', async () => {
    const db = openMemoryStore()
    await provider({}, { db }).authenticate('zoe.agent', FIXTURE_PASSWORD)
    const row = db.prepare('SELECT verifier, identity FROM offline_verifiers').get() as {
      verifier: string
      identity: string
    }
    // Memory-hard: scrypt at N = 2^17; no password in clear anywhere in the row.
    expect(row.verifier).toMatch(/^scrypt2\$131072\$8\$1\$/)
    expect(JSON.stringify(row)).not.toContain(FIXTURE_PASSWORD)
    const granted = JSON.stringify({ ...JSON.parse(row.identity), roles: ['supervisor'] })
    db.prepare('UPDATE offline_verifiers SET identity = ?').run(granted)
    const refused = await refusal(
      provider({ urls: [DEAD] }, { db }).authenticate('zoe.agent', FIXTURE_PASSWORD),
    )
    expect(refused.code).toBe('directory_unreachable')
    expect(refused.message).toMatch(/pas de session hors ligne valable/)
    expect(db.prepare('SELECT count(*) FROM offline_verifiers').pluck().get()).toBe(0)

    // The expiry is covered too; and a key of another profile does not check either.
    await provider({}, { db }).authenticate('zoe.agent', FIXTURE_PASSWORD)
    db.prepare('UPDATE offline_verifiers SET expires_at = expires_at + 86400000 * 365').run()
    expect(
      (await refusal(provider({ urls: [DEAD] }, { db }).authenticate('zoe.agent', FIXTURE_PASSWORD))).code,
    ).toBe('directory_unreachable')
    await provider({}, { db }).authenticate('zoe.agent', FIXTURE_PASSWORD)
    const elsewhere = createConsoleAuthProvider(configWith({ urls: [DEAD] }), {
      resourcesDir: join(repoRoot, 'resources'),
      env,
      db,
      sealKey: randomBytes(32),
    })
    expect((await refusal(elsewhere.authenticate('zoe.agent', FIXTURE_PASSWORD))).code).toBe(
      'directory_unreachable',
    )
  })

  it('a verifier of the old kind (scrypt 2^14, no seal) is never accepted offline', async () => {
    const db = openMemoryStore()
    await provider({}, { db }).authenticate('zoe.agent', FIXTURE_PASSWORD)
    db.prepare('UPDATE offline_verifiers SET verifier = ?, mac = NULL').run(
      await hashPassword(FIXTURE_PASSWORD),
    )
    expect(
      (await refusal(provider({ urls: [DEAD] }, { db }).authenticate('zoe.agent', FIXTURE_PASSWORD))).code,
    ).toBe('directory_unreachable')
  })

  it('a password changed in the directory wins as soon as it is reachable again', async () => {
    const db = openMemoryStore()
    await provider({}, { db }).authenticate('luc.lead', FIXTURE_PASSWORD)
    await slapd.modify(
      `dn: uid=luc.lead,${PEOPLE_DN}\nchangetype: modify\nreplace: userPassword\nuserPassword: Nouveau-456\n`,
    )
    try {
      expect((await refusal(provider({}, { db }).authenticate('luc.lead', FIXTURE_PASSWORD))).code).toBe(
        'bad_credentials',
      )
      // The old password no longer opens an offline session either.
      const r = await refusal(provider({ urls: [DEAD] }, { db }).authenticate('luc.lead', FIXTURE_PASSWORD))
      expect(r.code).toBe('directory_unreachable')
      expect((await provider({}, { db }).authenticate('luc.lead', 'Nouveau-456')).kind).toBe('online')
    } finally {
      await slapd.modify(
        `dn: uid=luc.lead,${PEOPLE_DN}\nchangetype: modify\nreplace: userPassword\nuserPassword: ${FIXTURE_PASSWORD}\n`,
      )
    }
  })
})

describe('a console on the directory', () => {
  it('logs in online, then offline on the same profile when the directory is down, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grc-ldap-console-'))
    process.env.GRC_TEST_LDAP_BIND = SERVICE_PASSWORD
    const open = (ldap: LdapOverrides) =>
      createConsole({
        config: {
          ...configWith(ldap),
          profile: { name: 'poste', dataDir: dir },
          demo: { seedWhenEmpty: false, requests: 0, seed: 1 },
        },
        resourcesDir: join(repoRoot, 'resources'),
        userDataDir: dir,
      })
    try {
      const online = await open({})
      const first = await online.invoke('session.login', { login: 'zoe.agent', password: FIXTURE_PASSWORD })
      expect(first).toMatchObject({ ok: true, value: { kind: 'online', roles: ['agent'] } })
      await online.close()
      const offline = await open({ urls: [DEAD] })
      const second = await offline.invoke('session.login', { login: 'zoe.agent', password: FIXTURE_PASSWORD })
      expect(second).toMatchObject({ ok: true, value: { kind: 'offline', displayName: 'Zoé Marchal' } })
      const wrong = await offline.invoke('session.login', { login: 'zoe.agent', password: 'faux' })
      expect(wrong).toMatchObject({ ok: false, error: { code: 'bad_credentials' } })
      // Never a password in what the core answers.
      expect(JSON.stringify([first, second, wrong])).not.toContain(FIXTURE_PASSWORD)
      await offline.close()
    } finally {
      delete process.env.GRC_TEST_LDAP_BIND
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the reference server on the same directory', () => {
  it('its token endpoint authenticates agents with the same provider and configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grc-ldap-server-'))
    process.env.GRC_TEST_LDAP_BIND = SERVICE_PASSWORD
    const server = await startServer({
      database: join(dir, 'server.db'),
      resourcesDir: join(repoRoot, 'resources'),
      demoRequests: 0,
      config: configWith(),
    })
    try {
      const token = (body: object) =>
        fetch(`${server.url}/api/v1/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grantType: 'password', clientId: 'c1', ...body }),
        })
      const ok = await token({ login: 'zoe.agent', password: FIXTURE_PASSWORD })
      expect(ok.status).toBe(200)
      expect(((await ok.json()) as { agent: { roles: string[] } }).agent.roles).toEqual(['agent'])
      expect((await token({ login: 'zoe.agent', password: 'faux' })).status).toBe(401)
      const none = await token({ login: 'nogroup', password: FIXTURE_PASSWORD })
      expect(none.status).toBe(403)
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('no_role')
    } finally {
      await server.close()
      delete process.env.GRC_TEST_LDAP_BIND
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
