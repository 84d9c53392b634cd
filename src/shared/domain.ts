/**
 * The domain's vocabulary (DOMAIN.md glossary) as zod schemas and their types.
 * Pure TypeScript: imported by main, preload, renderer and server alike.
 */
import { z } from 'zod'

export const ROLES = ['agent', 'lead', 'technician', 'supervisor', 'dpo', 'admin'] as const
export const Role = z.enum(ROLES)
export type Role = z.infer<typeof Role>

/** `api`: sent by a partner's system through the partner API (an API account, not a citizen). */
export const CHANNELS = ['portal', 'phone', 'counter', 'email', 'mobile', 'open311', 'api'] as const
export const Channel = z.enum(CHANNELS)
export type Channel = z.infer<typeof Channel>

/** Ordered from least to most urgent: the order is used for sorting. */
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const
export const Priority = z.enum(PRIORITIES)
export type Priority = z.infer<typeof Priority>

export const Id = z.string().min(1).max(64)
export const IsoDateTime = z.string().datetime({ offset: true })

/** Caps that keep one bad input from filling the cache or the outbox. */
export const LIMITS = {
  description: 4000,
  title: 200,
  comment: 10_000,
  fieldText: 2000,
  searchText: 200,
  pageSize: 500,
} as const

export const LocalizedText = z.object({ fr: z.string().min(1), en: z.string().min(1) })
export type LocalizedText = z.infer<typeof LocalizedText>

export const Point = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
})
export type Point = z.infer<typeof Point>

export const Team = z.object({ id: Id, code: z.string(), name: z.string() })
export type Team = z.infer<typeof Team>

/** Months after a request's closing (RGPD art. 5(1)(e)): at most a century. */
export const RetentionMonths = z.number().int().min(1).max(1200)

/**
 * What happens to a closed request's personal data, and when: anonymised, then deleted,
 * each so many months after closing; null: never. Re-exported by src/shared/privacy.ts
 * (defined here because a category carries its own).
 */
export const RetentionRule = z
  .object({
    anonymiseAfterClosedMonths: RetentionMonths.nullable(),
    deleteAfterClosedMonths: RetentionMonths.nullable(),
  })
  .strict()
  .refine(
    (r) =>
      r.anonymiseAfterClosedMonths === null ||
      r.deleteAfterClosedMonths === null ||
      r.deleteAfterClosedMonths >= r.anonymiseAfterClosedMonths,
    {
      message: 'deleteAfterClosedMonths comes after anonymiseAfterClosedMonths',
      path: ['deleteAfterClosedMonths'],
    },
  )
export type RetentionRule = z.infer<typeof RetentionRule>

/** A category's own retention: each field it sets replaces the authority's default. */
export const CategoryRetention = z
  .object({
    anonymiseAfterClosedMonths: RetentionMonths.nullable(),
    deleteAfterClosedMonths: RetentionMonths.nullable(),
  })
  .partial()
  .strict()
export type CategoryRetention = z.infer<typeof CategoryRetention>

/** A category's likely-duplicate search (issue 14): a request farther or older than this is not proposed. */
export const CategoryDuplicates = z
  .object({
    radiusM: z.number().int().min(1).max(5000),
    windowDays: z.number().int().min(1).max(365),
  })
  .strict()
export type CategoryDuplicates = z.infer<typeof CategoryDuplicates>

export const Category = z.object({
  id: Id,
  code: z.string(),
  name: LocalizedText,
  workflowId: Id,
  defaultTeamId: Id,
  /** SLA: due time counted in business hours from creation. */
  slaBusinessHours: z.number().int().positive(),
  requiresLocation: z.boolean(),
  subcategories: z.array(z.string()),
  /** Retention for this category's requests; absent: the authority's defaults (`privacy.retention`). */
  retention: CategoryRetention.optional(),
  /** How near and how recent a request must be to count as a likely duplicate; absent: 50 m, 30 days. */
  duplicates: CategoryDuplicates.optional(),
})
export type Category = z.infer<typeof Category>

export const AgentSummary = z.object({
  id: Id,
  login: z.string(),
  displayName: z.string(),
  roles: z.array(Role),
  teamIds: z.array(Id),
})
export type AgentSummary = z.infer<typeof AgentSummary>

export const StatusKind = z.enum(['open', 'closed'])
export type StatusKind = z.infer<typeof StatusKind>

