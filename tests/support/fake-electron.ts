/**
 * A fake `electron` module for unit tests of the thin shell (the real binary is not
 * downloaded on test machines). It implements the calls the shell makes and records what
 * it was asked, plus helpers to play the other side (navigate, open a window, call IPC
 * from a given frame). Use it with:
 *
 *   vi.mock('electron', async () => (await import('../support/fake-electron')).electronModule)
 *   beforeEach(() => { electron = resetFakeElectron() })
 *
 * `electronModule` forwards to the current fake through getters, so a reset gives every
 * test a fresh Electron even though the module under test imported it once.
 */
import { EventEmitter } from 'node:events'

export interface FakeFrame {
  url: string
  parent: FakeFrame | null
}

/** A fake of Electron's Event objects: `preventDefault` plus the event's own fields. */
export class FakeEvent<T extends object = object> {
  defaultPrevented = false
  constructor(fields: T = {} as T) {
    Object.assign(this, fields)
  }
  preventDefault(): void {
    this.defaultPrevented = true
  }
}

type WindowOpenHandler = (details: {
  url: string
  frameName: string
  features: string
  disposition: string
}) => {
  action: 'allow' | 'deny'
}

export class FakeWebContents extends EventEmitter {
  mainFrame: FakeFrame = { url: 'about:blank', parent: null }
  readonly sent: unknown[][] = []
  windowOpenHandler: WindowOpenHandler | null = null
  destroyed = false

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args])
  }
  isDestroyed(): boolean {
    return this.destroyed
  }

  /** A renderer-initiated navigation; returns whether it was allowed to proceed. */
  navigate(url: string): boolean {
    const event = new FakeEvent({ url, isMainFrame: true, isSameDocument: false, frame: this.mainFrame })
    this.emit('will-navigate', event, url)
    return !event.defaultPrevented
  }
  /** A server redirect during a navigation; returns whether it was allowed. */
  redirect(url: string): boolean {
    const event = new FakeEvent({ url, isMainFrame: true, isSameDocument: false, frame: this.mainFrame })
    this.emit('will-redirect', event, url)
    return !event.defaultPrevented
  }
  /** `window.open(url)` from the page; returns the handler's decision. */
  openWindow(url: string): 'allow' | 'deny' {
    if (!this.windowOpenHandler) return 'allow'
    return this.windowOpenHandler({ url, frameName: '', features: '', disposition: 'new-window' }).action
  }
  /** A page trying to attach a `<webview>`; returns whether it was allowed. */
  attachWebview(): boolean {
    const event = new FakeEvent()
    this.emit('will-attach-webview', event, {}, {})
    return !event.defaultPrevented
  }
}

type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl: string; isMainFrame: boolean },
) => void
type PermissionCheckHandler = (
  contents: unknown,
  permission: string,
  origin: string,
  details: object,
) => boolean
type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[] | string> }) => void,
) => void

/** What Chromium asks a certificate verify proc (the fields the shell reads). */
export interface FakeVerifyRequest {
  hostname: string
  certificate: { data: string; issuerCert?: FakeVerifyRequest['certificate'] | null }
  errorCode: number
}
type CertificateVerifyProc = (request: FakeVerifyRequest, callback: (result: number) => void) => void

export class FakeSession {
  certificateVerifyProc: CertificateVerifyProc | null = null
  permissionRequestHandler: PermissionRequestHandler | null = null
  permissionCheckHandler: PermissionCheckHandler | null = null
  headersFilter: { urls: string[] } | null = null
  headersListener: HeadersListener | null = null
  readonly webRequest = {
    onHeadersReceived: (filter: { urls: string[] }, listener: HeadersListener) => {
      this.headersFilter = filter
      this.headersListener = listener
    },
  }

