/**
 * The console core as the transports see it: one object per running app, holding the
 * agent's session and the profile's cache. IPC (src/main/ipc/register.ts) and the web
 * bridge (src/main/web) both call `invoke`, which is `dispatch` over the core's handlers.
 */
import { randomUUID } from 'node:crypto'
import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AppConfig } from '../core/config'
import type { LoadedConfig } from '../core/config/load'
import { createConsoleAuthProvider } from './auth/offlineLogin'
import type { AuthProvider } from '../core/directory/provider'
import { dispatch, type DispatchContext } from './dispatch'
import { createHandlers, type SyncControl } from './handlers'
import { countPendingMutations } from './cache/queries/outbox'
import { listWorkflowDefinitionsRaw } from './cache/queries/reference'
import { getSyncState, setSyncState } from './cache/queries/syncState'
import { forgetSyncedData } from './sync/apply'
import {
  applyCacheRetention,
  purgeIdleProfile,
  recordSessionSeen,
  RETENTION_PENDING_KEY,
  takeRetentionPending,
} from './cache/retention'
import { retentionPolicyOf } from './cache/queries/privacyPolicy'
import { createSyncEngine } from './sync/engine'
import { countOpenConflicts } from './cache/queries/conflicts'
import { hasPendingUploads } from './cache/queries/attachments'
import { createRefreshTokenStore, type SecretCipher } from './sync/secrets'
import { createSyncTransport } from './sync/transport'
import type { SyncStatus } from '../shared/sync'
import type { CoreDeps } from './services/deps'
import { createReferenceAdminService } from './services/referenceAdmin'
import { createPrivacyService } from './services/privacy'
import { createSessionService } from './services/session'
import { notifyingEmit } from './notifications/notifyingEmit'
import { openStore, type Db } from './cache/db'
import { profileCacheKey, type CacheKeySeal } from './cache/cacheKey'
import { demoAccountsRefusal, usesDemoAccounts } from '../core/directory/demoAccounts'
import type { EncryptionProgress } from './cache/encryption'
import { cacheOpContext } from './cache/requestWrites'
import { prepareDemoProfile } from './cache/demoProfile'
import { loadWorkflowDefinitions, parseWorkflowDefinition } from '../core/workflow/definitions'
import type { EventName, EventPayload } from '../shared/contract'
import { CoreError, fail, type Result } from '../shared/result'
import { createUpdateService, type UpdateDriver } from './update/service'

export interface ConsoleCore {
  /** Validate, authorise and run one contract operation; never throws. */
  invoke(channel: unknown, input: unknown): Promise<Result<unknown>>
  /** Subscribe to core events (requests changed, session changed); returns the unsubscribe. */
  on<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): () => void
  /** Stop syncing, close the cache, forget the session. */
  close(): Promise<void>
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
  /**
   * Electron's safeStorage: it seals the cache's key and the server's refresh token.
   * Without it (tests, `dev:web`) the key sits in a file only the user can read, and the
   * refresh token stays in memory.
   */
  secretCipher?: SecretCipher | null
  /** A cache from before encryption is being converted (once, at start). */
  onCacheEncryption?: (progress: EncryptionProgress) => void
  now?: () => number
  logError?: (where: string, error: unknown) => void
  /** How often the cache's retention runs while the app is open (default: hourly). */
  retentionIntervalMs?: number
  /** How requests reach the server: Electron's network stack in the app (proxy, certificate store), Node's fetch otherwise. */
  fetch?: typeof fetch
  /**
   * Whether the bundled demo accounts may open sessions (development, tests, a demo build).
   * false: a configuration that would use them is refused at start.
   */
  demoAccounts?: boolean
  /**
   * Where each key came from, what IT locked and the files applied (config/load.ts), for
   * the Settings screen and the diagnostic. Without it (tests): defaults only, nothing locked.
   */
  loadedConfig?: Pick<LoadedConfig, 'origins' | 'locked' | 'layers'>
  /** The log folder the diagnostic takes the last logs from (app/log.ts). */
  logsDir?: string
  /** The user's configuration file (config/load.ts), where « Paramètres » saves preferences. */
  userConfigFile?: string
  /** The app's version (Electron's `app.getVersion()`), for the diagnostic and updates. */
  appVersion?: string
  /**
   * How answers are checked against the contract: `full` (tests, development, the web
   * bridge), or `cheap` for the big read channels in a packaged app (dispatch.ts).
   */
  outputCheck?: DispatchContext['outputCheck']
  /** Downloads and installs updates (electron-updater in the app); none: updates are only reported. */
  updateDriver?: UpdateDriver | null
}

