/**
 * `npm run server -- [command] [options]`: the central server.
 * Commands (default: serve):
 *   backup --to FILE    a consistent online backup (SQLite: backup API; PostgreSQL: pg_dump -Fc)
 *   restore --from FILE restore a backup into an empty database (the server gets a new epoch)
 *   keys rotate         make a new signing key now (tokens signed before stay valid until they expire)
 *   api-accounts create --name N --scopes a,b [--categories x,y] [--teams t,u] [--expires-days N] [--rate N]
 *                       an API account for a partner; prints its key once (only its hash is kept).
 *                       Scopes: open311:submit, open311:read, requests:read, requests:write.
 *   api-accounts list   the accounts (key prefix, name, scopes, limits, dates, last use; never a key)
 *   api-accounts revoke ID|PREFIX   the account's key stops working at once
 *   retention [--dry-run] apply the retention policy now (privacy.retention of --config): closed
 *                       requests past their delays anonymised (or deleted), the access log purged;
 *                       --dry-run prints what it would do, by category, and changes nothing.
 *                       `serve` runs it every day at privacy.retention.runAt (Europe/Paris).
 * Options:
 *   --port N            listen port (default 8787)
 *   --host H            listen address (default 127.0.0.1; 0.0.0.0 to serve a network, with `auth` configured)
 *   --database TARGET   a postgres://USER@HOST:PORT/DB URL, or a SQLite file
 *   --db PATH           the SQLite file (default ./.server/grc.db)
 *   --demo              seed the demo authority into a new database (reference data, accounts, requests);
 *                       the only way to serve the bundled demo accounts (password `demo`), and on loopback only
 *   --demo-requests N   how many demo requests (default 5000; implies --demo)
 *   --tls-cert FILE     serve HTTPS with this certificate (PEM, chain included), with --tls-key
 *   --tls-key FILE      its private key (PEM, unencrypted), with --tls-cert
 *   --reference DIR     an authority's own reference data into a new database (docs/server.md)
 *   --config FILE       JSON configuration (the console's format: auth, sla, privacy, workflows)
 * Configuration layers, lowest first: /etc/grc-server/config.json, --config, GRC_CONFIG.
 * GRC_PORTAL_KEY: an Open311 key for the citizens' portal (an API account with open311:submit and
 *   open311:read is made for it unless one has it); without it a new database gets one, printed once.
 * GRC_METRICS_TOKEN: when set, /metrics asks for it as a bearer token.
 * GRC_SERVER_LOG=1: JSON logs (method, route, status, time; never bodies or personal data).
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { RetentionPlan, RetentionRule } from '../shared/privacy'
import { ConfigError, ignoredKeyMessage, loadConfig, type AppConfig } from '../core/config'
import { loadWorkflowDefinitions } from '../core/workflow/definitions'
import { openKeyRing } from './auth/keyRing'
import { backupDatabase, restoreDatabase } from './backup'
import { assertDemoAccountsAsked } from './demoGuard'
import { startRetentionSchedule } from './retention'
import { privacyPolicyOf, startServer } from './start'
import {
  API_SCOPES,
  createApiAccount,
  isApiScope,
  listApiAccounts,
  MAX_RATE_PER_MINUTE,
  revokeApiAccount,
  type ApiAccount,
  type ApiAccountSummary,
} from './store/apiAccounts'
import { migrateServerStore } from './store/migrate'
import { SERVER_MIGRATIONS } from './store/migrations'
import { databaseTarget, describeTarget, openDatabase } from './store/open'
import { parisTime } from './store/parisTime'
import type { RetentionReport, ServerRetentionPolicy } from './store/retention'
import { openServerStore } from './store/store'
import type { SqlDatabase } from './store/sql/client'
import { readTlsFiles } from './tls'

const repoRoot = resolve(__dirname, '..', '..')

/** The server's machine-wide file (the console's is /etc/grc-console/config.json). */
const MACHINE_CONFIG =
  process.platform === 'win32'
    ? join(process.env.ProgramData ?? 'C:\\ProgramData', 'GRC Server', 'config.json')
    : '/etc/grc-server/config.json'

