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
import { AppConfigSchema } from '../../src/core/config'
import { parseServerArgs } from '../../src/server/cli'
import { startServer } from '../../src/server/start'
import { repoRoot } from '../support/core'
import { testDatabase } from '../support/serverStore'

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
    expect(parseServerArgs(['retention', '--dry-run', '--config', 'c.json'])).toMatchObject({
      command: 'retention',
      dryRun: true,
      config: join(repoRoot, 'c.json'),
    })
    expect(parseServerArgs(['retention']).dryRun).toBe(false)
    expect(() => parseServerArgs(['--dry-run'])).toThrow(/--dry-run/)
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

  it('retention --dry-run prints the plan by category in French and changes nothing; retention applies it', async () => {
    const database = await testDatabase(join(dir, 'retention'))
    const seeded = await startServer({
      database,
      resourcesDir: join(repoRoot, 'resources'),
      demoRequests: 80,
      demoSeed: 7,
      config: AppConfigSchema.parse({ privacy: { retention: { anonymiseAfterClosedMonths: null } } }),
    })
    const state = async () =>
      seeded.store.sql.get<{ withCitizen: number; anonymised: number; requests: number }>(
        `SELECT count(citizen_id) AS "withCitizen", count(anonymised_at) AS anonymised, count(*) AS requests FROM requests`,
      )
    const before = await state()
    await seeded.close()
    const config = join(dir, 'retention.json')
    writeFileSync(
      config,
      JSON.stringify({ privacy: { accessLogMonths: 6, retention: { anonymiseAfterClosedMonths: 12 } } }),
    )
    const args = ['retention', '--database', database, '--config', config]

    const dry = await server([...args, '--dry-run'])
    expect(dry.stderr).toBe('')
    expect(dry.code).toBe(0)
    const lines = dry.stdout.trim().split('\n')
    expect(lines[0]).toMatch(
      /^Conservation des données : simulation au \d\d\/\d\d\/\d{4} \d\d:\d\d \(heure de Paris\)\. Rien n’est modifié\.$/,
    )
    expect(dry.stdout).toContain(
      'Règle par défaut : demandes closes anonymisées 12 mois après la clôture, jamais supprimées ; journal des accès gardé 6 mois.',
    )
    expect(dry.stdout).toContain(
      'Voirie et trottoirs (voirie) : anonymisées 12 mois après la clôture, jamais supprimées',
    )
    expect(dry.stdout).toMatch(
      /à anonymiser : \d+ demandes? ; à supprimer : 0 demande ; gardées par un gel juridique : 0 demande/,
    )
    expect(dry.stdout).toMatch(/par exemple : GRC-\d{4}-\d+/)
    const total = /Total : (\d+) demandes? à anonymiser, 0 à supprimer, 0 gardée par un gel juridique\./.exec(
      dry.stdout,
    )
    expect(total).not.toBeNull()
    const due = Number(total![1])
    expect(due).toBeGreaterThan(0)
    expect(dry.stdout).toMatch(/Journal des accès : 0 entrée antérieure au .+ à purger\./)

    const reopen = async () => {
      const s = await startServer({
        database,
        resourcesDir: join(repoRoot, 'resources'),
        config: AppConfigSchema.parse({ privacy: { retention: { anonymiseAfterClosedMonths: null } } }),
      })
      try {
        return await s.store.sql.get<{ withCitizen: number; anonymised: number; requests: number }>(
          `SELECT count(citizen_id) AS "withCitizen", count(anonymised_at) AS anonymised, count(*) AS requests FROM requests`,
        )
      } finally {
        await s.close()
      }
    }
    // The dry run changed nothing.
    expect(await reopen()).toEqual(before)

    const run = await server(args)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`  ${due} demande${due > 1 ? 's' : ''} anonymisée${due > 1 ? 's' : ''}`)
    expect(run.stdout).toContain('  0 demande supprimée')
    const after = await reopen()
    expect(after).toMatchObject({ requests: before!.requests, anonymised: before!.anonymised + due })
    const again = await server([...args, '--dry-run'])
    expect(again.stdout).toContain(
      'Total : 0 demande à anonymiser, 0 à supprimer, 0 gardée par un gel juridique.',
    )
  })
})