/** One row of the queue: what the list needs, nothing personal. */
export const RequestSummary = z.object({
  id: Id,
  reference: z.string(),
  title: z.string(),
  categoryId: Id,
  status: z.string(),
  statusKind: StatusKind,
  priority: Priority,
  teamId: Id,
  assigneeId: Id.nullable(),
  address: z.string().nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  dueAt: IsoDateTime.nullable(),
  /** Its tags as typed (src/shared/tags.ts); absent: none. */
  tags: z.array(z.string()).optional(),
})
export type RequestSummary = z.infer<typeof RequestSummary>

/**
 * What the screen offers on one request. The core computes it with the checks its writes
 * make (src/core/authz/actions.ts), so a control is shown exactly when its write would pass.
 * « Confier à l'agent assigné » is a workflow transition: its own availability is in
 * `TransitionAvailability`; `changeStatus` says whether any transition is possible at all.
 */
export const REQUEST_ACTIONS = [
  'edit',
  'commentInternal',
  'commentPublic',
  'assign',
  'changeStatus',
  'readCitizen',
] as const
export const RequestActionName = z.enum(REQUEST_ACTIONS)
export type RequestActionName = z.infer<typeof RequestActionName>

/**
 * One action's answer. Refused: `role`, never for this role (the control is absent);
 * `state`, not on this request as it is now (the control may show disabled, with the reason).
 * `reason`: the core's sentence, in French (the write says the same when refused).
 */
export const ActionAvailability = z.object({
  allowed: z.boolean(),
  refusal: z.enum(['role', 'state']).optional(),
  reason: z.string().optional(),
})
export type ActionAvailability = z.infer<typeof ActionAvailability>

export const RequestActions = z.record(RequestActionName, ActionAvailability)
export type RequestActions = z.infer<typeof RequestActions>

export const RequestDetail = RequestSummary.extend({
  subcategory: z.string().nullable(),
  channel: Channel,
  description: z.string(),
  location: Point.nullable(),
  hasCitizen: z.boolean(),
  closedAt: IsoDateTime.nullable(),
  /** Fields filled by transitions (reason, resolution note…), by field name. */
  fields: z.record(z.string(), z.string()),
  /** Milliseconds of SLA clock already consumed while paused states are excluded. */
  slaPausedMs: z.number().int().nonnegative(),
  version: z.number().int().nonnegative(),
  /**
   * What the session may do on it: on a request opened for the detail pane (`request.get`)
   * and in the answer of each change to it; absent from lists of details (map, tours).
   */
  actions: RequestActions.optional(),
})
export type RequestDetail = z.infer<typeof RequestDetail>

/**
 * How the citizen wants to hear back: `phone` is a text message (SMS) to their phone number,
 * `none` not at all (they will call or come back).
 */
export const CONTACT_PREFERENCES = ['email', 'phone', 'post', 'none'] as const
export const ContactPreference = z.enum(CONTACT_PREFERENCES)
export type ContactPreference = z.infer<typeof ContactPreference>

export const Citizen = z.object({
  id: Id,
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  postalAddress: z.string().nullable(),
  contactPreference: ContactPreference,
})
export type Citizen = z.infer<typeof Citizen>

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .default(null)

/**
 * A citizen recorded at intake (phone, counter): who they are, how they want to hear back,
 * and when they agreed to it. The contact they chose must be given, and any preference other
 * than `none` needs their consent (RGPD art. 6-1-a), dated. `id`: the console's, so the
 * server and the console name them alike; absent, the server picks one.
 */
export const NewCitizen = z
  .object({
    id: Id.optional(),
    name: z.string().trim().min(1, 'le nom de l’usager est requis').max(200),
    email: optionalText(254).refine((v) => v === null || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), {
      message: 'adresse e-mail invalide',
    }),
    phone: optionalText(30).refine((v) => v === null || /^\+?[0-9 .()-]{6,30}$/.test(v), {
      message: 'numéro de téléphone invalide',
    }),
    postalAddress: optionalText(300),
    contactPreference: ContactPreference,
    /** When the citizen agreed to be contacted that way; null: not asked, or refused. */
    consentAt: IsoDateTime.nullable(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const needs = { email: 'email', phone: 'phone', post: 'postalAddress', none: null } as const
    const field = needs[c.contactPreference]
    if (field && c[field] === null)
      ctx.addIssue({ code: 'custom', path: [field], message: 'requis pour ce mode de contact' })
    if (c.contactPreference !== 'none' && c.consentAt === null)
      ctx.addIssue({ code: 'custom', path: ['consentAt'], message: 'le consentement de l’usager est requis' })
  })
