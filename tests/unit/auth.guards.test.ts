/**
 * Around every auth provider: repeated failures slow the next tries; a directory login
 * leaves an offline verifier that opens an offline session while the directory is down,
 * until it expires; group mapping by DN or name.
 */
import { describe, expect, it } from 'vitest'
import { CoreError } from '../../src/shared/result'
import { withThrottle } from '../../src/core/directory/throttle'
import { withOfflineLogin } from '../../src/main/auth/offlineLogin'
import { groupName, mapGroups, normalizeDn } from '../../src/core/directory/ldap'
import type { AuthProvider } from '../../src/core/directory/provider'
import { openMemoryStore } from '../../src/main/cache/db'

/** The profile's cache key, as a console holds it. */
const SEAL_KEY = Buffer.alloc(32, 7)

const ZOE = {
  login: 'zoe',
  displayName: 'Zoé',
  roles: ['agent' as const],
  teamIds: ['voirie'],
  kind: 'online' as const,
}

/** A directory whose password and reachability the test sets. */
function fakeDirectory() {
  const state = { password: 'Secret-1', reachable: true, calls: 0 }
  const provider: AuthProvider = {
    name: 'fake',
    async authenticate(login, password) {
      state.calls++
      if (!state.reachable) throw new CoreError('directory_unreachable', 'injoignable')
      if (login !== 'zoe' || password !== state.password) throw new CoreError('bad_credentials', 'non')
      return ZOE
    },
  }
  return { state, provider }
}

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p
    return 'ok'
  } catch (e) {
    return (e as CoreError).code
  }
}

describe('throttling', () => {
  it('lets a few mistakes through, then makes the next tries wait, longer each time; success resets', async () => {
    let now = 1_000_000
    const { provider, state } = fakeDirectory()
    const p = withThrottle(provider, () => now)
    for (let i = 0; i < 3; i++) expect(await codeOf(p.authenticate('zoe', 'faux'))).toBe('bad_credentials')
    const calls = state.calls
    // The fourth comes too soon: refused without asking the directory.
    expect(await codeOf(p.authenticate('zoe', 'Secret-1'))).toBe('too_many_attempts')
    expect(state.calls).toBe(calls)
    now += 1100
    expect(await codeOf(p.authenticate('zoe', 'faux'))).toBe('bad_credentials')
    now += 1100
    expect(await codeOf(p.authenticate('zoe', 'Secret-1'))).toBe('too_many_attempts')
    now += 2000
    expect(await codeOf(p.authenticate('zoe', 'Secret-1'))).toBe('ok')
    expect(await codeOf(p.authenticate('zoe', 'faux'))).toBe('bad_credentials')
    // Another login is not slowed by Zoé's mistakes.
    expect(await codeOf(p.authenticate('luc', 'x'))).toBe('bad_credentials')
  })
})

describe('throttling cannot be dodged', () => {
  it('by trying in parallel: one attempt per login at a time, and every failure counts', async () => {
    let release: () => void = () => {}
    const slow: AuthProvider = {
      name: 'slow',
      authenticate: () =>
        new Promise((_resolve, reject) => {
          release = () => reject(new CoreError('bad_credentials', 'non'))
        }),
    }
    const p = withThrottle(slow)
    const first = codeOf(p.authenticate('zoe', 'a'))
    const parallel = await Promise.all(Array.from({ length: 10 }, () => codeOf(p.authenticate('zoe', 'b'))))
    expect(parallel.every((c) => c === 'too_many_attempts')).toBe(true)
    release()
    expect(await first).toBe('bad_credentials')
  })

  it('by writing the login another way the directory reads the same (case, full-width letters)', async () => {
    const { provider } = fakeDirectory()
    const p = withThrottle(provider, () => 0)
    for (const variant of ['zoe', 'ZOE', 'ｚｏｅ'])
      expect(await codeOf(p.authenticate(variant, 'faux'))).toBe('bad_credentials')
    expect(await codeOf(p.authenticate('Ｚｏｅ', 'faux'))).toBe('too_many_attempts')
  })
})