export type ServerCommand =
  | 'serve'
  | 'backup'
  | 'restore'
  | 'keys rotate'
  | 'api-accounts create'
  | 'api-accounts list'
  | 'api-accounts revoke'
  | 'retention'

/** What `api-accounts create` makes; `api-accounts revoke` names `account`. */
export interface ApiAccountArgs {
  name: string | null
  scopes: string[]
  categories: string[] | null
  teams: string[] | null
  expiresDays: number | null
  rate: number | null
  /** revoke: an id or a key prefix. */
  account: string | null
}

export interface ServerArgs {
  command: ServerCommand
  /** backup --to / restore --from */
  file: string | null
  port: number
  host: string
  database: string
  demo: number | null
  /** An authority's reference files, for a new database. */
  reference: string | null
  config: string | null
  apiAccount: ApiAccountArgs
  /** retention --dry-run: say what it would do, change nothing. */
  dryRun: boolean
  /** --tls-cert / --tls-key: serve HTTPS (both or neither). */
  tlsCert: string | null
  tlsKey: string | null
}

const API_ACCOUNT_COMMANDS = ['create', 'list', 'revoke'] as const

const commaList = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)

export function parseServerArgs(argv: readonly string[]): ServerArgs {
  const out: ServerArgs = {
    command: 'serve',
    file: null,
    port: 8787,
    host: '127.0.0.1',
    database: join(repoRoot, '.server', 'grc.db'),
    demo: null,
    reference: null,
    config: null,
    dryRun: false,
    tlsCert: null,
    tlsKey: null,
    apiAccount: {
      name: null,
      scopes: [],
      categories: null,
      teams: null,
      expiresDays: null,
      rate: null,
      account: null,
    },
  }
  const account = out.apiAccount
  let i = 0
  if (argv[0] === 'backup' || argv[0] === 'restore' || argv[0] === 'retention')
    out.command = argv[i++] as ServerCommand
  else if (argv[0] === 'keys' && argv[1] === 'rotate') {
    out.command = 'keys rotate'
    i = 2
  } else if (argv[0] === 'api-accounts') {
    const action = argv[1] as (typeof API_ACCOUNT_COMMANDS)[number] | undefined
    if (!action || !API_ACCOUNT_COMMANDS.includes(action))
      throw new Error(`api-accounts needs one of: ${API_ACCOUNT_COMMANDS.join(', ')}`)
    out.command = `api-accounts ${action}`
    i = 2
    if (action === 'revoke') {
      const named = argv[2]
      if (!named || named.startsWith('--'))
        throw new Error(
          'api-accounts revoke needs the account: its id or its key prefix (see api-accounts list)',
        )
      account.account = named
      i = 3
    }
  } else if (argv[0] && !argv[0].startsWith('--'))
    throw new Error(`unknown command: ${argv[0]} (see src/server/cli.ts)`)
  const creating = out.command === 'api-accounts create'
  for (; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--demo') {
      out.demo ??= 5000
      continue
    }
    if (arg === '--dry-run' && out.command === 'retention') {
      out.dryRun = true
      continue
    }
    const value = argv[++i]
    if (value === undefined) throw new Error(`missing value after ${arg}`)
    if (creating && arg === '--name') account.name = value.trim()
    else if (creating && arg === '--scopes') {
      account.scopes = commaList(value)
      const unknown = account.scopes.filter((s) => !isApiScope(s))
      if (unknown.length > 0)
        throw new Error(`unknown scope: ${unknown.join(', ')} (the scopes are ${API_SCOPES.join(', ')})`)
    } else if (creating && arg === '--categories') account.categories = commaList(value)
    else if (creating && arg === '--teams') account.teams = commaList(value)
    else if (creating && arg === '--expires-days') {
      if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > 3650)
        throw new Error('--expires-days is a whole number of days, 1 to 3650')
      account.expiresDays = Number(value)
    } else if (creating && arg === '--rate') {
      if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > MAX_RATE_PER_MINUTE)
        throw new Error(`--rate is a whole number of calls per minute, 1 to ${MAX_RATE_PER_MINUTE}`)
      account.rate = Number(value)
    } else if (arg === '--port' && /^\d{1,5}$/.test(value) && Number(value) < 65536) out.port = Number(value)
    else if (arg === '--host') out.host = value
    else if (arg === '--db') out.database = resolve(value)
    else if (arg === '--database') out.database = /^postgres(ql)?:\/\//.test(value) ? value : resolve(value)
    else if (arg === '--demo-requests' && /^\d{1,7}$/.test(value)) out.demo = Number(value)
    else if (arg === '--config') out.config = resolve(value)
    else if (arg === '--reference') out.reference = resolve(value)
    else if (arg === '--tls-cert' && out.command === 'serve') out.tlsCert = resolve(value)
    else if (arg === '--tls-key' && out.command === 'serve') out.tlsKey = resolve(value)
    else if (arg === '--to' && out.command === 'backup') out.file = resolve(value)
    else if (arg === '--from' && out.command === 'restore') out.file = resolve(value)
    else throw new Error(`unknown or invalid argument: ${arg} (see src/server/cli.ts)`)
  }
  if (out.demo !== null && out.reference)
    throw new Error('--demo and --reference exclude each other: the demo authority, or your own')
  if ((out.command === 'backup' || out.command === 'restore') && !out.file)
    throw new Error(out.command === 'backup' ? 'backup needs --to FILE' : 'restore needs --from FILE')
  if ((out.tlsCert === null) !== (out.tlsKey === null))
    throw new Error(
      '--tls-cert et --tls-key vont ensemble : le certificat du serveur (PEM) et sa clé privée (PEM)',
    )
  if (creating && !account.name) throw new Error('api-accounts create needs --name NAME')
  if (creating && account.scopes.length === 0)
    throw new Error(`api-accounts create needs --scopes (some of ${API_SCOPES.join(', ')})`)
  return out
}