  setCertificateVerifyProc(proc: CertificateVerifyProc | null): void {
    this.certificateVerifyProc = proc
  }
  /** Chromium verifying a server's certificate: the proc's answer (-3, Chromium's own, without one). */
  verifyCertificate(request: FakeVerifyRequest): number {
    let result = -3
    this.certificateVerifyProc?.(request, (r) => (result = r))
    return result
  }

  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.permissionRequestHandler = handler
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.permissionCheckHandler = handler
  }

  /** Ask for a permission the way Chromium does; resolves with the decision. */
  requestPermission(permission: string, requestingUrl: string): Promise<boolean> {
    // Electron grants everything when no handler is set: the fake does the same, so a
    // missing handler shows up as a granted permission in tests.
    if (!this.permissionRequestHandler) return Promise.resolve(true)
    const handler = this.permissionRequestHandler
    return new Promise((resolve) => handler({}, permission, resolve, { requestingUrl, isMainFrame: true }))
  }
  checkPermission(permission: string, origin: string): boolean {
    return this.permissionCheckHandler ? this.permissionCheckHandler({}, permission, origin, {}) : true
  }
  /** Run the onHeadersReceived listener for a response; returns the headers Chromium would use. */
  receiveHeaders(url: string, responseHeaders: Record<string, string[]>): Record<string, string[] | string> {
    let out: Record<string, string[] | string> = responseHeaders
    this.headersListener?.({ url, responseHeaders }, (r) => {
      if (r.responseHeaders) out = r.responseHeaders
    })
    return out
  }
}

