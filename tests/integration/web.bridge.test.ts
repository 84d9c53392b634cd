/**
 * The web bridge over real HTTP: the same dispatch as IPC, behind a per-run token.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebBridge, type WebBridge } from '../../src/main/web/bridge'
import { BASE_MAP_PRESETS, tileOriginsOf } from '../../src/shared/mapSettings'
import { openTestCore, type TestCore } from '../support/core'

let t: TestCore
let bridge: WebBridge

beforeAll(async () => {
  t = await openTestCore({ requests: 50 })
  const staticDir = mkdtempSync(join(tmpdir(), 'grc-static-'))
  mkdirSync(join(staticDir, 'assets'))
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>GRC</title>')
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)')
  bridge = await startWebBridge({ core: t.core, staticDir })
})
afterAll(async () => {
  await bridge.close()
  t.close()
})

const invoke = (channel: string, body: unknown, token: string | null = bridge.token) =>
  fetch(`${bridge.url}api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

describe('web bridge', () => {
  it('listens on loopback only and prints the token in the URL fragment', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(bridge.openUrl).toBe(`${bridge.url}#token=${bridge.token}`)
    expect(bridge.token.length).toBeGreaterThanOrEqual(32)
  })

  it('refuses calls without the token or with a wrong one', async () => {
    const none = await invoke('session.current', {}, null)
    expect(none.status).toBe(401)
    const wrong = await invoke('session.current', {}, 'x'.repeat(bridge.token.length))
    expect(wrong.status).toBe(401)
  })

  it('runs the contract: login, then a queue page', async () => {
    const login = await (await invoke('session.login', { login: 'zoe.agent', password: 'demo' })).json()
    expect(login).toMatchObject({ ok: true, value: { login: 'zoe.agent' } })
    const page = (await (await invoke('queue.list', { limit: 5 })).json()) as {
      ok: boolean
      value: { rows: unknown[] }
    }
    expect(page.ok).toBe(true)
    expect(page.value.rows.length).toBe(5)
  })

  it('answers bad JSON, unknown channels and oversized bodies with clear errors', async () => {
    const badJson = await invoke('queue.list', '{"limit": ')
    expect(badJson.status).toBe(400)
    expect(await badJson.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await (await invoke('shell.exec', {})).json()).toMatchObject({
      ok: false,
      error: { code: 'unknown_channel' },
    })
    const huge = await invoke('queue.list', JSON.stringify({ filter: { text: 'x'.repeat(2 * 1024 * 1024) } }))
    expect(huge.status).toBe(413)
  })

  it('serves the renderer with the strict CSP and refuses path traversal', async () => {
    const index = await fetch(bridge.url)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(index.headers.get('content-security-policy')).not.toContain('unsafe-eval')
    expect(index.headers.get('content-security-policy')).toContain(
      "img-src 'self' data: blob: https://tile.openstreetmap.org;",
    )
    expect((await fetch(`${bridge.url}assets/app.js`)).headers.get('content-type')).toContain('javascript')
    const traversal = await fetch(`${bridge.url}..%2f..%2f..%2fetc%2fpasswd`)
    expect(await traversal.text()).not.toContain('root:')
  })

  it("lets the configured base map's tiles through, and no other's", async () => {
    const ign = await startWebBridge({
      core: t.core,
      staticDir: mkdtempSync(join(tmpdir(), 'grc-static-')),
      tileOrigins: tileOriginsOf(BASE_MAP_PRESETS['ign-plan-v2']),
    })
    try {
      const csp = (await fetch(ign.url)).headers.get('content-security-policy')
      expect(csp).toContain("img-src 'self' data: blob: https://data.geopf.fr;")
      expect(csp).not.toContain('openstreetmap')
    } finally {
      await ign.close()
    }
  })

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const port = new URL(bridge.url).port
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', headers: { Host: `evil.example:${port}` } },
        (res) => resolve(res.statusCode ?? 0),
      )
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(421)
  })

  it('streams core events to the page', async () => {
    const controller = new AbortController()
    const res = await fetch(`${bridge.url}api/events?token=${bridge.token}`, { signal: controller.signal })
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const reader = res.body!.getReader()
    await invoke('session.logout', {})
    let text = ''
    while (!text.includes('session.changed')) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    controller.abort()
    expect(text).toContain('event: session.changed')
  })
})
