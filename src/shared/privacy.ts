/**
 * The citizen's data lifecycle (RGPD, issue 12): contact details delivered on demand and
 * logged with a purpose, the access log, the DPO's rights screen (search, file, export,
 * rectification, erasure, legal hold) and retention. The same schemas serve the server's
 * routes (validated by the console's transport) and the console's contract: dates are ISO
 * strings here, epoch milliseconds stay inside the sync feed (src/shared/sync.ts).
 *
 * Inputs are `.strict()` and bounded; nothing in this file carries a search term into a
 * log, and the access log holds ids, never names.
 */
import { z } from 'zod'
import {
  Channel,
  Citizen,
  CommentKind,
  HistoryKind,
  Id,
  IsoDateTime,
  Point,
  Role,
  RetentionMonths,
  RetentionRule,
  StatusKind,
} from './domain'

export { RetentionMonths, RetentionRule, CategoryRetention } from './domain'

export const PRIVACY_LIMITS = {
  name: 300,
  email: 254,
  phone: 40,
  postalAddress: 300,
  /** Why the DPO rectified, erased or held: never the citizen's identity (the UI says so). */
  reason: 500,
  searchText: 200,
  searchResults: 50,
  accessLogPage: 500,
  /** Offline reads uploaded per call. */
  uploadEntries: 500,
  /** A workstation's host name as the console reports it. */
  workstation: 255,
  /** Requests of one citizen in a file or an export. */
  requests: 10_000,
  /** Comments, history events or accesses listed for one request or citizen. */
  items: 10_000,
} as const

// --- contact details on demand -------------------------------------------------------------

/** Why an agent asks for a citizen's contact details: logged with every delivery. */
export const CONTACT_PURPOSES = ['callback', 'intervention', 'written_reply', 'identity_check'] as const
export const ContactPurpose = z.enum(CONTACT_PURPOSES)
export type ContactPurpose = z.infer<typeof ContactPurpose>

/** What a request carries of its citizen in the feed: who, not how to reach them. */
export const CitizenRef = z.object({ id: Id, name: z.string().max(PRIVACY_LIMITS.name) })
export type CitizenRef = z.infer<typeof CitizenRef>

/** Contact details as delivered for one purpose; `offline`: read from this console's cache, logged locally. */
export const CitizenContact = Citizen.extend({
  purpose: ContactPurpose,
  deliveredAt: IsoDateTime,
  offline: z.boolean(),
})
export type CitizenContact = z.infer<typeof CitizenContact>

/** Body of `POST /api/v1/requests/{id}/citizen-contact` (a POST: every delivery is logged). */
export const CitizenContactRequest = z
  .object({
    purpose: ContactPurpose,
    /** The console's id in the protocol: the access log's workstation id. */
    clientId: Id,
    /** The workstation's host name (`os.hostname()`), for the DPO's reading of the log. */
    workstation: z.string().max(PRIVACY_LIMITS.workstation).optional(),
  })
  .strict()
export type CitizenContactRequest = z.infer<typeof CitizenContactRequest>

// --- the access log --------------------------------------------------------------------------

export const ACCESS_ACTIONS = [
  'contact_delivered',
  'contact_read_offline',
  'contact_read_local',
  'dpo_view',
  'export',
  'rectify',
  'erase',
  'legal_hold',
  /** A supervisor or the DPO found the citizen by their exact e-mail or phone (the term is never kept). */
  'citizen_lookup',
] as const
export const AccessAction = z.enum(ACCESS_ACTIONS)
export type AccessAction = z.infer<typeof AccessAction>

/** One access to a citizen's data, as the DPO reads it (the only reader). */
export const AccessLogEntry = z.object({
  id: Id,
  /** When the data was shown (offline reads: on the workstation's clock). */
  at: IsoDateTime,
  /** When the server wrote it down (later than `at` for an offline read). */
  recordedAt: IsoDateTime,
  agentId: Id,
  agentName: z.string().max(200).nullable(),
  requestId: Id.nullable(),
  /** The request's reference, when it still exists. */
  requestReference: z.string().max(64).nullable(),
  citizenId: Id,
  action: AccessAction,
  purpose: ContactPurpose.nullable(),
  clientId: Id.nullable(),
  workstation: z.string().max(PRIVACY_LIMITS.workstation).nullable(),
  source: z.enum(['server', 'console']),
})
export type AccessLogEntry = z.infer<typeof AccessLogEntry>