export function createFakeElectron() {
  let ready = false
  let markReady: () => void = () => {}
  const readyPromise = new Promise<void>((resolve) => {
    markReady = resolve
  })

  const windows: FakeBrowserWindow[] = []

  class FakeApp extends EventEmitter {
    isPackaged = false
    gotLock = true
    sandboxEnabled = false
    quitCount = 0
    exitCode: number | null = null
    appPath = '/opt/grc-console'
    paths: Record<string, string> = { userData: '/home/agent/.config/GRC Console' }

    requestSingleInstanceLock(): boolean {
      return this.gotLock
    }
    enableSandbox(): void {
      if (ready) throw new Error('app.enableSandbox() can only be called before app is ready')
      this.sandboxEnabled = true
    }
    whenReady(): Promise<void> {
      return readyPromise
    }
    isReady(): boolean {
      return ready
    }
    getPath(name: string): string {
      const path = this.paths[name]
      if (!path) throw new Error(`fake app.getPath: no path for ${name}`)
      return path
    }
    getAppPath(): string {
      return this.appPath
    }
    quit(): void {
      this.quitCount++
      this.emit('before-quit', new FakeEvent())
      this.emit('will-quit', new FakeEvent())
      this.emit('quit', new FakeEvent(), 0)
    }
    exit(code = 0): void {
      this.exitCode = code
    }

    /** Test helper: Electron finished initialising. */
    fireReady(): Promise<void> {
      ready = true
      this.emit('ready')
      markReady()
      return readyPromise
    }
  }
  const app = new FakeApp()

  class FakeBrowserWindow extends EventEmitter {
    static getAllWindows(): FakeBrowserWindow[] {
      return [...windows]
    }
    readonly webContents = new FakeWebContents()
    loadedUrl: string | null = null
    visible = false
    minimized = false
    focused = false
    destroyed = false

    constructor(
      readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown> = {},
    ) {
      super()
      if (!ready) throw new Error('Cannot create BrowserWindow before app is ready')
      windows.push(this)
      app.emit('web-contents-created', new FakeEvent(), this.webContents)
    }
    loadURL(url: string): Promise<void> {
      this.loadedUrl = url
      this.webContents.mainFrame.url = url
      this.emit('ready-to-show')
      return Promise.resolve()
    }
    show(): void {
      this.visible = true
    }
    isMinimized(): boolean {
      return this.minimized
    }
    restore(): void {
      this.minimized = false
    }
    focus(): void {
      this.focused = true
    }
    /** Test helper: the user closes the window. */
    close(): void {
      windows.splice(windows.indexOf(this), 1)
      this.destroyed = true
      this.webContents.destroyed = true
      this.emit('closed')
      if (windows.length === 0) app.emit('window-all-closed')
    }
  }

  type InvokeListener = (
    event: { senderFrame: FakeFrame | null; sender: unknown },
    ...args: unknown[]
  ) => unknown
  const ipcMain = {
    handlers: new Map<string, InvokeListener>(),
    handle(channel: string, listener: InvokeListener): void {
      if (this.handlers.has(channel))
        throw new Error(`Attempted to register a second handler for '${channel}'`)
      this.handlers.set(channel, listener)
    },
    removeHandler(channel: string): void {
      this.handlers.delete(channel)
    },
    /** Test helper: what `ipcRenderer.invoke` from `frame` would get back. */
    async invokeFrom(frame: FakeFrame | null, channel: string, ...args: unknown[]): Promise<unknown> {
      const handler = this.handlers.get(channel)
      if (!handler) throw new Error(`Error invoking remote method '${channel}': No handler registered`)
      return handler({ senderFrame: frame, sender: {} }, ...args)
    },
  }

  class FakeIpcRenderer extends EventEmitter {
    /** The frame the preload runs in, as the main process sees it. */
    frame: FakeFrame = { url: 'app://grc/index.html', parent: null }
    invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      return ipcMain.invokeFrom(this.frame, channel, ...args)
    }
    /** Test helper: a message from the main process, with the event object Electron adds. */
    deliver(channel: string, ...args: unknown[]): void {
      this.emit(channel, { sender: this, senderId: 0, ports: [] }, ...args)
    }
  }
  const ipcRenderer = new FakeIpcRenderer()

  const contextBridge = {
    exposed: {} as Record<string, unknown>,
    exposeInMainWorld(key: string, api: unknown): void {
      if (key in this.exposed) throw new Error(`Cannot bind an API on top of an existing property: ${key}`)
      this.exposed[key] = api
    },
  }

  type ProtocolHandler = (request: Request) => Response | Promise<Response>
  const protocol = {
    privileged: [] as Array<{ scheme: string; privileges?: Record<string, boolean> }>,
    handlers: new Map<string, ProtocolHandler>(),
    registerSchemesAsPrivileged(
      schemes: Array<{ scheme: string; privileges?: Record<string, boolean> }>,
    ): void {
      if (ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready')
      this.privileged.push(...schemes)
    },
    handle(scheme: string, handler: ProtocolHandler): void {
      if (!ready) throw new Error('protocol.handle must be called after app is ready')
      this.handlers.set(scheme, handler)
    },
  }

  const session = { defaultSession: new FakeSession() }

  const shell = {
    opened: [] as string[],
    openExternal(url: string): Promise<void> {
      this.opened.push(url)
      return Promise.resolve()
    },
  }

  const dialog = {
    errors: [] as Array<{ title: string; content: string }>,
    showErrorBox(title: string, content: string): void {
      this.errors.push({ title, content })
    },
  }

  /** Like the OS keychain: reversible only here, and never the clear text. */
  const safeStorage = {
    available: true,
    isEncryptionAvailable(): boolean {
      return this.available
    },
    encryptString(plain: string): Buffer {
      return Buffer.from(`enc:${Buffer.from(plain, 'utf8').reverse().toString('base64')}`)
    },
    decryptString(encrypted: Buffer): string {
      const text = encrypted.toString('utf8')
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided')
      return Buffer.from(text.slice(4), 'base64').reverse().toString('utf8')
    },
  }

  /**
   * Electron's network stack: records each request and answers with `respond` (by default a
   * 503, so a test that forgets to set it sees an error, never a silent success).
   */
  const net = {
    requests: [] as Array<{ url: string; init?: RequestInit }>,
    respond: (_url: string, _init?: RequestInit): Response | Promise<Response> =>
      new Response('{}', { status: 503 }),
    fetch(input: string | Request, init?: RequestInit): Promise<Response> {
      if (typeof input !== 'string' && !(input instanceof Request))
        return Promise.reject(new TypeError('net.fetch takes a string or a Request'))
      const url = typeof input === 'string' ? input : input.url
      this.requests.push({ url, init })
      return Promise.resolve(this.respond(url, init))
    },
  }

  return {
    app,
    net,
    safeStorage,
    BrowserWindow: FakeBrowserWindow,
    ipcMain,
    ipcRenderer,
    contextBridge,
    protocol,
    session,
    shell,
    dialog,
  }
}

export type FakeElectron = ReturnType<typeof createFakeElectron>
export type FakeBrowserWindow = InstanceType<FakeElectron['BrowserWindow']>

let current: FakeElectron = createFakeElectron()

/** Start every test from a fresh Electron; returns it for the test to drive and inspect. */
export function resetFakeElectron(): FakeElectron {
  current = createFakeElectron()
  return current
}

/** What `vi.mock('electron', …)` should return: live views of the current fake. */
export const electronModule = {
  get app() {
    return current.app
  },
  get BrowserWindow() {
    return current.BrowserWindow
  },
  get ipcMain() {
    return current.ipcMain
  },
  get safeStorage() {
    return current.safeStorage
  },
  get net() {
    return current.net
  },
  get ipcRenderer() {
    return current.ipcRenderer
  },
  get contextBridge() {
    return current.contextBridge
  },
  get protocol() {
    return current.protocol
  },
  get session() {
    return current.session
  },
  get shell() {
    return current.shell
  },
  get dialog() {
    return current.dialog
  },
}
