/** What the Settings screen shows: every key, its value, its layer, its padlock; no secret. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/core/config'
import { effectiveSettings, MASKED } from '../../src/core/config/effective'

describe('the effective configuration', () => {
  it('names each key’s layer and lock, and masks the directory password', () => {
    const d = mkdtempSync(join(tmpdir(), 'grc-effective-'))
    const machine = join(d, 'machine.json')
    writeFileSync(
      machine,
      JSON.stringify({
        auth: {
          provider: 'ldap',
          ldap: {
            urls: ['ldaps://annuaire.ville.fr'],
            userSearchBase: 'ou=people,dc=ville,dc=fr',
            bindDN: 'cn=grc,dc=ville,dc=fr',
            bindPassword: { env: 'GRC_LDAP_PASSWORD' },
            mapping: [{ group: 'GRC-Agents', roles: ['agent'] }],
          },
        },
        policy: { locked: ['ui.language'] },
      }),
    )
    const user = join(d, 'user.json')
    writeFileSync(user, JSON.stringify({ sla: { dayStart: '09:00' } }))
    const settings = effectiveSettings(
      loadConfig({ machineConfigFile: machine, userConfigFile: user, env: {}, machinePolicy: () => null }),
    )
    const at = (key: string) => settings.find((s) => s.key === key)
    expect(at('auth.provider')).toEqual({
      key: 'auth.provider',
      value: 'ldap',
      layer: 'machine',
      locked: true,
    })
    expect(at('sla.dayStart')).toEqual({ key: 'sla.dayStart', value: '09:00', layer: 'user', locked: false })
    expect(at('ui.language')).toEqual({ key: 'ui.language', value: 'fr', layer: 'default', locked: true })
    expect(at('sync.intervalSeconds')).toMatchObject({ layer: 'default', locked: false })
    // Where the password comes from is shown; a password itself never is.
    expect(at('auth.ldap.bindPassword.env')).toMatchObject({ value: 'GRC_LDAP_PASSWORD', layer: 'machine' })
    const withSecret = effectiveSettings({
      config: { notifications: { smtp: { url: 'smtps://mail.ville.fr', password: 'hunter2' } } } as never,
      origins: { 'notifications.smtp.password': 'machine' },
      locked: [],
    })
    expect(withSecret.find((s) => s.key === 'notifications.smtp.password')?.value).toBe(MASKED)
    expect(JSON.stringify(withSecret)).not.toContain('hunter2')
    expect(settings.map((s) => s.key)).toEqual(
      [...settings.map((s) => s.key)].sort((a, b) => a.localeCompare(b)),
    )
  })
})
