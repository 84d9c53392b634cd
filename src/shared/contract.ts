/**
 * The console's one contract: every operation the renderer may ask of the core,
 * declared once with its input and output schemas. Served over Electron IPC
 * (src/main/ipc/register.ts) and over the loopback web bridge (src/main/web),
 * both through the same `dispatch`.
 */
import { z } from 'zod'
import {
  AgentSummary,
  Category,
  Citizen,
  Comment,
  CommentKind,
  HistoryEvent,
  Id,
  LIMITS,
  Priority,
  RequestDetail,
  RequestSummary,
  Role,
  StatusInfo,
  Team,
  TransitionAvailability,
  TransitionOption,
} from './domain'
import { PolygonGeometry, Sector } from './routing'
import {
  AdminAuditEntry,
  AdminAuditInput,
  AdminDeleteInput,
  AdminItem,
  AdminReference,
  AdminSaveInput,
} from './adminReference'
import { ApiAccount, ApiAccountCreated, ApiAccountCreateInput, ApiAccountRevokeInput } from './apiAccounts'
import { MapSettings } from './mapSettings'
import { MapPointColumnsSchema, MapPointColumnsShape } from './mapPoints'
import {
  IsoDay,
  SavedTour,
  TechnicianDay,
  TOUR_MAX_STOPS,
  TourCandidate,
  TourPlanInput,
  TourProgress,
} from './savedTour'
import { Conflict, CreateRequestInput, RequestPatch, SyncStatus } from './sync'
import {
  AccessLogPage,
  AccessLogQuery,
  CitizenContact,
  CitizenFile,
  CitizenLookupRequest,
  CitizenSearchInput,
  CitizenSearchReply,
  ContactPurpose,
  ErasureResult,
  LegalHoldReply,
  PrivacyEraseInput,
  PrivacyLegalHoldInput,
  PrivacyRectifyInput,
  RectifyReply,
  RetentionPlan,
  RetentionPolicy,
  SubjectAccessExport,
} from './privacy'
import { TransitionField } from './workflow'
import { spec } from './channelSpec'
import { duplicateChannels } from './channels/duplicates'
import { noticeTemplateChannels } from './channels/noticeTemplates'
import { attachmentChannels } from './channels/attachments'
import { intakeChannels } from './channels/intake'
import { dashboardChannels } from './channels/dashboard'
import { dispatchChannels } from './channels/dispatch'
import { slaClockChannels } from './channels/slaClock'
import { notificationsChannels } from './channels/notifications'
import { presenceChannels } from './channels/presence'
import { mapDuplicateChannels } from './channels/mapDuplicates'
import { queueExportChannels } from './channels/queueExport'
import { Tag, TAG_LIMITS } from './tags'
import { tagChannels } from './channels/tags'
import { UpdateStatus, updateChannels } from './channels/update'

const SearchText = z
  .string()
  .max(LIMITS.searchText, `search text is limited to ${LIMITS.searchText} characters`)

export const QueueFilter = z
  .object({
    status: z.array(z.string().max(64)).max(50),
    categoryId: z.array(Id).max(200),
    teamId: z.array(Id).max(200),
    assigneeId: z.array(Id).max(200),
    /** Only requests nobody is assigned to (combined with assigneeId as OR). */
    unassigned: z.boolean(),
    priority: z.array(Priority).max(4),
    /** Only open requests past their due date. */
    overdue: z.boolean(),
    /** Free text, searched with FTS5 as plain words (never as FTS syntax). */
    text: SearchText,
    /** Requests carrying any of these tags (compared case-folded: src/shared/tags.ts). */
    tags: z.array(Tag).max(TAG_LIMITS.perChange),
  })
  .partial()
  .strict()
export type QueueFilter = z.infer<typeof QueueFilter>

export const QUEUE_SORTS = [
  'created_desc',
  'created_asc',
  'due_asc',
  'priority_desc',
  'updated_desc',
] as const
export const QueueSort = z.enum(QUEUE_SORTS)
export type QueueSort = z.infer<typeof QueueSort>

/** A request as the map draws it: nothing personal, nothing the list does not show. */
export const MapPoint = z.object({
  id: Id,
  lat: z.number(),
  lon: z.number(),
  status: z.string(),
  categoryId: Id,
  priority: Priority,
})
export type MapPoint = z.infer<typeof MapPoint>
export { columnsOfPoints, pointsOfColumns, type MapPointColumns } from './mapPoints'

