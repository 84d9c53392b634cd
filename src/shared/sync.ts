/**
 * The sync protocol between a console and the central server, as zod schemas: the server
 * validates what it receives with them, the console validates what it receives with them,
 * and the server's OpenAPI document is generated from them. Times are epoch milliseconds.
 */
import { z } from 'zod'
import {
  AgentSummary,
  Category,
  Channel,
  Citizen,
  Comment,
  CommentKind,
  HISTORY_KINDS,
  HistoryKind,
  Id,
  IntakeCitizen,
  IsoDateTime,
  LIMITS,
  Point,
  Priority,
  StatusKind,
  Team,
} from './domain'
import { RoutingRule, Sector } from './routing'
import { SavedTour, TOUR_MAX_STOPS, TourSavePayload } from './savedTour'
import { TransitionField } from './workflow'
import { CitizenRef, PrivacyPolicy } from './privacy'
import { ATTACHMENT_LIMITS, AttachmentMeta } from './attachments'
import { WorkCapacity } from './capacity'
import { Tag, TAG_LIMITS, TagChange } from './tags'

export const SYNC_LIMITS = {
  /** Mutations per push. */
  mutationsPerBatch: 100,
  /** Changes per pull page. */
  changesPerPage: 1000,
  /** Requests per details batch (comments and history after a light first download). */
  detailsPerBatch: 500,
  /** A reply bigger than this is refused before parsing (a broken or hostile server). */
  maxReplyBytes: 64 * 1024 * 1024,
} as const

const EpochMs = z.number().int().nonnegative()

/** A request with every column, as the server holds it (no personal data: see `citizen`). */
export const RequestRecord = z.object({
  id: Id,
  reference: z.string().min(1).max(64),
  title: z.string().max(LIMITS.title),
  categoryId: Id,
  subcategory: z.string().max(100).nullable(),
  channel: Channel,
  status: z.string().min(1).max(64),
  statusKind: StatusKind,
  priority: Priority,
  teamId: Id,
  assigneeId: Id.nullable(),
  description: z.string().max(LIMITS.description),
  address: z.string().max(300).nullable(),
  lat: z.number().min(-90).max(90).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
  citizenId: Id.nullable(),
  fields: z.record(z.string(), z.string().max(LIMITS.fieldText)),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  dueAt: EpochMs.nullable(),
  closedAt: EpochMs.nullable(),
  slaPausedMs: EpochMs,
  slaPausedSince: EpochMs.nullable(),
  version: z.number().int().nonnegative(),
  /** Labels agents put on it (src/shared/tags.ts); absent from older servers: none. */
  tags: z.array(Tag).max(TAG_LIMITS.perRequest).optional(),
})
export type RequestRecord = z.infer<typeof RequestRecord>

/** A history event as the server recorded it; `mutationId` links it to the console change that made it. */
export const ServerHistoryEvent = z.object({
  serverId: z.number().int().positive(),
  kind: HistoryKind,
  at: EpochMs,
  actorId: Id.nullable(),
  actorName: z.string().max(200).nullable(),
  data: z.record(z.string(), z.unknown()),
  mutationId: Id.nullable(),
})
export type ServerHistoryEvent = z.infer<typeof ServerHistoryEvent>

/**
 * Everything a console caches about one request. `citizen` only for the roles that need it
 * (servers that deliver contact details on demand always send null); `citizenRef`, the
 * citizen's id and name, for the same roles (queue search), from those servers on.
 */
export const RequestEntity = z.object({
  request: RequestRecord,
  citizen: Citizen.nullable(),
  citizenRef: CitizenRef.nullable().optional(),
  comments: z.array(Comment).max(10_000),
  history: z.array(ServerHistoryEvent).max(10_000),
  /** Photos and documents, as metadata (src/shared/attachments.ts); absent from older servers. */
  attachments: z.array(AttachmentMeta).max(ATTACHMENT_LIMITS.perRequest).optional(),
})
export type RequestEntity = z.infer<typeof RequestEntity>

export const WorkflowDocument = z.object({ id: Id, version: z.number().int(), definition: z.unknown() })

/** The authority's reference data, sent whole when any of it changes (it is small). */
export const ReferenceBundle = z.object({
  teams: z.array(Team),
  categories: z.array(Category),
  agents: z.array(AgentSummary),
  sectors: z.array(Sector),
  routingRules: z.array(RoutingRule),
  workflows: z.array(WorkflowDocument),
  /** The server's privacy settings (who reads citizens, retention, access log); absent from older servers. */
  privacy: PrivacyPolicy.optional(),
  /** People's weekly hours and absences for the dispatch board (issue 15); absent from older servers. */
  capacity: z.array(WorkCapacity).max(10_000).optional(),
})
export type ReferenceBundle = z.infer<typeof ReferenceBundle>

