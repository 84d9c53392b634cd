/**
 * `npm run dev:web`: the real core on a profile folder, served to a plain browser.
 *   --port N        listen on this loopback port (default: a free one)
 *   --data-dir DIR  where profiles and the user's config.json live (default: ./.profiles)
 */
import { join, resolve } from 'node:path'
import { loadConfig } from '../core/config'
import { createConsole } from '../core/console'
import { startWebBridge } from './bridge'

const repoRoot = resolve(__dirname, '..', '..', '..')

function parseArgs(argv: string[]): { port?: number; dataDir: string } {
  const out: { port?: number; dataDir: string } = { dataDir: join(repoRoot, '.profiles') }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = argv[i + 1]
    if (arg === '--port' && value && /^\d+$/.test(value) && Number(value) < 65536) {
      out.port = Number(value)
      i++
    } else if (arg === '--data-dir' && value) {
      out.dataDir = resolve(value)
      i++
    } else {
      throw new Error(`unknown or incomplete argument: ${arg ?? ''} (expected --port N, --data-dir DIR)`)
    }
  }
  return out
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const { config, layers } = loadConfig({ userConfigFile: join(args.dataDir, 'config.json') })
  const started = Date.now()
  const core = await createConsole({
    config,
    resourcesDir: join(repoRoot, 'resources'),
    userDataDir: args.dataDir,
    logError: (where, error) =>
      console.error(`[grc] ${where}: ${(error as Error)?.message ?? String(error)}`),
  })
  const bridge = await startWebBridge({ core, staticDir: join(repoRoot, 'dist-web'), port: args.port })
  console.log(
    `GRC Console (web bridge) — profile "${config.profile.name}" ready in ${Date.now() - started} ms`,
  )
  console.log(
    `configuration: ${layers.length ? layers.map((l) => `${l.kind} ${l.file}`).join(', ') : 'built-in defaults'}`,
  )
  console.log(`open: ${bridge.openUrl}`)
  const stop = async () => {
    await bridge.close()
    await core.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((e: unknown) => {
  console.error(`dev:web could not start: ${(e as Error)?.message ?? String(e)}`)
  process.exit(1)
})