/**
 * The big read channels, whose output comes straight from the cache's own queries: a packaged
 * console checks it with these constant-time schemas (shape and lengths, not every row);
 * tests and development builds check the full output schema (dispatch.ts `outputCheck`).
 */
export const CHEAP_OUTPUTS = {
  'map.points': MapPointColumnsShape,
  'queue.list': z.object({
    rows: z.array(z.unknown()).max(LIMITS.pageSize),
    nextCursor: z.string().nullable(),
  }),
} as const

export const SessionInfo = z.object({
  agentId: Id,
  login: z.string(),
  displayName: z.string(),
  roles: z.array(Role),
  teamIds: z.array(Id),
  /** `offline` when the directory could not be reached and a cached verifier was used. */
  kind: z.enum(['online', 'offline']),
  startedAt: z.string(),
  /** Locked after inactivity: only `session.unlock` (or logout) goes through until the password is typed. */
  locked: z.boolean().optional(),
  /**
   * The session may read citizens' names and ask for their contact details (the server's
   * `privacy.citizenDataRoles` when synced, else the configuration's). Absent: not said yet.
   */
  citizenData: z.boolean().optional(),
  /**
   * The session may record and change requests (every role but the DPO's, who reads for the
   * citizens' rights): the core's `canChangeRequests`, checked again on each write.
   */
  changesRequests: z.boolean().optional(),
  /** The session may find a citizen's requests by their exact e-mail or phone (the core's `canLookUpCitizen`). */
  looksUpCitizens: z.boolean().optional(),
})
export type SessionInfo = z.infer<typeof SessionInfo>

/** An agent's own preferences, changed in « Paramètres » and written to the user's file. */
export const Preferences = z.object({
  language: z.enum(['fr', 'en']),
  density: z.enum(['comfortable', 'compact']),
  startScreen: z.enum(['auto', 'queue', 'map', 'tours', 'day']),
})
export type Preferences = z.infer<typeof Preferences>
/** The configuration key of each preference. */
export const PREFERENCE_KEYS = {
  language: 'ui.language',
  density: 'ui.density',
  startScreen: 'ui.startScreen',
} as const satisfies Record<keyof Preferences, string>

/** What the login screen says about this workstation before anyone logs in. */
export const LoginInfo = z.object({
  /** The bundled demo accounts open sessions here (development, tests, a demo build). */
  demoAccounts: z.boolean(),
  /**
   * How the cache's key is protected: the OS keychain, Linux's `basic_text` fallback
   * (allowed by the machine configuration, and said on screen), or a key file (`dev:web`).
   */
  cacheKeySeal: z.enum(['keychain', 'weak-keychain', 'key-file']),
  /** The workstation's preferences in force (configuration `ui`): defaults until an agent picks. */
  preferences: Preferences,
})
export type LoginInfo = z.infer<typeof LoginInfo>

/** A saved tour with its stops' requests in visiting order (stops no longer in the cache are counted). */
export const TourDetail = z.object({
  tour: SavedTour,
  stops: z.array(RequestDetail),
  missing: z.number().int().nonnegative(),
})
export type TourDetail = z.infer<typeof TourDetail>

/** Requests one `request.getMany` answers at most: a selection's list loads in a few calls. */
export const DETAILS_PER_CALL = 500

/** Requests one bulk action may change at once (a perimeter selection's ceiling). */
export const BULK_MAX = 5000
const BulkIds = z.array(Id).min(1).max(BULK_MAX)

/** What a bulk action did to each request: done, or refused with the reason in words. */
export const BulkOutcome = z.object({
  done: z.array(Id),
  refused: z.array(z.object({ id: Id, reference: z.string(), code: z.string(), reason: z.string() })),
})
export type BulkOutcome = z.infer<typeof BulkOutcome>

export const SavedView = z.object({
  id: Id,
  name: z.string().min(1).max(80),
  filter: QueueFilter,
  sort: QueueSort,
})
export type SavedView = z.infer<typeof SavedView>

const Empty = z.object({}).strict()
const ById = z.object({ id: Id }).strict()

/**
 * The retention preview as the DPO's screen reads it: the server's plan, and the policy it
 * runs with (the authority's defaults and `runAt`, Europe/Paris) as the reference data
 * brought it to this console, or the configuration's on a profile not synced yet.
 */
export const RetentionPreview = RetentionPlan.extend({ policy: RetentionPolicy })
export type RetentionPreview = z.infer<typeof RetentionPreview>

