/**
 * « Mes préférences » through a real core on real configuration files: saved to the user's
 * file (its other keys kept), shown as the user's in the table and to the next login
 * screen, refused where the machine file locked the key, and never over a file that is not
 * JSON.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig, parseConfig } from '../../src/core/config'
import { createConsole } from '../../src/main/console'
import { DEMO_PASSWORD, repoRoot } from '../support/core'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function consoleWithFiles(machine: object, user: string | null) {
  const dir = mkdtempSync(join(tmpdir(), 'grc-prefs-'))
  const machineConfigFile = join(dir, 'machine.json')
  const userConfigFile = join(dir, 'user', 'config.json')
  writeFileSync(machineConfigFile, JSON.stringify(machine))
  if (user !== null) {
    mkdirSync(join(dir, 'user'))
    writeFileSync(userConfigFile, user)
  }
  // (A user file that is not JSON would stop loadConfig: the console read it before it broke.)
  const loaded = loadConfig({
    machineConfigFile,
    userConfigFile: user === '{oops' ? join(dir, 'none.json') : userConfigFile,
    env: {},
    machinePolicy: () => null,
  })
  const core = await createConsole({
    config: parseConfig({ ...loaded.config, demo: { requests: 20, seed: 7 } }, 'test'),
    resourcesDir: join(repoRoot, 'resources'),
    userDataDir: dir,
    loadedConfig: loaded,
    userConfigFile,
  })
  cleanups.push(async () => {
    await core.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await core.invoke('session.login', { login: 'zoe.agent', password: DEMO_PASSWORD })
  return { core, userConfigFile }
}

const row = (value: unknown, key: string) =>
  (value as { settings: { key: string; value: unknown; layer: string; locked: boolean }[] }).settings.find(
    (s) => s.key === key,
  )

describe('settings.savePreferences', () => {
  it('writes the choices to the user’s file, keeps its other keys, and they are in force', async () => {
    const { core, userConfigFile } = await consoleWithFiles(
      {},
      JSON.stringify({ profile: { name: 'mairie' }, ui: { language: 'fr' } }),
    )
    const saved = await core.invoke('settings.savePreferences', {
      language: 'en',
      density: 'compact',
      startScreen: 'map',
    })
    expect(saved.ok).toBe(true)
    expect(row(saved.ok && saved.value, 'ui.density')).toMatchObject({
      value: 'compact',
      layer: 'user',
      locked: false,
    })
    expect(JSON.parse(readFileSync(userConfigFile, 'utf8'))).toEqual({
      profile: { name: 'mairie' },
      ui: { language: 'en', density: 'compact', startScreen: 'map' },
    })
    expect(statSync(userConfigFile).mode & 0o077).toBe(0)
    // The next login screen on this workstation takes them as its defaults.
    await core.invoke('session.logout', {})
    expect(await core.invoke('session.loginInfo', {})).toMatchObject({
      ok: true,
      value: { preferences: { language: 'en', density: 'compact', startScreen: 'map' } },
    })
  })

  it('refuses a key the machine file locked, and writes nothing', async () => {
    const { core, userConfigFile } = await consoleWithFiles(
      { ui: { density: 'compact' }, policy: { locked: ['ui.density'] } },
      null,
    )
    const effective = await core.invoke('settings.effective', {})
    expect(row(effective.ok && effective.value, 'ui.density')).toMatchObject({
      layer: 'machine',
      locked: true,
    })
    const refused = await core.invoke('settings.savePreferences', { language: 'en', density: 'comfortable' })
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('ui.density') },
    })
    expect(() => readFileSync(userConfigFile)).toThrow()
  })

  it('never overwrites a user file that is not JSON', async () => {
    const { core, userConfigFile } = await consoleWithFiles({}, '{oops')
    const refused = await core.invoke('settings.savePreferences', { density: 'compact' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(readFileSync(userConfigFile, 'utf8')).toBe('{oops')
  })

  it('rejects a value that is not a preference', async () => {
    const { core } = await consoleWithFiles({}, null)
    expect(await core.invoke('settings.savePreferences', { density: 'huge' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    })
    expect(await core.invoke('settings.savePreferences', { auth: { idleLockMinutes: 0 } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    })
  })
})
