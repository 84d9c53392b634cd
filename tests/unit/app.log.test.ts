/**
 * The shell's log file: JSON lines a support tool can read, rotated so it never fills the
 * disk, readable by the user alone, and never a reason for the console to stop.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createShellLog, LOG_FILE } from '../../src/main/app/log'

const quiet = () => {}

describe('the log file', () => {
  it('writes one JSON object per line: time, level, where, message (the stack for an error)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'grc-log-')), 'logs')
    const log = createShellLog({ dir, echo: quiet, now: () => new Date('2026-12-04T08:00:00Z') })
    log.error('sync', new Error('le serveur ne répond pas'))
    log.warn('configuration', 'clé ignorée')
    const lines = readFileSync(join(dir, LOG_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines[0]).toMatchObject({ time: '2026-12-04T08:00:00.000Z', level: 'error', where: 'sync' })
    expect(lines[0].message).toMatch(/^Error: le serveur ne répond pas\n\s+at /)
    expect(lines[1]).toEqual({
      time: '2026-12-04T08:00:00.000Z',
      level: 'warn',
      where: 'configuration',
      message: 'clé ignorée',
    })
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(join(dir, LOG_FILE)).mode & 0o777).toBe(0o600)
  })

  it('rotates at its size cap and keeps a fixed number of files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'grc-log-'))
    const log = createShellLog({ dir, echo: quiet, maxBytes: 2000, files: 3 })
    for (let i = 0; i < 200; i++) log.info('test', `ligne ${i} ${'x'.repeat(40)}`)
    expect(readdirSync(dir).sort()).toEqual([LOG_FILE, `${LOG_FILE}.1`, `${LOG_FILE}.2`])
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(2000)
    // The newest line is in the current file.
    expect(readFileSync(join(dir, LOG_FILE), 'utf8')).toContain('ligne 199')
  })

  it('a log it cannot write does not stop the console: standard error still has the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'grc-log-'))
    // A file where the folder should be: no folder can be made there (even by root).
    writeFileSync(join(dir, 'logs'), '')
    const echoed: string[] = []
    const log = createShellLog({ dir: join(dir, 'logs'), echo: (l) => echoed.push(l) })
    expect(() => log.error('start', new Error('boom'))).not.toThrow()
    expect(echoed[0]).toMatch(/^\[grc\] start: Error: boom/)
  })
})
