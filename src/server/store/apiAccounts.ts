/**
 * API accounts for partners (citizens' portals, utilities, other administrations): their
 * keys, scopes and limits, the log of their uses, and their rate windows.
 *
 * A key is `grc_<prefix>_<secret>`: 8 hex characters anyone may see (lists show them, so
 * an administrator recognises a key without seeing it) and 32 random bytes. It is shown
 * once, when the account is made; the database keeps its SHA-256 only, so a stolen backup
 * gives no key. A key chosen outside (GRC_PORTAL_KEY, the portal keys of before) is kept
 * the same way; its prefix is then `sha256:` and the start of its hash.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { hashToken } from '../auth/tokens'
import { isUniqueViolation, placeholders, type Sql, type SqlParam } from './sql/client'

export const API_SCOPES = ['open311:submit', 'open311:read', 'requests:read', 'requests:write'] as const
export type ApiScope = (typeof API_SCOPES)[number]

/** What each scope allows (the OpenAPI document and the CLI show these). */
export const API_SCOPE_DESCRIPTIONS: Record<ApiScope, string> = {
  'open311:submit': 'Submit requests through Open311 (POST /open311/v2/requests.{format}).',
  'open311:read':
    'Read Open311 services and requests with the key (the reads are public; with a key they count ' +
    'against the account and are logged).',
  'requests:read':
    'Read requests through the partner API (GET /api/v1/partner/requests…), limited to the ' +
    'account’s categories and teams; never citizens’ personal data.',
  'requests:write':
    'Create requests (routed by the routing rules, channel `api`) and add internal notes signed with ' +
    'the account’s name, within the account’s categories and teams.',
}

/** Calls per minute unless the account says otherwise. */
export const DEFAULT_RATE_PER_MINUTE = 60
/** A citizens' portal speaks for many citizens. */
export const PORTAL_RATE_PER_MINUTE = 600
export const PORTAL_SCOPES: readonly ApiScope[] = ['open311:submit', 'open311:read']
export const MAX_RATE_PER_MINUTE = 100_000

export const isApiScope = (s: string): s is ApiScope => (API_SCOPES as readonly string[]).includes(s)

export interface ApiAccount {
  id: string
  name: string
  /** Recognises the key in lists: `grc_1a2b3c4d`, or `sha256:1a2b3c4d` for a key chosen outside. */
  keyPrefix: string
  scopes: ApiScope[]
  /** null: every category. */
  categoryIds: string[] | null
  /** null: every team. */
  teamIds: string[] | null
  ratePerMinute: number
  createdAt: number
  expiresAt: number | null
  revokedAt: number | null
}

export interface ApiAccountSummary extends ApiAccount {
  lastUsedAt: number | null
}

export interface NewApiAccount {
  name: string
  scopes: readonly string[]
  categoryIds?: readonly string[] | null
  teamIds?: readonly string[] | null
  ratePerMinute?: number
  expiresAt?: number | null
}

/** What a key gives: an account, or why not (the account is named when the key was once valid). */
export type ApiKeyLookup =
  | { ok: true; account: ApiAccount }
  | { ok: false; reason: 'unknown' }
  | { ok: false; reason: 'revoked' | 'expired'; account: ApiAccount }

/** One use of a key: never a body, a query string or an id from the URL. */
export interface ApiUse {
  accountId: string
  scope: ApiScope
  method: string
  /** The route's pattern (`/api/v1/partner/requests/:id`). */
  route: string
  status: number
  at: number
}

/** A refusal an administrator can act on (unknown scope, team, category…). */
export class ApiAccountError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ApiAccountError'
  }
}

interface AccountRow {
  id: string
  name: string
  key_prefix: string
  scopes: string
  category_ids: string | null
  team_ids: string | null
  rate_per_minute: number
  created_at: number
  expires_at: number | null
  revoked_at: number | null
  last_used_at?: number | null
}

const ACCOUNT_COLUMNS =
  'id, name, key_prefix, scopes, category_ids, team_ids, rate_per_minute, created_at, expires_at, revoked_at'

const stringList = (json: string | null): string[] | null => {
  if (json === null) return null
  const v: unknown = JSON.parse(json)
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []
}

const toAccount = (r: AccountRow): ApiAccount => ({
  id: r.id,
  name: r.name,
  keyPrefix: r.key_prefix,
  scopes: (stringList(r.scopes) ?? []).filter(isApiScope),
  categoryIds: stringList(r.category_ids),
  teamIds: stringList(r.team_ids),
  ratePerMinute: r.rate_per_minute,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
})

