/**
 * The contract's handlers, one per channel, over the core's services. Each one receives
 * the parsed input and the session; authorisation is checked in the services.
 */
import type { Category, CategoryRetention } from '../shared/domain'
import {
  DETAILS_PER_CALL,
  PREFERENCE_KEYS,
  type Preferences,
  type QueueFilter,
  type SessionInfo,
} from '../shared/contract'
import { CoreError } from '../shared/result'
import type { Handlers } from './dispatch'
import { countQueue, listInPolygon, listQueue, viewportColumns } from './cache/queries/requests'
import { forgetAllCitizens } from './cache/queries/citizens'
import { citizenDataRolesOf } from './cache/queries/privacyPolicy'
import { categoryRetentionOf } from './cache/retention'
import { isScrubNeeded, scrubFreedSpace } from './cache/scrub'
import { listAgents, listCategories, listSectors, listTeams } from './cache/queries/reference'
import { deleteView, listViews, saveView } from './cache/queries/views'
import { canReadCitizen, scopeFor } from '../core/authz/permissions'
import { cacheOpContext } from './cache/requestWrites'
import type { CoreDeps } from './services/deps'
import { createBulkService } from './services/bulkActions'
import { mapSettingsFor } from './services/mapSettings'
import { createRequestService, type ContactRemote } from './services/requests'
import { createTourService } from './services/tours'
import type { SessionService } from './services/session'
import { statusesOf } from '../core/workflow/engine'
import { createConflictService } from './sync/conflicts'
import { createReferenceAdminService, type ReferenceAdminService } from './services/referenceAdmin'
import { createPrivacyService, type PrivacyService } from './services/privacy'
import type { SyncStatus } from '../shared/sync'
import { effectiveSettings } from '../core/config/effective'
import type { LoadedConfig } from '../core/config/load'
import { diagnosticBundle } from './support/diagnostic'
import { savePreferences } from './support/userPreferences'
import { createDuplicateHandlers } from './services/duplicatesHandlers'
import { createNoticeTemplateHandlers } from './services/noticeTemplateHandlers'
import { createIntakeHandlers } from './services/intakeHandlers'
import { createDashboardHandlers } from './services/dashboardHandlers'
import { createDispatchHandlers } from './services/dispatchHandlers'
import { createAttachmentHandlers } from './services/attachmentsHandlers'
import { createSlaClockHandlers } from './services/slaClockHandlers'
import { createNotificationsHandlers } from './services/notificationsHandlers'
import { createPresenceHandlers } from './services/presenceHandlers'
import { createMapDuplicateHandlers } from './services/mapDuplicatesHandlers'
import { createQueueExportHandlers } from './services/queueExportHandlers'
import { createTagHandlers } from './services/tagsHandlers'
import { createUpdateHandlers } from './services/updateHandlers'

/** What the handlers need of sync; a console without a server gets the local-only one. */
export interface SyncControl {
  status(): SyncStatus
  syncNow(): Promise<SyncStatus>
  reauth(login: string, password: string): Promise<SyncStatus>
  afterLogin(login: string, password: string): void
  afterLogout(): Promise<void>
}

/** What the Settings screen and the diagnostic need besides the configuration itself. */
export interface SupportInfo {
  /** Where each key came from, what IT locked, the files applied (none in tests). */
  loadedConfig: Pick<LoadedConfig, 'origins' | 'locked' | 'layers'>
  /** The log folder (app/log.ts); null when there is none. */
  logsDir: string | null
  /** Versions for the diagnostic: the app's, Electron's, Node's, Chrome's, the OS. */
  versions: () => Record<string, string | undefined>
  /** The user's configuration file, where preferences are saved; null: none (tests). */
  userConfigFile?: string | null
}

const NO_SUPPORT_INFO: SupportInfo = {
  loadedConfig: { origins: {}, locked: [], layers: [] },
  logsDir: null,
  versions: () => ({}),
}

/** `grc-diagnostic-YYYYMMDD-HHMM.zip`, in the workstation's local time. */
export function diagnosticFileName(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0')
  return `grc-diagnostic-${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}.zip`
}

/** Each category with the retention the server set for it (kept apart from the cache's categories). */
const withOwnRetention = (categories: Category[], own: Map<string, CategoryRetention>) =>
  categories.map((c) => (own.has(c.id) ? { ...c, retention: own.get(c.id) } : c))

