import { beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebContents, resetFakeElectron, type FakeElectron } from '../support/fake-electron'

vi.mock('electron', async () => (await import('../support/fake-electron')).electronModule)

import { createMainWindow, guardNavigation } from '../../src/main/app/window'
import { APP_ENTRY_URL, APP_ORIGIN, rendererLocation } from '../../src/main/app/origin'

let electron: FakeElectron

beforeEach(async () => {
  electron = resetFakeElectron()
  await electron.app.fireReady()
})

function openAppWindow() {
  const location = rendererLocation({}, true)
  createMainWindow({ preloadPath: '/opt/grc/out/preload/index.js', location })
  const [window] = electron.BrowserWindow.getAllWindows()
  return window!
}

describe('the console window', () => {
  it('runs the renderer isolated, sandboxed and without Node, with the bundled preload', () => {
    const prefs = openAppWindow().options.webPreferences!
    expect(prefs).toMatchObject({
      preload: '/opt/grc/out/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    })
  })

  it('loads the renderer from app://grc/ in production and shows the window once painted', () => {
    const window = openAppWindow()
    expect(window.loadedUrl).toBe(APP_ENTRY_URL)
    expect(window.visible).toBe(true)
  })

  it('refuses navigation and redirects to another origin, allows its own', () => {
    const { webContents } = openAppWindow()
    expect(webContents.navigate('https://evil.example/phish')).toBe(false)
    expect(webContents.navigate('file:///etc/passwd')).toBe(false)
    expect(webContents.navigate('app://other/index.html')).toBe(false)
    expect(webContents.redirect('https://evil.example/')).toBe(false)
    expect(webContents.navigate('app://grc/index.html#/queue')).toBe(true)
  })

  it('never opens a new window; https links go to the system browser, nothing else does', () => {
    const { webContents } = openAppWindow()
    expect(webContents.openWindow('https://www.service-public.fr/particuliers')).toBe('deny')
    expect(webContents.openWindow('http://insecure.example/')).toBe('deny')
    expect(webContents.openWindow('file:///C:/Windows/System32/calc.exe')).toBe('deny')
    expect(webContents.openWindow('https://user:secret@bank.example/')).toBe('deny')
    expect(webContents.openWindow('javascript:alert(1)')).toBe('deny')
    expect(electron.shell.opened).toEqual(['https://www.service-public.fr/particuliers'])
  })

  it('guards the dev server origin the same way when that is where the renderer comes from', () => {
    const opened: string[] = []
    const contents = new FakeWebContents()
    guardNavigation(contents as never, 'http://localhost:5173', (url) => opened.push(url))
    expect(contents.navigate('http://localhost:5173/#/queue')).toBe(true)
    expect(contents.navigate('http://localhost:5174/')).toBe(false)
    expect(contents.navigate('app://grc/index.html')).toBe(false)
    expect(contents.openWindow('https://www.legifrance.gouv.fr/')).toBe('deny')
    expect(opened).toEqual(['https://www.legifrance.gouv.fr/'])
  })
})

describe('where the renderer comes from', () => {
  it('uses the app scheme when packaged, whatever the environment says', () => {
    expect(rendererLocation({ ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, true)).toEqual({
      url: APP_ENTRY_URL,
      origin: APP_ORIGIN,
      kind: 'app-protocol',
    })
  })

  it('uses the electron-vite dev server in development, on loopback only', () => {
    expect(rendererLocation({ ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, false)).toEqual({
      url: 'http://localhost:5173/',
      origin: 'http://localhost:5173',
      kind: 'dev-server',
    })
    expect(rendererLocation({ ELECTRON_RENDERER_URL: 'http://intranet.example:5173/' }, false).kind).toBe(
      'app-protocol',
    )
    expect(rendererLocation({ ELECTRON_RENDERER_URL: 'not a url' }, false).kind).toBe('app-protocol')
    expect(rendererLocation({}, false).url).toBe(APP_ENTRY_URL)
  })
})