export const Change = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('request'),
    seq: z.number().int(),
    entity: RequestEntity,
    /** Sent without comments and history (a first download asked for `light`): fetch them from /requests/details. */
    partial: z.boolean().default(false),
  }),
  /** The request left this agent's sight: deleted, erased, or moved to a team they are not in. */
  z.object({
    type: z.literal('request_removed'),
    seq: z.number().int(),
    id: Id,
    reason: z.enum(['deleted', 'out_of_scope']),
  }),
  /**
   * A citizen was erased (RGPD art. 17): the console forgets them and scrubs what it holds of
   * the listed requests (those this session may see); their anonymised copies follow as
   * `request` changes with higher sequence numbers.
   */
  z.object({
    type: z.literal('citizen_erased'),
    seq: z.number().int(),
    citizenId: Id,
    erasedAt: EpochMs,
    requestIds: z.array(Id).max(10_000),
  }),
  z.object({ type: z.literal('reference'), seq: z.number().int(), reference: ReferenceBundle }),
  z.object({ type: z.literal('tour'), seq: z.number().int(), tour: SavedTour }),
  /** The tour was deleted, or left the agent's teams. */
  z.object({ type: z.literal('tour_removed'), seq: z.number().int(), id: Id }),
])
export type Change = z.infer<typeof Change>

export const ChangesReply = z.object({
  changes: z.array(Change).max(SYNC_LIMITS.changesPerPage),
  /** Give it back as `since` to read on; unchanged when nothing was new. */
  nextCursor: z.string().max(64),
  hasMore: z.boolean(),
  /** How many changes remain after this page (for the progress bar). */
  remaining: z.number().int().nonnegative(),
})
export type ChangesReply = z.infer<typeof ChangesReply>

const KNOWN_CHANGES = new Set<unknown>(Change.options.map((o) => o.shape.type.value))
const KNOWN_HISTORY = new Set<unknown>(HISTORY_KINDS)

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/**
 * History events of a kind this console does not know (a newer server's: a new notice, a new
 * kind of attachment event) are left out of what it keeps, instead of refusing the whole
 * request with them: an older console keeps syncing, and shows what it can word.
 */
function withKnownHistory<T>(holder: T): T {
  if (!isObject(holder) || !Array.isArray(holder.history)) return holder
  return {
    ...holder,
    history: holder.history.filter((e) => isObject(e) && KNOWN_HISTORY.has(e.kind)),
  }
}

/**
 * The feed as a console reads it: changes of a kind this console does not know (a feature
 * of a newer server) are passed over, so an older console keeps syncing what it knows
 * instead of stalling on the page that holds them.
 */
export const ChangesReplyFromServer = z.preprocess((raw) => {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { changes?: unknown }).changes))
    return raw
  const changes = (raw as { changes: unknown[] }).changes
    .filter((c) => isObject(c) && KNOWN_CHANGES.has(c.type))
    .map((c) => (isObject(c) && c.type === 'request' ? { ...c, entity: withKnownHistory(c.entity) } : c))
  return { ...raw, changes }
}, ChangesReply)

export const DetailsRequest = z.object({ ids: z.array(Id).min(1).max(SYNC_LIMITS.detailsPerBatch) }).strict()
export type DetailsRequest = z.infer<typeof DetailsRequest>

/** Comments and history of requests first sent `partial`; ids the agent may not see are left out. */
export const DetailsReply = z.object({
  details: z.array(
    z.object({
      id: Id,
      comments: z.array(Comment).max(10_000),
      history: z.array(ServerHistoryEvent).max(10_000),
    }),
  ),
})
export type DetailsReply = z.infer<typeof DetailsReply>