/** Where a profile's cache lives: one SQLite file per profile. */
export function profileCachePath(config: AppConfig, userDataDir: string): string {
  const base = config.profile.dataDir ?? join(userDataDir, 'profiles')
  return join(base, config.profile.name, 'cache.db')
}

export async function createConsole(
  options: CreateConsoleOptions,
): Promise<ConsoleCore & { db: Db; cacheKeySeal: CacheKeySeal }> {
  const { config, resourcesDir } = options
  const demoAccounts = usesDemoAccounts(config)
  // A packaged console (not a demo build) never lets the public demo accounts in.
  if (demoAccounts && options.demoAccounts === false)
    throw new Error(
      demoAccountsRefusal(
        'La configuration du poste se trouve dans le fichier de configuration de la machine (docs/configuration.md).',
      ),
    )
  const file = profileCachePath(config, options.userDataDir)
  const profileDir = join(file, '..')
  // The profile's folder is its user's alone (an older console made it 0755).
  mkdirSync(profileDir, { recursive: true, mode: 0o700 })
  chmodSync(profileDir, 0o700)
  const cacheKey = profileCacheKey(
    profileDir,
    options.secretCipher
      ? {
          kind: 'keychain',
          cipher: options.secretCipher,
          allowWeakKeychain: config.security.allowWeakKeychain,
        }
      : { kind: 'key-file' },
  )
  const db = openStore(file, {
    nativeBinding: options.nativeBinding,
    key: cacheKey.key,
    onEncryptProgress: options.onCacheEncryption,
  })
  const serverUrl = config.sync.serverUrl
  // With a server, its workflows (kept in the cache at the last sync) are the ones in force.
  const synced = serverUrl ? listWorkflowDefinitionsRaw(db) : []
  const workflows =
    synced.length > 0
      ? new Map(synced.map((w) => [w.id, parseWorkflowDefinition(JSON.parse(w.json), `cache:${w.id}`)]))
      : loadWorkflowDefinitions(config.workflows.dir ?? join(resourcesDir, 'workflows'))
  const now = options.now ?? Date.now
  // With a server, the cache fills from it; demo data would mix with the authority's.
  if (config.demo.seedWhenEmpty && !serverUrl)
    prepareDemoProfile(db, { count: config.demo.requests, seed: config.demo.seed, now: now() })

  // Retention (cache/retention.ts) before anything else, before any login: a profile left
  // unopened past its date is not kept because nobody logs in. Synced profiles only (a
  // local demo is its own record, see there).
  const retention = serverUrl ? cacheRetention(db, config, now, options.logError) : null
  retention?.atStart()

  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const deps: CoreDeps = {
    db,
    config,
    loginInfo: { demoAccounts, cacheKeySeal: cacheKey.sealedBy },
    workflows,
    // The configuration's sla section is the business calendar itself.
    calendar: config.sla,
    auth:
      options.auth ??
      createConsoleAuthProvider(config, {
        resourcesDir,
        cipher: options.secretCipher,
        db,
        sealKey: cacheKey.key,
        now: options.now,
      }),
    now,
    newId: randomUUID,
    fetch: options.fetch,
    emit: (event, payload) => {
      listeners.get(event)?.forEach((cb) => cb(payload))
      // A round is over: a pull that changed the server's policy runs retention again.
      if (
        event === 'sync.changed' &&
        (payload as SyncStatus).state !== 'syncing' &&
        retention?.policyChanged()
      )
        emitChanged(retention.run())
    },
  }
  /** Retention removed something: the screens read the cache again. */
  const emitChanged = (changed: boolean) => {
    if (changed) listeners.get('requests.changed')?.forEach((cb) => cb({ ids: [] }))
  }
  const sessions = createSessionService(deps)
  deps.emit = notifyingEmit(deps, () => sessions.current()) // notifications (issue 15): before the engine takes emit
  // The transport tells the engine each reply's server epoch (a restored server has a new one).
  let onEpoch: (epoch: string) => void = () => {}
  const transport = serverUrl
    ? createSyncTransport({
        baseUrl: serverUrl,
        timeoutMs: config.sync.timeoutSeconds * 1000,
        fetch: options.fetch,
        caFile: config.sync.caFile ?? undefined,
        onEpoch: (epoch) => onEpoch(epoch),
      })
    : null
  const engine = transport
    ? createSyncEngine({
        db,
        ctx: cacheOpContext(db, workflows, deps.calendar),
        transport,
        tokens: createRefreshTokenStore(db, options.secretCipher ?? null),
        clientId: clientIdOf(db),
        session: () => sessions.current(),
        emit: deps.emit,
        now,
        newId: randomUUID,
        intervalMs: config.sync.intervalSeconds * 1000,
        pullPageSize: config.sync.pageSize,
        logError: options.logError,
        snapshot: {
          file,
          key: cacheKey.key,
          nativeBinding: options.nativeBinding,
          retention: config.privacy.retention,
        },
      })
    : null
  if (engine) {
    deps.localChange = () => engine.localChange()
    onEpoch = (epoch) => engine.checkEpoch(epoch)
    if (transport) deps.attachments = { withAccess: (fn) => engine.withAccess(fn), transport }
    if (transport) deps.noticeTemplates = { withAccess: (fn) => engine.withAccess(fn), transport }
    if (transport)
      deps.capacityRemote = {
        withAccess: (fn) => engine.withAccess(fn),
        transport,
        afterChange: () => void engine.syncNow(),
      }
    if (transport)
      deps.presenceRemote = {
        withAccess: (fn) => engine.withAccess(fn),
        transport,
        onPresence: (listener) => engine.onPresence(listener),
      }
  }
  const sync: SyncControl = engine
    ? {
        status: () => engine.status(),
        syncNow: () => engine.syncNow(),
        reauth: (login, password) => engine.reauth(login, password),
        afterLogin: (login, password) => {
          claimProfile(db, sessions.current()!.login)
          engine.start({ login, password })
        },
        afterLogout: () => engine.stop({ forget: true }),
      }
    : localOnlySync(db)
  // Reference administration talks to the server with the engine's access token; a change
  // made there comes back through the change feed, so a round runs right after it.
  const admin = createReferenceAdminService(
    engine && transport
      ? {
          withAccess: (fn) => engine.withAccess(fn),
          transport,
          afterChange: () => void engine.syncNow(),
        }
      : null,
  )
  // The citizens' rights (DPO) on the server, with the same token; an erasure or a
  // rectification comes back through the change feed, so a round runs right after it.
  const privacy = createPrivacyService(
    engine && transport
      ? {
          withAccess: (fn) => engine.withAccess(fn),
          transport,
          afterChange: () => void engine.syncNow(),
          clientId: clientIdOf(db),
        }
      : null,
  )
  // Updates from the authority's server; a restart waits until the outbox is sent.
  const update = createUpdateService({
    config: config.update,
    currentVersion: options.appVersion ?? '0.0.0',
    platform: process.platform,
    fetch: options.fetch ?? fetch,
    pendingChanges: () => countPendingMutations(db),
    pushNow: () => sync.syncNow(),
    driver: options.updateDriver,
    now,
    onChange: (status) => deps.emit('update.changed', status),
    logError: options.logError,
  })
  deps.update = update
  update.start()
  // Contact details on demand: fetched from the server with the engine's access token.
  const contacts = engine ? { citizenContact: engine.citizenContact } : null
  const handlers = createHandlers(deps, sessions, sync, admin, privacy, contacts, {
    loadedConfig: options.loadedConfig ?? { origins: {}, locked: [], layers: [] },
    logsDir: options.logsDir ?? null,
    userConfigFile: options.userConfigFile ?? null,
    versions: () => ({
      app: options.appVersion,
      electron: process.versions.electron,
      node: process.versions.node,
      chrome: process.versions.chrome,
      platform: process.platform,
      arch: process.arch,
    }),
  })
  // Hourly while the app runs: what fell due meanwhile goes; an open session keeps the
  // profile from being idle. Does not keep the process alive.
  const retentionTimer = retention
    ? setInterval(() => {
        if (sessions.current()) retention.sessionSeen()
        emitChanged(retention.run())
      }, options.retentionIntervalMs ?? RETENTION_INTERVAL_MS)
    : null
  retentionTimer?.unref()

  return {
    db,
    cacheKeySeal: cacheKey.sealedBy,
    invoke: async (channel, input) => {
      try {
        sessions.assertUnlocked(channel)
      } catch (e) {
        return fail((e as CoreError).code, (e as CoreError).message)
      }
      return dispatch(handlers, channel, input, {
        session: sessions.current(),
        logError: options.logError,
        outputCheck: options.outputCheck,
      })
    },
    on(event, cb) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      const listener = cb as (payload: unknown) => void
      set.add(listener)
      return () => set.delete(listener)
    },
    async close() {
      if (retentionTimer) clearInterval(retentionTimer)
      update.stop()
      if (sessions.current()) retention?.sessionSeen()
      await engine?.stop({ forget: false })
      sessions.logout()
      listeners.clear()
      db.close()
    },
  }
}

