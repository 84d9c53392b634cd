/**
 * What the reference server needs from its storage. Route handlers see only this: no SQL
 * outside the adapters (SQLite now; a PostgreSQL adapter implements the same interface).
 */
import type { SessionInfo } from '../../shared/contract'
import type { AgentSummary, Category, Citizen, Point } from '../../shared/domain'
import type { ChangesReply, DetailsReply, Mutation, MutationResult, RequestRecord } from '../../shared/sync'

export interface RefreshTokenGrant {
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
  findAgentByLogin(login: string): AgentSummary | undefined
  /** The agent as the directory describes them now (roles, teams), recorded if it changed. */
  agentFromDirectory(identity: Omit<AgentSummary, 'id'>): AgentSummary
  getAgent(id: string): AgentSummary | undefined

  /** Refresh tokens are kept by hash only; taking one deletes it (rotation). */
  saveRefreshToken(tokenHash: string, grant: RefreshTokenGrant): void
  takeRefreshToken(tokenHash: string): RefreshTokenGrant | undefined
  /** Logout, or the directory changed the agent: every refresh token of theirs stops working. */
  revokeRefreshTokens(agentId: string): void

  /**
   * The change feed after `since`, limited to what `session` may see. `light`: requests
   * without their comments and history (a first download; the console fetches them after).
   */
  changesSince(
    session: SessionInfo,
    since: number,
    limit: number,
    options?: { light?: boolean },
  ): ChangesReply
  /** Comments and history of the requests `session` may see among `ids`. */
  requestDetails(session: SessionInfo, ids: readonly string[]): DetailsReply['details']
  /** Apply a batch in order, each at most once; one result per mutation. */
  applyMutations(session: SessionInfo, clientId: string, mutations: readonly Mutation[]): MutationResult[]

  listCategories(): Category[]
  /** Portal API keys, by hash. */
  addPortalKey(keyHash: string, portal: string): void
  portalOfKey(keyHash: string): string | undefined
  hasPortalKeys(): boolean
  /** Create a request submitted by a citizen, routed by the routing rules. */
  createCitizenRequest(input: CitizenRequestInput): RequestRecord
  listPublicRequests(filter: PublicRequestFilter): RequestRecord[]

  /** Called after each commit that changed what some teams see ('*' for everyone). */
  onChange(listener: (scopes: ReadonlySet<string>) => void): () => void
  close(): void
}
