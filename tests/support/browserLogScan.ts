/**
 * The browser project's global setup: every browser world writes the console's log (the
 * same JSON lines the app writes, app/log.ts) into one folder; once all browser tests have
 * run, the folder is scanned for the demo citizens' names, e-mails and phones (issue 17:
 * logs hold no personal data). A finding fails the run and says where.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { scanForPersonalData } from './personalDataScan'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the browser worlds write the console's log. */
    browserLogDir: string
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'grc-browser-logs-'))
  project.provide('browserLogDir', dir)
  return () => {
    try {
      const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
        f.includes('grc-console.log'),
      )
      const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
      // A run that logged nothing proved nothing: each world writes at least its start.
      if (lines.length === 0) throw new Error(`the browser tests wrote no log line in ${dir}`)
      const findings = files.flatMap((f) =>
        scanForPersonalData(readFileSync(join(dir, f), 'utf8')).map(
          (x) => `${f}:${x.line}: ${x.kind} « ${x.match} »`,
        ),
      )
      if (findings.length > 0)
        throw new Error(`personal data in the console's log after the browser tests:\n${findings.join('\n')}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