/** A new key: what to show once, and what to keep. */
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = `grc_${randomBytes(4).toString('hex')}`
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`
  return { key, prefix, hash: hashToken(key) }
}

/** How a key chosen outside is recognised in lists: the start of its hash, never of the key. */
export const foreignKeyPrefix = (hash: string) => `sha256:${hash.slice(0, 8)}`

const uniqueSorted = (values: readonly string[]) => [...new Set(values.map((v) => v.trim()))].sort()

/** The account as it will be written, checked against the scopes and the reference data. */
async function checked(sql: Pick<Sql, 'all'>, input: NewApiAccount) {
  const name = input.name.trim()
  if (name.length === 0 || name.length > 100)
    throw new ApiAccountError('The account name must have 1 to 100 characters.')
  const unknownScopes = input.scopes.filter((s) => !isApiScope(s))
  if (unknownScopes.length > 0)
    throw new ApiAccountError(
      `Unknown scope ${unknownScopes.map((s) => JSON.stringify(s)).join(', ')}: the scopes are ${API_SCOPES.join(', ')}.`,
    )
  const scopes = API_SCOPES.filter((s) => input.scopes.includes(s))
  if (scopes.length === 0) throw new ApiAccountError(`Give at least one scope: ${API_SCOPES.join(', ')}.`)
  const rate = input.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE_PER_MINUTE)
    throw new ApiAccountError(`The rate is a whole number of calls per minute, 1 to ${MAX_RATE_PER_MINUTE}.`)
  const known = async (kind: 'category' | 'team', ids: readonly string[] | null | undefined) => {
    if (ids === null || ids === undefined) return null
    const list = uniqueSorted(ids).filter(Boolean)
    if (list.length === 0)
      throw new ApiAccountError(
        `An empty ${kind} list would allow nothing: leave it out to allow every ${kind}.`,
      )
    const found = new Set(
      (
        await sql.all<{ id: string }>(
          `SELECT id FROM reference_items WHERE kind = ? AND id IN (${placeholders(list.length)})`,
          [kind, ...list],
        )
      ).map((r) => r.id),
    )
    const missing = list.filter((id) => !found.has(id))
    if (missing.length > 0)
      throw new ApiAccountError(
        `Unknown ${kind === 'category' ? 'category' : 'team'}: ${missing.join(', ')}.`,
      )
    return list
  }
  return {
    name,
    scopes,
    categoryIds: await known('category', input.categoryIds),
    teamIds: await known('team', input.teamIds),
    rate,
    expiresAt: input.expiresAt ?? null,
  }
}

async function insertAccount(
  sql: Pick<Sql, 'all' | 'run'>,
  input: NewApiAccount,
  key: { hash: string; prefix: string },
  meta: { id: string; at: number },
): Promise<ApiAccount> {
  const a = await checked(sql, input)
  if (a.expiresAt !== null && a.expiresAt <= meta.at)
    throw new ApiAccountError('The expiry must be in the future.')
  const params: SqlParam[] = [
    meta.id,
    a.name,
    key.hash,
    key.prefix,
    JSON.stringify(a.scopes),
    a.categoryIds && JSON.stringify(a.categoryIds),
    a.teamIds && JSON.stringify(a.teamIds),
    a.rate,
    meta.at,
    a.expiresAt,
  ]
  await sql.run(
    `INSERT INTO api_accounts (id, name, key_hash, key_prefix, scopes, category_ids, team_ids,
                               rate_per_minute, created_at, expires_at, revoked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
    params,
  )
  return {
    id: meta.id,
    name: a.name,
    keyPrefix: key.prefix,
    scopes: a.scopes,
    categoryIds: a.categoryIds,
    teamIds: a.teamIds,
    ratePerMinute: a.rate,
    createdAt: meta.at,
    expiresAt: a.expiresAt,
    revokedAt: null,
  }
}

/** A new account and its key, in clear this once: only its hash is kept. */
export async function createApiAccount(
  sql: Pick<Sql, 'all' | 'run'>,
  input: NewApiAccount,
  meta: { at: number; newId?: () => string },
): Promise<{ account: ApiAccount; key: string }> {
  const key = newApiKey()
  const account = await insertAccount(sql, input, key, { id: (meta.newId ?? randomUUID)(), at: meta.at })
  return { account, key: key.key }
}

/**
 * An account for a key chosen outside (GRC_PORTAL_KEY): made when no account has this key.
 * An account that has it stays as it is, revoked included: revoking wins over the setting.
 * @returns whether it was made.
 */
