/**
 * Machine policy: what IT sets in the machine file (or by GPO) an agent's own file and
 * GRC_CONFIG cannot change; each attempt is reported and ignored.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ignoredKeyMessage, loadConfig } from '../../src/core/config'
import { parseRegQuery } from '../../src/core/config/registryPolicy'

const dir = () => mkdtempSync(join(tmpdir(), 'grc-policy-'))
function write(d: string, name: string, value: unknown) {
  const file = join(d, name)
  writeFileSync(file, JSON.stringify(value))
  return file
}
const load = (
  d: string,
  layers: { machine?: unknown; user?: unknown; env?: unknown },
  registry: unknown = null,
) =>
  loadConfig({
    machineConfigFile: layers.machine ? write(d, 'machine.json', layers.machine) : join(d, 'none.json'),
    userConfigFile: layers.user ? write(d, 'user.json', layers.user) : join(d, 'none-user.json'),
    env: layers.env ? { GRC_CONFIG: write(d, 'env.json', layers.env) } : {},
    machinePolicy: () => registry as Record<string, unknown> | null,
  })

describe('machine policy', () => {
  it('a security key IT set is locked by default: the agent’s file cannot shorten the lock or change the server', () => {
    const d = dir()
    const loaded = load(d, {
      machine: { auth: { idleLockMinutes: 10, offlineDays: 3 }, sync: { serverUrl: 'https://grc.ville.fr' } },
      user: {
        auth: { idleLockMinutes: 0, offlineDays: 90 },
        sync: { serverUrl: 'https://ailleurs.example', intervalSeconds: 30 },
        ui: { language: 'en' },
      },
    })
    expect(loaded.config.auth.idleLockMinutes).toBe(10)
    expect(loaded.config.auth.offlineDays).toBe(3)
    expect(loaded.config.sync.serverUrl).toBe('https://grc.ville.fr')
    // What IT did not lock stays the agent's choice.
    expect(loaded.config.sync.intervalSeconds).toBe(30)
    expect(loaded.config.ui.language).toBe('en')
    expect(loaded.ignored.map((i) => i.key).sort()).toEqual([
      'auth.idleLockMinutes',
      'auth.offlineDays',
      'sync.serverUrl',
    ])
    expect(loaded.origins['auth.idleLockMinutes']).toBe('machine')
    expect(ignoredKeyMessage(loaded.ignored[0]!)).toMatch(
      /user\.json: auth\.\w+ est fixée par la configuration de la machine/,
    )
  })

  it('policy.locked locks any key or section, for GRC_CONFIG too; unset by the machine, the default holds', () => {
    const d = dir()
    const loaded = load(d, {
      machine: { policy: { locked: ['ui', 'sync.intervalSeconds'] } },
      user: { ui: { language: 'en' } },
      env: { sync: { intervalSeconds: 5, pageSize: 50 } },
    })
    expect(loaded.config.ui.language).toBe('fr')
    expect(loaded.config.sync.intervalSeconds).toBe(60)
    expect(loaded.config.sync.pageSize).toBe(50)
    expect(loaded.ignored).toEqual([
      { key: 'ui.language', file: join(d, 'user.json') },
      { key: 'sync.intervalSeconds', file: join(d, 'env.json') },
    ])
    expect(loaded.locked).toEqual(
      expect.arrayContaining(['ui', 'sync.intervalSeconds', 'policy', 'security']),
    )
  })

  it('without a machine file nothing is locked but policy and security: an agent cannot weaken the keychain rule', () => {
    const d = dir()
    const loaded = load(d, {
      user: { security: { allowWeakKeychain: true }, policy: { locked: [] }, auth: { idleLockMinutes: 5 } },
    })
    expect(loaded.config.security.allowWeakKeychain).toBe(false)
    expect(loaded.config.auth.idleLockMinutes).toBe(5)
    expect(loaded.ignored.map((i) => i.key)).toEqual(['security.allowWeakKeychain', 'policy.locked'])
    expect(
      load(dir(), { machine: { security: { allowWeakKeychain: true } } }).config.security.allowWeakKeychain,
    ).toBe(true)
  })

  it('GPO values (the Windows registry) are machine policy, over the machine file', () => {
    const d = dir()
    const registry = parseRegQuery(
      [
        'HKEY_LOCAL_MACHINE\\Software\\Policies\\GRC Console',
        '    sync.serverUrl    REG_SZ    https://grc.metropole.fr',
        '    auth.idleLockMinutes    REG_DWORD    0x5',
        '    policy.locked    REG_MULTI_SZ    ui.language\\0map',
        '    security.allowWeakKeychain    REG_SZ    false',
        '',
      ].join('\r\n'),
    )
    expect(registry).toEqual({
      sync: { serverUrl: 'https://grc.metropole.fr' },
      auth: { idleLockMinutes: 5 },
      policy: { locked: ['ui.language', 'map'] },
      security: { allowWeakKeychain: false },
    })
    const loaded = load(
      d,
      {
        machine: { sync: { serverUrl: 'https://ancien.ville.fr' } },
        user: { ui: { language: 'en' }, auth: { idleLockMinutes: 0 } },
      },
      registry,
    )
    expect(loaded.config.sync.serverUrl).toBe('https://grc.metropole.fr')
    expect(loaded.config.auth.idleLockMinutes).toBe(5)
    expect(loaded.config.ui.language).toBe('fr')
    expect(loaded.layers.map((l) => l.kind)).toEqual(['machine', 'machine', 'user'])
    expect(
      parseRegQuery('ERROR: The system was unable to find the specified registry key or value.'),
    ).toBeNull()
  })
})