/** One configuration key as the Settings screen shows it (core/config/effective.ts); secrets masked. */
export const EffectiveSetting = z.object({
  key: z.string(),
  value: z.unknown(),
  layer: z.enum(['default', 'machine', 'user', 'env']),
  locked: z.boolean(),
})
export type EffectiveSetting = z.infer<typeof EffectiveSetting>

/** Every key, and (admins only, null otherwise) the path of each configuration file applied. */
export const EffectiveSettings = z.object({
  settings: z.array(EffectiveSetting),
  files: z.array(z.object({ kind: z.enum(['machine', 'user', 'env']), file: z.string() })).nullable(),
})
export type EffectiveSettings = z.infer<typeof EffectiveSettings>

/** « Exporter un diagnostic »: the zip, base64, and the name to save it under. */
export const DiagnosticFile = z.object({
  fileName: z.string().regex(/^grc-diagnostic-\d{8}-\d{4}\.zip$/),
  base64: z.string(),
})
export type DiagnosticFile = z.infer<typeof DiagnosticFile>

export type { Access } from './channelSpec'

export const contract = {
  // Each feature's channels live in their own module (src/shared/channels/).
  ...duplicateChannels,
  ...noticeTemplateChannels,
  ...attachmentChannels,
  ...intakeChannels,
  ...dashboardChannels,
  ...dispatchChannels,
  ...slaClockChannels,
  ...notificationsChannels,
  ...presenceChannels,
  ...mapDuplicateChannels,
  ...queueExportChannels(QueueFilter.default({}), QueueSort.default('created_desc')),
  ...tagChannels(BulkIds, BulkOutcome),
  ...updateChannels,

  /** Log in with the configured auth provider; opens the profile's cache. */
  'session.login': spec(
    z.object({ login: z.string().min(1).max(256), password: z.string().max(1024) }).strict(),
    SessionInfo,
    'public',
  ),
  /** Forget the session and every in-memory secret. */
  'session.logout': spec(Empty, z.object({}), 'public'),
  /** The current session, or null when nobody is logged in. */
  'session.current': spec(Empty, SessionInfo.nullable(), 'public'),
  /** What the login screen shows before a login: demo accounts, how the cache is protected. */
  'session.loginInfo': spec(Empty, LoginInfo, 'public'),
  /** The agent typed or clicked: the idle lock's clock starts again (sent at most once a minute). */
  'session.activity': spec(Empty, z.object({})),
  /** Unlock a session locked after inactivity, with the same password (checked again by the provider). */
  'session.unlock': spec(z.object({ password: z.string().max(1024) }).strict(), SessionInfo),

  /** Reference data the queue and detail need: categories, teams, agents, statuses. */
  'reference.get': spec(
    Empty,
    z.object({
      categories: z.array(Category),
      teams: z.array(Team),
      agents: z.array(AgentSummary),
      statuses: z.array(StatusInfo),
    }),
  ),

  /** One keyset page of the queue, for the session's teams only. */
  'queue.list': spec(
    z
      .object({
        filter: QueueFilter.default({}),
        sort: QueueSort.default('created_desc'),
        /** Opaque cursor returned by the previous page. */
        after: z.string().max(512).nullable().default(null),
        limit: z.number().int().min(1).max(LIMITS.pageSize).default(100),
      })
      .strict(),
    z.object({ rows: z.array(RequestSummary), nextCursor: z.string().nullable() }),
  ),
  /** Counts per status for the filter (the status filter itself is ignored so all tabs show). */
  'queue.counts': spec(
    z.object({ filter: QueueFilter.default({}) }).strict(),
    z.object({
      byStatus: z.record(z.string(), z.number().int()),
      total: z.number().int(),
      overdue: z.number().int(),
      /** A search matching more than the counts read: each count is of its most recent matches, a lower bound. */
      capped: z.literal(true).optional(),
    }),
  ),

  /** A request in full (no personal data: see `request.citizen`). */
  'request.get': spec(ById, RequestDetail),
  /**
   * Several requests in full, in the order asked (a map selection's list and exports); those
   * gone or out of the agent's sight are left out.
   */
  'request.getMany': spec(
    z.object({ ids: z.array(Id).min(1).max(DETAILS_PER_CALL) }).strict(),
    z.array(RequestDetail),
  ),
  /** The citizen's contact details; only for roles that need them, and logged. */
  'request.citizen': spec(ById, Citizen.nullable()),
  /**
   * The citizen's contact details for one purpose, asked of the server and logged there with
   * it; offline, only for the agent's own open request whose details this console holds
   * (logged here, uploaded later, `offline: true`). Null: the request has no citizen.
   */
  'request.citizenContact': spec(
    z.object({ id: Id, purpose: ContactPurpose }).strict(),
    CitizenContact.nullable(),
  ),
  /** The detail pane closed or moved on: the console forgets the details it need not keep. */
  'request.releaseCitizen': spec(ById, z.object({})),
  'request.history': spec(ById, z.array(HistoryEvent)),
  'request.comments': spec(ById, z.array(Comment)),
  /** Which transitions the session may fire now, and why each other one is blocked. */
  'request.transitions': spec(ById, TransitionAvailability),
  /** Fire a workflow transition: the only way a status ever changes. */
  'request.transition': spec(
    z
      .object({
        id: Id,
        transitionId: z.string().min(1).max(64),
        fields: z.partialRecord(TransitionField, z.string().max(LIMITS.fieldText)).default({}),
        /** The version the agent saw; a stale one is refused rather than overwritten. */
        baseVersion: z.number().int().nonnegative().optional(),
      })
      .strict(),
    RequestDetail,
  ),
  /** Assign (or unassign with null) within the request's team: leads, supervisors, admins. */
  'request.assign': spec(
    z
      .object({ id: Id, assigneeId: Id.nullable(), baseVersion: z.number().int().nonnegative().optional() })
      .strict(),
    RequestDetail,
  ),
  /** Add an internal note or a public reply. */
  'request.comment': spec(
    z
      .object({
        id: Id,
        kind: CommentKind,
        body: z
          .string()
          .trim()
          .min(1)
          .max(LIMITS.comment, `a comment is limited to ${LIMITS.comment} characters`),
      })
      .strict(),
    Comment,
  ),
  /** Record a request taken at the counter or on the phone; routed by the routing rules. */
  'request.create': spec(CreateRequestInput, RequestDetail),
  /** Edit the request's own fields (title, description, priority, address). */
  'request.update': spec(
    z
      .object({ id: Id, patch: RequestPatch, baseVersion: z.number().int().nonnegative().optional() })
      .strict(),
    RequestDetail,
  ),

  /** Requests of the session's teams inside a map viewport (R*Tree), for drawing them. */
  'map.points': spec(
    z
      .object({
        bbox: z
          .object({
            minLat: z.number().min(-90).max(90),
            minLon: z.number().min(-180).max(180),
            maxLat: z.number().min(-90).max(90),
            maxLon: z.number().min(-180).max(180),
          })
          .strict(),
        limit: z.number().int().min(1).max(250_000).default(50_000),
        /** The queue's filter: the map shows the requests the list shows. */
        filter: QueueFilter.optional(),
      })
      .strict(),
    // Columns of typed arrays, not one object per point: see mapPoints.ts.
    MapPointColumnsSchema,
  ),
  /** The base map the authority configured, and the depots tours start from. */
  'map.settings': spec(Empty, MapSettings),
  /** The territory's sectors (communes and grouped districts): the map's outline when tiles cannot load. */
  'map.sectors': spec(Empty, z.array(Sector)),
  /** The requests inside a drawn polygon or lasso, exactly (holes and concave shapes honoured). */
  'map.select': spec(
    z
      .object({
        polygon: PolygonGeometry,
        limit: z.number().int().min(1).max(5000).default(2000),
        filter: QueueFilter.optional(),
      })
      .strict(),
    z.object({ points: z.array(MapPoint), truncated: z.boolean() }),
  ),

  /** Assign every request of a selection (or unassign with null); each is checked on its own. */
  'requests.bulkAssign': spec(z.object({ ids: BulkIds, assigneeId: Id.nullable() }).strict(), BulkOutcome),
  /** The transitions allowed for every request of a selection (by id, with their label and required fields). */
  'requests.commonTransitions': spec(z.object({ ids: BulkIds }).strict(), z.array(TransitionOption)),
  /** Fire one transition on every request of a selection; each is checked on its own. */
  'requests.bulkTransition': spec(
    z
      .object({
        ids: BulkIds,
        transitionId: z.string().min(1).max(64),
        fields: z.partialRecord(TransitionField, z.string().max(LIMITS.fieldText)).default({}),
      })
      .strict(),
    BulkOutcome,
  ),

  /** Saved tours: the agent's own (`mine`, a technician's day) or their teams', from a day on. */
  'tours.list': spec(
    z.object({ mine: z.boolean().default(false), fromDay: IsoDay.optional() }).strict(),
    z.array(SavedTour),
  ),
  'tours.get': spec(ById, TourDetail),
  /**
   * Save a tour (new without `id`); `assignStops` assigns every stop to its technician in
   * the same step. A stale `baseVersion` is refused rather than overwritten.
   */
  'tours.save': spec(
    z
      .object({
        id: Id.optional(),
        plan: TourPlanInput,
        assignStops: z.boolean().default(true),
        baseVersion: z.number().int().nonnegative().optional(),
      })
      .strict(),
    TourDetail,
  ),
  'tours.delete': spec(ById, z.object({})),
  /**
   * While a tour is built: every technician of its team with the stops they could not do and
   * why (another team's request, a stop its workflow cannot plan), by the save's own checks.
   */
  'tours.candidates': spec(
    z
      .object({
        teamId: Id,
        date: IsoDay,
        stopIds: z.array(Id).min(1).max(TOUR_MAX_STOPS),
        assignStops: z.boolean().default(true),
      })
      .strict(),
    z.array(TourCandidate),
  ),
  /**
   * « Ma journée »: the agent's own tour of that day, its stops in order with what they may
   * do at each (start, finish, impossible: workflow steps the core allows now), its progress.
   */
  'tours.day': spec(z.object({ date: IsoDay }).strict(), TechnicianDay),
  /** How far each tour has gone (stops done, under way, in all), by id; tours out of sight are left out. */
  'tours.progress': spec(
    z.object({ ids: z.array(Id).max(500) }).strict(),
    z.record(z.string(), TourProgress),
  ),

  'views.list': spec(Empty, z.array(SavedView)),
  'views.save': spec(SavedView.partial({ id: true }).strict(), SavedView),
  'views.delete': spec(ById, z.object({})),

  /** Online or not, pending changes, conflicts, last sync, the first download's progress. */
  'sync.status': spec(Empty, SyncStatus),
  /** Push and pull now; answers when the round is over (or failed, see `lastError`). */
  'sync.now': spec(Empty, SyncStatus),
  /** The server's session expired: the agent types their password again; nothing pending is lost. */
  'sync.reauth': spec(z.object({ password: z.string().min(1).max(1024) }).strict(), SyncStatus),
  /** Changes the server could not apply because another agent changed the same fields. */
  'conflicts.list': spec(Empty, z.array(Conflict)),
  /** Keep mine (sent again on the current version), keep theirs, or choose field by field. */
  'conflicts.resolve': spec(
    z
      .object({
        id: Id,
        choice: z.enum(['mine', 'theirs', 'merge']),
        /** For `merge`: which side wins, per field; fields left out keep the server's value. */
        fields: z.record(z.string().max(64), z.enum(['mine', 'theirs'])).default({}),
      })
      .strict(),
    z.object({ requeued: z.boolean() }),
  ),

  /**
   * Reference administration (admins only), on the central server: every item with its
   * version, and the workflows a category may follow. Without a server, or offline,
   * refused with `server_unavailable`.
   */
  'admin.reference.list': spec(Empty, AdminReference),
  /**
   * Create (`baseVersion` null) or change a team, category, routing rule or sector on the
   * server; an edit made on an older version is refused (`version_conflict`, saying who
   * changed it and when). The console then syncs to take the new reference data.
   */
  'admin.reference.save': spec(AdminSaveInput, AdminItem),
  /** Delete an item on the server; refused (`in_use`) while requests, rules or categories use it. */
  'admin.reference.delete': spec(AdminDeleteInput, z.object({})),
  /** The audit trail of the reference data (of one kind, or one item), newest first. */
  'admin.reference.audit': spec(AdminAuditInput, z.object({ entries: z.array(AdminAuditEntry) })),
  /**
   * API accounts of portals and partners (admins only), on the central server; without a
   * server, or offline, refused with `server_unavailable` as the reference is.
   */
  'admin.apiAccounts.list': spec(Empty, z.object({ accounts: z.array(ApiAccount) })),
  /** A new account; the answer holds its key in clear, this once (the server keeps its hash). */
  'admin.apiAccounts.create': spec(ApiAccountCreateInput, ApiAccountCreated),
  /** Revoke an account: its key is refused from then on. */
  'admin.apiAccounts.revoke': spec(ApiAccountRevokeInput, z.object({ account: ApiAccount })),

  /**
   * The citizens' rights (RGPD), for the DPO only, on the central server; without a server,
   * or offline, refused with `server_unavailable`. Search terms are never logged.
   */
  'privacy.search': spec(CitizenSearchInput, CitizenSearchReply),
  /**
   * A citizen's requests by their exact e-mail or phone (supervisors, DPO; asked of the server,
   * which logs each citizen shown): their requests this console holds, and how many it does not.
   */
  'privacy.lookup': spec(
    z.object({ q: CitizenLookupRequest.shape.q }).strict(),
    z.object({
      kind: z.enum(['email', 'phone']),
      matches: z.array(
        z.object({
          citizenId: Id,
          name: z.string(),
          requests: z.array(RequestDetail),
          /** Their requests the agent may see that this console has not synced yet. */
          notCached: z.number().int().nonnegative(),
        }),
      ),
    }),
  ),
  /** A citizen's file: details, requests with comments and history, latest accesses (logged `dpo_view`). */
  'privacy.file': spec(ById, CitizenFile),
  /** The subject access export (art. 15); logged, with an `exported` event on each request. */
  'privacy.export': spec(ById, SubjectAccessExport),
  /** Rectify a citizen's details (art. 16); each request's history says which fields, never the values. */
  'privacy.rectify': spec(PrivacyRectifyInput, RectifyReply),
  /** Erase a citizen (art. 17): requests under a legal hold keep them and are listed. */
  'privacy.erase': spec(PrivacyEraseInput, ErasureResult),
  /** Set (a reason) or lift (null) a request's legal hold. */
  'privacy.legalHold': spec(PrivacyLegalHoldInput, LegalHoldReply),
  /** The access log, newest first, one keyset page at a time. */
  'privacy.accessLog': spec(AccessLogQuery, AccessLogPage),
  /**
   * What the server's next retention run would do, per category (a dry run: nothing
   * changes), with the authority's policy this console holds from the server (its run time
   * and defaults, to say when and whether a category follows them). A server without the
   * route says it must be updated (`server_unavailable`, details `{ outdated: true }`).
   */
  'privacy.retentionPreview': spec(Empty, RetentionPreview),

  /**
   * The Settings screen (any role): every configuration key, its effective value (secrets
   * masked), the layer that set it and whether IT locked it; the files' paths for admins.
   */
  'settings.effective': spec(Empty, EffectiveSettings),
  /** Save preferences to the user's configuration file; refused for a key IT locked. */
  'settings.savePreferences': spec(Preferences.partial().strict(), EffectiveSettings),
  /** « Exporter un diagnostic » (any role): versions, configuration, logs, cache counts; no citizen. */
  'support.diagnostic': spec(Empty, DiagnosticFile),
} as const

