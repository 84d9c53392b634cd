/**
 * « Exporter un diagnostic »: a zip any workstation opens, with what support needs and no
 * citizen: checked with the system's own unzip, against the cache's real citizens.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/core/config'
import { effectiveSettings } from '../../src/core/config/effective'
import { createShellLog } from '../../src/main/app/log'
import { diagnosticBundle } from '../../src/main/support/diagnostic'
import { openTestCore, type TestCore } from '../support/core'

let t: TestCore | null = null
afterEach(async () => {
  await t?.close()
  t = null
})

describe('the diagnostic bundle', () => {
  it('holds versions, the configuration, the cache’s statistics and the logs, and no citizen', async () => {
    t = await openTestCore({ requests: 200 })
    await t.as('zoe.agent')
    const logsDir = join(t.dataDir, 'logs')
    createShellLog({ dir: logsDir, echo: () => {} }).error('sync', new Error('le serveur ne répond pas'))

    const bundle = diagnosticBundle({
      versions: { app: '0.1.0', node: process.versions.node, platform: process.platform },
      settings: effectiveSettings({ config: parseConfig({}, 'test'), origins: {}, locked: [] }),
      db: t.db,
      logsDir,
      now: new Date('2026-12-04T10:00:00Z'),
    })
    const file = join(mkdtempSync(join(tmpdir(), 'grc-diag-')), 'diagnostic.zip')
    writeFileSync(file, bundle)
    const listing = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n')
    expect(listing).toEqual([
      'LISEZMOI.txt',
      'versions.json',
      'configuration.json',
      'cache.json',
      'logs/grc-console.log',
    ])
    const read = (name: string) => execFileSync('unzip', ['-p', file, name], { encoding: 'utf8' })
    // The archive is sound: unzip checks every entry's CRC.
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toMatch(/No errors detected/)

    const cache = JSON.parse(read('cache.json'))
    expect(cache.rows.requests).toBe(t.db.prepare('SELECT count(*) FROM requests').pluck().get())
    expect(cache).toMatchObject({
      schemaVersion: expect.any(Number),
      pendingChanges: 0,
      bytes: expect.any(Number),
    })
    expect(JSON.parse(read('configuration.json'))).toContainEqual(
      expect.objectContaining({ key: 'ui.language', value: 'fr', layer: 'default' }),
    )
    expect(read('logs/grc-console.log')).toContain('le serveur ne répond pas')

    const everything = listing.map(read).join('\n')
    const citizens = t.db.prepare('SELECT name, email, phone, postal_address FROM citizens').all() as Array<
      Record<string, string | null>
    >
    expect(citizens.length).toBeGreaterThan(0)
    for (const c of citizens)
      for (const v of Object.values(c)) if (v && v.length > 3) expect(everything).not.toContain(v)
    const titles = t.db.prepare('SELECT title FROM requests LIMIT 50').pluck().all() as string[]
    for (const title of titles) expect(everything).not.toContain(title)
  })
})
