import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { resetFakeElectron, type FakeElectron } from '../support/fake-electron'

vi.mock('electron', async () => (await import('../support/fake-electron')).electronModule)

import {
  createAppFileHandler,
  registerAppScheme,
  resolveAppFile,
  serveAppProtocol,
} from '../../src/main/app/protocol'
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp'

let base: string
let rendererDir: string
const INDEX =
  '<!doctype html><title>GRC Console</title><script type="module" src="./assets/index.js"></script>'

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'grc-protocol-'))
  rendererDir = join(base, 'out', 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), INDEX)
  writeFileSync(join(rendererDir, 'assets', 'index.js'), 'console.log("app")')
  writeFileSync(join(rendererDir, 'assets', 'index.css'), 'body{}')
  writeFileSync(join(rendererDir, 'assets', 'marianne.woff2'), 'font')
  writeFileSync(join(rendererDir, 'assets', 'blob.bin'), 'bytes')
  // Outside the served folder: what a traversal would try to read.
  writeFileSync(join(base, 'out', 'secret.txt'), 'citizen data')
  writeFileSync(join(base, 'secret.txt'), 'citizen data')
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

const get = (url: string, method = 'GET') => createAppFileHandler(rendererDir)({ url, method })

describe('the app:// protocol', () => {
  it('serves index.html at the root with the CSP header and an HTML type', async () => {
    for (const url of ['app://grc/', 'app://grc/index.html']) {
      const res = await get(url)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(await res.text()).toBe(INDEX)
    }
  })

  it("lets the configured base map's tiles through, and no other's", async () => {
    const res = await createAppFileHandler(rendererDir, ['https://data.geopf.fr'])({ url: 'app://grc/' })
    const csp = res.headers.get('content-security-policy')
    expect(csp).toContain("img-src 'self' data: blob: https://data.geopf.fr;")
    expect(csp).not.toContain('openstreetmap')
  })

  it('serves assets with their MIME types, and unknown ones as opaque bytes', async () => {
    expect((await get('app://grc/assets/index.js')).headers.get('content-type')).toBe(
      'text/javascript; charset=utf-8',
    )
    expect((await get('app://grc/assets/index.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    )
    expect((await get('app://grc/assets/marianne.woff2')).headers.get('content-type')).toBe('font/woff2')
    expect((await get('app://grc/assets/blob.bin')).headers.get('content-type')).toBe(
      'application/octet-stream',
    )
  })

  it.each([
    'app://grc/../../etc/passwd',
    'app://grc/../secret.txt',
    'app://grc/%2e%2e/secret.txt',
    'app://grc/..%2fsecret.txt',
    'app://grc/..%2F..%2Fsecret.txt',
    'app://grc/assets/..%2f..%2fsecret.txt',
    'app://grc/..%5csecret.txt',
    'app://grc/index.html%00.js',
    'app://grc/%E0%A4%A',
  ])('never serves a file outside the renderer folder: %s', async (url) => {
    const res = await get(url)
    expect(res.status).toBeGreaterThanOrEqual(400)
    const body = await res.text()
    expect(body).not.toContain('citizen data')
    expect(body).not.toContain('root:')
  })

  it('refuses other hosts and schemes', async () => {
    expect((await get('app://evil/index.html')).status).toBe(403)
    expect((await get('file:///etc/passwd')).status).toBe(403)
    expect(resolveAppFile(rendererDir, 'app://grc/assets/index.js')).toBe(
      join(rendererDir, 'assets', 'index.js'),
    )
  })

  it('answers 404 for anything that is not a file of the renderer', async () => {
    expect((await get('app://grc/assets/missing.js')).status).toBe(404)
    expect((await get('app://grc/assets')).status).toBe(404)
    expect((await get('app://grc/etc/passwd')).status).toBe(404)
  })

  it('is read-only', async () => {
    expect((await get('app://grc/index.html', 'POST')).status).toBe(405)
    const head = await get('app://grc/index.html', 'HEAD')
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })
})

describe('registering the scheme with Electron', () => {
  let electron: FakeElectron
  beforeEach(() => {
    electron = resetFakeElectron()
  })

  it('declares app: as a privileged standard, secure scheme before ready, and serves it after', async () => {
    registerAppScheme(electron.protocol as never)
    expect(electron.protocol.privileged).toEqual([
      {
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true }),
      },
    ])
    await electron.app.fireReady()
    serveAppProtocol(electron.protocol as never, rendererDir)
    const handler = electron.protocol.handlers.get('app')!
    const res = await handler(new Request('app://grc/index.html'))
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
  })
})