/** Request fields an agent edits directly (everything else moves through the workflow or assignment). */
export const RequestPatch = z
  .object({
    title: z.string().trim().min(1).max(LIMITS.title),
    description: z.string().max(LIMITS.description),
    priority: Priority,
    address: z.string().max(300).nullable(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'a patch changes at least one field')
export type RequestPatch = z.infer<typeof RequestPatch>

export const CreateRequestInput = z
  .object({
    categoryId: Id,
    subcategory: z.string().max(100).nullable().default(null),
    channel: Channel,
    title: z.string().trim().min(1).max(LIMITS.title),
    description: z
      .string()
      .max(LIMITS.description, `a description is limited to ${LIMITS.description} characters`),
    priority: Priority.default('normal'),
    address: z.string().max(300).nullable().default(null),
    location: Point.nullable().default(null),
    /** The citizen who asked (only for `privacy.citizenDataRoles`); travels to the server once, with the request. */
    citizen: IntakeCitizen.nullable().default(null),
  })
  .strict()
export type CreateRequestInput = z.output<typeof CreateRequestInput>

const MutationBase = z.object({
  /** Client-generated: the server applies a mutation id at most once. */
  mutationId: Id,
  clientId: Id,
  entityId: Id,
  /** The server version of the request the agent's change was made on. */
  baseVersion: z.number().int().nonnegative(),
  createdAt: EpochMs,
})

export const Mutation = z.discriminatedUnion('op', [
  MutationBase.extend({ op: z.literal('create'), payload: CreateRequestInput }),
  MutationBase.extend({
    op: z.literal('transition'),
    payload: z
      .object({
        transitionId: z.string().min(1).max(64),
        fields: z.partialRecord(TransitionField, z.string().max(LIMITS.fieldText)).default({}),
      })
      .strict(),
  }),
  MutationBase.extend({ op: z.literal('assign'), payload: z.object({ assigneeId: Id.nullable() }).strict() }),
  MutationBase.extend({
    op: z.literal('comment'),
    payload: z
      .object({ commentId: Id, kind: CommentKind, body: z.string().trim().min(1).max(LIMITS.comment) })
      .strict(),
  }),
  MutationBase.extend({ op: z.literal('update'), payload: RequestPatch }),
  /** Tags added and removed: applied to the tags the request has then, so it never conflicts. */
  MutationBase.extend({ op: z.literal('tag'), payload: TagChange }),
  /**
   * A tour saved whole (`entityId` is the tour's id), with its stops assigned to the
   * technician when `assignStops`: all of it or nothing. Refused when another console saved
   * or deleted the tour after `baseVersion`.
   */
  MutationBase.extend({ op: z.literal('tour_save'), payload: TourSavePayload }),
  MutationBase.extend({ op: z.literal('tour_delete'), payload: z.object({}).strict() }),
  /**
   * Merge a duplicate into this request (`entityId`, the master): its comments and files
   * carried over, its citizen told through the master (src/core/requests/merge.ts). Refused
   * when the duplicate changed after `duplicateVersion` by another agent or console.
   */
  MutationBase.extend({
    op: z.literal('merge'),
    payload: z.object({ duplicateId: Id, duplicateVersion: z.number().int().nonnegative() }).strict(),
  }),
])

/** The ops that change a tour rather than a request. */
export const TOUR_OPS = ['tour_save', 'tour_delete'] as const
export const isTourOp = (op: string): op is (typeof TOUR_OPS)[number] =>
  (TOUR_OPS as readonly string[]).includes(op)
export type Mutation = z.infer<typeof Mutation>

export const MutationBatch = z.object({
  mutations: z.array(Mutation).min(1).max(SYNC_LIMITS.mutationsPerBatch),
})

/** One field another agent changed since the version a console's change was made on. */
export const FieldChange = z.object({
  field: z.string(),
  value: z.unknown(),
  actorName: z.string().nullable(),
  at: EpochMs,
  version: z.number().int(),
})
export type FieldChange = z.infer<typeof FieldChange>

export const MutationResult = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('applied'),
    mutationId: Id,
    version: z.number().int(),
    /** Null when the request left the agent's sight (routed to another team), and for tour ops. */
    entity: RequestEntity.nullable(),
    /** Tour ops: the server's copy after the change (null once deleted). */
    tour: SavedTour.nullable().optional(),
    /** Tour saves: the server's copy of each stop the agent sees (their assignment applied or not). */
    stops: z.array(RequestEntity).max(TOUR_MAX_STOPS).optional(),
  }),
  /** Another agent changed the same fields since `baseVersion`: nothing was applied. */
  z.object({
    status: z.literal('conflict'),
    mutationId: Id,
    entity: RequestEntity,
    theirs: z.array(FieldChange),
  }),
  /** Refused for good (role, workflow guard, unknown request): the reason in words. */
  z.object({
    status: z.literal('rejected'),
    mutationId: Id,
    code: z.string(),
    reason: z.string(),
    entity: RequestEntity.nullable(),
    /** Tour ops: the server's copy, which the console takes back (null: none on the server). */
    tour: SavedTour.nullable().optional(),
    stops: z.array(RequestEntity).max(TOUR_MAX_STOPS).optional(),
  }),
])
export type MutationResult = z.infer<typeof MutationResult>