export type NewCitizen = z.output<typeof NewCitizen>

/** The citizen of a new request: one already known (by id), or one recorded now. */
export const IntakeCitizen = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('existing'), id: Id }).strict(),
  z.object({ kind: z.literal('new'), citizen: NewCitizen }).strict(),
])
export type IntakeCitizen = z.output<typeof IntakeCitizen>

export const HISTORY_KINDS = [
  'created',
  'routed',
  'transitioned',
  'assigned',
  'commented',
  'merged',
  'viewed_personal_data',
  'exported',
  'anonymised',
  /** Title, description, priority or address edited. */
  'edited',
  /** The server could not apply an agent's change; it waits in their conflict inbox. */
  'sync_conflict',
  /** A notice reached the citizen's mail server or SMS provider (`data`: channel, noticeId, attempt). */
  'notice_sent',
  /** A sending failed (`data.reason`); `data.retryAt` when it will be tried again, else given up. */
  'notice_failed',
  /** The address or number was refused for good (`data.reason`): the citizen is not reached. */
  'notice_bounced',
  /** The master this duplicate is linked to was resolved (`data`: masterId, masterReference, masterStatus). */
  'master_resolved',
  /** A photo or document was attached (`data`: attachmentId, name, mime, source). */
  'attachment_added',
  /** An attachment was removed (`data`: attachmentId, name; `reason` when retention or erasure did it). */
  'attachment_removed',
  /** A citizen's photo (Open311 `media_url`) could not be attached (`data.reason`: too_large, unsupported_type…). */
  'attachment_refused',
  /** Tags were put on or taken off (`data`: added, removed, as typed). */
  'tagged',
] as const
export const HistoryKind = z.enum(HISTORY_KINDS)
export type HistoryKind = z.infer<typeof HistoryKind>

export const HistoryEvent = z.object({
  id: z.number().int(),
  requestId: Id,
  kind: HistoryKind,
  at: IsoDateTime,
  actorId: Id.nullable(),
  actorName: z.string().nullable(),
  /** Kind-specific details: from/to status, transition id, assignee, rule id… */
  data: z.record(z.string(), z.unknown()),
  /**
   * A change made on this console that the server has not applied (absent once it has):
   * waiting to be sent, in the conflict inbox, refused (with the server's reason), or
   * dropped when its conflict was settled.
   */
  sync: z
    .object({
      state: z.enum(['pending', 'conflict', 'rejected', 'dropped']),
      reason: z.string().nullable(),
    })
    .optional(),
})
export type HistoryEvent = z.infer<typeof HistoryEvent>

export const CommentKind = z.enum(['internal', 'public'])
export type CommentKind = z.infer<typeof CommentKind>

export const Comment = z.object({
  id: Id,
  requestId: Id,
  kind: CommentKind,
  body: z.string(),
  authorId: Id.nullable(),
  authorName: z.string().nullable(),
  createdAt: IsoDateTime,
})
export type Comment = z.infer<typeof Comment>

/** Why a transition cannot be fired now; the renderer turns the code into words. */
export const BlockedReason = z.discriminatedUnion('code', [
  z.object({ code: z.literal('role'), roles: z.array(Role) }),
  z.object({ code: z.literal('team'), teamId: Id }),
  z.object({ code: z.literal('wrong_state'), from: z.array(z.string()), current: z.string() }),
  z.object({ code: z.literal('missing_field'), field: z.string() }),
  z.object({ code: z.literal('guard'), guard: z.string() }),
])
export type BlockedReason = z.infer<typeof BlockedReason>

export const TransitionOption = z.object({
  id: z.string(),
  label: LocalizedText,
  to: z.string(),
  /** Fields the agent must fill when firing it (e.g. `reason`, `resolutionNote`). */
  requires: z.array(z.string()),
})
export type TransitionOption = z.infer<typeof TransitionOption>

export const TransitionAvailability = z.object({
  allowed: z.array(TransitionOption),
  blocked: z.array(TransitionOption.extend({ reasons: z.array(BlockedReason).min(1) })),
})
export type TransitionAvailability = z.infer<typeof TransitionAvailability>

export const StatusInfo = z.object({
  id: z.string(),
  label: LocalizedText,
  kind: StatusKind,
})
export type StatusInfo = z.infer<typeof StatusInfo>