// Each check runs scrypt at N = 2^17 (about half a second, more on a loaded machine).
describe('offline login', { timeout: 30_000 }, () => {
  it('opens an offline session with the same password while the directory is down, until the expiry', async () => {
    let now = Date.UTC(2026, 10, 29)
    const db = openMemoryStore()
    const { provider, state } = fakeDirectory()
    const p = withOfflineLogin(provider, db, { days: 7, sealKey: SEAL_KEY, now: () => now })
    expect(await p.authenticate('zoe', 'Secret-1')).toMatchObject({ kind: 'online' })
    // The verifier is a salted, memory-hard scrypt hash, never the password.
    const stored = db.prepare('SELECT verifier, identity FROM offline_verifiers').get() as Record<
      string,
      string
    >
    expect(JSON.stringify(stored)).not.toContain('Secret-1')
    expect(stored.verifier).toMatch(/^scrypt2\$131072\$/)

    state.reachable = false
    expect(await p.authenticate('zoe', 'Secret-1')).toMatchObject({
      kind: 'offline',
      roles: ['agent'],
      teamIds: ['voirie'],
    })
    expect(await codeOf(p.authenticate('zoe', 'autre'))).toBe('bad_credentials')
    expect(await codeOf(p.authenticate('luc', 'Secret-1'))).toBe('directory_unreachable')
    now += 8 * 24 * 3600 * 1000
    expect(await codeOf(p.authenticate('zoe', 'Secret-1'))).toBe('directory_unreachable')
    expect(db.prepare('SELECT count(*) FROM offline_verifiers').pluck().get()).toBe(0)
  })

  it('a password changed in the directory wins as soon as it is reachable again', async () => {
    const db = openMemoryStore()
    const { provider, state } = fakeDirectory()
    const p = withOfflineLogin(provider, db, { days: 7, sealKey: SEAL_KEY })
    await p.authenticate('zoe', 'Secret-1')
    state.password = 'Nouveau-2'
    // Online, the old password is refused, and forgotten for offline use too.
    expect(await codeOf(p.authenticate('zoe', 'Secret-1'))).toBe('bad_credentials')
    state.reachable = false
    expect(await codeOf(p.authenticate('zoe', 'Secret-1'))).toBe('directory_unreachable')
    state.reachable = true
    await p.authenticate('zoe', 'Nouveau-2')
    state.reachable = false
    expect(await p.authenticate('zoe', 'Nouveau-2')).toMatchObject({ kind: 'offline' })
  })
})

describe('group mapping', () => {
  const mapping = [
    { group: 'cn=grc-agents,ou=groups,dc=grc,dc=test', roles: ['agent' as const], teams: [] },
    { group: 'Voirie, Nord', roles: [], teams: ['voirie-nord'] },
    { group: 'team-voirie', roles: [], teams: ['voirie'] },
  ]
  it('matches DNs whatever their case and spacing, and names by the first RDN, unescaped', () => {
    expect(normalizeDn('CN=GRC-Agents, OU=Groups ,dc=grc,dc=test')).toBe(
      normalizeDn('cn=grc-agents,ou=groups,dc=grc,dc=test'),
    )
    expect(normalizeDn('cn=Voirie\\2C Nord,ou=g')).toBe(normalizeDn('cn=Voirie\\, Nord,ou=g'))
    // A multi-valued RDN is not two RDNs; an escaped trailing space is part of the value.
    expect(normalizeDn('cn=admins+ou=groups,dc=x')).not.toBe(normalizeDn('cn=admins,ou=groups,dc=x'))
    expect(normalizeDn('cn=sup\\ ,dc=x')).not.toBe(normalizeDn('cn=sup,dc=x'))
    expect(groupName('cn=Voirie\\, Nord,ou=groups,dc=grc,dc=test')).toBe('Voirie, Nord')
    expect(groupName('cn=caf\\c3\\a9 \\2b th\\c3\\a9,ou=g')).toBe('café + thé')
    expect(
      mapGroups(
        ['CN=GRC-Agents,OU=Groups,DC=grc,DC=test', 'cn=Voirie\\, Nord,ou=groups,dc=grc,dc=test'],
        mapping,
      ),
    ).toEqual({ roles: ['agent'], teamIds: ['voirie-nord'] })
    expect(mapGroups(['cn=other,ou=groups'], mapping)).toEqual({ roles: [], teamIds: [] })
  })
})