const when = (ms: number | null, none: string) =>
  ms === null ? none : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`
const listOf = (ids: readonly string[] | null) => (ids === null ? 'all' : ids.join(', '))

/** An account in a few lines: never its key, nor its hash. */
function describeAccount(a: ApiAccount | ApiAccountSummary): string[] {
  const lines = [
    `${a.keyPrefix}  ${a.name}  (id ${a.id})`,
    `  scopes: ${a.scopes.join(', ')}`,
    `  categories: ${listOf(a.categoryIds)}; teams: ${listOf(a.teamIds)}; rate: ${a.ratePerMinute}/min`,
    `  created ${when(a.createdAt, '')}; expires ${when(a.expiresAt, 'never')}; revoked ${when(a.revokedAt, 'no')}` +
      ('lastUsedAt' in a ? `; last use ${when(a.lastUsedAt, 'never')}` : ''),
  ]
  return lines
}

/** `api-accounts …` on an open database; what it prints, line by line. */
export async function apiAccountsCommand(
  db: SqlDatabase,
  args: ServerArgs,
  now: number = Date.now(),
): Promise<string[]> {
  const a = args.apiAccount
  if (args.command === 'api-accounts create') {
    const { account, key } = await createApiAccount(
      db,
      {
        name: a.name ?? '',
        scopes: a.scopes,
        categoryIds: a.categories,
        teamIds: a.teams,
        ratePerMinute: a.rate ?? undefined,
        expiresAt: a.expiresDays === null ? null : now + a.expiresDays * 24 * 3600_000,
      },
      { at: now },
    )
    return [
      'API account created:',
      ...describeAccount(account),
      '',
      'Its key, shown this once (it will not be shown again: only its hash is kept). Give it to the partner now:',
      key,
    ]
  }
  if (args.command === 'api-accounts revoke') {
    const account = await revokeApiAccount(db, a.account ?? '', now)
    return [`API account revoked: its key no longer works.`, ...describeAccount(account)]
  }
  const accounts = await listApiAccounts(db)
  if (accounts.length === 0) return ['No API account yet: api-accounts create --name N --scopes a,b']
  return accounts.flatMap((account, i) => [...(i > 0 ? [''] : []), ...describeAccount(account)])
}

/** `n` and its noun, French plural (0 and 1 singular). */
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n > 1 ? many : one}`

