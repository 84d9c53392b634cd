/**
 * `npm run dev:web`: the real core on a profile folder, served to a plain browser.
 *   --port N        listen on this loopback port (default: a free one)
 *   --data-dir DIR  where profiles and the user's config.json live (default: ./.profiles)
 *   --profile NAME  the profile to open (one cache per profile; default: the configured one)
 *   --server URL    sync with this central server (`npm run server`) instead of demo data
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ignoredKeyMessage, loadConfig, parseConfig } from '../../core/config'
import { createShellLog } from '../app/log'
import { createConsole } from '../console'
import { tileOriginsFor } from '../services/mapSettings'
import { startWebBridge } from './bridge'

const repoRoot = resolve(__dirname, '..', '..', '..')

/** The version in package.json (Electron's `app.getVersion()` reads the same). */
function packageVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: string }).version
  } catch {
    return undefined
  }
}

interface Args {
  port?: number
  dataDir: string
  profile?: string
  server?: string
}

function parseArgs(argv: string[]): Args {
  const out: Args = { dataDir: join(repoRoot, '.profiles') }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = argv[i + 1]
    if (arg === '--port' && value && /^\d+$/.test(value) && Number(value) < 65536) {
      out.port = Number(value)
      i++
    } else if (arg === '--data-dir' && value) {
      out.dataDir = resolve(value)
      i++
    } else if (arg === '--profile' && value && /^[\w.-]{1,64}$/.test(value)) {
      out.profile = value
      i++
    } else if (arg === '--server' && value && /^https?:\/\/[^\s]+$/.test(value)) {
      out.server = value
      i++
    } else {
      throw new Error(
        `unknown or incomplete argument: ${arg ?? ''} (expected --port N, --data-dir DIR, --profile NAME, --server URL)`,
      )
    }
  }
  return out
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  // The same log file as the app's, in the data folder (logs/grc-console.log).
  const shellLog = createShellLog({ dir: join(args.dataDir, 'logs') })
  const userConfigFile = join(args.dataDir, 'config.json')
  const loaded = loadConfig({ userConfigFile })
  const { layers } = loaded
  for (const attempt of loaded.ignored) shellLog.warn('configuration', ignoredKeyMessage(attempt))
  // Command-line choices come last: they go through the same schema as any layer.
  const config = parseConfig(
    {
      ...loaded.config,
      profile: { ...loaded.config.profile, ...(args.profile ? { name: args.profile } : {}) },
      sync: { ...loaded.config.sync, ...(args.server ? { serverUrl: args.server } : {}) },
    },
    'command line',
  )
  const started = Date.now()
  const core = await createConsole({
    config,
    resourcesDir: join(repoRoot, 'resources'),
    userDataDir: args.dataDir,
    logError: (where, error) => shellLog.error(where, error),
    loadedConfig: { origins: loaded.origins, locked: loaded.locked, layers: loaded.layers },
    logsDir: join(args.dataDir, 'logs'),
    userConfigFile,
    appVersion: packageVersion(),
  })
  const bridge = await startWebBridge({
    core,
    staticDir: join(repoRoot, 'dist-web'),
    port: args.port,
    tileOrigins: tileOriginsFor(config),
  })
  console.log(
    `GRC Console (web bridge) — profile "${config.profile.name}" ready in ${Date.now() - started} ms`,
  )
  console.log(
    `configuration: ${layers.length ? layers.map((l) => `${l.kind} ${l.file}`).join(', ') : 'built-in defaults'}`,
  )
  if (config.sync.serverUrl) console.log(`syncing with ${config.sync.serverUrl}`)
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
