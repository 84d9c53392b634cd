/**
 * A console in a process of its own, for tests that kill it (a crash, not a quit): it
 * opens the profile a sync world's client of the same name opens, logs in (which starts the
 * sync) and runs until it is killed.
 *
 *   node --import tsx tests/support/consoleProcess.ts SERVER_URL PROFILES_DIR NAME LOGIN PAGE_SIZE
 */
import { join, resolve } from 'node:path'
import { parseConfig } from '../../src/core/config'
import { createConsole } from '../../src/main/console'

async function main() {
  const [serverUrl, profilesDir, name, login, pageSize] = process.argv.slice(2)
  const config = parseConfig(
    {
      profile: { name, dataDir: profilesDir },
      demo: { seedWhenEmpty: false },
      sync: { serverUrl, intervalSeconds: 3600, timeoutSeconds: 5, pageSize: Number(pageSize) },
    },
    'test',
  )
  const core = await createConsole({
    config,
    resourcesDir: join(resolve(__dirname, '..', '..'), 'resources'),
    userDataDir: profilesDir!,
    secretCipher: null,
  })
  const r = await core.invoke('session.login', { login: login!, password: 'demo' })
  if (!r.ok) throw new Error(r.error.message)
  process.stdout.write('logged in\n')
  // Runs until killed.
  setInterval(() => {}, 60_000)
}

void main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
