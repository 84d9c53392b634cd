import { beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeSession, FakeWebContents, resetFakeElectron, type FakeElectron } from '../support/fake-electron'

vi.mock('electron', async () => (await import('../support/fake-electron')).electronModule)

import { developmentContentSecurityPolicy, hardenSession, refuseWebviews } from '../../src/main/app/security'
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp'

let electron: FakeElectron
beforeEach(() => {
  electron = resetFakeElectron()
})

describe('session permissions', () => {
  it('refuses every permission request, even from the app itself', async () => {
    const session = new FakeSession()
    hardenSession(session as never, { appOrigin: 'app://grc' })
    for (const permission of [
      'geolocation',
      'media',
      'notifications',
      'clipboard-read',
      'openExternal',
      'hid',
    ]) {
      expect(await session.requestPermission(permission, 'app://grc/index.html')).toBe(false)
      expect(session.checkPermission(permission, 'app://grc')).toBe(false)
    }
  })

  it('grants a listed permission to the app origin only', async () => {
    const session = new FakeSession()
    hardenSession(session as never, { appOrigin: 'app://grc', allowedPermissions: ['geolocation'] })
    expect(await session.requestPermission('geolocation', 'app://grc/index.html')).toBe(true)
    expect(await session.requestPermission('geolocation', 'https://evil.example/')).toBe(false)
    expect(await session.requestPermission('media', 'app://grc/index.html')).toBe(false)
    expect(session.checkPermission('geolocation', 'app://grc')).toBe(true)
    expect(session.checkPermission('geolocation', 'https://evil.example')).toBe(false)
  })
})

describe('content security policy for the dev server', () => {
  it('adds nothing in production (the app scheme sends its own header)', () => {
    const session = new FakeSession()
    hardenSession(session as never, { appOrigin: 'app://grc' })
    expect(session.headersListener).toBeNull()
  })

  it("replaces the dev server's CSP with the app's, for that origin only", () => {
    const session = new FakeSession()
    hardenSession(session as never, {
      appOrigin: 'http://localhost:5173',
      devServerOrigin: 'http://localhost:5173',
    })
    expect(session.headersFilter).toEqual({ urls: ['http://localhost:5173/*'] })
    const headers = session.receiveHeaders('http://localhost:5173/', {
      'content-security-policy': ["default-src *; script-src * 'unsafe-eval'"],
      'content-type': ['text/html'],
    })
    expect(headers['content-type']).toEqual(['text/html'])
    expect(headers['content-security-policy']).toBeUndefined()
    const csp = String(headers['Content-Security-Policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).toContain("default-src 'none'")
  })

  it("lets the configured base map's tiles through on the dev server, and no other's", () => {
    const session = new FakeSession()
    hardenSession(session as never, {
      appOrigin: 'http://localhost:5173',
      devServerOrigin: 'http://localhost:5173',
      tileOrigins: ['https://data.geopf.fr'],
    })
    const csp = String(session.receiveHeaders('http://localhost:5173/', {})['Content-Security-Policy'])
    expect(csp).toContain("img-src 'self' data: blob: https://data.geopf.fr;")
    expect(csp).not.toContain('openstreetmap')
  })

  it('relaxes only style-src in development (Vite injects component styles inline)', () => {
    const dev = developmentContentSecurityPolicy()
    expect(dev).toContain("style-src 'self' 'unsafe-inline'")
    expect(dev.replace(" 'unsafe-inline'", '')).toBe(CONTENT_SECURITY_POLICY)
  })
})

describe('webviews', () => {
  it('refuses to attach a <webview> in any web contents', () => {
    refuseWebviews(electron.app as never)
    const contents = new FakeWebContents()
    electron.app.emit('web-contents-created', {}, contents)
    expect(contents.attachWebview()).toBe(false)
  })
})
