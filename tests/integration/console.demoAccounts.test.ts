/**
 * The bundled demo accounts (password `demo`, known to all) open sessions only in the
 * demo: a packaged console that would use them refuses to start, and says what to
 * configure; the login screen is told when they are in use.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/core/config'
import { createConsole } from '../../src/main/console'
import { repoRoot } from '../support/core'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-demo-accounts-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const open = (raw: unknown, demoAccounts: boolean | undefined) =>
  createConsole({
    config: parseConfig(raw, 'test'),
    resourcesDir: join(repoRoot, 'resources'),
    userDataDir: dir,
    demoAccounts,
  })

describe('the demo accounts', () => {
  it('a packaged console with no directory and no accounts file refuses to start, saying what to configure', async () => {
    await expect(open({ demo: { requests: 10 } }, false)).rejects.toThrow(
      /comptes de démonstration.*auth\.provider : "ldap".*auth\.local\.accountsFile/s,
    )
  })

  it('with its own accounts file it starts, and the login screen shows no demo notice', async () => {
    const accounts = join(dir, 'comptes.json')
    copyFileSync(join(repoRoot, 'resources', 'demo', 'accounts.json'), accounts)
    const core = await open({ demo: { requests: 10 }, auth: { local: { accountsFile: accounts } } }, false)
    expect(await core.invoke('session.loginInfo', {})).toMatchObject({
      ok: true,
      value: { demoAccounts: false },
    })
    await core.close()
  })

  it('in development and in a demo build they work, and the login screen says so', async () => {
    const core = await open({ demo: { requests: 10 } }, true)
    expect(await core.invoke('session.loginInfo', {})).toMatchObject({
      ok: true,
      value: { demoAccounts: true },
    })
    expect(await core.invoke('session.login', { login: 'zoe.agent', password: 'demo' })).toMatchObject({
      ok: true,
    })
    await core.close()
  })
})
