/**
 * The Settings screen's and the diagnostic's channels through a real core: a key IT locked
 * comes back locked, the files' paths only for an admin, and the diagnostic is a zip with
 * no citizen of the cache in it.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/core/config'
import { createConsole } from '../../src/main/console'
import type { ChannelName, OutputOf } from '../../src/shared/contract'
import { DEMO_PASSWORD, openTestCore, repoRoot, type TestCore } from '../support/core'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

/** A console whose machine file set and locked `auth.idleLockMinutes`. */
async function lockedConsole() {
  const dataDir = mkdtempSync(join(tmpdir(), 'grc-settings-'))
  const core = await createConsole({
    config: parseConfig({ demo: { requests: 20, seed: 7 }, auth: { idleLockMinutes: 10 } }, 'test'),
    resourcesDir: join(repoRoot, 'resources'),
    userDataDir: dataDir,
    loadedConfig: {
      origins: { 'auth.idleLockMinutes': 'machine', 'ui.language': 'user' },
      locked: ['auth.idleLockMinutes'],
      layers: [
        { kind: 'machine', file: '/etc/grc-console/config.json' },
        { kind: 'user', file: join(dataDir, 'config.json') },
      ],
    },
  })
  cleanups.push(async () => {
    await core.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const value = async <C extends ChannelName>(channel: C): Promise<OutputOf<C>> => {
    const r = await core.invoke(channel, {})
    if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`)
    return r.value as OutputOf<C>
  }
  const as = async (login: string) => {
    await core.invoke('session.logout', {})
    const r = await core.invoke('session.login', { login, password: DEMO_PASSWORD })
    if (!r.ok) throw new Error(r.error.message)
  }
  return { core, value, as }
}

describe('settings.effective', () => {
  it('says which key IT locked and which layer set each key; paths for admins only', async () => {
    const c = await lockedConsole()
    expect((await c.core.invoke('settings.effective', {})).ok).toBe(false)

    await c.as('zoe.agent')
    const agent = await c.value('settings.effective')
    expect(agent.files).toBeNull()
    expect(agent.settings).toContainEqual({
      key: 'auth.idleLockMinutes',
      value: 10,
      layer: 'machine',
      locked: true,
    })
    expect(agent.settings).toContainEqual(
      expect.objectContaining({ key: 'ui.language', layer: 'user', locked: false }),
    )
    expect(agent.settings).toContainEqual(
      expect.objectContaining({ key: 'sync.serverUrl', layer: 'default', locked: false }),
    )

    await c.as('alex.admin')
    const admin = await c.value('settings.effective')
    expect(admin.files).toEqual([
      { kind: 'machine', file: '/etc/grc-console/config.json' },
      { kind: 'user', file: expect.stringMatching(/config\.json$/) },
    ])
  })

  it('without a loaded configuration (tests), every key is a default and nothing is locked', async () => {
    const t: TestCore = await openTestCore({ requests: 20 })
    cleanups.push(() => t.close())
    await t.as('alex.admin')
    const { settings, files } = await t.value('settings.effective', {})
    expect(files).toEqual([])
    expect(settings.length).toBeGreaterThan(10)
    expect(settings.every((s) => s.layer === 'default' && !s.locked)).toBe(true)
  })
})

describe('support.diagnostic', () => {
  it('is a zip named by the date, with no citizen of the cache', async () => {
    const t: TestCore = await openTestCore({
      requests: 200,
      now: () => new Date(2026, 11, 4, 9, 5).getTime(),
    })
    cleanups.push(() => t.close())
    expect((await t.call('support.diagnostic', {})).ok).toBe(false)
    await t.as('nora.agent')
    const { fileName, base64 } = await t.value('support.diagnostic', {})
    expect(fileName).toBe('grc-diagnostic-20261204-0905.zip')
    const bytes = Buffer.from(base64, 'base64')
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04')

    const file = join(t.dataDir, fileName)
    writeFileSync(file, bytes)
    const listing = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n')
    expect(listing).toEqual(expect.arrayContaining(['versions.json', 'configuration.json', 'cache.json']))
    const read = (name: string) => execFileSync('unzip', ['-p', file, name], { encoding: 'utf8' })
    expect(JSON.parse(read('versions.json'))).toMatchObject({
      node: process.versions.node,
      platform: process.platform,
      arch: process.arch,
    })
    const everything = listing.map(read).join('\n')
    const citizens = t.db.prepare('SELECT name, email, phone FROM citizens').all() as Array<
      Record<string, string | null>
    >
    expect(citizens.length).toBeGreaterThan(0)
    for (const c of citizens)
      for (const v of Object.values(c)) if (v && v.length > 3) expect(everything).not.toContain(v)
  })
})
