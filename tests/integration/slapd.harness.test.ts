/**
 * The throwaway OpenLDAP harness, checked with the same client the app uses (ldapts): if these pass, a failing
 * directory-login test points at the app, not at the test server.
 */
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { Client, EqualityFilter, InvalidCredentialsError, NoSuchObjectError, type Entry } from 'ldapts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  canonicalDN,
  expectedMemberOf,
  FIXTURE_GROUPS,
  FIXTURE_PASSWORD,
  FIXTURE_USERS,
  GROUPS_DN,
  PEOPLE_DN,
  startSlapd,
  type Slapd,
} from '../support/slapd'

const { zoe, tom, nogroup, locked, obrien } = FIXTURE_USERS

let slapd: Slapd
const clients: Client[] = []

// Without timeouts ldapts waits forever on a server that accepts but never answers.
function client(url = slapd.url, tlsOptions?: { ca: Buffer[] }): Client {
  const c = new Client({ url, timeout: 5000, connectTimeout: 5000, ...(tlsOptions ? { tlsOptions } : {}) })
  clients.push(c)
  return c
}

async function asService(): Promise<Client> {
  const c = client()
  await c.bind(slapd.serviceDN, slapd.servicePassword)
  return c
}

async function searchEntries(
  c: Client,
  base: string,
  filter: string | EqualityFilter,
  attributes?: string[],
) {
  const { searchEntries } = await c.search(base, {
    scope: 'sub',
    filter,
    ...(attributes ? { attributes } : {}),
  })
  return searchEntries
}

/** ldapts gives a string for one value and an array for several. */
function values(entry: Entry | undefined, attribute: string): string[] {
  const value = entry?.[attribute]
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).map(String)
}

const canonicalSet = (dns: string[]) => new Set(dns.map(canonicalDN))
const ca = () => [readFileSync(slapd.caFile)]
const otherCa = () => [readFileSync(slapd.otherCaFile)]

beforeAll(async () => {
  slapd = await startSlapd()
})

afterAll(async () => {
  await Promise.all(clients.map((c) => c.unbind().catch(() => {})))
  await slapd?.stop()
})

describe('service account', () => {
  it('binds and finds a user by uid, without ever seeing password hashes', async () => {
    const c = await asService()
    const entries = await searchEntries(c, slapd.baseDN, `(uid=${zoe.uid})`, ['cn', 'mail', 'userPassword'])
    expect(entries.map((e) => e.dn)).toEqual([zoe.dn])
    expect(entries[0]?.cn).toBe('Zoé Marchal')
    expect(entries[0]?.mail).toBe(zoe.mail)
    expect(values(entries[0], 'userPassword')).toEqual([])
  })

  it('finds the same user by sAMAccountName (case-insensitive), userPrincipalName and mail', async () => {
    const c = await asService()
    for (const filter of [
      '(sAMAccountName=ZMarchal)',
      `(userPrincipalName=${zoe.userPrincipalName})`,
      `(mail=${zoe.mail})`,
    ]) {
      expect(
        (await searchEntries(c, slapd.baseDN, filter)).map((e) => e.dn),
        filter,
      ).toEqual([zoe.dn])
    }
  })

  it('finds a cn full of filter metacharacters when the filter is escaped', async () => {
    const c = await asService()
    const filter = new EqualityFilter({ attribute: 'cn', value: obrien.cn })
    const entries = await searchEntries(c, PEOPLE_DN, filter, ['cn'])
    expect(entries.map((e) => e.cn)).toEqual(["Aïssa O'Brien, (Voirie)*"])
  })

  it('finds a groupOfUniqueNames by uniqueMember', async () => {
    const c = await asService()
    const entries = await searchEntries(
      c,
      GROUPS_DN,
      `(&(objectClass=groupOfUniqueNames)(uniqueMember=${tom.dn}))`,
      ['cn'],
    )
    expect(entries.map((e) => e.cn)).toEqual(['team-proprete'])
  })
})

