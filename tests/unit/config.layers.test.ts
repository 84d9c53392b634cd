import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, machineConfigPath } from '../../src/core/config'

function dir() {
  return mkdtempSync(join(tmpdir(), 'grc-config-'))
}
function write(d: string, name: string, value: unknown) {
  const file = join(d, name)
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value))
  return file
}

describe('configuration layers', () => {
  it('opens the demo profile in French with no file at all', () => {
    const d = dir()
    const { config, layers } = loadConfig({
      userConfigFile: join(d, 'missing-user.json'),
      machineConfigFile: join(d, 'missing-machine.json'),
      env: {},
    })
    expect(layers).toEqual([])
    expect(config.profile.name).toBe('demo')
    expect(config.ui.language).toBe('fr')
    expect(config.sla.timeZone).toBe('Europe/Paris')
  })

  it('applies defaults < machine < user < GRC_CONFIG, key by key', () => {
    const d = dir()
    const machine = write(d, 'machine.json', {
      ui: { language: 'en' },
      sla: { dayStart: '08:00', dayEnd: '18:00' },
    })
    const user = write(d, 'user.json', { sla: { dayStart: '09:00' } })
    const env = write(d, 'env.json', { profile: { name: 'mairie-nancy' } })
    const { config, layers, origins } = loadConfig({
      userConfigFile: user,
      machineConfigFile: machine,
      env: { GRC_CONFIG: env },
    })
    expect(layers.map((l) => l.kind)).toEqual(['machine', 'user', 'env'])
    expect(config.ui.language).toBe('en')
    expect(config.sla.dayStart).toBe('09:00')
    expect(config.sla.dayEnd).toBe('18:00')
    expect(config.profile.name).toBe('mairie-nancy')
    expect(origins['sla.dayEnd']).toBe('machine')
    expect(origins['sla.dayStart']).toBe('user')
  })

  it('refuses a bad value naming the key and the file', () => {
    const d = dir()
    const user = write(d, 'user.json', { sla: { dayStart: '25:00' } })
    expect(() =>
      loadConfig({ userConfigFile: user, machineConfigFile: join(d, 'none'), env: {} }),
    ).toThrowError(
      new RegExp(`${user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: sla\\.dayStart: expected HH:MM`),
    )
  })

  it('refuses an unknown key, invalid JSON and a GRC_CONFIG pointing nowhere', () => {
    const d = dir()
    const typo = write(d, 'typo.json', { ui: { langage: 'fr' } })
    expect(() => loadConfig({ userConfigFile: typo, machineConfigFile: join(d, 'none'), env: {} })).toThrow(
      /typo\.json: ui\.langage/,
    )
    const broken = write(d, 'broken.json', '{ "ui": ')
    expect(() => loadConfig({ userConfigFile: broken, machineConfigFile: join(d, 'none'), env: {} })).toThrow(
      /broken\.json: is not valid JSON/,
    )
    expect(() =>
      loadConfig({ userConfigFile: join(d, 'none'), env: { GRC_CONFIG: join(d, 'absent.json') } }),
    ).toThrow(ConfigError)
  })

  it('knows where IT deploys the machine-wide file on each OS', () => {
    expect(machineConfigPath('linux')).toBe('/etc/grc-console/config.json')
    expect(machineConfigPath('win32', { ProgramData: 'D:\\PD' })).toContain('GRC Console')
    expect(machineConfigPath('darwin')).toMatch(/^\/Library\/Application Support\//)
  })
})
