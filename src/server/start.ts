/**
 * Start the central server on a SQLite file or a PostgreSQL database: what
 * `npm run server` runs, and what the tests and the benchmark start, over real HTTP on
 * loopback.
 */
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { AppConfigSchema, type AppConfig } from '../core/config'
import type { PrivacyPolicy } from '../shared/privacy'
import { createAuthProvider } from '../core/directory'
import type { AuthProvider } from '../core/directory/provider'
import { loadWorkflowDefinitions } from '../core/workflow/definitions'
import { buildServer } from './app'
import { registerNotifications } from './notifications/dispatcher'
import { resolveAttachmentSettings, type AttachmentSettingsInput } from './attachments/settings'
import { assertDemoAccountsOnLoopback } from './demoGuard'
import type { TlsFiles } from './tls'
import type { LoginGateOptions } from './auth/loginGate'
import type { TokenIssuerOptions } from './auth/tokens'
import { PORTAL_RATE_PER_MINUTE, PORTAL_SCOPES } from './store/apiAccounts'
import { databaseFailureStore } from './store/loginFailures'
import { loadReferenceFiles } from './store/referenceFiles'
import { databaseTarget, describeTarget, openDatabase } from './store/open'
import { openServerStore } from './store/store'
import type { ServerStore } from './store/types'

/** The privacy policy of a configuration, as the server follows it and sends it to consoles. */
export const privacyPolicyOf = (config: AppConfig): PrivacyPolicy => ({
  citizenDataRoles: config.privacy.citizenDataRoles,
  retention: config.privacy.retention,
  accessLogMonths: config.privacy.accessLogMonths,
})

export interface StartServerOptions {
  /** A SQLite file, or a `postgres://` URL. */
  database: string
  resourcesDir: string
  port?: number
  host?: string
  /** Seed the demo authority into a new database with this many requests (0: reference data only; absent: no demo). */
  demoRequests?: number
  demoSeed?: number
  /** An authority's own reference files, written into a new database (store/referenceFiles.ts). */
  referenceDir?: string
  config?: AppConfig
  auth?: AuthProvider
  tokens?: Partial<TokenIssuerOptions> & { maxSessionHours?: number; keyRotationHours?: number }
  /**
   * A portal's Open311 key to accept: an API account (open311:submit, open311:read) is made
   * for it unless one has it (stored hashed). A new database without it gets a random key.
   */
  portalKey?: string
  now?: () => number
  log?: boolean
  /** When set, /metrics asks for it as a bearer token. */
  metricsToken?: string
  /** Limits of password checks on the token endpoint (tests make them small). */
  loginGate?: LoginGateOptions
  /** Nudge streams one agent may hold open at once on an instance (default 8). */
  maxStreamsPerAgent?: number
  /** Serve HTTPS with this certificate and key (tls.ts reads and checks them). */
  tls?: TlsFiles
  /** Attachment settings instead of the configuration's `attachments` section (tests). */
  attachments?: AttachmentSettingsInput
  /** Where a PostgreSQL server keeps its files (attachments) unless configured: `.server` of the working directory. */
  dataDir?: string
}

export interface RunningServer {
  url: string
  app: FastifyInstance
  store: ServerStore
  /** Set when this start created the portal's account (its key shown once: only its hash is kept). */
  createdPortalKey: string | null
  close(): Promise<void>
}

/** The URL the server answers at: a wildcard address is reached on loopback, IPv6 in brackets. */
function urlOf(scheme: 'http' | 'https', host: string, port: number | undefined): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  return `${scheme}://${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const config = options.config ?? AppConfigSchema.parse({})
  const host = options.host ?? '127.0.0.1'
  // Before the database opens: the public demo passwords never reach a network (tests and the
  // command line alike; the command line also asks for --demo, demoGuard.ts).
  if (!options.auth) assertDemoAccountsOnLoopback(config, host)
  const workflowsDir = config.workflows.dir ?? join(options.resourcesDir, 'workflows')
  const target = databaseTarget(options.database)
  const store = await openServerStore({
    db: openDatabase(target),
    label: describeTarget(target),
    workflows: loadWorkflowDefinitions(workflowsDir),
    calendar: config.sla,
    citizenDataRoles: config.privacy.citizenDataRoles,
    privacyController: config.privacy.controller ?? null,
    privacyPolicy: privacyPolicyOf(config),
    demo:
      options.demoRequests === undefined
        ? null
        : { count: options.demoRequests, seed: options.demoSeed ?? 42, workflowsDir },
    now: options.now,
  })
  // The portal's account: for the key the setting names, or a new key for a new database.
  const portal = { name: 'portail', scopes: PORTAL_SCOPES, ratePerMinute: PORTAL_RATE_PER_MINUTE }
  if (options.referenceDir)
    try {
      await loadReferenceFiles(store.sql, options.referenceDir)
    } catch (e) {
      await store.close()
      throw e
    }
  let createdPortalKey: string | null = null
  if (options.portalKey) await store.ensureApiAccountForKey(options.portalKey, portal)
  else if (!(await store.hasApiAccounts())) createdPortalKey = (await store.createApiAccount(portal)).key
  // The same provider and configuration format as the consoles (no offline login on a server).
  const auth =
    options.auth ??
    createAuthProvider(config, {
      resourcesDir: options.resourcesDir,
      failures: databaseFailureStore(store.sql, options.now),
      now: options.now,
    })
  const app = await buildServer({
    store,
    auth,
    tokens: options.tokens,
    now: options.now,
    log: options.log,
    metricsToken: options.metricsToken,
    publicUrl: config.server.publicUrl,
    trustedProxies: config.server.trustedProxies,
    loginGate: options.loginGate,
    maxStreamsPerAgent: options.maxStreamsPerAgent,
    https: options.tls,
    attachments: resolveAttachmentSettings(options.attachments ?? config.attachments, {
      database: options.database,
      dataDir: options.dataDir ?? join(process.cwd(), '.server'),
    }),
  })
  registerNotifications(app, { store, settings: config.notifications, now: options.now, log: options.log })
  try {
    await app.listen({ port: options.port ?? 0, host })
  } catch (e) {
    await store.close()
    throw e
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  return {
    url: urlOf(options.tls ? 'https' : 'http', host, port),
    app,
    store,
    createdPortalKey,
    async close() {
      await app.close()
      await store.close()
    },
  }
}