describe('user binds', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    await client().bind(zoe.dn, FIXTURE_PASSWORD)
    await expect(client().bind(zoe.dn, 'Secret-124')).rejects.toBeInstanceOf(InvalidCredentialsError)
  })

  it('refuses the locked account even with its right password', async () => {
    await expect(client().bind(locked.dn, FIXTURE_PASSWORD)).rejects.toBeInstanceOf(InvalidCredentialsError)
  })

  it('lets a test lock and unlock an account through modify()', async () => {
    const setLock = (change: string) =>
      slapd.modify(
        `dn: ${nogroup.dn}\nchangetype: modify\n${change}: pwdAccountLockedTime\n` +
          (change === 'replace' ? 'pwdAccountLockedTime: 000001010000Z\n' : ''),
      )
    await setLock('replace')
    await expect(client().bind(nogroup.dn, FIXTURE_PASSWORD)).rejects.toBeInstanceOf(InvalidCredentialsError)
    await setLock('delete')
    await client().bind(nogroup.dn, FIXTURE_PASSWORD)
  })

  it('lists groupOfNames memberships in memberOf, the comma group hex-escaped by the server', async () => {
    const c = client()
    await c.bind(zoe.dn, FIXTURE_PASSWORD)
    const [entry] = await searchEntries(c, zoe.dn, '(objectClass=*)', ['memberOf'])
    const memberOf = values(entry, 'memberOf')
    expect(canonicalSet(memberOf)).toEqual(canonicalSet(expectedMemberOf(zoe)))
    expect(canonicalSet(memberOf)).toEqual(
      canonicalSet([
        FIXTURE_GROUPS.agents.dn,
        FIXTURE_GROUPS.teamVoirie.dn,
        'cn=Voirie\\, Nord,ou=groups,dc=grc,dc=test',
      ]),
    )
    expect(memberOf).toContain('cn=Voirie\\2C Nord,ou=groups,dc=grc,dc=test')
  })

  it('lets a bound user read the groups and its own entry, but not other people', async () => {
    const c = client()
    await c.bind(zoe.dn, FIXTURE_PASSWORD)
    const teams = await searchEntries(c, GROUPS_DN, '(objectClass=groupOfUniqueNames)', ['cn'])
    expect(teams.map((e) => e.cn)).toEqual(['team-proprete'])
    expect((await searchEntries(c, PEOPLE_DN, '(uid=*)')).map((e) => e.dn)).toEqual([zoe.dn])
  })

  it('gives anonymous clients nothing to read', async () => {
    await expect(searchEntries(client(), slapd.baseDN, `(uid=${zoe.uid})`)).rejects.toBeInstanceOf(
      NoSuchObjectError,
    )
  })
})

describe('TLS', () => {
  it('LDAPS works with the test CA and is refused with an unrelated CA', async () => {
    await client(slapd.ldapsUrl, { ca: ca() }).bind(slapd.serviceDN, slapd.servicePassword)
    await expect(
      client(slapd.ldapsUrl, { ca: otherCa() }).bind(slapd.serviceDN, slapd.servicePassword),
    ).rejects.toThrow(/self[- ]signed certificate in certificate chain|unable to verify/i)
  })

  it('StartTLS on the plain URL works with the test CA and is refused with an unrelated CA', async () => {
    const good = client()
    await good.startTLS({ ca: ca() })
    await good.bind(zoe.dn, FIXTURE_PASSWORD)
    await expect(client().startTLS({ ca: otherCa() })).rejects.toThrow(/self[- ]signed|unable to verify/i)
  })
})

describe('lifecycle', () => {
  it('a second server runs alongside; stop() frees its port and deletes its files', async () => {
    // IP-only certificate: shows that ldapts' startTLS() needs `host`, since it checks "localhost" by default.
    const other = await startSlapd({ subjectAltNames: ['IP:127.0.0.1'] })
    const port = Number(new URL(other.url).port)
    const caFile = other.caFile
    try {
      expect(other.url).not.toBe(slapd.url)
      const withoutHost = new Client({ url: other.url, timeout: 5000, connectTimeout: 5000 })
      await expect(withoutHost.startTLS({ ca: [readFileSync(caFile)] })).rejects.toThrow(/localhost/)
      await withoutHost.unbind()
      // Unbind before stop(): after startTLS, ldapts misses the server closing the socket and would wait `timeout`.
      const withHost = new Client({ url: other.url, timeout: 5000, connectTimeout: 5000 })
      await withHost.startTLS({ ca: [readFileSync(caFile)], host: '127.0.0.1' })
      await withHost.bind(other.serviceDN, other.servicePassword)
      await withHost.unbind()
    } finally {
      await other.stop()
    }
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve('connected')
      })
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    })
    expect(refused).toBe('ECONNREFUSED')
    expect(() => readFileSync(caFile)).toThrow(/ENOENT/)
    await other.stop() // idempotent
  })
})
