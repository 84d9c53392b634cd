/**
 * The server's rows as the protocol's records, and back: one mapping for both databases.
 */
import {
  AgentSummary as AgentSchema,
  type AgentSummary,
  type Channel,
  type Citizen,
  type Comment,
  type CommentKind,
  type HistoryKind,
  type Priority,
  type StatusKind,
} from '../../shared/domain'
import type { SavedTour } from '../../shared/savedTour'
import type { RequestRecord, ServerHistoryEvent } from '../../shared/sync'
import { parseFields, parseTags } from '../../core/requests/records'
import type { SqlParam } from './sql/client'

export interface RequestDbRow {
  n: number
  id: string
  reference: string
  title: string
  category_id: string
  subcategory: string | null
  channel: string
  status: string
  status_kind: string
  priority: string
  team_id: string
  assignee_id: string | null
  description: string
  address: string | null
  lat: number | null
  lon: number | null
  citizen_id: string | null
  fields: string
  created_at: number
  updated_at: number
  due_at: number | null
  closed_at: number | null
  sla_paused_ms: number
  sla_paused_since: number | null
  version: number
  /** JSON array of the request's tags. */
  tags: string
}

/** The request columns in the order `requestParams` gives their values. */
export const REQUEST_COLUMNS = [
  'id',
  'reference',
  'title',
  'category_id',
  'subcategory',
  'channel',
  'status',
  'status_kind',
  'priority',
  'team_id',
  'assignee_id',
  'description',
  'address',
  'lat',
  'lon',
  'citizen_id',
  'fields',
  'created_at',
  'updated_at',
  'due_at',
  'closed_at',
  'sla_paused_ms',
  'sla_paused_since',
  'version',
  'tags',
] as const

/** The columns of a history event and of a comment as written (the id of an event is the database's). */
export const HISTORY_COLUMNS = [
  'request_id',
  'kind',
  'at',
  'actor_id',
  'actor_name',
  'data',
  'mutation_id',
] as const
export const COMMENT_COLUMNS = [
  'id',
  'request_id',
  'kind',
  'body',
  'author_id',
  'author_name',
  'created_at',
] as const

export const REQUEST_SELECT = `n, ${REQUEST_COLUMNS.join(', ')}`

export const toRequestRecord = (r: RequestDbRow): RequestRecord => ({
  id: r.id,
  reference: r.reference,
  title: r.title,
  categoryId: r.category_id,
  subcategory: r.subcategory,
  channel: r.channel as Channel,
  status: r.status,
  statusKind: r.status_kind as StatusKind,
  priority: r.priority as Priority,
  teamId: r.team_id,
  assigneeId: r.assignee_id,
  description: r.description,
  address: r.address,
  lat: r.lat,
  lon: r.lon,
  citizenId: r.citizen_id,
  fields: parseFields(r.fields),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  dueAt: r.due_at,
  closedAt: r.closed_at,
  slaPausedMs: r.sla_paused_ms,
  slaPausedSince: r.sla_paused_since,
  version: r.version,
  tags: parseTags(r.tags),
})

export const requestParams = (r: RequestRecord): SqlParam[] => [
  r.id,
  r.reference,
  r.title,
  r.categoryId,
  r.subcategory,
  r.channel,
  r.status,
  r.statusKind,
  r.priority,
  r.teamId,
  r.assigneeId,
  r.description,
  r.address,
  r.lat,
  r.lon,
  r.citizenId,
  JSON.stringify(r.fields),
  r.createdAt,
  r.updatedAt,
  r.dueAt,
  r.closedAt,
  r.slaPausedMs,
  r.slaPausedSince,
  r.version,
  JSON.stringify(r.tags ?? []),
]

export interface CitizenDbRow {
  id: string
  name: string
  email: string | null
  phone: string | null
  postal_address: string | null
  contact_preference: string
}

export const toCitizen = (r: CitizenDbRow): Citizen => ({
  id: r.id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  postalAddress: r.postal_address,
  contactPreference: r.contact_preference as Citizen['contactPreference'],
})

export const citizenParams = (c: Citizen): SqlParam[] => [
  c.id,
  c.name,
  c.email,
  c.phone,
  c.postalAddress,
  c.contactPreference,
]

export interface CommentDbRow {
  id: string
  request_id: string
  kind: string
  body: string
  author_id: string | null
  author_name: string | null
  created_at: number
}

export const toComment = (r: CommentDbRow): Comment => ({
  id: r.id,
  requestId: r.request_id,
  kind: r.kind as CommentKind,
  body: r.body,
  authorId: r.author_id,
  authorName: r.author_name,
  createdAt: new Date(r.created_at).toISOString(),
})

export interface HistoryDbRow {
  id: number
  request_id: string
  kind: string
  at: number
  actor_id: string | null
  actor_name: string | null
  data: string
  mutation_id: string | null
}

export const toHistoryEvent = (r: HistoryDbRow): ServerHistoryEvent => ({
  serverId: r.id,
  kind: r.kind as HistoryKind,
  at: r.at,
  actorId: r.actor_id,
  actorName: r.actor_name,
  data: JSON.parse(r.data) as Record<string, unknown>,
  mutationId: r.mutation_id,
})

export interface AgentDbRow {
  id: string
  login: string
  display_name: string
  roles: string
  team_ids: string
}

/** An agent row; a row that no longer parses (a role this server does not know) keeps what does. */
export function toAgent(r: AgentDbRow): AgentSummary {
  const parsed = AgentSchema.safeParse({
    id: r.id,
    login: r.login,
    displayName: r.display_name,
    roles: JSON.parse(r.roles) as unknown,
    teamIds: JSON.parse(r.team_ids) as unknown,
  })
  if (parsed.success) return parsed.data
  return { id: r.id, login: r.login, displayName: r.display_name, roles: [], teamIds: [] }
}

export const agentParams = (a: AgentSummary): SqlParam[] => [
  a.id,
  a.login,
  a.displayName,
  JSON.stringify(a.roles),
  JSON.stringify(a.teamIds),
]

export const toTour = (r: { data: string }): SavedTour => JSON.parse(r.data) as SavedTour
