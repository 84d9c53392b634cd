/**
 * The bundled demo accounts (password `demo`, public) only in the demo: a server with no
 * directory and no accounts file refuses to start unless started as the demo, says what to
 * configure, and never serves them beyond loopback. `npm run server -- --demo` keeps working.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { passwordLogin } from '../support/passwordLogin'
import { AppConfigSchema } from '../../src/core/config'
import { usesDemoAccounts } from '../../src/core/directory/demoAccounts'
import { isLoopbackHost } from '../../src/server/demoGuard'
import { startServer } from '../../src/server/start'
import { repoRoot } from '../support/core'
import { startServerProcess } from '../support/serverProcess'
import { testDatabase, TEST_STORE } from '../support/serverStore'

const dir = mkdtempSync(join(tmpdir(), 'grc-demo-accounts-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const resourcesDir = join(repoRoot, 'resources')

/** An authority's own accounts file (here a copy of the demo's, under its own name). */
function ownAccountsConfig(): string {
  const accounts = join(dir, 'accounts.json')
  copyFileSync(join(resourcesDir, 'demo', 'accounts.json'), accounts)
  const file = join(dir, 'own-accounts.json')
  writeFileSync(file, JSON.stringify({ auth: { provider: 'local', local: { accountsFile: accounts } } }))
  return file
}

/** What the server printed when it refused to start (it must not start). */
async function refusal(database: string, args: string[]): Promise<string> {
  const started = startServerProcess({ database, demo: false, args, startTimeoutMs: 30_000 })
  const error = await started.then(
    async (s) => {
      await s.close()
      return new Error(`the server started at ${s.url}`)
    },
    (e: unknown) => e as Error,
  )
  return error.message
}

async function login(url: string, login: string) {
  const res = await passwordLogin(url, login)
  return res.status
}

describe('which configurations use the demo accounts', () => {
  it('the local provider without an accounts file, nothing else', () => {
    expect(usesDemoAccounts(AppConfigSchema.parse({}))).toBe(true)
    expect(
      usesDemoAccounts(AppConfigSchema.parse({ auth: { local: { accountsFile: '/etc/x.json' } } })),
    ).toBe(false)
    const ldap = {
      urls: ['ldaps://ad.ville.local'],
      userSearchBase: 'dc=ville,dc=local',
      mapping: [{ group: 'grc-agents', roles: ['agent'] }],
    }
    expect(usesDemoAccounts(AppConfigSchema.parse({ auth: { provider: 'ldap', ldap } }))).toBe(false)
  })

  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]'])
      expect(isLoopbackHost(host)).toBe(true)
    for (const host of ['0.0.0.0', '::', '10.0.0.11', '192.168.1.2', 'grc.ville.fr', ''])
      expect(isLoopbackHost(host)).toBe(false)
  })
})

describe('the server and the demo accounts', () => {
  it('refuses to start with no configuration and no --demo, says what to configure, creates nothing', async () => {
    const database = TEST_STORE === 'sqlite' ? join(dir, 'refused', 'grc.db') : await testDatabase(dir)
    const message = await refusal(database, [])
    expect(message).toContain('comptes de démonstration')
    expect(message).toContain('auth.ldap')
    expect(message).toContain('auth.local.accountsFile')
    expect(message).toContain('docs/server.md')
    expect(message).toContain('--demo')
    expect(message).not.toMatch(/\n\s+at /)
    if (TEST_STORE === 'sqlite') expect(existsSync(database)).toBe(false)
  })

  it('refuses the demo accounts beyond loopback, even with --demo', async () => {
    const message = await refusal(join(dir, 'never.db'), ['--demo-requests', '0', '--host', '0.0.0.0'])
    expect(message).toContain('boucle locale')
    expect(message).toContain('0.0.0.0')
    expect(message).toContain('auth.local.accountsFile')
    expect(message).not.toMatch(/\n\s+at /)
  })

  it('starts as the demo on loopback, and the demo accounts log in', async () => {
    const server = await startServerProcess({
      database: await testDatabase(join(dir, 'demo')),
      args: ['--demo-requests', '0', '--host', '127.0.0.1'],
    })
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(await login(server.url, 'alex.admin')).toBe(200)
    } finally {
      await server.close()
    }
  })

  it('starts without --demo on an accounts file of its own', async () => {
    const server = await startServerProcess({
      database: await testDatabase(join(dir, 'own')),
      demo: false,
      args: ['--config', ownAccountsConfig()],
    })
    try {
      expect(await login(server.url, 'zoe.agent')).toBe(200)
    } finally {
      await server.close()
    }
  })

  it('never serves them beyond loopback in process either (the tests’ path)', async () => {
    await expect(
      startServer({
        database: join(dir, 'never-in-process.db'),
        resourcesDir,
        host: '0.0.0.0',
        portalKey: 'k',
      }),
    ).rejects.toThrow(/boucle locale/)
    expect(existsSync(join(dir, 'never-in-process.db'))).toBe(false)
  })
})
