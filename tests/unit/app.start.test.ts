import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { resetFakeElectron, type FakeElectron } from '../support/fake-electron'

vi.mock('electron', async () => (await import('../support/fake-electron')).electronModule)
// The shell is tested on its own: the real core (SQLite, workflows) has its own tests, and
// each test here passes its own createCore/loadConfig.
vi.mock('../../src/main/console', () => ({
  createConsole: () => Promise.reject(new Error('the real core must not be used in shell tests')),
}))
vi.mock('../../src/core/config', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/core/config')>()),
  loadConfig: () => {
    throw new Error('the real configuration must not be read in shell tests')
  },
}))

import { resourcesDirFor, startApp, type StartOptions } from '../../src/main/app/start'
import { IPC_INVOKE } from '../../src/shared/ipc'
import type { ConsoleCore, CreateConsoleOptions } from '../../src/main/console'
import type { AppConfig } from '../../src/core/config'
import { DEFAULT_DEPOT } from '../../src/shared/mapSettings'
import { electronBindingFile } from '../../src/main/app/nativeBinding'
import { ERR_CERT_AUTHORITY_INVALID } from '../../src/main/app/trustedCa'
import { makePki } from '../support/tlsCerts'

let electron: FakeElectron
let root: string
let created: CreateConsoleOptions[]
let core: { invoke: ReturnType<typeof vi.fn>; on: () => () => void; close: ReturnType<typeof vi.fn> }
let logged: string[]

const config = {
  profile: { name: 'demo' },
  map: { baseMap: 'osm', depot: DEFAULT_DEPOT, teamDepots: {} },
  sync: { serverUrl: null },
  update: { url: null, channel: 'stable', enabled: true, checkIntervalHours: 4 },
} as unknown as AppConfig