/** A retention rule in French words. */
export function describeRule(rule: RetentionRule): string {
  const anonymise =
    rule.anonymiseAfterClosedMonths === null
      ? 'jamais anonymisées'
      : `anonymisées ${rule.anonymiseAfterClosedMonths} mois après la clôture`
  const remove =
    rule.deleteAfterClosedMonths === null
      ? 'jamais supprimées'
      : `supprimées ${rule.deleteAfterClosedMonths} mois après la clôture`
  return `${anonymise}, ${remove}`
}

/**
 * A retention plan by category, in French, with a few references each: what
 * `retention --dry-run` prints (what `retention` would do now; nothing is changed).
 */
export function describePlan(
  plan: RetentionPlan,
  policy: ServerRetentionPolicy,
  categoryNames: ReadonlyMap<string, string>,
): string[] {
  const lines = [
    `Conservation des données : simulation au ${parisTime(Date.parse(plan.at))} (heure de Paris). Rien n’est modifié.`,
    `Règle par défaut : demandes closes ${describeRule(policy.retention)} ; journal des accès gardé ${policy.accessLogMonths} mois.`,
    '',
  ]
  const total = { anonymise: 0, delete: 0, held: 0 }
  for (const c of plan.categories) {
    total.anonymise += c.anonymise
    total.delete += c.delete
    total.held += c.held
    const name = categoryNames.get(c.categoryId) ?? 'catégorie inconnue'
    lines.push(`${name} (${c.categoryId}) : ${describeRule(c.rule)}`)
    if (c.anonymise + c.delete + c.held === 0) {
      lines.push('  rien à faire')
      continue
    }
    lines.push(
      `  à anonymiser : ${count(c.anonymise, 'demande')} ; à supprimer : ${count(c.delete, 'demande')} ; ` +
        `gardées par un gel juridique : ${count(c.held, 'demande')}`,
    )
    if (c.samples.length > 0) lines.push(`  par exemple : ${c.samples.join(', ')}`)
  }
  lines.push(
    '',
    `Total : ${count(total.anonymise, 'demande')} à anonymiser, ${total.delete} à supprimer, ` +
      `${total.held} ${total.held > 1 ? 'gardées' : 'gardée'} par un gel juridique.`,
    `Journal des accès : ${count(plan.accessLog.entries, 'entrée')} antérieure${plan.accessLog.entries > 1 ? 's' : ''} ` +
      `au ${parisTime(Date.parse(plan.accessLog.before))} à purger.`,
  )
  return lines
}

/** What a retention run did, in French: counts only. */
export function describeRetentionReport(r: RetentionReport): string[] {
  return [
    `Conservation des données appliquée le ${parisTime(r.at)} (heure de Paris) :`,
    `  ${count(r.anonymised, 'demande anonymisée', 'demandes anonymisées')}`,
    `  ${count(r.deleted, 'demande supprimée', 'demandes supprimées')}`,
    `  ${count(r.held, 'demande gardée', 'demandes gardées')} par un gel juridique`,
    `  ${count(r.citizensAnonymised, 'usager anonymisé', 'usagers anonymisés')} (plus aucune demande)`,
    `  ${count(r.accessLogPurged, 'entrée', 'entrées')} du journal des accès purgée${r.accessLogPurged > 1 ? 's' : ''}`,
    `  ${count(r.apiUsesPurged, 'usage', 'usages')} des clés d’API purgé${r.apiUsesPurged > 1 ? 's' : ''}`,
  ]
}

/** The server's configuration: machine-wide file, then --config, then GRC_CONFIG. */
export function serverConfig(args: Pick<ServerArgs, 'config'>): AppConfig {
  if (args.config && !existsSync(args.config))
    throw new ConfigError(`${args.config}: --config names a file that does not exist`)
  const loaded = loadConfig({
    machineConfigFile: MACHINE_CONFIG,
    userConfigFile: args.config ?? join(repoRoot, '.server', 'no-config.json'),
  })
  for (const attempt of loaded.ignored) console.warn(`[grc-server] ${ignoredKeyMessage(attempt)}`)
  return loaded.config
}

