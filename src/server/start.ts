/**
 * Start the reference server on a SQLite file: what `npm run server` runs, and what the
 * tests and the benchmark start, over real HTTP on loopback.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { AppConfigSchema, type AppConfig } from '../core/config'
import { createAuthProvider } from '../core/directory'
import type { AuthProvider } from '../core/directory/provider'
import { loadWorkflowDefinitions } from '../core/workflow/definitions'
import { buildServer } from './app'
import { hashToken, type TokenIssuerOptions } from './auth/tokens'
import { openSqliteServerStore } from './store/sqlite'

export interface StartServerOptions {
  dbFile: string
  resourcesDir: string
  port?: number
  host?: string
  /** Requests of the demo authority seeded into a new database (0: reference data only). */
  demoRequests?: number
  demoSeed?: number
  config?: AppConfig
  auth?: AuthProvider
  tokens?: Partial<TokenIssuerOptions> & { maxSessionHours?: number }
  /** A portal API key to accept (stored hashed); a new database without one gets a random key. */
  portalKey?: string
  now?: () => number
  log?: boolean
}

export interface RunningServer {
  url: string
  app: FastifyInstance
  store: ReturnType<typeof openSqliteServerStore>
  /** Set when this start created a portal key (shown once: only its hash is kept). */
  createdPortalKey: string | null
  close(): Promise<void>
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const config = options.config ?? AppConfigSchema.parse({})
  const workflowsDir = config.workflows.dir ?? join(options.resourcesDir, 'workflows')
  mkdirSync(dirname(options.dbFile), { recursive: true })
  const store = openSqliteServerStore({
    file: options.dbFile,
    workflows: loadWorkflowDefinitions(workflowsDir),
    calendar: {
      timeZone: config.sla.timeZone,
      dayStart: config.sla.dayStart,
      dayEnd: config.sla.dayEnd,
      alsaceMoselle: config.sla.alsaceMoselle,
      extraClosedDays: config.sla.extraClosedDays,
    },
    citizenDataRoles: config.privacy.citizenDataRoles,
    demo: { count: options.demoRequests ?? 5000, seed: options.demoSeed ?? 42, workflowsDir },
    now: options.now,
  })
  let createdPortalKey: string | null = null
  if (options.portalKey) store.addPortalKey(hashToken(options.portalKey), 'portail')
  else if (!store.hasPortalKeys()) {
    createdPortalKey = randomBytes(18).toString('base64url')
    store.addPortalKey(hashToken(createdPortalKey), 'portail')
  }
  // The same provider and configuration format as the consoles (no offline login on a server).
  const auth = options.auth ?? createAuthProvider(config, { resourcesDir: options.resourcesDir })
  const app = await buildServer({ store, auth, tokens: options.tokens, now: options.now, log: options.log })
  try {
    await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' })
  } catch (e) {
    store.close()
    throw e
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'
  return {
    url: `http://${host}:${port}`,
    app,
    store,
    createdPortalKey,
    async close() {
      await app.close()
      store.close()
    },
  }
}
