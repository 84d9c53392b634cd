/**
 * Session-wide refusals: permissions (camera, geolocation, notifications…) are denied
 * unless listed, `<webview>` can never be attached, and the development server's pages get
 * the same CSP header the `app://` scheme sends in production.
 */
import type { App, Session } from 'electron'
import { CONTENT_SECURITY_POLICY, DEFAULT_TILE_ORIGINS, contentSecurityPolicy } from '../../shared/csp'
import { isSameOrigin } from './origin'

/**
 * Permissions the console may be granted, for its own origin only. Empty: nothing the
 * console does today needs one. A later feature that does (geolocation for the map, say)
 * adds its name here, and nowhere else.
 */
export const ALLOWED_PERMISSIONS: readonly string[] = []

export interface SessionHardening {
  /** The renderer's origin (`app://grc`, or the dev server's). */
  appOrigin: string
  /** Set under `electron-vite dev`: responses from this origin get the CSP header. */
  devServerOrigin?: string
  allowedPermissions?: readonly string[]
  /** The configured base map's tile origins, for the dev server's CSP (default: OpenStreetMap's). */
  tileOrigins?: readonly string[]
}

type HardenedSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>
}

/**
 * Vite's dev server injects component styles as `<style>` elements, which `style-src 'self'`
 * would block; development (only) allows inline styles. Scripts stay `'self'`.
 */
export function developmentContentSecurityPolicy(base: string = CONTENT_SECURITY_POLICY): string {
  return base
    .split('; ')
    .map((directive) => (directive.startsWith('style-src ') ? `${directive} 'unsafe-inline'` : directive))
    .join('; ')
}

/** Install the permission handlers (deny by default) and, in development, the CSP header. */
export function hardenSession(session: HardenedSession, options: SessionHardening): void {
  const allowed = new Set(options.allowedPermissions ?? ALLOWED_PERMISSIONS)
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(allowed.has(permission) && isSameOrigin(details.requestingUrl, options.appOrigin))
  })
  session.setPermissionCheckHandler(
    (_contents, permission, requestingOrigin) =>
      allowed.has(permission) && requestingOrigin === options.appOrigin,
  )
  if (options.devServerOrigin) {
    const csp = developmentContentSecurityPolicy(
      contentSecurityPolicy(options.tileOrigins ?? DEFAULT_TILE_ORIGINS),
    )
    session.webRequest.onHeadersReceived({ urls: [`${options.devServerOrigin}/*`] }, (details, callback) => {
      const headers = Object.fromEntries(
        Object.entries(details.responseHeaders ?? {}).filter(
          ([name]) => name.toLowerCase() !== 'content-security-policy',
        ),
      )
      callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [csp] } })
    })
  }
}

/** `<webview>` is off in webPreferences already; this refuses it for any web contents at all. */
export function refuseWebviews(app: Pick<App, 'on'>): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })
}