export async function ensureApiAccountForKey(
  sql: Pick<Sql, 'all' | 'run'>,
  key: string,
  input: NewApiAccount,
  meta: { at: number; newId?: () => string },
): Promise<boolean> {
  const hash = hashToken(key)
  if (await accountRowByHash(sql, hash)) return false
  try {
    await insertAccount(
      sql,
      input,
      { hash, prefix: foreignKeyPrefix(hash) },
      { id: (meta.newId ?? randomUUID)(), at: meta.at },
    )
    return true
  } catch (e) {
    // Another instance, starting at the same time with the same setting, made it first.
    if (isUniqueViolation(e)) return false
    throw e
  }
}

async function accountRowByHash(sql: Pick<Sql, 'all'>, hash: string): Promise<AccountRow | undefined> {
  const [row] = await sql.all<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM api_accounts WHERE key_hash = ?`, [
    hash,
  ])
  return row
}

/** The account a key opens at `at`: found by its hash; refused once revoked or expired. */
export async function findApiAccountByKey(
  sql: Pick<Sql, 'all'>,
  key: string,
  at: number,
): Promise<ApiKeyLookup> {
  // Nothing longer than a key of ours (or a generous key chosen outside) is even hashed.
  if (key.length === 0 || key.length > 512) return { ok: false, reason: 'unknown' }
  const row = await accountRowByHash(sql, hashToken(key))
  if (!row) return { ok: false, reason: 'unknown' }
  const account = toAccount(row)
  if (account.revokedAt !== null) return { ok: false, reason: 'revoked', account }
  if (account.expiresAt !== null && account.expiresAt <= at) return { ok: false, reason: 'expired', account }
  return { ok: true, account }
}

export async function hasApiAccounts(sql: Pick<Sql, 'get'>): Promise<boolean> {
  return (await sql.get('SELECT 1 AS x FROM api_accounts LIMIT 1')) !== undefined
}

/** Every account, oldest first, with its last use; never a key or a hash. */
export async function listApiAccounts(sql: Pick<Sql, 'all'>): Promise<ApiAccountSummary[]> {
  const rows = await sql.all<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS},
            (SELECT max(u.at) FROM api_account_uses u WHERE u.account_id = a.id) AS last_used_at
     FROM api_accounts a ORDER BY created_at, id`,
  )
  return rows.map((r) => ({ ...toAccount(r), lastUsedAt: r.last_used_at ?? null }))
}

/**
 * Revoke the account named by its id or its key prefix: its key stops working at once, on
 * every instance. Revoking twice keeps the first time.
 * @throws ApiAccountError when nothing, or more than one account, answers to `idOrPrefix`.
 */
export async function revokeApiAccount(
  sql: Pick<Sql, 'all' | 'run'>,
  idOrPrefix: string,
  at: number,
): Promise<ApiAccount> {
  const rows = await sql.all<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM api_accounts WHERE id = ? OR key_prefix = ?`,
    [idOrPrefix, idOrPrefix],
  )
  if (rows.length === 0) throw new ApiAccountError(`No API account has the id or key prefix ${idOrPrefix}.`)
  if (rows.length > 1)
    throw new ApiAccountError(`Several API accounts have the key prefix ${idOrPrefix}: name one by its id.`)
  const row = rows[0]!
  await sql.run('UPDATE api_accounts SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, row.id])
  return toAccount({ ...row, revoked_at: row.revoked_at ?? at })
}

export async function logApiUse(sql: Pick<Sql, 'run'>, use: ApiUse): Promise<void> {
  await sql.run(
    'INSERT INTO api_account_uses (account_id, scope, method, route, status, at) VALUES (?, ?, ?, ?, ?, ?)',
    [use.accountId, use.scope, use.method, use.route.slice(0, 200), use.status, use.at],
  )
}

/**
 * One more call in `key`'s window (a window opens at the first call after the last one
 * closed, and lasts `windowMs`): the calls counted in it, and when it closes. One statement,
 * so instances sharing the database share the count.
 */
export async function hitRateWindow(
  sql: Pick<Sql, 'get'>,
  key: string,
  windowMs: number,
  at: number,
): Promise<{ hits: number; resetAt: number }> {
  const row = await sql.get<{ hits: number; window_start: number }>(
    `INSERT INTO api_rate_windows (rate_key, window_start, hits) VALUES (?, ?, 1)
     ON CONFLICT (rate_key) DO UPDATE SET
       hits = CASE WHEN api_rate_windows.window_start > ? THEN api_rate_windows.hits + 1 ELSE 1 END,
       window_start = CASE WHEN api_rate_windows.window_start > ? THEN api_rate_windows.window_start
                           ELSE excluded.window_start END
     RETURNING hits, window_start`,
    [key, at, at - windowMs, at - windowMs],
  )
  return { hits: Number(row!.hits), resetAt: Number(row!.window_start) + windowMs }
}
