/**
 * Sealing the directory service password for `bindPassword.encryptedFile`: encrypted by the
 * OS keychain (fake Electron here), never in clear in the file, refused without a keychain;
 * and the directory provider reads it back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { resetFakeElectron, type FakeElectron } from '../support/fake-electron'

vi.mock('electron', async () => (await import('../support/fake-electron')).electronModule)

import { sealSecret } from '../../src/main/app/sealSecret'
import { resolveBindPassword } from '../../src/core/directory'

let electron: FakeElectron
let dir: string
beforeEach(() => {
  electron = resetFakeElectron()
  dir = mkdtempSync(join(tmpdir(), 'grc-seal-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('sealing the directory service password', () => {
  it('writes it encrypted by the keychain; the provider reads it back', async () => {
    const file = join(dir, 'ldap.secret')
    const said: string[] = []
    const done = sealSecret(file, Readable.from(['Service-456\n']), (l) => said.push(l))
    await electron.app.fireReady()
    expect(await done).toBe(0)
    const written = readFileSync(file, 'utf8')
    expect(written).not.toContain('Service-456')
    expect(Buffer.from(written, 'base64').toString()).not.toContain('Service-456')
    expect(said.join(' ')).not.toContain('Service-456')
    expect(resolveBindPassword({ encryptedFile: file }, { cipher: electron.safeStorage })).toBe('Service-456')
  })

  it('refuses when no keychain can encrypt, and writes nothing', async () => {
    electron.safeStorage.available = false
    const said: string[] = []
    const done = sealSecret(join(dir, 'x'), Readable.from(['secret']), (l) => said.push(l))
    await electron.app.fireReady()
    expect(await done).toBe(2)
    expect(said[0]).toMatch(/trousseau/)
  })
})
