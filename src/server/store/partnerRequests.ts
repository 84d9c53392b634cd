/**
 * Requests as partners' systems read and write them through the partner API: only within
 * the account's categories and teams, read in creation order (keyset on `n`), created by
 * the routing rules like a console's (channel `api`), and annotated with internal notes
 * signed with the account's name. Citizens are never read here.
 */
import type { Comment, Point } from '../../shared/domain'
import type { RequestRecord } from '../../shared/sync'
import { newRequestRow, type OpContext } from '../../core/requests/operations'
import type { ChangeSet } from './feed'
import { appendHistory, getRequest, insertComment, insertRequest, nextReference } from './requests'
import { REQUEST_SELECT, toRequestRecord, type RequestDbRow } from './rows'
import { placeholders, type Sql, type SqlParam } from './sql/client'

/** What an account may see: null lists allow everything. */
export interface PartnerLimits {
  categoryIds: readonly string[] | null
  teamIds: readonly string[] | null
}

export interface PartnerRequestFilter extends PartnerLimits {
  /** The `n` of the last request of the previous page (0: from the first). */
  after: number
  limit: number
  statusKind?: 'open' | 'closed'
  categoryId?: string
  /** Epoch ms: requests changed at or after. */
  updatedSince?: number
}

export interface PartnerRequestPage {
  requests: RequestRecord[]
  /** The `n` to ask after for the next page; null on the last page. */
  next: number | null
}

/** Who acts: the account, as history and notes name it. */
export interface PartnerActor {
  id: string
  name: string
}

export interface PartnerRequestInput {
  categoryId: string
  subcategory: string | null
  title: string | null
  description: string
  address: string | null
  location: Point | null
}

export const withinLimits = (limits: PartnerLimits, r: { categoryId: string; teamId: string }) =>
  (limits.categoryIds === null || limits.categoryIds.includes(r.categoryId)) &&
  (limits.teamIds === null || limits.teamIds.includes(r.teamId))

function limitClauses(limits: PartnerLimits, where: string[], params: SqlParam[]): boolean {
  for (const [column, values] of [
    ['category_id', limits.categoryIds],
    ['team_id', limits.teamIds],
  ] as const) {
    if (values === null) continue
    if (values.length === 0) return false
    where.push(`${column} IN (${placeholders(values.length)})`)
    params.push(...values)
  }
  return true
}

/** One page of the requests an account may read, in creation order. */
export async function listPartnerRequests(
  sql: Pick<Sql, 'all'>,
  filter: PartnerRequestFilter,
): Promise<PartnerRequestPage> {
  const where = ['n > ?']
  const params: SqlParam[] = [filter.after]
  if (!limitClauses(filter, where, params)) return { requests: [], next: null }
  if (filter.statusKind) {
    where.push('status_kind = ?')
    params.push(filter.statusKind)
  }
  if (filter.categoryId !== undefined) {
    where.push('category_id = ?')
    params.push(filter.categoryId)
  }
  if (filter.updatedSince !== undefined) {
    where.push('updated_at >= ?')
    params.push(filter.updatedSince)
  }
  const rows = await sql.all<RequestDbRow>(
    `SELECT ${REQUEST_SELECT} FROM requests WHERE ${where.join(' AND ')} ORDER BY n LIMIT ?`,
    [...params, filter.limit + 1],
  )
  const page = rows.slice(0, filter.limit)
  return {
    requests: page.map(toRequestRecord),
    next: rows.length > filter.limit ? page[page.length - 1]!.n : null,
  }
}

/** One request, when the account may read it. */
export async function getPartnerRequest(
  sql: Pick<Sql, 'get'>,
  id: string,
  limits: PartnerLimits,
): Promise<RequestRecord | undefined> {
  const row = await getRequest(sql, id)
  return row && withinLimits(limits, row) ? row : undefined
}

/** A new request from a partner's system, routed by the routing rules (channel `api`, no citizen). */
export async function createPartnerRequest(
  tx: Sql,
  changes: ChangeSet,
  ctx: OpContext & { at: number; newId: () => string },
  actor: PartnerActor,
  input: PartnerRequestInput,
): Promise<RequestRecord> {
  const { at } = ctx
  const category = ctx.ref.category(input.categoryId)
  const where =
    input.address ??
    (input.location ? `${input.location.lat.toFixed(5)}, ${input.location.lon.toFixed(5)}` : '')
  const title =
    input.title ?? `${category?.name.fr ?? input.categoryId}${where ? ` — ${where}` : ''}`.slice(0, 200)
  const { row, routed } = newRequestRow(
    ctx,
    {
      categoryId: input.categoryId,
      subcategory: input.subcategory,
      channel: 'api',
      title,
      description: input.description,
      priority: 'normal',
      address: input.address,
      location: input.location,
    },
    { id: ctx.newId(), reference: await nextReference(tx, at), at, citizenId: null },
  )
  await insertRequest(tx, row, changes)
  await appendHistory(tx, {
    requestId: row.id,
    kind: 'created',
    at,
    actorId: null,
    actorName: actor.name,
    data: { channel: 'api', apiAccountId: actor.id },
  })
  await appendHistory(tx, { requestId: row.id, ...routed, at, actorId: null, actorName: null })
  await tx.run(
    `INSERT INTO request_versions (request_id, version, fields, client_id, agent_id, mutation_id, actor_name, at)
     VALUES (?, 0, '["*"]', NULL, NULL, NULL, ?, ?)`,
    [row.id, actor.name, at],
  )
  return (await getRequest(tx, row.id))!
}

/**
 * An internal note on a request the account may see, signed with the account's name.
 * @returns undefined when the request is unknown or outside the account's limits.
 */
export async function addPartnerNote(
  tx: Sql,
  changes: ChangeSet,
  ctx: { at: number; newId: () => string },
  actor: PartnerActor,
  input: PartnerLimits & { requestId: string; body: string },
): Promise<Comment | undefined> {
  const row = await getPartnerRequest(tx, input.requestId, input)
  if (!row) return undefined
  const comment: Comment = {
    id: ctx.newId(),
    requestId: row.id,
    kind: 'internal',
    body: input.body,
    authorId: null,
    authorName: actor.name,
    createdAt: new Date(ctx.at).toISOString(),
  }
  await insertComment(tx, comment)
  await appendHistory(tx, {
    requestId: row.id,
    kind: 'commented',
    at: ctx.at,
    actorId: null,
    actorName: actor.name,
    data: { commentId: comment.id, kind: comment.kind, apiAccountId: actor.id },
  })
  // A note changes no column of the request: its team's consoles fetch it with the request.
  changes.request(row.id, row.teamId)
  return comment
}