/** One read made offline on a console, uploaded once the server is back (idempotent by `id`). */
export const OfflineAccess = z
  .object({
    /** Made by the console: uploading the same entry twice records it once. */
    id: Id,
    at: IsoDateTime,
    requestId: Id,
    citizenId: Id,
    purpose: ContactPurpose.nullable(),
    clientId: Id,
    action: z.enum(['contact_read_offline', 'contact_read_local']),
  })
  .strict()
export type OfflineAccess = z.infer<typeof OfflineAccess>

/** Body of `POST /api/v1/access-log`; the agent is the token's. */
export const OfflineAccessUpload = z
  .object({ entries: z.array(OfflineAccess).min(1).max(PRIVACY_LIMITS.uploadEntries) })
  .strict()
export type OfflineAccessUpload = z.infer<typeof OfflineAccessUpload>

/** The ids the server recorded (or had already): the console deletes those rows. */
export const OfflineAccessReply = z.object({
  accepted: z.array(Id).max(PRIVACY_LIMITS.uploadEntries),
})
export type OfflineAccessReply = z.infer<typeof OfflineAccessReply>

/**
 * Filter of `GET /api/v1/privacy/access-log` (query string) and of `privacy.accessLog`:
 * newest first; `before` is the previous page's `next` (keyset on `(at, id)`).
 */
export const AccessLogQuery = z
  .object({
    citizenId: Id.optional(),
    agentId: Id.optional(),
    from: IsoDateTime.optional(),
    to: IsoDateTime.optional(),
    before: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(PRIVACY_LIMITS.accessLogPage).default(100),
  })
  .strict()
export type AccessLogQueryInput = z.input<typeof AccessLogQuery>
export type AccessLogQuery = z.output<typeof AccessLogQuery>

export const AccessLogPage = z.object({
  entries: z.array(AccessLogEntry).max(PRIVACY_LIMITS.accessLogPage),
  /** Give it back as `before` for the next page; null on the last one. */
  next: z.string().max(200).nullable(),
})
export type AccessLogPage = z.infer<typeof AccessLogPage>

// --- the DPO's screen: search, file --------------------------------------------------------------

/** A citizen as the DPO sees them: every field, and when they were erased. */
export const PrivacyCitizen = Citizen.extend({ erasedAt: IsoDateTime.nullable() })
export type PrivacyCitizen = z.infer<typeof PrivacyCitizen>

/** Input of `privacy.search`, and the query string of `GET /api/v1/privacy/citizens` (`q`, `limit`). */
export const CitizenSearchInput = z
  .object({
    q: z.string().trim().min(2).max(PRIVACY_LIMITS.searchText),
    limit: z.coerce.number().int().min(1).max(PRIVACY_LIMITS.searchResults).default(20),
  })
  .strict()
export type CitizenSearchInput = z.input<typeof CitizenSearchInput>

/** One search result, best first: name, e-mail and phone matched with typos and accents forgiven. */
export const CitizenMatch = z.object({
  id: Id,
  name: z.string().max(PRIVACY_LIMITS.name),
  email: z.string().max(PRIVACY_LIMITS.email).nullable(),
  phone: z.string().max(PRIVACY_LIMITS.phone).nullable(),
  requestCount: z.number().int().nonnegative(),
  lastRequestAt: IsoDateTime.nullable(),
  erasedAt: IsoDateTime.nullable(),
  /** 0–1, for ordering: not a probability. */
  score: z.number().min(0).max(1),
})
export type CitizenMatch = z.infer<typeof CitizenMatch>

export const CitizenSearchReply = z.object({
  matches: z.array(CitizenMatch).max(PRIVACY_LIMITS.searchResults),
})
export type CitizenSearchReply = z.infer<typeof CitizenSearchReply>