export const MutationsReply = z.object({ results: z.array(MutationResult) })
export type MutationsReply = z.infer<typeof MutationsReply>

/** Details as a console reads them: history events of unknown kinds left out (see withKnownHistory). */
export const DetailsReplyFromServer = z.preprocess(
  (raw) =>
    isObject(raw) && Array.isArray(raw.details)
      ? { ...raw, details: raw.details.map(withKnownHistory) }
      : raw,
  DetailsReply,
)

/** Mutation results as a console reads them: the entities' (and tour stops') unknown history kinds left out. */
export const MutationsReplyFromServer = z.preprocess((raw) => {
  if (!isObject(raw) || !Array.isArray(raw.results)) return raw
  const results = raw.results.map((r) =>
    isObject(r)
      ? {
          ...r,
          ...('entity' in r ? { entity: withKnownHistory(r.entity) } : {}),
          ...(Array.isArray(r.stops) ? { stops: r.stops.map(withKnownHistory) } : {}),
        }
      : r,
  )
  return { ...raw, results }
}, MutationsReply)

export const TokenRequest = z.discriminatedUnion('grantType', [
  z
    .object({
      grantType: z.literal('password'),
      login: z.string().min(1).max(256),
      password: z.string().min(1).max(1024),
      clientId: Id,
    })
    .strict(),
  z
    .object({ grantType: z.literal('refresh_token'), refreshToken: z.string().min(1).max(512), clientId: Id })
    .strict(),
])
export type TokenRequest = z.infer<typeof TokenRequest>

export const TokenReply = z.object({
  accessToken: z.string().min(1).max(4096),
  /** Seconds. */
  expiresIn: z.number().int().positive(),
  refreshToken: z.string().min(1).max(512),
  agent: AgentSummary,
})
export type TokenReply = z.infer<typeof TokenReply>

export const ApiErrorReply = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

/** What the console shows of its sync: the top bar, the progress bar, the errors in words. */
export const SyncStatus = z.object({
  /** False when no server is configured: the console works on its local cache alone. */
  configured: z.boolean(),
  state: z.enum(['disabled', 'idle', 'syncing', 'offline', 'auth_required', 'error']),
  pending: z.number().int().nonnegative(),
  conflicts: z.number().int().nonnegative(),
  lastSyncAt: IsoDateTime.nullable(),
  /** The last failure, in words an agent understands. */
  lastError: z.string().nullable(),
  /**
   * The first download, while it runs: from the change feed, the requests (the queue is
   * usable once they are in), then their comments and history (`details`); or in chunks of
   * a snapshot, everything at once (`snapshot`, with the bytes received and the time left),
   * then the cache's indexes built (`indexing`).
   */
  initial: z
    .object({
      done: z.number().int(),
      total: z.number().int(),
      phase: z.enum(['requests', 'details', 'snapshot', 'indexing']).optional(),
      /** Bytes received (compressed), in a snapshot. */
      bytes: z.number().int().nonnegative().optional(),
      /** Seconds left at the pace so far; null until it can be told. */
      etaSeconds: z.number().int().nonnegative().nullable().optional(),
    })
    .nullable(),
})
export type SyncStatus = z.infer<typeof SyncStatus>

/** One field of a conflict: what the agent wanted beside what the server holds. */
export const ConflictField = z.object({
  field: z.string(),
  mine: z.unknown(),
  theirs: z.unknown(),
  theirActor: z.string().nullable(),
  theirAt: IsoDateTime.nullable(),
})
export type ConflictField = z.infer<typeof ConflictField>

export const Conflict = z.object({
  id: Id,
  requestId: Id,
  reference: z.string(),
  title: z.string(),
  op: z.enum([
    'create',
    'transition',
    'assign',
    'comment',
    'update',
    'tour_save',
    'tour_delete',
    'merge',
    'tag',
  ]),
  /** When the agent made the change. */
  madeAt: IsoDateTime,
  /** When the server answered that it conflicts. */
  detectedAt: IsoDateTime,
  fields: z.array(ConflictField),
  /** Per-field choice is possible (an edit of several fields); otherwise mine or theirs. */
  mergeable: z.boolean(),
  /** `rejected`: the server refused the change for good (`reason` says why); it can only be dismissed. */
  kind: z.enum(['conflict', 'rejected']),
  reason: z.string().nullable(),
})
export type Conflict = z.infer<typeof Conflict>