/** `retention [--dry-run]`: the plan, or the run's report, line by line. */
async function retentionCommand(args: ServerArgs, config: AppConfig, print: (line: string) => void) {
  const target = databaseTarget(args.database)
  const store = await openServerStore({
    db: openDatabase(target),
    label: describeTarget(target),
    workflows: loadWorkflowDefinitions(config.workflows.dir ?? join(repoRoot, 'resources', 'workflows')),
    calendar: config.sla,
    citizenDataRoles: config.privacy.citizenDataRoles,
    privacyController: config.privacy.controller ?? null,
    privacyPolicy: privacyPolicyOf(config),
  })
  try {
    const policy = privacyPolicyOf(config)
    if (args.dryRun) {
      const names = new Map((await store.listCategories()).map((c) => [c.id, c.name.fr]))
      for (const line of describePlan(await store.planRetention(policy), policy, names)) print(line)
    } else for (const line of describeRetentionReport(await store.applyRetention(policy))) print(line)
  } finally {
    await store.close()
  }
}

/** The commands that work on the database without serving. */
export async function runCommand(
  args: ServerArgs,
  print: (line: string) => void = console.log,
  config?: AppConfig,
): Promise<void> {
  const target = databaseTarget(args.database)
  if (args.command === 'retention') {
    await retentionCommand(args, config ?? serverConfig(args), print)
  } else if (args.command === 'backup') {
    await backupDatabase(target, args.file!)
    print(`Backup of ${describeTarget(target)} written to ${args.file}`)
  } else if (args.command === 'restore') {
    const { epoch } = await restoreDatabase(target, args.file!)
    print(`${args.file} restored into ${describeTarget(target)}; new server epoch ${epoch}`)
  } else if (args.command === 'keys rotate') {
    const db = openDatabase(target)
    try {
      await migrateServerStore(db, SERVER_MIGRATIONS, describeTarget(target))
      const key = await (await openKeyRing(db, { accessTtlMs: 15 * 60_000 })).rotate()
      print(`New signing key ${key.id}: every instance signs with it within a minute.`)
    } finally {
      await db.close()
    }
  } else if (args.command.startsWith('api-accounts ')) {
    const db = openDatabase(target)
    try {
      await migrateServerStore(db, SERVER_MIGRATIONS, describeTarget(target))
      for (const line of await apiAccountsCommand(db, args)) print(line)
    } finally {
      await db.close()
    }
  }
}

async function main() {
  const args = parseServerArgs(process.argv.slice(2))
  if (args.command !== 'serve') return runCommand(args)
  const config = serverConfig(args)
  // Before the database opens: a refusal leaves nothing behind.
  assertDemoAccountsAsked(config, args.demo !== null)
  const tls = args.tlsCert && args.tlsKey ? readTlsFiles(args.tlsCert, args.tlsKey) : undefined
  const server = await startServer({
    database: args.database,
    resourcesDir: join(repoRoot, 'resources'),
    port: args.port,
    host: args.host,
    demoRequests: args.demo ?? undefined,
    referenceDir: args.reference ?? undefined,
    config,
    portalKey: process.env.GRC_PORTAL_KEY || undefined,
    log: process.env.GRC_SERVER_LOG === '1',
    metricsToken: process.env.GRC_METRICS_TOKEN || undefined,
    tls,
  })
  console.log(`GRC central server: ${server.url}  (protocol: ${server.url}/api/openapi.json)`)
  if (server.createdPortalKey)
    console.log(
      `Open311 API key of the account "portail" (shown once, only its hash is kept; see api-accounts list): ${server.createdPortalKey}`,
    )
  // Retention every day at privacy.retention.runAt (one instance runs it); counts only in the log.
  const retention = startRetentionSchedule({ store: server.store, policy: privacyPolicyOf(config) })
  const stop = () =>
    void retention
      .stop()
      .then(() => server.close())
      .then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (require.main === module)
  main().catch((e: unknown) => {
    console.error(`[grc-server] ${(e as Error)?.message ?? String(e)}`)
    process.exit(1)
  })
