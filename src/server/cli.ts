/**
 * `npm run server -- [command] [options]`: the central server.
 * Commands (default: serve):
 *   backup --to FILE    a consistent online backup (SQLite: backup API; PostgreSQL: pg_dump -Fc)
 *   restore --from FILE restore a backup into an empty database (the server gets a new epoch)
 *   keys rotate         make a new signing key now (tokens signed before stay valid until they expire)
 * Options:
 *   --port N            listen port (default 8787)
 *   --host H            listen address (default 127.0.0.1; 0.0.0.0 to serve a network)
 *   --database TARGET   a postgres://USER@HOST:PORT/DB URL, or a SQLite file
 *   --db PATH           the SQLite file (default ./.server/grc.db)
 *   --demo              seed the demo authority into a new database (reference data, accounts, requests)
 *   --demo-requests N   how many demo requests (default 5000; implies --demo)
 *   --config FILE       JSON configuration (the console's format: auth, sla, privacy, workflows)
 * Configuration layers, lowest first: /etc/grc-server/config.json, --config, GRC_CONFIG.
 * GRC_PORTAL_KEY: the Open311 API key portals use; without it a new database gets one, printed once.
 * GRC_METRICS_TOKEN: when set, /metrics asks for it as a bearer token.
 * GRC_SERVER_LOG=1: JSON logs (method, route, status, time; never bodies or personal data).
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ConfigError, loadConfig } from '../core/config'
import { openKeyRing } from './auth/keyRing'
import { backupDatabase, restoreDatabase } from './backup'
import { startServer } from './start'
import { migrateServerStore } from './store/migrate'
import { SERVER_MIGRATIONS } from './store/migrations'
import { databaseTarget, describeTarget, openDatabase } from './store/open'

const repoRoot = resolve(__dirname, '..', '..')

/** The server's machine-wide file (the console's is /etc/grc-console/config.json). */
const MACHINE_CONFIG =
  process.platform === 'win32'
    ? join(process.env.ProgramData ?? 'C:\\ProgramData', 'GRC Server', 'config.json')
    : '/etc/grc-server/config.json'

export type ServerCommand = 'serve' | 'backup' | 'restore' | 'keys rotate'

export interface ServerArgs {
  command: ServerCommand
  /** backup --to / restore --from */
  file: string | null
  port: number
  host: string
  database: string
  demo: number | null
  config: string | null
}

export function parseServerArgs(argv: readonly string[]): ServerArgs {
  const out: ServerArgs = {
    command: 'serve',
    file: null,
    port: 8787,
    host: '127.0.0.1',
    database: join(repoRoot, '.server', 'grc.db'),
    demo: null,
    config: null,
  }
  let i = 0
  if (argv[0] === 'backup' || argv[0] === 'restore') out.command = argv[i++] as ServerCommand
  else if (argv[0] === 'keys' && argv[1] === 'rotate') {
    out.command = 'keys rotate'
    i = 2
  } else if (argv[0] && !argv[0].startsWith('--'))
    throw new Error(`unknown command: ${argv[0]} (see src/server/cli.ts)`)
  for (; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--demo') {
      out.demo ??= 5000
      continue
    }
    const value = argv[++i]
    if (value === undefined) throw new Error(`missing value after ${arg}`)
    if (arg === '--port' && /^\d{1,5}$/.test(value) && Number(value) < 65536) out.port = Number(value)
    else if (arg === '--host') out.host = value
    else if (arg === '--db') out.database = resolve(value)
    else if (arg === '--database') out.database = /^postgres(ql)?:\/\//.test(value) ? value : resolve(value)
    else if (arg === '--demo-requests' && /^\d{1,7}$/.test(value)) out.demo = Number(value)
    else if (arg === '--config') out.config = resolve(value)
    else if (arg === '--to' && out.command === 'backup') out.file = resolve(value)
    else if (arg === '--from' && out.command === 'restore') out.file = resolve(value)
    else throw new Error(`unknown or invalid argument: ${arg} (see src/server/cli.ts)`)
  }
  if ((out.command === 'backup' || out.command === 'restore') && !out.file)
    throw new Error(out.command === 'backup' ? 'backup needs --to FILE' : 'restore needs --from FILE')
  return out
}

/** The commands that work on the database without serving. */
async function runCommand(args: ServerArgs): Promise<void> {
  const target = databaseTarget(args.database)
  if (args.command === 'backup') {
    await backupDatabase(target, args.file!)
    console.log(`Backup of ${describeTarget(target)} written to ${args.file}`)
  } else if (args.command === 'restore') {
    const { epoch } = await restoreDatabase(target, args.file!)
    console.log(`${args.file} restored into ${describeTarget(target)}; new server epoch ${epoch}`)
  } else if (args.command === 'keys rotate') {
    const db = openDatabase(target)
    try {
      await migrateServerStore(db, SERVER_MIGRATIONS, describeTarget(target))
      const key = await (await openKeyRing(db, { accessTtlMs: 15 * 60_000 })).rotate()
      console.log(`New signing key ${key.id}: every instance signs with it within a minute.`)
    } finally {
      await db.close()
    }
  }
}

async function main() {
  const args = parseServerArgs(process.argv.slice(2))
  if (args.command !== 'serve') return runCommand(args)
  if (args.config && !existsSync(args.config))
    throw new ConfigError(`${args.config}: --config names a file that does not exist`)
  const { config } = loadConfig({
    machineConfigFile: MACHINE_CONFIG,
    userConfigFile: args.config ?? join(repoRoot, '.server', 'no-config.json'),
  })
  const server = await startServer({
    database: args.database,
    resourcesDir: join(repoRoot, 'resources'),
    port: args.port,
    host: args.host,
    demoRequests: args.demo ?? undefined,
    config,
    portalKey: process.env.GRC_PORTAL_KEY || undefined,
    log: process.env.GRC_SERVER_LOG === '1',
    metricsToken: process.env.GRC_METRICS_TOKEN || undefined,
  })
  console.log(`GRC central server: ${server.url}  (protocol: ${server.url}/api/openapi.json)`)
  if (server.createdPortalKey)
    console.log(`Open311 API key for portals (shown once, only its hash is kept): ${server.createdPortalKey}`)
  const stop = () => void server.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (require.main === module)
  main().catch((e: unknown) => {
    console.error(`[grc-server] ${(e as Error)?.message ?? String(e)}`)
    process.exit(1)
  })