export function createHandlers(
  deps: CoreDeps,
  sessions: SessionService,
  sync: SyncControl,
  /** Reference administration on the server; without one, every call says a server is needed. */
  admin: ReferenceAdminService = createReferenceAdminService(null),
  /** The citizens' rights (DPO) on the server; without one, every call says a server is needed. */
  privacy: PrivacyService = createPrivacyService(null),
  /** Contact details on demand from the server (the sync engine, with its token); null: local-only profile. */
  contacts: ContactRemote | null = null,
  /** Configuration origins and locks, logs, versions (Settings, diagnostic). */
  support: SupportInfo = NO_SUPPORT_INFO,
): Handlers {
  const { db } = deps
  const requests = createRequestService(deps, () => contacts)
  const bulk = createBulkService(deps, requests)
  const tours = createTourService(deps, requests)
  const conflicts = createConflictService(
    cacheOpContext(db, deps.workflows, deps.calendar),
    requests,
    deps.now,
    tours,
  )

  const settingsNow = () => effectiveSettings({ ...support.loadedConfig, config: deps.config })

  /** The queue's filter for a map query, with the clock its `overdue` part needs. */
  const mapFilter = (filter: QueueFilter | undefined) => (filter ? { filter, now: deps.now() } : {})

  /**
   * Whether the session's searches may match citizens' names: a role that may not read
   * them must not learn whose request it is by typing a name (issue 12).
   */
  const citizenNames = (session: SessionInfo) =>
    canReadCitizen(session, citizenDataRolesOf(db, deps.config.privacy.citizenDataRoles))

  /**
   * After login on a synced profile: a session that may not read citizens keeps no names
   * (data minimisation; they come back with the requests for a role that may); contact
   * details no longer needed go. Their bytes leave the file.
   */
  function minimiseAfterLogin(session: SessionInfo) {
    requests.releaseAll(session)
    if (!deps.config.sync.serverUrl) return
    const forgotten = session.citizenData ? 0 : forgetAllCitizens(db)
    scrubFreedSpace(db, { fts: forgotten > 0 })
  }

  return {
    ...createDuplicateHandlers(deps, requests),
    ...createNoticeTemplateHandlers(deps),
    ...createIntakeHandlers(deps, requests),
    ...createDashboardHandlers(deps, requests),
    ...createDispatchHandlers(deps, requests),
    ...createAttachmentHandlers(deps, requests),
    ...createSlaClockHandlers(deps),
    ...createNotificationsHandlers(deps),
    ...createPresenceHandlers(deps),
    ...createMapDuplicateHandlers(deps),
    ...createQueueExportHandlers(deps),
    ...createTagHandlers(deps, requests),
    ...createUpdateHandlers(deps.update),
    'session.login': async (input) => {
      // Someone else (or the same agent) logging in over a session: the old one ends first,
      // with its sync and server token, so nothing is done under the wrong name.
      if (sessions.current()) {
        sessions.logout()
        await sync.afterLogout()
      }
      const session = await sessions.login(input.login, input.password)
      try {
        sync.afterLogin(input.login, input.password)
      } catch (e) {
        sessions.logout()
        throw e
      }
      minimiseAfterLogin(session)
      return session
    },
    'session.logout': async (_input, { session }) => {
      // Contact details stay only for the agent's own open requests (offline call-backs).
      requests.releaseAll(session)
      sessions.logout()
      await sync.afterLogout()
      if (deps.config.sync.serverUrl) scrubFreedSpace(db, { fts: isScrubNeeded(db) })
      return {}
    },
    'session.current': () => sessions.current(),
    'session.loginInfo': () => ({
      ...(deps.loginInfo ?? { demoAccounts: true, cacheKeySeal: 'key-file' }),
      preferences: { ...deps.config.ui },
    }),
    'session.activity': () => {
      sessions.activity()
      return {}
    },
    'session.unlock': ({ password }) => sessions.unlock(password),

    'reference.get': (_input, { session }) => ({
      categories: withOwnRetention(listCategories(db), categoryRetentionOf(db)),
      teams: listTeams(db),
      agents: listAgents(db, scopeFor(session)),
      statuses: statusesOf([...deps.workflows.values()]),
    }),

    'queue.list': (input, { session }) =>
      listQueue(db, {
        scope: scopeFor(session),
        ...input,
        now: deps.now(),
        citizenNames: citizenNames(session),
      }),
    'queue.counts': (input, { session }) =>
      countQueue(db, {
        scope: scopeFor(session),
        filter: input.filter,
        now: deps.now(),
        citizenNames: citizenNames(session),
      }),

    'request.get': ({ id }, { session }) => requests.get(session, id),
    'request.getMany': ({ ids }, { session }) => requests.getMany(session, ids),
    'request.citizen': ({ id }, { session }) => requests.citizen(session, id),
    'request.citizenContact': ({ id, purpose }, { session }) => requests.citizenContact(session, id, purpose),
    'request.releaseCitizen': ({ id }, { session }) => requests.releaseCitizen(session, id),
    'request.history': ({ id }, { session }) => requests.history(session, id),
    'request.comments': ({ id }, { session }) => requests.comments(session, id),
    'request.transitions': ({ id }, { session }) => requests.transitions(session, id),
    'request.transition': (input, { session }) => requests.transition(session, input),
    'request.assign': (input, { session }) => requests.assign(session, input),
    'request.comment': (input, { session }) => requests.comment(session, input),
    'request.create': (input, { session }) => requests.create(session, input),
    'request.update': (input, { session }) => requests.update(session, input),

    'requests.bulkAssign': (input, { session }) => bulk.assign(session, input),
    'requests.bulkTransition': (input, { session }) => bulk.transition(session, input),
    'requests.commonTransitions': ({ ids }, { session }) => bulk.commonTransitions(session, ids),

    'tours.list': (input, { session }) => tours.list(session, input),
    'tours.get': ({ id }, { session }) => tours.get(session, id),
    'tours.save': (input, { session }) => tours.save(session, input),
    'tours.delete': ({ id }, { session }) => {
      tours.delete(session, id)
      return {}
    },
    'tours.candidates': (input, { session }) => tours.candidates(session, input),
    'tours.progress': ({ ids }, { session }) => tours.progress(session, ids),
    'tours.day': ({ date }, { session }) => tours.day(session, date),

    'map.points': ({ bbox, limit, filter }, { session }) =>
      viewportColumns(db, {
        scope: scopeFor(session),
        bbox,
        limit,
        ...mapFilter(filter),
        citizenNames: citizenNames(session),
      }),
    'map.settings': () => mapSettingsFor(deps.config),
    'map.sectors': () => listSectors(db),
    'map.select': ({ polygon, limit, filter }, { session }) =>
      listInPolygon(db, {
        scope: scopeFor(session),
        polygon,
        limit,
        ...mapFilter(filter),
        citizenNames: citizenNames(session),
      }),

    'views.list': (_input, { session }) => listViews(db, session.agentId),
    'views.save': (input, { session }) =>
      saveView(db, session.agentId, { ...input, id: input.id ?? deps.newId() }),
    'views.delete': ({ id }, { session }) => {
      if (!deleteView(db, session.agentId, id)) throw new CoreError('not_found', 'Vue introuvable.')
      return {}
    },

    'sync.status': () => sync.status(),
    'sync.now': () => sync.syncNow(),
    'sync.reauth': ({ password }, { session }) => sync.reauth(session.login, password),
    'conflicts.list': () => conflicts.list(),
    'conflicts.resolve': (input, { session }) => conflicts.resolve(session, input),

    'admin.reference.list': (_input, { session }) => admin.list(session),
    'admin.reference.save': (input, { session }) => admin.save(session, input),
    'admin.reference.delete': (input, { session }) => admin.delete(session, input),
    'admin.reference.audit': (input, { session }) => admin.audit(session, input),
    'admin.apiAccounts.list': (_input, { session }) => admin.apiAccounts.list(session),
    'admin.apiAccounts.create': (input, { session }) => admin.apiAccounts.create(session, input),
    'admin.apiAccounts.revoke': (input, { session }) => admin.apiAccounts.revoke(session, input),

    'privacy.search': (input, { session }) => privacy.search(session, input),
    'privacy.lookup': async ({ q }, { session }) => {
      const found = await privacy.lookup(
        session,
        q,
        citizenDataRolesOf(db, deps.config.privacy.citizenDataRoles),
      )
      return {
        kind: found.kind,
        matches: found.matches.map((m) => {
          const held = m.requestIds.length
            ? requests.getMany(session, m.requestIds.slice(0, DETAILS_PER_CALL))
            : []
          return {
            citizenId: m.citizenId,
            name: m.name,
            requests: held,
            notCached: m.requestIds.length - held.length,
          }
        }),
      }
    },
    'privacy.file': ({ id }, { session }) => privacy.file(session, id),
    'privacy.export': ({ id }, { session }) => privacy.export(session, id),
    'privacy.rectify': (input, { session }) => privacy.rectify(session, input),
    'privacy.erase': (input, { session }) => privacy.erase(session, input),
    'privacy.legalHold': (input, { session }) => privacy.legalHold(session, input),
    'privacy.accessLog': (input, { session }) => privacy.accessLog(session, input),
    'privacy.retentionPreview': (_input, { session }) => privacy.retentionPreview(session, deps),

    'settings.effective': (_input, { session }) => ({
      settings: settingsNow(),
      // Where the files are is for IT (admins); an agent sees what applies, not where.
      files: session.roles.includes('admin')
        ? support.loadedConfig.layers.map((l) => ({ kind: l.kind, file: l.file }))
        : null,
    }),
    'settings.savePreferences': (input, { session }) => {
      const file = support.userConfigFile
      if (!file) throw new CoreError('not_found', 'Ce poste n’a pas de fichier de configuration utilisateur.')
      savePreferences(file, input, support.loadedConfig.locked)
      // In force at once for what reads the configuration (the login screen's defaults).
      for (const [name, value] of Object.entries(input) as [keyof Preferences, never][]) {
        deps.config.ui[name] = value
        support.loadedConfig.origins[PREFERENCE_KEYS[name]] = 'user'
      }
      return {
        settings: settingsNow(),
        files: session.roles.includes('admin')
          ? support.loadedConfig.layers.map((l) => ({ kind: l.kind, file: l.file }))
          : null,
      }
    },
    'support.diagnostic': () => {
      const at = new Date(deps.now())
      const zip = diagnosticBundle({
        versions: support.versions(),
        settings: settingsNow(),
        db,
        logsDir: support.logsDir,
        now: at,
      })
      return { fileName: diagnosticFileName(at), base64: zip.toString('base64') }
    },
  }
}

export type { SessionInfo }