/** Kept for a litigation or a legal obligation (RGPD art. 17(3)(b)/(e)): neither erased nor anonymised. */
export const LegalHold = z.object({
  reason: z.string().max(PRIVACY_LIMITS.reason),
  at: IsoDateTime,
  byName: z.string().max(200).nullable(),
})
export type LegalHold = z.infer<typeof LegalHold>

const FileComment = z.object({
  id: Id,
  kind: CommentKind,
  body: z.string(),
  authorName: z.string().nullable(),
  createdAt: IsoDateTime,
})

const FileHistoryEvent = z.object({
  kind: HistoryKind,
  at: IsoDateTime,
  actorName: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
})

/** One of the citizen's requests in their file. */
export const CitizenFileRequest = z.object({
  id: Id,
  reference: z.string().max(64),
  title: z.string(),
  categoryId: Id,
  teamId: Id,
  status: z.string(),
  statusKind: StatusKind,
  createdAt: IsoDateTime,
  closedAt: IsoDateTime.nullable(),
  anonymisedAt: IsoDateTime.nullable(),
  legalHold: LegalHold.nullable(),
  comments: z.array(FileComment).max(PRIVACY_LIMITS.items),
  history: z.array(FileHistoryEvent).max(PRIVACY_LIMITS.items),
})
export type CitizenFileRequest = z.infer<typeof CitizenFileRequest>

/** Everything about one citizen for the DPO's screen; reading it is logged (`dpo_view`). */
export const CitizenFile = z.object({
  citizen: PrivacyCitizen,
  requests: z.array(CitizenFileRequest).max(PRIVACY_LIMITS.requests),
  /** The latest accesses, newest first (the whole log through `privacy.accessLog`). */
  accesses: z.array(AccessLogEntry).max(PRIVACY_LIMITS.accessLogPage),
})
export type CitizenFile = z.infer<typeof CitizenFile>

// --- retention -------------------------------------------------------------------------------------

/** The authority's defaults; a category may set its own (`Category.retention`). */
export const RetentionPolicy = z
  .object({
    anonymiseAfterClosedMonths: RetentionMonths.nullable(),
    /** null by default: destroying public archives needs a visa d'élimination (Code du patrimoine L212-2). */
    deleteAfterClosedMonths: RetentionMonths.nullable(),
    keepInternalComments: z.boolean(),
    /** When the server's daily run starts, Europe/Paris. */
    runAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h)'),
  })
  .strict()
export type RetentionPolicy = z.infer<typeof RetentionPolicy>

/** What the configuration says when it says nothing (src/core/config/schema.ts). */
export const RETENTION_DEFAULTS: RetentionPolicy = {
  anonymiseAfterClosedMonths: 12,
  deleteAfterClosedMonths: null,
  keepInternalComments: false,
  runAt: '02:30',
}

/** The server's privacy settings, sent to every console in the reference bundle. */
export const PrivacyPolicy = z.object({
  citizenDataRoles: z.array(Role).max(20),
  retention: RetentionPolicy,
  accessLogMonths: z.number().int().min(1).max(36),
})
export type PrivacyPolicy = z.infer<typeof PrivacyPolicy>

/** What a retention run would do (dry run) or did, per category. */
export const RetentionPlan = z.object({
  at: IsoDateTime,
  categories: z
    .array(
      z.object({
        categoryId: Id,
        rule: RetentionRule,
        anonymise: z.number().int().nonnegative(),
        delete: z.number().int().nonnegative(),
        /** Due, but kept by a legal hold. */
        held: z.number().int().nonnegative(),
        /** A few references, for the preview. */
        samples: z.array(z.string().max(64)).max(10),
      }),
    )
    .max(1000),
  accessLog: z.object({
    /** Entries older than this go. */
    before: IsoDateTime,
    entries: z.number().int().nonnegative(),
  }),
})
export type RetentionPlan = z.infer<typeof RetentionPlan>

// --- the subject access export ---------------------------------------------------------------------