export type Contract = typeof contract
export type ChannelName = keyof Contract
export const CHANNEL_NAMES = Object.keys(contract) as ChannelName[]
export type InputOf<C extends ChannelName> = z.input<Contract[C]['input']>
export type ParsedInputOf<C extends ChannelName> = z.output<Contract[C]['input']>
export type OutputOf<C extends ChannelName> = z.output<Contract[C]['output']>

/** Events the core pushes to the renderer (`window.grc.on(event, cb)`). */
export const EVENTS = {
  /** Requests changed in the cache (by this agent, or by sync). */
  'requests.changed': z.object({ ids: z.array(Id) }),
  'session.changed': z.object({ session: SessionInfo.nullable() }),
  'sync.changed': SyncStatus,
  /** Teams, categories, agents or workflows changed (pulled from the server). */
  'reference.changed': z.object({}),
  /**
   * A request's photos and documents changed on this console: added, removed, sent to the
   * server or refused by it. What the feed brings comes as `requests.changed` (with history).
   */
  'attachments.changed': z.object({ ids: z.array(Id) }),
  /** Tours saved or deleted here or pulled from the server. */
  'tours.changed': z.object({ ids: z.array(Id) }),
  /** Where the console's update stands changed (a newer version found, downloaded). */
  'update.changed': UpdateStatus,
  /** The agent's notifications changed (a new one, or read elsewhere). */
  'notifications.changed': z.object({}),
  /** Who else is on a request changed (someone opened, edited or left it). */
  'presence.changed': z.object({ requestId: Id }),
} as const
export type EventName = keyof typeof EVENTS
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[]
export type EventPayload<E extends EventName> = z.output<(typeof EVENTS)[E]>

export const isChannelName = (name: unknown): name is ChannelName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name)
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, name)

/** The API the preload exposes as `window.grc` and the web bridge client mimics. */
export interface GrcBridge {
  invoke<C extends ChannelName>(
    channel: C,
    input: InputOf<C>,
  ): Promise<import('./result').Result<OutputOf<C>>>
  on<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): () => void
}
