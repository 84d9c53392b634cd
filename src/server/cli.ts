/**
 * `npm run server -- --port P --db PATH`: the reference central server.
 *   --port N          listen port (default 8787)
 *   --host H          listen address (default 127.0.0.1; 0.0.0.0 to serve a network)
 *   --db PATH         SQLite database (default ./.server/grc.db), seeded with the demo when new
 *   --demo-requests N requests seeded into a new database (default 5000)
 *   --config FILE     JSON configuration (same sections as the console's: auth, sla, privacy, workflows)
 * GRC_PORTAL_KEY: the Open311 API key portals use; without it a new database gets one, printed once.
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { AppConfigSchema } from '../core/config'
import { startServer } from './start'

const repoRoot = resolve(__dirname, '..', '..')

function parseArgs(argv: string[]) {
  const out = {
    port: 8787,
    host: '127.0.0.1',
    db: join(repoRoot, '.server', 'grc.db'),
    demo: 5000,
    config: '',
  }
  for (let i = 0; i < argv.length; i += 2) {
    const [arg, value] = [argv[i], argv[i + 1]]
    if (value === undefined) throw new Error(`missing value after ${arg}`)
    if (arg === '--port' && /^\d{1,5}$/.test(value) && Number(value) < 65536) out.port = Number(value)
    else if (arg === '--host') out.host = value
    else if (arg === '--db') out.db = resolve(value)
    else if (arg === '--demo-requests' && /^\d{1,7}$/.test(value)) out.demo = Number(value)
    else if (arg === '--config') out.config = resolve(value)
    else throw new Error(`unknown or invalid argument: ${arg} (see src/server/cli.ts)`)
  }
  return out
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const config = AppConfigSchema.parse(args.config ? JSON.parse(readFileSync(args.config, 'utf8')) : {})
  const server = await startServer({
    dbFile: args.db,
    resourcesDir: join(repoRoot, 'resources'),
    port: args.port,
    host: args.host,
    demoRequests: args.demo,
    config,
    portalKey: process.env.GRC_PORTAL_KEY || undefined,
    log: process.env.GRC_SERVER_LOG === '1',
  })
  console.log(`GRC central server: ${server.url}  (protocol: ${server.url}/api/openapi.json)`)
  if (server.createdPortalKey)
    console.log(`Open311 API key for portals (shown once, only its hash is kept): ${server.createdPortalKey}`)
  const stop = () => void server.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((e: unknown) => {
  console.error(`[grc-server] ${(e as Error)?.message ?? String(e)}`)
  process.exit(1)
})
