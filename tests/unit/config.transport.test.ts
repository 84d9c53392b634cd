/**
 * Secrets in transit (issue 13): the configuration refuses a server or a directory reached in
 * clear over a network; loopback stays allowed for the demo, the tests and a local lab.
 */
import { describe, expect, it } from 'vitest'
import { AppConfigSchema } from '../../src/core/config/schema'

const sync = (sync: Record<string, unknown>) => AppConfigSchema.safeParse({ sync })

function ldap(ldap: Record<string, unknown>) {
  return AppConfigSchema.safeParse({
    auth: {
      provider: 'ldap',
      ldap: {
        urls: ['ldaps://ldap.ville.fr'],
        userSearchBase: 'ou=people,dc=ville,dc=fr',
        mapping: [{ group: 'grc-agents', roles: ['agent'] }],
        ...ldap,
      },
    },
  })
}

const messages = (r: { success: boolean; error?: { issues: { message: string; path: PropertyKey[] }[] } }) =>
  r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') ?? ''

describe('sync.serverUrl', () => {
  it('takes https on any host', () => {
    const r = sync({ serverUrl: 'https://grc.ville.fr' })
    expect(r.success).toBe(true)
    expect(r.data?.sync.serverUrl).toBe('https://grc.ville.fr')
  })

  it.each(['http://localhost:8787', 'http://127.0.0.1:8787', 'http://[::1]:8787'])(
    'takes http on loopback: %s',
    (serverUrl) => expect(sync({ serverUrl }).success).toBe(true),
  )

  it.each([
    'http://grc.ville.fr',
    'http://10.0.0.5:8787',
    'http://127.0.0.1.nip.io',
    'http://localhost.ville.fr',
  ])('refuses http on a network host, saying why: %s', (serverUrl) => {
    const r = sync({ serverUrl })
    expect(r.success).toBe(false)
    expect(messages(r)).toMatch(/sync\.serverUrl: serverUrl must use https:\/\/ .*loopback.*in clear/)
  })

  it('refuses other schemes', () => {
    expect(sync({ serverUrl: 'ftp://grc.ville.fr' }).success).toBe(false)
  })

  it('has no server and no CA by default; caFile is a path', () => {
    const r = AppConfigSchema.parse({})
    expect(r.sync.serverUrl).toBeNull()
    expect(r.sync.caFile).toBeUndefined()
    expect(sync({ serverUrl: 'https://grc.ville.fr', caFile: '/etc/grc/ca.pem' }).data?.sync.caFile).toBe(
      '/etc/grc/ca.pem',
    )
    expect(sync({ caFile: '' }).success).toBe(false)
  })
})

describe('auth.ldap.allowPlain', () => {
  it('takes ldaps:// and ldap:// with StartTLS on a network host', () => {
    expect(ldap({}).success).toBe(true)
    expect(ldap({ urls: ['ldap://ldap.ville.fr'], startTls: true }).success).toBe(true)
  })

  it('refuses ldap:// without StartTLS unless allowPlain', () => {
    const r = ldap({ urls: ['ldap://127.0.0.1:389'], startTls: false })
    expect(messages(r)).toMatch(/in clear/)
  })

  it.each([['ldap://localhost:389'], ['ldap://127.0.0.1'], ['ldap://[::1]:1389']])(
    'allows plain LDAP on loopback: %s',
    (url) => expect(ldap({ urls: [url], startTls: false, allowPlain: true }).success).toBe(true),
  )

  it('refuses allowPlain as soon as one url is on the network, saying so', () => {
    const r = ldap({
      urls: ['ldap://127.0.0.1:389', 'ldap://ldap.ville.fr'],
      startTls: false,
      allowPlain: true,
    })
    expect(r.success).toBe(false)
    expect(messages(r)).toMatch(
      /auth\.ldap\.allowPlain: allowPlain .*only allowed when every url is on loopback/,
    )
  })
})
