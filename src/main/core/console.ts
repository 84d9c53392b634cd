/**
 * The console core as the transports see it: one object per running app, holding the
 * agent's session and the profile's cache. IPC (src/main/ipc/register.ts) and the web
 * bridge (src/main/web) both call `invoke`, which is `dispatch` over the core's handlers.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AppConfig } from './config'
import { createLocalProvider, readLocalAccounts } from './directory/local'
import type { AuthProvider } from './directory/provider'
import { dispatch } from './dispatch'
import { createHandlers } from './handlers'
import type { CoreDeps } from './services/deps'
import { createSessionService } from './services/session'
import { openStore, type Db } from './store/db'
import { prepareDemoProfile } from './demoProfile'
import { loadWorkflowDefinitions } from './workflow/definitions'
import type { EventName, EventPayload } from '../../shared/contract'
import type { Result } from '../../shared/result'

export interface ConsoleCore {
  /** Validate, authorise and run one contract operation; never throws. */
  invoke(channel: unknown, input: unknown): Promise<Result<unknown>>
  /** Subscribe to core events (requests changed, session changed); returns the unsubscribe. */
  on<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): () => void
  /** Close the cache; forget the session. */
  close(): void
}

export interface CreateConsoleOptions {
  config: AppConfig
  /** The app's bundled resources (workflows, demo data, territory outline). */
  resourcesDir: string
  /** Per-user data folder; profiles live under it unless the configuration says otherwise. */
  userDataDir: string
  /** better-sqlite3 built for Electron's ABI, when running under Electron. */
  nativeBinding?: string
  auth?: AuthProvider
  now?: () => number
  logError?: (where: string, error: unknown) => void
}

/** Where a profile's cache lives: one SQLite file per profile. */
export function profileCachePath(config: AppConfig, userDataDir: string): string {
  const base = config.profile.dataDir ?? join(userDataDir, 'profiles')
  return join(base, config.profile.name, 'cache.db')
}

export async function createConsole(options: CreateConsoleOptions): Promise<ConsoleCore & { db: Db }> {
  const { config, resourcesDir } = options
  const workflows = loadWorkflowDefinitions(config.workflows.dir ?? join(resourcesDir, 'workflows'))
  const file = profileCachePath(config, options.userDataDir)
  mkdirSync(join(file, '..'), { recursive: true })
  const db = openStore(file, { nativeBinding: options.nativeBinding })
  const now = options.now ?? Date.now
  if (config.demo.seedWhenEmpty)
    prepareDemoProfile(db, { count: config.demo.requests, seed: config.demo.seed, now: now() })

  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const deps: CoreDeps = {
    db,
    config,
    workflows,
    calendar: {
      timeZone: config.sla.timeZone,
      dayStart: config.sla.dayStart,
      dayEnd: config.sla.dayEnd,
      alsaceMoselle: config.sla.alsaceMoselle,
      extraClosedDays: config.sla.extraClosedDays,
    },
    auth:
      options.auth ??
      createLocalProvider(
        readLocalAccounts(config.auth.local.accountsFile ?? join(resourcesDir, 'demo', 'accounts.json')),
      ),
    now,
    newId: randomUUID,
    emit: (event, payload) => listeners.get(event)?.forEach((cb) => cb(payload)),
  }
  const sessions = createSessionService(deps)
  const handlers = createHandlers(deps, sessions)

  return {
    db,
    invoke: (channel, input) =>
      dispatch(handlers, channel, input, { session: sessions.current(), logError: options.logError }),
    on(event, cb) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      const listener = cb as (payload: unknown) => void
      set.add(listener)
      return () => set.delete(listener)
    },
    close() {
      sessions.logout()
      listeners.clear()
      db.close()
    },
  }
}