/**
 * A synced profile belongs to the agent who last logged in on it. Another agent gets a
 * clean cache, unless changes (or files) of the previous one still wait to be sent: those are never
 * dropped nor sent under someone else's name.
 */
function claimProfile(db: Db, login: string): void {
  const owner = getSyncState(db, 'owner_login')
  if (owner && owner.toLowerCase() !== login.toLowerCase()) {
    if (countPendingMutations(db) > 0 || countOpenConflicts(db) > 0 || hasPendingUploads(db))
      throw new CoreError(
        'forbidden',
        `Ce poste garde des modifications de ${owner} qui n’ont pas encore été envoyées au serveur : ` +
          `${owner} doit se reconnecter une fois en ligne pour les envoyer, ou utilisez un autre profil.`,
      )
    forgetSyncedData(db)
  }
  setSyncState(db, 'owner_login', login)
}

const RETENTION_INTERVAL_MS = 3600_000

/**
 * The cache's retention on a synced profile: the idle purge and a first run at start, a run
 * every hour and after a pull that changed the server's policy. Never fails the console: a
 * failure is logged (no personal data in it) and the next run tries again.
 */
function cacheRetention(
  db: Db,
  config: AppConfig,
  now: () => number,
  logError: CreateConsoleOptions['logError'],
) {
  const run = (): boolean => {
    try {
      takeRetentionPending(db)
      const r = applyCacheRetention(db, retentionPolicyOf(db, config.privacy.retention), now())
      return r.anonymised + r.deleted > 0
    } catch (e) {
      logError?.('retention', e)
      return false
    }
  }
  return {
    run,
    atStart() {
      try {
        purgeIdleProfile(db, now(), config.privacy.cacheMaxIdleDays)
      } catch (e) {
        logError?.('retention', e)
      }
      run()
    },
    policyChanged: () => {
      try {
        return db.open && getSyncState(db, RETENTION_PENDING_KEY) === '1'
      } catch {
        return false
      }
    },
    sessionSeen: () => {
      try {
        recordSessionSeen(db, now())
      } catch (e) {
        logError?.('retention', e)
      }
    },
  }
}

/** This workstation's id in the protocol: made once per profile. */
function clientIdOf(db: Db): string {
  const known = getSyncState(db, 'client_id')
  if (known) return known
  const id = randomUUID()
  setSyncState(db, 'client_id', id)
  return id
}

/** No server configured: the console works on its cache alone and says so. */
function localOnlySync(db: Db): SyncControl {
  const status = (): SyncStatus => ({
    configured: false,
    state: 'disabled',
    pending: countPendingMutations(db),
    conflicts: 0,
    lastSyncAt: null,
    lastError: null,
    initial: null,
  })
  return {
    status,
    syncNow: async () => status(),
    reauth: async () => status(),
    afterLogin: () => {},
    afterLogout: async () => {},
  }
}
