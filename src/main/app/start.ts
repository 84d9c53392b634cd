/**
 * The app's life: one instance, sandbox everywhere, the `app://` scheme declared before
 * `ready`; on `ready` the configuration, the core, IPC, session guards and the window;
 * on quit the core closed. Kept apart from index.ts so tests can drive it with a fake
 * Electron and a fake core.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { app, BrowserWindow, dialog, net, protocol, safeStorage, session } from 'electron'
import { ignoredKeyMessage, loadConfig as loadConfigFromFiles } from '../../core/config'
import { createConsole, type ConsoleCore, type CreateConsoleOptions } from '../console'
import { tileOriginsFor } from '../services/mapSettings'
import { readCaFile } from '../sync/caFile'
import { registerIpc, trustAppOrigin } from '../ipc/register'
import { createShellLog, type ShellLog } from './log'
import { netFetch } from './netFetch'
import { electronUpdateDriver } from './updater'
import { electronNativeBindingPath, missingBindingMessage } from './nativeBinding'
import { rendererLocation } from './origin'
import { registerAppScheme, serveAppProtocol } from './protocol'
import { hardenSession, refuseWebviews } from './security'
import { trustedCaVerifyProc } from './trustedCa'
import { createMainWindow } from './window'
import { showSystemNotifications } from './systemNotifications'

/**
 * A demo build (`GRC_DEMO_BUILD=1 npm run build`, see electron.vite.config.ts): a packaged
 * console that may run the bundled demo accounts. Outside electron-vite (tests) the name is
 * not defined: not a demo build.
 */
declare const __GRC_DEMO_BUILD__: boolean | undefined
const DEMO_BUILD = typeof __GRC_DEMO_BUILD__ !== 'undefined' && __GRC_DEMO_BUILD__ === true

export interface StartOptions {
  /** Folder of the bundled main script (out/main): out/preload and out/renderer sit beside it. */
  mainDir: string
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  /** `process.versions`; decides whether the Electron build of better-sqlite3 is needed. */
  versions?: NodeJS.ProcessVersions
  /** `process.resourcesPath` of a packaged app. */
  resourcesPath?: string
  log?: (where: string, error: unknown) => void
  /** Warnings and information of the start (default: the log file in the user-data folder). */
  shellLog?: ShellLog
  loadConfig?: typeof loadConfigFromFiles
  createCore?: (options: CreateConsoleOptions) => Promise<ConsoleCore>
  /** Whether this is a demo build (default: the build-time flag). */
  demoBuild?: boolean
  /** electron-updater's updater (default: its `autoUpdater`, loaded only in a packaged app that updates). */
  updater?: Parameters<typeof electronUpdateDriver>[0]
}

/** Bundled resources: beside app.asar once packaged (extraResources), the repo's `resources/` otherwise. */
export function resourcesDirFor(isPackaged: boolean, resourcesPath: string, appRoot: string): string {
  return isPackaged ? resourcesPath : join(appRoot, 'resources')
}

export interface RunningApp {
  /** Settles once the window is created, or after a failed start was reported. */
  ready: Promise<void>
}

