/**
 * The server's command line as IT meets it: its arguments, and a bad configuration value
 * reported as `FILE: key: message` before anything starts.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { parseServerArgs } from '../../src/server/cli'
import { repoRoot } from '../support/core'

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'grc-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function server(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'src/server/cli.ts'), ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        timeout: 30_000,
      },
    )
    return { code: 0, stdout, stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

describe('the server command line', () => {
  it('reads the database, the demo and the commands from its arguments', () => {
    expect(parseServerArgs(['--database', 'postgres://grc@db:5432/grc', '--port', '9000'])).toMatchObject({
      command: 'serve',
      database: 'postgres://grc@db:5432/grc',
      port: 9000,
      demo: null,
    })
    expect(parseServerArgs(['--demo']).demo).toBe(5000)
    expect(parseServerArgs(['--demo-requests', '20']).demo).toBe(20)
    expect(parseServerArgs(['backup', '--to', 'x.dump'])).toMatchObject({
      command: 'backup',
      file: join(repoRoot, 'x.dump'),
    })
    expect(parseServerArgs(['keys', 'rotate']).command).toBe('keys rotate')
    expect(() => parseServerArgs(['backup'])).toThrow('backup needs --to FILE')
    expect(() => parseServerArgs(['--port', '99999'])).toThrow(/--port/)
    expect(() => parseServerArgs(['drop-everything'])).toThrow(/unknown command/)
  })

  it('names the file and the key of a bad configuration value, and starts nothing', async () => {
    const file = join(dir, 'server.json')
    writeFileSync(file, JSON.stringify({ sla: { dayStart: '25:99' } }))
    const { code, stderr } = await server(['--db', join(dir, 'never.db'), '--config', file])
    expect(code).not.toBe(0)
    expect(stderr).toContain(`${file}: sla.dayStart:`)
    expect(stderr).not.toMatch(/ZodError|"code":/)
  })

  it('says so when GRC_CONFIG names a file that does not exist', async () => {
    const { code, stderr } = await server(['--db', join(dir, 'never.db')], {
      GRC_CONFIG: join(dir, 'missing.json'),
    })
    expect(code).not.toBe(0)
    expect(stderr).toContain('missing.json: GRC_CONFIG points at a file that does not exist')
  })
})
