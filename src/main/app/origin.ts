/**
 * Where the renderer comes from, and the origin checks built on it. Pure functions: no
 * Electron import, so IPC, navigation and permission guards all share one definition.
 */

/** The privileged scheme that serves the built renderer in production. */
export const APP_SCHEME = 'app'
export const APP_HOST = 'grc'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`

/**
 * The origin of a URL as Chromium sees it, including for the custom `app:` scheme (Node's
 * URL gives `"null"` for non-special schemes, Chromium gives `app://grc` once the scheme is
 * registered as standard). Returns null for anything unparsable or host-less.
 */
export function originOf(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.origin
  if (!parsed.host) return null
  return `${parsed.protocol}//${parsed.host.toLowerCase()}`
}

/** True when `url` belongs to `appOrigin` exactly (scheme, host and port). */
export function isSameOrigin(url: string, appOrigin: string): boolean {
  return originOf(url) === appOrigin
}

/**
 * Links the agent may open in the system browser: https only, no embedded credentials
 * (a `https://user:pass@host` link is a classic phishing shape).
 */
export function isExternalHttpsUrl(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' && parsed.hostname !== '' && !parsed.username && !parsed.password
  } catch {
    return false
  }
}

export interface RendererLocation {
  /** What the window loads. */
  url: string
  /** The only origin trusted for IPC, navigation and permissions. */
  origin: string
  kind: 'app-protocol' | 'dev-server'
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Production loads `app://grc/index.html` from the packaged `out/renderer`. Under
 * `electron-vite dev` the renderer is served by Vite and `ELECTRON_RENDERER_URL` says where;
 * it is honoured only when the app is not packaged and only for a loopback http URL, so an
 * environment variable can never point an installed console at a remote page.
 */
export function rendererLocation(env: NodeJS.ProcessEnv, isPackaged: boolean): RendererLocation {
  const devUrl = env.ELECTRON_RENDERER_URL
  if (!isPackaged && devUrl) {
    const parsed = URL.canParse(devUrl) ? new URL(devUrl) : null
    if (parsed && parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) {
      return { url: parsed.href, origin: parsed.origin, kind: 'dev-server' }
    }
  }
  return { url: APP_ENTRY_URL, origin: APP_ORIGIN, kind: 'app-protocol' }
}
