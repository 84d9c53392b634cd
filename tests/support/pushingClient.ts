/**
 * A console in its own process for the SIGKILL test: logs in, makes its edits (committed
 * to its outbox), says PUSHING, and pushes; the test kills it while the push is in flight.
 * Env: GRC_TEST_SERVER, GRC_TEST_PROFILES, GRC_TEST_IDS (request ids, comma-separated).
 */
import { join } from 'node:path'
import { parseConfig } from '../../src/core/config'
import { createConsole } from '../../src/main/console'

async function main() {
  const env = process.env
  const config = parseConfig(
    {
      profile: { name: 'killed', dataDir: env.GRC_TEST_PROFILES },
      demo: { seedWhenEmpty: false },
      sync: { serverUrl: env.GRC_TEST_SERVER, intervalSeconds: 3600, timeoutSeconds: 30 },
    },
    'test',
  )
  const core = await createConsole({
    config,
    resourcesDir: join(__dirname, '..', '..', 'resources'),
    userDataDir: env.GRC_TEST_PROFILES!,
  })
  const must = async (channel: Parameters<typeof core.invoke>[0], input: unknown) => {
    const r = await core.invoke(channel, input)
    if (!r.ok) throw new Error(`${String(channel)}: ${r.error.message}`)
    return r.value
  }
  await must('session.login', { login: 'zoe.agent', password: 'demo' })
  // The first pull, so the requests are in the cache before they are edited.
  await must('sync.now', {})
  const ids = (env.GRC_TEST_IDS ?? '').split(',')
  for (const [i, id] of ids.entries())
    await must('request.update', { id, patch: { title: `avant la coupure ${i}` } })
  process.stdout.write('PUSHING\n')
  await must('sync.now', {})
  process.stdout.write('PUSHED\n')
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`)
  process.exit(1)
})