/** Start the console. Call once, from the main entry, before `app.ready`. */
export function startApp(options: StartOptions): RunningApp {
  const env = options.env ?? process.env
  const platform = options.platform ?? process.platform
  const versions = options.versions ?? process.versions
  // JSON lines in the user-data folder, rotated (app/log.ts): what IT sends to support.
  const shellLog = options.shellLog ?? createShellLog({ dir: join(app.getPath('userData'), 'logs') })
  const log = options.log ?? ((where: string, error: unknown) => shellLog.error(where, error))
  const loadConfig = options.loadConfig ?? loadConfigFromFiles
  const createCore = options.createCore ?? createConsole
  const demoBuild = options.demoBuild ?? DEMO_BUILD

  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return { ready: Promise.resolve() }
  }
  app.enableSandbox()
  registerAppScheme(protocol)
  refuseWebviews(app)

  const location = rendererLocation(env, app.isPackaged)
  const preloadPath = join(options.mainDir, '..', 'preload', 'index.js')
  let core: ConsoleCore | null = null
  let unregisterIpc: (() => void) | null = null
  let mainWindow: BrowserWindow | null = null

  const openWindow = () => {
    mainWindow = createMainWindow({
      preloadPath,
      location,
      onLoadError: (error) => log('window load', error),
    })
    mainWindow.on('closed', () => {
      mainWindow = null
    })
  }

  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  app.on('window-all-closed', () => {
    // macOS keeps an app alive with no window until Cmd+Q; elsewhere closing the window quits.
    if (platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (core && BrowserWindow.getAllWindows().length === 0) openWindow()
  })
  app.on('will-quit', () => {
    unregisterIpc?.()
    unregisterIpc = null
    core?.close().catch((error: unknown) => log('closing the core', error))
    core = null
  })

  const ready = app.whenReady().then(async () => {
    try {
      const userDataDir = app.getPath('userData')
      const userConfigFile = join(userDataDir, 'config.json')
      const loaded = loadConfig({ userConfigFile, env })
      const { config, ignored } = loaded
      // A key IT locked, set again in the agent's file: ignored, and said where IT looks.
      for (const attempt of ignored) shellLog.warn('configuration', ignoredKeyMessage(attempt))
      // The CSP lets in the configured base map's tiles: the configuration comes first.
      const tileOrigins = tileOriginsFor(config)
      hardenSession(session.defaultSession, {
        appOrigin: location.origin,
        devServerOrigin: location.kind === 'dev-server' ? location.origin : undefined,
        tileOrigins,
      })
      serveAppProtocol(protocol, join(options.mainDir, '..', 'renderer'), tileOrigins)
      trustAuthorityCa(config.sync)

      const appRoot = app.getAppPath()
      const nativeBinding = electronNativeBindingPath(appRoot, {
        electronVersion: versions.electron,
        packaged: app.isPackaged,
      })
      if (nativeBinding && !existsSync(nativeBinding)) {
        throw new Error(missingBindingMessage(nativeBinding, versions.electron ?? '?'))
      }
      core = await createCore({
        config,
        resourcesDir: resourcesDirFor(
          app.isPackaged,
          options.resourcesPath ?? process.resourcesPath,
          appRoot,
        ),
        userDataDir,
        nativeBinding,
        // The OS keychain seals the cache's key and the server's refresh token.
        secretCipher: safeStorage,
        // Once, on a cache from before encryption: said in the log, which IT reads if a start is slow.
        onCacheEncryption: (p) =>
          shellLog.info('cache', `chiffrement du cache : ${Math.round(p.fraction * 100)} %`),
        // Chromium's network stack: the workstation's proxy and certificate store apply.
        fetch: netFetch(net),
        // The bundled demo accounts: in development and in a demo build, never in a
        // packaged console (the core refuses to start with them there).
        demoAccounts: !app.isPackaged || demoBuild,
        logError: log,
        // The Settings screen and the diagnostic: origins, locks, files; logs; version.
        loadedConfig: { origins: loaded.origins, locked: loaded.locked, layers: loaded.layers },
        logsDir: join(userDataDir, 'logs'),
        userConfigFile,
        // (Test doubles of Electron's app may not have it.)
        appVersion: typeof app.getVersion === 'function' ? app.getVersion() : undefined,
        // The big read channels (map points, queue pages) are checked cheaply once packaged;
        // development keeps the full check of every answer.
        outputCheck: app.isPackaged ? 'cheap' : 'full',
        // A packaged console updates itself from the authority's server, unless IT said not to.
        updateDriver:
          app.isPackaged && config.update.enabled && config.update.url
            ? electronUpdateDriver(options.updater ?? (await import('electron-updater')).autoUpdater, {
                ...config.update,
                url: config.update.url,
              })
            : null,
      })
      unregisterIpc = registerIpc(
        core,
        trustAppOrigin(location.origin),
        () => BrowserWindow.getAllWindows().map((w) => w.webContents),
        { logError: log },
      )
      openWindow()
      showSystemNotifications(core, () => mainWindow, config, log)
    } catch (error) {
      log('start', error)
      dialog.showErrorBox(
        'GRC Console ne peut pas démarrer',
        error instanceof Error ? error.message : 'Erreur inconnue au démarrage.',
      )
      app.exit(1)
    }
  })
  return { ready }
}

/**
 * `sync.caFile`: the server's certificate may chain to the authority's own CA (read now: an
 * unreadable file stops the start with its reason).
 */
function trustAuthorityCa(sync: { serverUrl: string | null; caFile?: string }): void {
  if (!sync.caFile || !sync.serverUrl) return
  const { certificates } = readCaFile(sync.caFile)
  session.defaultSession.setCertificateVerifyProc(
    trustedCaVerifyProc({ cas: certificates, serverHost: new URL(sync.serverUrl).hostname }),
  )
}
