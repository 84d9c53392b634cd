/**
 * `npm start` / `npm run dev` first check that the Electron binary is there
 * (scripts/electron-check.mjs), and say in French and English what to do when it is not.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { spawnSync } from 'node:child_process'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

type Status = { ok: true; executable: string } | { ok: false; problem: string; executable?: string }
interface CheckScript {
  electronBinaryStatus(options: { root: string; env?: NodeJS.ProcessEnv }): Status
  explainMissingElectron(status: Status, options?: { root?: string; env?: NodeJS.ProcessEnv }): string
  main(options: {
    root?: string
    env?: NodeJS.ProcessEnv
    log?: (line: string) => void
    error?: (line: string) => void
  }): number
}

const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'electron-check.mjs')
const script = (await import(/* @vite-ignore */ pathToFileURL(SCRIPT).href)) as CheckScript

let root: string
let out: string[]
const electronDir = () => join(root, 'node_modules', 'electron')
const run = (env: NodeJS.ProcessEnv = {}) =>
  script.main({ root, env, log: (l) => out.push(l), error: (l) => out.push(l) })

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'grc-electron-check-'))
  mkdirSync(electronDir(), { recursive: true })
  writeFileSync(join(electronDir(), 'package.json'), JSON.stringify({ name: 'electron', version: '45.5.0' }))
  out = []
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

/** What the electron package's install script leaves when the download worked. */
function installBinary(name = 'electron') {
  writeFileSync(join(electronDir(), 'path.txt'), name)
  mkdirSync(join(electronDir(), 'dist'), { recursive: true })
  writeFileSync(join(electronDir(), 'dist', name), '#!/bin/sh\n')
}

describe('scripts/electron-check.mjs', () => {
  it('passes silently when path.txt names a binary that is there', () => {
    installBinary()
    expect(script.electronBinaryStatus({ root, env: {} })).toEqual({
      ok: true,
      executable: join(electronDir(), 'dist', 'electron'),
    })
    expect(run()).toBe(0)
    expect(out).toEqual([])
  })

  it('explains a download that never happened, in French and English, with the three ways out', () => {
    expect(script.electronBinaryStatus({ root, env: {} })).toEqual({ ok: false, problem: 'not-downloaded' })
    expect(run()).toBe(1)
    const message = out.join('\n')
    expect(message).toMatch(/n’a pas été téléchargé/)
    expect(message).toMatch(/was not downloaded/)
    expect(message).toMatch(/Que faire/)
    expect(message).toMatch(/What to do/)
    expect(message).toMatch(/node node_modules\/electron\/install\.js/)
    expect(message).toMatch(/ELECTRON_MIRROR/)
    expect(message).toMatch(/HTTPS_PROXY/)
    expect(message).toMatch(/npm run dev:web/)
    // No stack trace.
    expect(message).not.toMatch(/\n\s+at /)
  })

  it('names the missing file when path.txt points at nothing, and a skipped download', () => {
    writeFileSync(join(electronDir(), 'path.txt'), 'electron')
    expect(run({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })).toBe(1)
    const message = out.join('\n')
    expect(message).toContain(join('node_modules', 'electron', 'dist', 'electron'))
    expect(message).toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD/)
  })

  it('follows ELECTRON_OVERRIDE_DIST_PATH as the electron package does', () => {
    const dist = join(root, 'elsewhere')
    expect(script.electronBinaryStatus({ root, env: { ELECTRON_OVERRIDE_DIST_PATH: dist } })).toMatchObject({
      ok: false,
      problem: 'missing-binary',
    })
    mkdirSync(dist)
    writeFileSync(join(dist, 'electron'), '')
    expect(run({ ELECTRON_OVERRIDE_DIST_PATH: dist })).toBe(0)
  })

  it('says to run npm ci when the electron package itself is missing', () => {
    rmSync(electronDir(), { recursive: true })
    expect(run()).toBe(1)
    expect(out.join('\n')).toMatch(/npm ci/)
  })

  it('runs as a command: exit code 1 and the message on stderr, nothing else', () => {
    const result = spawnSync(process.execPath, [SCRIPT], { cwd: root, encoding: 'utf8' })
    // The repository's own node_modules: this checkout has no Electron binary, or has one.
    if (result.status === 0) expect(result.stderr).toBe('')
    else {
      expect(result.status).toBe(1)
      expect(result.stderr).toMatch(/What to do/)
      expect(result.stderr).not.toMatch(/\n\s+at /)
    }
  })
})
