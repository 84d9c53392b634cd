/**
 * What the central server needs from its storage. Route handlers see only this; one
 * implementation (store.ts) runs on SQLite or PostgreSQL through the SQL interface.
 */
import type { SessionInfo } from '../../shared/contract'
import type { AgentSummary, Category, Citizen, Comment, Point } from '../../shared/domain'
import type { ChangesReply, DetailsReply, Mutation, MutationResult, RequestRecord } from '../../shared/sync'
import type { ApiAccount, ApiAccountSummary, ApiKeyLookup, ApiUse, NewApiAccount } from './apiAccounts'
import type {
  PartnerActor,
  PartnerLimits,
  PartnerRequestFilter,
  PartnerRequestInput,
  PartnerRequestPage,
} from './partnerRequests'
import type { ContactDeliveryInput } from './contacts'
import type {
  AccessLogPage,
  AccessLogQuery,
  CitizenContact,
  CitizenFile,
  CitizenMatch,
  CitizenRectification,
  ErasureResult,
  LegalHoldReply,
  OfflineAccess,
  PrivacyCitizen,
  RetentionPlan,
  SubjectAccessExport,
} from './privacyContext'
import type { RetentionReport, ServerRetentionPolicy } from './retention'
import type { CitizenLookupReply, CitizenLookupRequest } from '../../shared/privacy'
import type { SqlDatabase } from './sql/client'

export interface RefreshTokenGrant {
  /** The tokens renewed from one login, one after the other; reuse of an old one ends them all. */
  familyId: string
  agentId: string
  clientId: string
  expiresAt: number
  /** When the agent last proved their password (carried through rotations). */
  authAt: number
}

/** A request as a citizens' portal submits it (Open311). */
export interface CitizenRequestInput {
  categoryId: string
  description: string
  location: Point | null
  address: string | null
  /** From the service attribute `subcategory` when the category has some. */
  subcategory: string | null
  citizen: Omit<Citizen, 'id'> | null
  /** The API account's name. */
  portal: string
}

export interface PublicRequestFilter {
  ids?: string[]
  categoryIds?: string[]
  statusKinds?: ('open' | 'closed')[]
  /** Epoch ms bounds on creation. */
  from?: number
  to?: number
  limit: number
}

export interface ServerStore {
  /** The database, for operations (backup, health) and tests. */
  readonly sql: SqlDatabase
  /** This database's epoch: made with it, made anew by a restore (every reply carries it). */
  readonly epoch: string

  findAgentByLogin(login: string): Promise<AgentSummary | undefined>
  /** The agent as the directory describes them now (roles, teams), recorded if it changed. */
  agentFromDirectory(identity: Omit<AgentSummary, 'id'>): Promise<AgentSummary>
  getAgent(id: string): Promise<AgentSummary | undefined>

  /** Refresh tokens are kept by hash only; taking one deletes it (rotation). */
  saveRefreshToken(tokenHash: string, grant: RefreshTokenGrant): Promise<void>
  /**
   * Use a refresh token for a renewal by console `clientId`. The same token again from the
   * same console within `graceMs` of its first use renews again (the answer was lost, or the
   * request arrived twice) and the successor nobody received stops working; later, or from
   * another console, it is a replay: the family is revoked, and nothing is given.
   */
  takeRefreshToken(
    tokenHash: string,
    clientId: string,
    graceMs: number,
  ): Promise<RefreshTokenGrant | undefined>
  /** Logout, or the directory changed the agent: every refresh token of theirs stops working. */
  revokeRefreshTokens(agentId: string): Promise<void>

  /**
   * The change feed after `since`, limited to what `session` may see. `light`: requests
   * without their comments and history (a first download; the console fetches them after).
   */
  changesSince(
    session: SessionInfo,
    since: number,
    limit: number,
    options?: { light?: boolean },
  ): Promise<ChangesReply>
  /** Comments and history of the requests `session` may see among `ids`. */
  requestDetails(session: SessionInfo, ids: readonly string[]): Promise<DetailsReply['details']>
  /** Apply a batch in order, each at most once; one result per mutation. */
  applyMutations(
    session: SessionInfo,
    clientId: string,
    mutations: readonly Mutation[],
  ): Promise<MutationResult[]>

