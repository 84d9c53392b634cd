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
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const electronVersion = pkg.devDependencies.electron.replace(/^[^\d]*/, '')
const { reviewed } = JSON.parse(
  readFileSync(join(root, 'scripts', 'electronegativity-reviewed.json'), 'utf8'),
)

/** RFC 4180 rows: quoted fields may hold commas, quotes (doubled) and newlines. */
export function parseCsv(text) {
  const rows = [[]]
  let field = ''
  let quoted = false
  const endField = () => {
    rows.at(-1).push(field.trim())
    field = ''
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') endField()
    else if (c === '\n') {
      endField()
      rows.push([])
    } else if (c !== '\r') field += c
  }
  if (field || rows.at(-1).length) rows.at(-1).push(field.trim())
  return rows.filter((r) => r.length > 1)
}

const inputAt = process.argv.indexOf('--input')
const input = inputAt > 0 ? process.argv[inputAt + 1] : join(root, 'out')

const work = mkdtempSync(join(tmpdir(), 'grc-electronegativity-'))
try {
  const report = join(work, 'findings.csv')
  execFileSync(
    join(root, 'node_modules', '.bin', 'electronegativity'),
    [
      ...['-i', input, '-e', electronVersion, '-r', '-v', 'false', '-o', report],
      ...['-x', 'AvailableSecurityFixesGlobalCheck'],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 },
  )
  const [header, ...rows] = parseCsv(readFileSync(report, 'utf8'))
  const col = (name) => header.indexOf(name)
  const findings = rows.map((r) => ({
    issue: r[col('issue')],
    file: r[col('filename')],
    location: r[col('location')],
    sample: r[col('sample')],
    description: r[col('description')],
  }))
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
