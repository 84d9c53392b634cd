/**
 * A real core on a real SQLite file in a temp folder, seeded with the demo data, for
 * integration tests: `const t = await openTestCore(); await t.as('zoe.agent')`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { ChannelName, InputOf, OutputOf } from '../../src/shared/contract'
import type { Result } from '../../src/shared/result'
import { parseConfig } from '../../src/core/config'
import { createConsole } from '../../src/main/console'

export const repoRoot = resolve(__dirname, '..', '..')
export const DEMO_PASSWORD = 'demo'

export interface TestCoreOptions {
  requests?: number
  now?: () => number
  /** Where the core reports internal errors (the app writes them to its log). */
  logError?: (where: string, error: unknown) => void
}

export async function openTestCore(options: TestCoreOptions = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'grc-core-'))
  const config = parseConfig({ demo: { requests: options.requests ?? 400, seed: 7 } }, 'test')
  const core = await createConsole({
    config,
    resourcesDir: join(repoRoot, 'resources'),
    userDataDir: dataDir,
    now: options.now,
    logError: options.logError,
  })
  const call = async <C extends ChannelName>(channel: C, input: InputOf<C>): Promise<Result<OutputOf<C>>> =>
    (await core.invoke(channel, input)) as Result<OutputOf<C>>
  /** Call and expect success: the value, or the test fails with the error. */
  const value = async <C extends ChannelName>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> => {
    const r = await call(channel, input)
    if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`)
    return r.value
  }
  return {
    core,
    db: core.db,
    dataDir,
    call,
    value,
    as: async (login: string) => {
      await core.invoke('session.logout', {})
      return value('session.login', { login, password: DEMO_PASSWORD })
    },
    close: async () => {
      await core.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
export type TestCore = Awaited<ReturnType<typeof openTestCore>>