/** The data controller, named in the export (configuration `privacy.controller`). */
export const Controller = z.object({
  name: z.string().min(1).max(200),
  dpoContact: z.string().min(1).max(500),
})
export type Controller = z.infer<typeof Controller>

export const SUBJECT_ACCESS_FORMAT = 'grc-subject-access/1' as const

const ExportRequest = z.object({
  reference: z.string().max(64),
  createdAt: IsoDateTime,
  closedAt: IsoDateTime.nullable(),
  channel: Channel,
  category: z.string(),
  team: z.string(),
  title: z.string(),
  description: z.string(),
  address: z.string().nullable(),
  location: Point.nullable(),
  fields: z.record(z.string(), z.string()),
  status: z.string(),
  legalHold: z.boolean(),
  retention: z.object({ anonymiseOn: IsoDateTime.nullable(), deleteOn: IsoDateTime.nullable() }),
  /** Public and internal alike (the citizen is entitled to both). */
  comments: z
    .array(z.object({ kind: CommentKind, body: z.string(), at: IsoDateTime }))
    .max(PRIVACY_LIMITS.items),
  /** The actor reduced to a team or a role: agents' names are not the citizen's data. */
  history: z
    .array(
      z.object({
        kind: HistoryKind,
        at: IsoDateTime,
        data: z.record(z.string(), z.unknown()),
        actor: z.string().nullable(),
      }),
    )
    .max(PRIVACY_LIMITS.items),
  /** No attachments are stored yet: always empty. */
  attachments: z.array(z.object({ name: z.string(), mediaType: z.string(), bytes: z.number().int() })).max(0),
})

/** The right of access (RGPD art. 15), machine-readable; the printable French document is made from it. */
export const SubjectAccessExport = z.object({
  format: z.literal(SUBJECT_ACCESS_FORMAT),
  generatedAt: IsoDateTime,
  controller: Controller.nullable(),
  citizen: PrivacyCitizen,
  requests: z.array(ExportRequest).max(PRIVACY_LIMITS.requests),
  /** Dates and purposes of consultations, without the agents' names (CJEU C-579/21). */
  accesses: z
    .array(
      z.object({
        at: IsoDateTime,
        action: AccessAction,
        purpose: ContactPurpose.nullable(),
        service: z.string().nullable(),
      }),
    )
    .max(PRIVACY_LIMITS.items),
  purposes: z.array(z.object({ purpose: z.string(), legalBasis: z.string() })).max(50),
  recipients: z.array(z.object({ kind: z.enum(['team', 'api_account']), name: z.string() })).max(1000),
  retentionPolicy: RetentionPolicy,
})
export type SubjectAccessExport = z.infer<typeof SubjectAccessExport>

// --- rectification, erasure, legal hold --------------------------------------------------------------

const Reason = z.string().trim().min(1, 'required').max(PRIVACY_LIMITS.reason)

const RectifiableFields = {
  name: z.string().trim().min(1).max(PRIVACY_LIMITS.name),
  email: z.string().trim().max(PRIVACY_LIMITS.email).nullable(),
  phone: z.string().trim().max(PRIVACY_LIMITS.phone).nullable(),
  postalAddress: z.string().trim().max(PRIVACY_LIMITS.postalAddress).nullable(),
  contactPreference: Citizen.shape.contactPreference,
}
const changesSomething = (r: Record<string, unknown>) =>
  Object.keys(RectifiableFields).some((k) => r[k] !== undefined)
const NOTHING_CHANGED = { message: 'a rectification changes at least one field' }

/** Body of `POST /api/v1/privacy/citizens/{id}/rectify`: the fields to change (at least one) and why. */
export const CitizenRectification = z
  .object({ ...RectifiableFields, reason: Reason })
  .partial({ name: true, email: true, phone: true, postalAddress: true, contactPreference: true })
  .strict()
  .refine(changesSomething, NOTHING_CHANGED)
export type CitizenRectification = z.infer<typeof CitizenRectification>