  listCategories(): Promise<Category[]>
  /** A new API account and its key, in clear this once (only its hash is kept). */
  createApiAccount(input: NewApiAccount): Promise<{ account: ApiAccount; key: string }>
  /** An account for a key chosen outside (GRC_PORTAL_KEY) unless one has it; whether it was made. */
  ensureApiAccountForKey(key: string, input: NewApiAccount): Promise<boolean>
  /** The account a key opens now (refused when revoked or expired). */
  apiAccountByKey(key: string): Promise<ApiKeyLookup>
  hasApiAccounts(): Promise<boolean>
  listApiAccounts(): Promise<ApiAccountSummary[]>
  revokeApiAccount(idOrPrefix: string): Promise<ApiAccount>
  /** One use of a key (account, scope, route pattern, status, time; never a body). */
  logApiUse(use: Omit<ApiUse, 'at'>): Promise<void>
  /** One more call in `key`'s rate window, shared by every instance. */
  hitRateWindow(key: string, windowMs: number): Promise<{ hits: number; resetAt: number }>
  /** Partner API: requests within an account's categories and teams, in creation order. */
  listPartnerRequests(filter: PartnerRequestFilter): Promise<PartnerRequestPage>
  getPartnerRequest(id: string, limits: PartnerLimits): Promise<RequestRecord | undefined>
  /** A request from a partner's system, routed by the routing rules (channel `api`). */
  createPartnerRequest(actor: PartnerActor, input: PartnerRequestInput): Promise<RequestRecord>
  /** An internal note signed with the account's name; undefined outside its limits. */
  addPartnerNote(
    actor: PartnerActor,
    input: PartnerLimits & { requestId: string; body: string },
  ): Promise<Comment | undefined>
  /** Create a request submitted by a citizen, routed by the routing rules. */
  createCitizenRequest(input: CitizenRequestInput): Promise<RequestRecord>
  listPublicRequests(filter: PublicRequestFilter): Promise<RequestRecord[]>

  // --- the citizen's data (RGPD) ------------------------------------------------------
  // Refusals are CoreErrors (`forbidden`, `not_found`, `invalid_input`); the routes say them
  // as HTTP statuses. Every access to a citizen's data is logged in `citizen_access_log`.

  /**
   * A request's citizen's contact details for `purpose`, logged (`contact_delivered`) with
   * a `viewed_personal_data` history event, in one transaction. Null when the request has
   * no citizen or the citizen was erased.
   */
  deliverCitizenContact(session: SessionInfo, input: ContactDeliveryInput): Promise<CitizenContact | null>
  /** Reads a console made offline, logged once each (by id): the ids accepted. */
  recordOfflineAccess(session: SessionInfo, entries: readonly OfflineAccess[]): Promise<string[]>
  /** The access log, newest first (DPO only); `next` continues it. */
  accessLog(session: SessionInfo, query: AccessLogQuery): Promise<AccessLogPage>
  /** Citizens resembling `q` by name, e-mail or phone (DPO only; the terms are never logged). */
  searchCitizens(session: SessionInfo, q: string, limit: number): Promise<CitizenMatch[]>
  /** A citizen's requests by their exact e-mail or phone (supervisors, DPO), each citizen shown logged. */
  lookupCitizen(session: SessionInfo, input: CitizenLookupRequest): Promise<CitizenLookupReply>
  /** One citizen's file for the DPO's screen. */
  citizenFile(session: SessionInfo, citizenId: string): Promise<CitizenFile>
  /** The subject access export (art. 15). */
  exportCitizen(session: SessionInfo, citizenId: string): Promise<SubjectAccessExport>
  /** Rectification (art. 16): the citizen as corrected. */
  rectifyCitizen(
    session: SessionInfo,
    citizenId: string,
    input: CitizenRectification,
  ): Promise<PrivacyCitizen>
  /** Erasure (art. 17): requests under legal hold are kept and listed. */
  eraseCitizen(session: SessionInfo, citizenId: string, reason: string): Promise<ErasureResult>
  /** Put a request under legal hold (a reason) or lift it (null). */
  setLegalHold(session: SessionInfo, requestId: string, reason: string | null): Promise<LegalHoldReply>
  /**
   * What retention would do at `now` (default: the store's clock), without doing it;
   * `policy` null: the server's own (its reference bundle's `privacy`).
   */
  planRetention(policy: ServerRetentionPolicy | null, now?: number): Promise<RetentionPlan>
  /** Apply retention at `now`: anonymise or delete what is due, purge the access log. */
  applyRetention(policy: ServerRetentionPolicy | null, now?: number): Promise<RetentionReport>

  /** Called after each commit, on any instance, that changed what some teams see ('*' for everyone). */
  onChange(listener: (scopes: ReadonlySet<string>) => void): () => void
  close(): Promise<void>
}