beforeEach(() => {
  electron = resetFakeElectron()
  root = mkdtempSync(join(tmpdir(), 'grc-start-'))
  electron.app.appPath = root
  electron.app.paths.userData = join(root, 'userData')
  created = []
  logged = []
  core = {
    invoke: vi.fn(async () => ({ ok: true, value: null })),
    on: () => () => {},
    close: vi.fn(async () => {}),
  }
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

function start(overrides: Partial<StartOptions> = {}) {
  return startApp({
    mainDir: join(root, 'out', 'main'),
    env: {},
    platform: 'linux',
    versions: { ...process.versions, electron: undefined } as unknown as NodeJS.ProcessVersions,
    resourcesPath: '/opt/GRC Console/resources',
    log: (where) => logged.push(where),
    loadConfig: () => ({ config, layers: [], origins: {}, locked: [], ignored: [] }),
    createCore: async (options) => {
      created.push(options)
      return core as unknown as ConsoleCore
    },
    ...overrides,
  })
}

describe('starting the app', () => {
  it('does nothing but quit when another instance already runs', async () => {
    electron.app.gotLock = false
    await start().ready
    expect(electron.app.quitCount).toBe(1)
    expect(electron.app.sandboxEnabled).toBe(false)
    expect(electron.protocol.privileged).toEqual([])
  })

  it('enables the sandbox and declares the app scheme before ready', () => {
    start()
    expect(electron.app.isReady()).toBe(false)
    expect(electron.app.sandboxEnabled).toBe(true)
    expect(electron.protocol.privileged.map((s) => s.scheme)).toEqual(['app'])
  })

  it('on ready: opens the core in the user data folder, serves IPC, hardens the session, opens the window', async () => {
    const running = start()
    await electron.app.fireReady()
    await running.ready
    expect(created).toHaveLength(1)
    expect(created[0]).toMatchObject({
      config,
      userDataDir: join(root, 'userData'),
      resourcesDir: join(root, 'resources'),
      nativeBinding: undefined,
    })
    // The server's refresh token goes through the OS keychain, never to disk in clear.
    const cipher = created[0]!.secretCipher!
    const sealed = cipher.encryptString('refresh-token-123')
    expect(sealed.toString('utf8')).not.toContain('refresh-token-123')
    expect(cipher.decryptString(sealed)).toBe('refresh-token-123')
    expect(electron.ipcMain.handlers.has(IPC_INVOKE)).toBe(true)
    expect(electron.session.defaultSession.permissionRequestHandler).not.toBeNull()
    expect(electron.protocol.handlers.has('app')).toBe(true)
    const [window] = electron.BrowserWindow.getAllWindows()
    expect(window?.loadedUrl).toBe('app://grc/index.html')
    expect(window?.options.webPreferences?.preload).toBe(join(root, 'out', 'preload', 'index.js'))
  })

  it("serves the app scheme with a CSP that lets in the configured base map's tiles, and no other's", async () => {
    const ign = { ...config, map: { ...config.map, baseMap: 'ign-plan-v2' } } as AppConfig
    const running = start({
      loadConfig: () => ({ config: ign, layers: [], origins: {}, locked: [], ignored: [] }),
    })
    await electron.app.fireReady()
    await running.ready
    const res = await electron.protocol.handlers.get('app')!(new Request('app://grc/index.html'))
    const csp = res.headers.get('content-security-policy')
    expect(csp).toContain("img-src 'self' data: blob: https://data.geopf.fr;")
    expect(csp).not.toContain('openstreetmap')
  })

  it('reads the user config file from the user data folder', async () => {
    const loadConfig = vi.fn(() => ({ config, layers: [], origins: {}, locked: [], ignored: [] }))
    const running = start({ loadConfig })
    await electron.app.fireReady()
    await running.ready
    expect(loadConfig).toHaveBeenCalledWith(
      expect.objectContaining({ userConfigFile: join(root, 'userData', 'config.json') }),
    )
  })

  it('says in the log file which keys of the agent’s file were ignored because IT locked them', async () => {
    const ignored = [{ key: 'auth.idleLockMinutes', file: '/home/zoe/.config/GRC Console/config.json' }]
    const running = start({
      loadConfig: () => ({ config, layers: [], origins: {}, locked: ['auth'], ignored }),
    })
    await electron.app.fireReady()
    await running.ready
    const lines = readFileSync(join(root, 'userData', 'logs', 'grc-console.log'), 'utf8')
      .trim()
      .split('\n')
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        where: 'configuration',
        message: expect.stringMatching(
          /config\.json: auth\.idleLockMinutes est fixée par la configuration de la machine/,
        ),
      }),
    )
  })

  it('under Electron, hands the core the Electron build of better-sqlite3-multiple-ciphers', async () => {
    const file = electronBindingFile(root, '45.5.0')
    mkdirSync(join(file, '..'), { recursive: true })
    writeFileSync(file, '')
    const running = start({ versions: { ...process.versions, electron: '45.5.0' } })
    await electron.app.fireReady()
    await running.ready
    expect(created[0]?.nativeBinding).toBe(file)
  })

  it('says how to build the Electron binary when it is missing, instead of crashing on the ABI', async () => {
    const running = start({ versions: { ...process.versions, electron: '45.5.0' } })
    await electron.app.fireReady()
    await running.ready
    expect(created).toHaveLength(0)
    expect(electron.dialog.errors[0]?.content).toMatch(/npm run native:electron/)
    expect(electron.app.exitCode).toBe(1)
  })

  it('shows a configuration error (file and key) and exits, without opening a window', async () => {
    const running = start({
      loadConfig: () => {
        throw new Error('/etc/grc-console/config.json: sla.dayStart: expected HH:MM')
      },
    })
    await electron.app.fireReady()
    await running.ready
    expect(electron.dialog.errors).toEqual([
      {
        title: 'GRC Console ne peut pas démarrer',
        content: '/etc/grc-console/config.json: sla.dayStart: expected HH:MM',
      },
    ])
    expect(electron.app.exitCode).toBe(1)
    expect(electron.BrowserWindow.getAllWindows()).toHaveLength(0)
    expect(logged).toEqual(['start'])
  })

  it('uses the packaged resources folder once installed', () => {
    expect(resourcesDirFor(true, '/opt/GRC Console/resources', '/opt/GRC Console/resources/app.asar')).toBe(
      '/opt/GRC Console/resources',
    )
    expect(resourcesDirFor(false, '/ignored', '/home/dev/grc-console')).toBe(
      join('/home/dev/grc-console', 'resources'),
    )
  })
})

