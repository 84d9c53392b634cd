/**
 * Updates from the authority's own server: a real HTTP server serves the feed files as
 * electron-builder writes them; the console decides (available, up to date, turned off by
 * IT, waiting for pending changes). Only electron-updater's download and install are a
 * double: they are the Electron seam.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/core/config'
import { createConsole } from '../../src/main/console'
import { createUpdateService, type UpdateDriver } from '../../src/main/update/service'
import type { UpdateStatus } from '../../src/shared/channels/update'
import { repoRoot } from '../support/core'

const SHA = `${'B'.repeat(86)}==`
let offered = '1.5.0'
let feedBody: string | null = null
const asked: string[] = []
let server: Server
let url: string

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? '')
    if (!/^\/grc\/(latest|beta)(-linux|-mac)?\.yml$/.test(req.url ?? '')) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'text/yaml' })
    res.end(
      feedBody ??
        `version: ${offered}\nfiles:\n  - url: grc-console-${offered}-x86_64.AppImage\n    sha512: ${SHA}\n    size: 123456789\n`,
    )
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/grc`
})
afterAll(() => new Promise<void>((done) => server.close(() => done())))
beforeEach(() => {
  offered = '1.5.0'
  feedBody = null
  asked.length = 0
})

function driverDouble() {
  const calls: string[] = []
  const driver: UpdateDriver = {
    download: async (version) => void calls.push(`download ${version}`),
    install: () => void calls.push('install'),
  }
  return { driver, calls }
}

function service(options: { enabled?: boolean; pending?: () => number; driver?: UpdateDriver | null }) {
  const changes: UpdateStatus[] = []
  const pushes: number[] = []
  const update = createUpdateService({
    config: { url, channel: 'stable', enabled: options.enabled ?? true, checkIntervalHours: 4 },
    currentVersion: '1.4.2',
    platform: 'linux',
    fetch,
    pendingChanges: options.pending ?? (() => 0),
    pushNow: async () => void pushes.push(Date.now()),
    driver: options.driver ?? null,
    now: Date.now,
    onChange: (s) => void changes.push(s),
  })
  return { update, changes, pushes }
}

describe('updates from the authority’s server', () => {
  it('finds a newer version in the platform’s feed, downloads it and restarts into it', async () => {
    const { driver, calls } = driverDouble()
    const { update, changes } = service({ driver })
    const status = await update.check()
    expect(asked).toEqual(['/grc/latest-linux.yml'])
    expect(status).toMatchObject({
      state: 'ready',
      version: '1.5.0',
      currentVersion: '1.4.2',
      canInstall: true,
    })
    expect(changes.map((c) => c.state)).toEqual(['checking', 'available', 'ready'])
    await update.restart()
    expect(calls).toEqual(['download 1.5.0', 'install'])
  })

  it('says up to date when the feed offers the same or an older version', async () => {
    offered = '1.4.2'
    expect((await service({}).update.check()).state).toBe('up_to_date')
    offered = '1.3.0'
    expect((await service({}).update.check()).state).toBe('up_to_date')
  })

  it('never asks the server when IT turned updates off', async () => {
    const { driver, calls } = driverDouble()
    const status = await service({ enabled: false, driver }).update.check()
    expect(status.state).toBe('disabled')
    expect(asked).toEqual([])
    expect(calls).toEqual([])
  })

  it('pushes pending changes before installing, and waits while they cannot be sent', async () => {
    const { driver, calls } = driverDouble()
    let pending = 2
    const { update, pushes } = service({ driver, pending: () => pending })
    await update.check()
    // Offline: the push sends nothing, the restart is refused with the count.
    await expect(update.restart()).rejects.toMatchObject({
      code: 'changes_pending',
      message: expect.stringMatching(/^2 modifications attendent/),
    })
    expect(pushes).toHaveLength(1)
    expect(calls).toEqual(['download 1.5.0'])
    // Back online: the push empties the outbox, then the install runs.
    pending = 0
    await update.restart()
    expect(calls).toEqual(['download 1.5.0', 'install'])
  })

  it('reports a malformed feed in words and keeps the current version', async () => {
    const { driver, calls } = driverDouble()
    feedBody = 'version: 2.0.0\nfiles: []\n'
    const status = await service({ driver }).update.check()
    expect(status.state).toBe('error')
    expect(status.error).toMatch(/fichier de mise à jour est invalide/)
    expect(calls).toEqual([])
  })

  it('answers through the contract: status, a look now, a restart refused when nothing is ready', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'grc-update-'))
    const core = await createConsole({
      config: parseConfig({ demo: { requests: 20, seed: 3 }, update: { url } }, 'test'),
      resourcesDir: join(repoRoot, 'resources'),
      userDataDir: dataDir,
      appVersion: '1.4.2',
    })
    try {
      await core.invoke('session.login', { login: 'zoe.agent', password: 'demo' })
      const checked = await core.invoke('update.check', {})
      // A browser session (no driver) reports the version; the desktop app installs it.
      expect(checked).toMatchObject({
        ok: true,
        value: { state: 'available', version: '1.5.0', canInstall: false },
      })
      expect(await core.invoke('update.restart', {})).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      })
    } finally {
      await core.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
