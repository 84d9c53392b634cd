/**
 * The console's one window. Everything the renderer could use to reach beyond its own
 * page is closed here: no Node in the renderer, an isolated and sandboxed preload, no
 * navigation away from the app's origin, no new windows. (The `remote` module that older
 * guides warn about no longer exists in Electron, so there is nothing to disable.)
 */
import { BrowserWindow, shell, type BrowserWindowConstructorOptions, type WebContents } from 'electron'
import { isExternalHttpsUrl, isSameOrigin, type RendererLocation } from './origin'

/** The webPreferences every console window gets; exported so tests can pin them. */
export function secureWebPreferences(
  preloadPath: string,
): NonNullable<BrowserWindowConstructorOptions['webPreferences']> {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    experimentalFeatures: false,
  }
}

type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>

/**
 * Keep a web contents on the app's origin: navigations and redirects elsewhere are
 * prevented; `window.open` and `target="_blank"` never create a window, and an https link
 * is handed to the system browser instead.
 */
export function guardNavigation(
  contents: GuardedContents,
  appOrigin: string,
  openExternal: (url: string) => void = (url) => void shell.openExternal(url),
): void {
  contents.on('will-navigate', (event) => {
    if (!isSameOrigin(event.url, appOrigin)) event.preventDefault()
  })
  contents.on('will-redirect', (event) => {
    if (!isSameOrigin(event.url, appOrigin)) event.preventDefault()
  })
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalHttpsUrl(url)) openExternal(url)
    return { action: 'deny' }
  })
}

export interface MainWindowOptions {
  /** The bundled preload (out/preload/index.js). */
  preloadPath: string
  location: RendererLocation
  /** Where a failed page load is reported (the URL is the app's, never personal data). */
  onLoadError?: (error: unknown) => void
}

/** Create the console window and start loading the renderer; shown once painted. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    title: 'GRC Console',
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(options.preloadPath),
  })
  guardNavigation(window.webContents, options.location.origin)
  window.once('ready-to-show', () => window.show())
  window.loadURL(options.location.url).catch((error: unknown) => options.onLoadError?.(error))
  return window
}