describe('the network and the demo accounts', () => {
  const ready = async (overrides: Partial<StartOptions> = {}) => {
    const running = start(overrides)
    await electron.app.fireReady()
    await running.ready
  }
  const withSync = (sync: Record<string, unknown>) =>
    ({
      loadConfig: () => ({
        config: { ...config, sync } as unknown as AppConfig,
        layers: [],
        origins: {},
        locked: [],
        ignored: [],
      }),
    }) satisfies Partial<StartOptions>

  it('hands the core a fetch that goes through Electron’s network stack (proxy, certificate store)', async () => {
    await ready()
    const doFetch = created[0]!.fetch!
    expect(doFetch).toBeTypeOf('function')
    electron.net.respond = () => new Response('{"ok":true}', { status: 200 })
    const signal = new AbortController().signal
    const res = await doFetch(new URL('https://grc.ville.fr/api/v1/changes?since=0'), {
      method: 'GET',
      headers: { accept: 'application/json' },
      signal,
    })
    expect(await res.json()).toEqual({ ok: true })
    expect(electron.net.requests).toEqual([
      {
        url: 'https://grc.ville.fr/api/v1/changes?since=0',
        init: expect.objectContaining({ method: 'GET', signal }),
      },
    ])
  })

  it('allows the demo accounts in development, refuses them once packaged, except in a demo build', async () => {
    await ready()
    expect(created.at(-1)!.demoAccounts).toBe(true)

    const packaged = () => {
      electron = resetFakeElectron()
      electron.app.appPath = root
      electron.app.paths.userData = join(root, 'userData')
      electron.app.isPackaged = true
    }
    packaged()
    await ready()
    expect(created.at(-1)!.demoAccounts).toBe(false)

    packaged()
    await ready({ demoBuild: true })
    expect(created.at(-1)!.demoAccounts).toBe(true)
  })

  it('gives a packaged console electron-updater on the authority’s server, unless IT turned updates off', async () => {
    const feeds: unknown[] = []
    const updater = {
      autoDownload: true,
      autoInstallOnAppQuit: true,
      allowPrerelease: false,
      allowDowngrade: true,
      setFeedURL: (feed: unknown) => void feeds.push(feed),
      checkForUpdates: async () => null,
      downloadUpdate: async () => [],
      quitAndInstall: () => {},
    }
    const withUpdate = (update: Record<string, unknown>) =>
      ({
        loadConfig: () => ({
          config: { ...config, update: { ...config.update, ...update } } as unknown as AppConfig,
          layers: [],
          origins: {},
          locked: [],
          ignored: [],
        }),
        updater: updater as never,
      }) satisfies Partial<StartOptions>

    // In development: never, even with a server named.
    await ready(withUpdate({ url: 'https://maj.ville.fr/grc' }))
    expect(created.at(-1)!.updateDriver).toBeNull()
    // Development checks every answer in full; a packaged app checks the big reads cheaply.
    expect(created.at(-1)!.outputCheck).toBe('full')

    electron = resetFakeElectron()
    electron.app.appPath = root
    electron.app.paths.userData = join(root, 'userData')
    electron.app.isPackaged = true
    await ready(withUpdate({ url: 'https://maj.ville.fr/grc' }))
    expect(created.at(-1)!.updateDriver).not.toBeNull()
    expect(created.at(-1)!.outputCheck).toBe('cheap')
    expect(feeds).toEqual([{ provider: 'generic', url: 'https://maj.ville.fr/grc', channel: 'latest' }])
    expect(updater.autoInstallOnAppQuit).toBe(false)

    electron = resetFakeElectron()
    electron.app.appPath = root
    electron.app.paths.userData = join(root, 'userData')
    electron.app.isPackaged = true
    await ready(withUpdate({ url: 'https://maj.ville.fr/grc', enabled: false }))
    expect(created.at(-1)!.updateDriver).toBeNull()
    expect(feeds).toHaveLength(1)
  })

  it('with sync.caFile, Chromium also trusts the authority’s CA for the server, and only for it', async () => {
    const pki = makePki({ altNames: 'DNS:grc.ville.fr' })
    await ready(withSync({ serverUrl: 'https://grc.ville.fr', caFile: pki.caFile }))
    const verify = (hostname: string) =>
      electron.session.defaultSession.verifyCertificate({
        hostname,
        certificate: { data: pki.certPem, issuerCert: { data: pki.caPem } },
        errorCode: ERR_CERT_AUTHORITY_INVALID,
      })
    expect(verify('grc.ville.fr')).toBe(0)
    expect(verify('tiles.ville.fr')).toBe(-3)
    expect(created).toHaveLength(1)
  })

  it('without sync.caFile, Chromium’s verdict stands', async () => {
    await ready(withSync({ serverUrl: 'https://grc.ville.fr' }))
    expect(electron.session.defaultSession.certificateVerifyProc).toBeNull()
  })

  it('an unreadable sync.caFile stops the start, in words', async () => {
    await ready(withSync({ serverUrl: 'https://grc.ville.fr', caFile: join(root, 'absent.pem') }))
    expect(created).toHaveLength(0)
    expect(electron.dialog.errors[0]?.content).toMatch(/sync\.caFile : .*absent\.pem\) : il n’existe pas/)
    expect(electron.app.exitCode).toBe(1)
  })
})

describe('quitting', () => {
  it('quits when the last window closes, then closes the core and stops IPC', async () => {
    const running = start()
    await electron.app.fireReady()
    await running.ready
    electron.BrowserWindow.getAllWindows()[0]!.close()
    expect(electron.app.quitCount).toBe(1)
    expect(core.close).toHaveBeenCalledOnce()
    expect(electron.ipcMain.handlers.size).toBe(0)
  })

  it('follows the macOS convention: closing the window keeps the app, activate reopens it', async () => {
    const running = start({ platform: 'darwin' })
    await electron.app.fireReady()
    await running.ready
    electron.BrowserWindow.getAllWindows()[0]!.close()
    expect(electron.app.quitCount).toBe(0)
    expect(core.close).not.toHaveBeenCalled()
    electron.app.emit('activate')
    expect(electron.BrowserWindow.getAllWindows()).toHaveLength(1)
  })

  it('brings the existing window forward when a second instance is launched', async () => {
    const running = start()
    await electron.app.fireReady()
    await running.ready
    const [window] = electron.BrowserWindow.getAllWindows()
    window!.minimized = true
    electron.app.emit('second-instance')
    expect(window!.minimized).toBe(false)
    expect(window!.focused).toBe(true)
  })
})
