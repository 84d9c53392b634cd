/**
 * The contract's handlers, one per channel, over the core's services. Each one receives
 * the parsed input and the session; authorisation is checked in the services.
 */
import type { QueueFilter, SessionInfo } from '../shared/contract'
import { CoreError } from '../shared/result'
import type { Handlers } from './dispatch'
import { countQueue, listInPolygon, listInViewport, listQueue } from './cache/queries/requests'
import { listAgents, listCategories, listSectors, listTeams } from './cache/queries/reference'
import { deleteView, listViews, saveView } from './cache/queries/views'
import { scopeFor } from '../core/authz/permissions'
import { cacheOpContext } from './cache/requestWrites'
import type { CoreDeps } from './services/deps'
import { createBulkService } from './services/bulkActions'
import { mapSettingsFor } from './services/mapSettings'
import { createRequestService } from './services/requests'
import { createTourService } from './services/tours'
import type { SessionService } from './services/session'
import { statusesOf } from '../core/workflow/engine'
import { createConflictService } from './sync/conflicts'
import { createReferenceAdminService, type ReferenceAdminService } from './services/referenceAdmin'
import type { SyncStatus } from '../shared/sync'

/** What the handlers need of sync; a console without a server gets the local-only one. */
export interface SyncControl {
  status(): SyncStatus
  syncNow(): Promise<SyncStatus>
  reauth(login: string, password: string): Promise<SyncStatus>
  afterLogin(login: string, password: string): void
  afterLogout(): Promise<void>
}

export function createHandlers(
  deps: CoreDeps,
  sessions: SessionService,
  sync: SyncControl,
  /** Reference administration on the server; without one, every call says a server is needed. */
  admin: ReferenceAdminService = createReferenceAdminService(null),
): Handlers {
  const { db } = deps
  const requests = createRequestService(deps)
  const bulk = createBulkService(deps, requests)
  const tours = createTourService(deps, requests)
  const conflicts = createConflictService(
    cacheOpContext(db, deps.workflows, deps.calendar),
    requests,
    deps.now,
    tours,
  )

  /** The queue's filter for a map query, with the clock its `overdue` part needs. */
  const mapFilter = (filter: QueueFilter | undefined) => (filter ? { filter, now: deps.now() } : {})

  return {
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
      return session
    },
    'session.logout': async () => {
      sessions.logout()
      await sync.afterLogout()
      return {}
    },
    'session.current': () => sessions.current(),
    'session.activity': () => {
      sessions.activity()
      return {}
    },
    'session.unlock': ({ password }) => sessions.unlock(password),

    'reference.get': (_input, { session }) => ({
      categories: listCategories(db),
      teams: listTeams(db),
      agents: listAgents(db, scopeFor(session)),
      statuses: statusesOf([...deps.workflows.values()]),
    }),

    'queue.list': (input, { session }) =>
      listQueue(db, { scope: scopeFor(session), ...input, now: deps.now() }),
    'queue.counts': (input, { session }) =>
      countQueue(db, { scope: scopeFor(session), filter: input.filter, now: deps.now() }),

    'request.get': ({ id }, { session }) => requests.get(session, id),
    'request.getMany': ({ ids }, { session }) => requests.getMany(session, ids),
    'request.citizen': ({ id }, { session }) => requests.citizen(session, id),
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

    'map.points': ({ bbox, limit, filter }, { session }) =>
      listInViewport(db, { scope: scopeFor(session), bbox, limit, ...mapFilter(filter) }),
    'map.settings': () => mapSettingsFor(deps.config),
    'map.sectors': () => listSectors(db),
    'map.select': ({ polygon, limit, filter }, { session }) =>
      listInPolygon(db, { scope: scopeFor(session), polygon, limit, ...mapFilter(filter) }),

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
  }
}

export type { SessionInfo }
