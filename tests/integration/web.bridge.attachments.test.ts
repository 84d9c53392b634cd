/**
 * A file's bytes over the web bridge (dev:web, browser tests; issue 14): sent as the
 * renderer's api.ts sends them (typed arrays as tagged base64) and read back the same way;
 * the bridge lets the largest accepted file through for `attachments.add` only.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebBridge, type WebBridge } from '../../src/main/web/bridge'
import { ATTACHMENT_LIMITS } from '../../src/shared/attachments'
import type { Result } from '../../src/shared/result'
import { wireReplacer, wireReviver } from '../../src/shared/wireJson'
import { openTestCore, type TestCore } from '../support/core'

let t: TestCore
let bridge: WebBridge
let requestId: string

beforeAll(async () => {
  t = await openTestCore({ requests: 40 })
  const staticDir = mkdtempSync(join(tmpdir(), 'grc-static-'))
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>GRC</title>')
  bridge = await startWebBridge({ core: t.core, staticDir })
  await t.as('zoe.agent')
  requestId = t.db
    .prepare(`SELECT id FROM requests WHERE team_id = (SELECT id FROM teams WHERE code = 'voirie') LIMIT 1`)
    .pluck()
    .get() as string
})
afterAll(async () => {
  await bridge.close()
  await t.close()
})

/** As src/renderer/api.ts calls the bridge. */
async function invoke(channel: string, input: unknown): Promise<{ status: number; body: Result<unknown> }> {
  const res = await fetch(`${bridge.url}api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bridge.token}` },
    body: JSON.stringify(input, wireReplacer),
  })
  return { status: res.status, body: JSON.parse(await res.text(), wireReviver) as Result<unknown> }
}

/** `size` bytes that sniff as a JPEG, each byte telling its position. */
function jpegLike(size: number): Uint8Array {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = (i * 7) & 0xff
  bytes.set([0xff, 0xd8, 0xff, 0xe0])
  return bytes
}

describe('binary input over the web bridge', () => {
  it('carries a file of the largest accepted size to the core', async () => {
    const added = await invoke('attachments.add', {
      requestId,
      name: 'grande.jpg',
      bytes: jpegLike(ATTACHMENT_LIMITS.maxBytes),
    })
    expect(added.status).toBe(200)
    expect(added.body).toMatchObject({
      ok: true,
      value: { state: 'pending', size: ATTACHMENT_LIMITS.maxBytes },
    })
  })

  it('carries a file byte for byte, there and back', async () => {
    const bytes = jpegLike(2 * 1024 * 1024 + 3)
    const added = await invoke('attachments.add', { requestId, name: 'moyenne.jpg', bytes })
    const id = (added.body as { ok: true; value: { id: string } }).value.id
    const content = await invoke('attachments.content', { id })
    const back = (content.body as { ok: true; value: { bytes: unknown } }).value.bytes
    expect(back).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(back as Uint8Array).equals(Buffer.from(bytes))).toBe(true)
  })

  it('a body far past it is refused by the bridge, and other channels keep their 1 MiB', async () => {
    const raw = async (channel: string, body: string) => {
      const res = await fetch(`${bridge.url}api/invoke/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bridge.token}` },
        body,
      })
      return { status: res.status, body: (await res.json()) as { ok: boolean; error?: { message: string } } }
    }
    const huge = await raw(
      'attachments.add',
      `{"requestId":"${requestId}","name":"x","bytes":"${'A'.repeat(15 * 1024 * 1024)}"}`,
    )
    expect(huge.status).toBe(413)
    expect(huge.body.error?.message).toContain('14 Mio')
    const other = await raw(
      'request.comment',
      JSON.stringify({ id: requestId, kind: 'internal', body: 'x'.repeat(1100 * 1024) }),
    )
    expect(other.status).toBe(413)
    expect(other.body.error?.message).toContain('1 Mio')
  })
})