/** Input of `privacy.rectify`: the citizen and the rectification. */
export const PrivacyRectifyInput = z
  .object({ id: Id, ...RectifiableFields, reason: Reason })
  .partial({ name: true, email: true, phone: true, postalAddress: true, contactPreference: true })
  .strict()
  .refine(changesSomething, NOTHING_CHANGED)
export type PrivacyRectifyInput = z.infer<typeof PrivacyRectifyInput>

export const RectifyReply = z.object({ citizen: PrivacyCitizen })
export type RectifyReply = z.infer<typeof RectifyReply>

/** Body of `POST /api/v1/privacy/citizens/{id}/erase`. */
export const ErasureInput = z.object({ reason: Reason }).strict()
export type ErasureInput = z.infer<typeof ErasureInput>

/** Input of `privacy.erase`. */
export const PrivacyEraseInput = z.object({ id: Id, reason: Reason }).strict()
export type PrivacyEraseInput = z.infer<typeof PrivacyEraseInput>

/** What an erasure did: requests anonymised, those kept by a legal hold, and whether the citizen went too. */
export const ErasureResult = z.object({
  citizenId: Id,
  anonymisedRequestIds: z.array(Id).max(PRIVACY_LIMITS.requests),
  held: z
    .array(z.object({ id: Id, reference: z.string().max(64), reason: z.string().max(PRIVACY_LIMITS.reason) }))
    .max(PRIVACY_LIMITS.requests),
  /** False while a held request still needs the citizen's details. */
  citizenAnonymised: z.boolean(),
})
export type ErasureResult = z.infer<typeof ErasureResult>

/** Body of `PUT /api/v1/privacy/requests/{id}/legal-hold`: a reason sets the hold, null lifts it. */
export const LegalHoldInput = z.object({ reason: Reason.nullable() }).strict()
export type LegalHoldInput = z.infer<typeof LegalHoldInput>

/** Input of `privacy.legalHold`. */
export const PrivacyLegalHoldInput = z.object({ requestId: Id, reason: Reason.nullable() }).strict()
export type PrivacyLegalHoldInput = z.infer<typeof PrivacyLegalHoldInput>

/** The request's hold after the change (null: lifted). */
export const LegalHoldReply = z.object({ requestId: Id, legalHold: LegalHold.nullable() })
export type LegalHoldReply = z.infer<typeof LegalHoldReply>

// --- finding a citizen's requests by their e-mail or phone (issue 18) -----------------------

/**
 * What the lookup accepts: an e-mail address or a phone number, matched exactly (after
 * folding case, spaces and the +33 prefix), never a part of one: whoever looks must already
 * know it, as when a citizen calls and gives their address.
 */
export type LookupKind = 'email' | 'phone'

/** The kind of `text`, or null when it is neither a whole e-mail address nor a whole phone number. */
export function lookupKindOf(text: string): LookupKind | null {
  const t = text.trim()
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t)) return 'email'
  if (/^[\d\s.+()\-/]+$/.test(t) && t.replace(/\D/g, '').length >= 9) return 'phone'
  return null
}

export const CitizenLookupRequest = z
  .object({
    q: z
      .string()
      .trim()
      .max(PRIVACY_LIMITS.email)
      .refine((q) => lookupKindOf(q) !== null, 'an e-mail address or a phone number'),
    /** The console's id and workstation, for the access log. */
    clientId: Id,
    workstation: z.string().max(PRIVACY_LIMITS.workstation).nullable().optional(),
  })
  .strict()
export type CitizenLookupRequest = z.infer<typeof CitizenLookupRequest>

export const CitizenLookupReply = z.object({
  kind: z.enum(['email', 'phone']),
  matches: z
    .array(
      z.object({
        citizenId: Id,
        name: z.string().max(PRIVACY_LIMITS.name),
        /** Their requests this agent may see, newest first. */
        requestIds: z.array(Id).max(PRIVACY_LIMITS.requests),
      }),
    )
    .max(PRIVACY_LIMITS.searchResults),
})
export type CitizenLookupReply = z.infer<typeof CitizenLookupReply>
