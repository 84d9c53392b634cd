#!/usr/bin/env node
/**
 * Electronegativity (Doyensec's linter for Electron security anti-patterns) on the built
 * main, preload and renderer page (out/, `electron-vite build`), with the Electron version
 * of package.json. Each finding must be in scripts/electronegativity-reviewed.json, which
 * says why it is not a vulnerability; anything new fails the run.
 *
 * `node scripts/electronegativity.mjs [--input DIR]` (default: out/).
 * AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK is left out: it downloads Electron's release list
 * from GitHub, which this network cannot reach (it would only wait, then say nothing).
 * Electron's own security releases are followed through the pinned `electron` version.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const electronVersion = pkg.devDependencies.electron.replace(/^[^\d]*/, '')
const { reviewed } = JSON.parse(
  readFileSync(join(root, 'scripts', 'electronegativity-reviewed.json'), 'utf8'),
)

/**
 * The findings of a SARIF report, each with the line of code it points at (the tool's CSV
 * has it, but writes its header and its rows in two unsynchronised appends, so a row may be
 * lost; the SARIF report is written at once).
 */
function findingsOf(sarif, inputDir) {
  const lines = new Map()
  const lineOf = (file, n) => {
    if (!lines.has(file)) {
      const path = join(inputDir, file)
      lines.set(file, existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [])
    }
    return (lines.get(file)[n - 1] ?? '').trim()
  }
  return sarif.runs.flatMap((run) =>
    run.results.map((r) => {
      const where = r.locations?.[0]?.physicalLocation
      const file = where?.artifactLocation?.uri ?? 'N/A'
      const line = where?.region?.startLine ?? 0
      return {
        issue: r.ruleId,
        file,
        location: `${line}:${where?.region?.startColumn ?? 0}`,
        sample: lineOf(file, line),
        description: r.message?.text ?? '',
      }
    }),
  )
}

const inputAt = process.argv.indexOf('--input')
const input = inputAt > 0 ? process.argv[inputAt + 1] : join(root, 'out')

const work = mkdtempSync(join(tmpdir(), 'grc-electronegativity-'))
try {
  const report = join(work, 'findings.sarif')
  execFileSync(
    join(root, 'node_modules', '.bin', 'electronegativity'),
    [
      ...['-i', input, '-e', electronVersion, '-r', '-v', 'false', '-o', report],
      ...['-x', 'AvailableSecurityFixesGlobalCheck'],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 },
  )
  const findings = findingsOf(JSON.parse(readFileSync(report, 'utf8')), input)
  const isReviewed = (f) =>
    reviewed.some((r) => r.issue === f.issue && r.file === f.file && f.sample.includes(r.sample))
  const fresh = findings.filter((f) => !isReviewed(f))
  const stale = reviewed.filter(
    (r) => !findings.some((f) => r.issue === f.issue && r.file === f.file && f.sample.includes(r.sample)),
  )
  for (const r of stale)
    console.warn(
      `electronegativity: reviewed finding no longer reported (remove it?): ${r.issue} in ${r.file}`,
    )
  if (fresh.length) {
    console.error(`electronegativity: ${fresh.length} finding(s) not reviewed (Electron ${electronVersion}):`)
    for (const f of fresh)
      console.error(`  ${f.issue} ${f.file}:${f.location} — ${f.description}\n    ${f.sample.slice(0, 200)}`)
    console.error(
      'Fix them, or add each to scripts/electronegativity-reviewed.json with why it is not a vulnerability.',
    )
    process.exit(1)
  }
  console.log(`electronegativity: ${findings.length} finding(s), all reviewed (Electron ${electronVersion}).`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
