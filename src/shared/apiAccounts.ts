/**
 * API accounts of portals and partners, as an administrator manages them from the console:
 * what the server's admin routes answer (epoch milliseconds, validated by the console's
 * transport), and what the console's contract carries (ISO dates). A new account's key is
 * answered once, by its creation; the server keeps its hash only.
 */
import { z } from 'zod'
import { Id, IsoDateTime } from './domain'

export const API_SCOPES = ['open311:submit', 'open311:read', 'requests:read', 'requests:write'] as const
export const ApiScope = z.enum(API_SCOPES)
export type ApiScope = z.infer<typeof ApiScope>

export const API_ACCOUNT_LIMITS = {
  name: 100,
  ids: 200,
  ratePerMinute: 100_000,
  expiresInDays: 3650,
  /** A key is `grc_<8 hex>_<43 base64url>`; room for a longer one. */
  key: 512,
} as const

/** Calls per minute when the administrator says nothing (the server's default). */
export const DEFAULT_RATE_PER_MINUTE = 60

const AccountId = z.string().min(1).max(64)

/** An account as the console shows it; `null` limits mean every category, every team. */
export const ApiAccount = z.object({
  id: AccountId,
  name: z.string().max(200),
  keyPrefix: z.string().max(80),
  scopes: z.array(ApiScope),
  categoryIds: z.array(Id).nullable(),
  teamIds: z.array(Id).nullable(),
  ratePerMinute: z.number().int().positive(),
  createdAt: IsoDateTime,
  expiresAt: IsoDateTime.nullable(),
  revokedAt: IsoDateTime.nullable(),
  lastUsedAt: IsoDateTime.nullable(),
})
export type ApiAccount = z.infer<typeof ApiAccount>

export const ApiAccountCreateInput = z
  .object({
    name: z.string().trim().min(1, 'required').max(API_ACCOUNT_LIMITS.name),
    scopes: z.array(ApiScope).min(1).max(API_SCOPES.length),
    categoryIds: z.array(Id).min(1).max(API_ACCOUNT_LIMITS.ids).nullable(),
    teamIds: z.array(Id).min(1).max(API_ACCOUNT_LIMITS.ids).nullable(),
    ratePerMinute: z.number().int().min(1).max(API_ACCOUNT_LIMITS.ratePerMinute).optional(),
    expiresInDays: z.number().int().min(1).max(API_ACCOUNT_LIMITS.expiresInDays).nullable(),
  })
  .strict()
export type ApiAccountCreateInput = z.input<typeof ApiAccountCreateInput>
export type ApiAccountCreate = z.output<typeof ApiAccountCreateInput>

/** The new account and its key, in clear, this once: shown to the administrator, kept nowhere. */
export const ApiAccountCreated = z.object({
  account: ApiAccount,
  key: z.string().min(1).max(API_ACCOUNT_LIMITS.key),
})
export type ApiAccountCreated = z.infer<typeof ApiAccountCreated>

export const ApiAccountRevokeInput = z.object({ id: AccountId }).strict()

/** An account's state at `now`: revoked first, then expired. */
export function apiAccountState(account: ApiAccount, now: number): 'active' | 'expired' | 'revoked' {
  if (account.revokedAt !== null) return 'revoked'
  if (account.expiresAt !== null && Date.parse(account.expiresAt) <= now) return 'expired'
  return 'active'
}

// --- the server's routes, as the console reads them -----------------------------------------

const Millis = z.number().int().nonnegative()

const WireAccount = z.object({
  id: AccountId,
  name: z.string().max(200),
  keyPrefix: z.string().max(80),
  /** A scope this console does not know (a newer server's) is passed over. */
  scopes: z.array(z.string().max(64)),
  categoryIds: z.array(Id).nullable(),
  teamIds: z.array(Id).nullable(),
  ratePerMinute: z.number().int().positive(),
  createdAt: Millis,
  expiresAt: Millis.nullable(),
  revokedAt: Millis.nullable(),
  lastUsedAt: Millis.nullable().optional(),
})
export type ApiAccountWire = z.infer<typeof WireAccount>

const iso = (ms: number) => new Date(ms).toISOString()
const isScope = (s: string): s is ApiScope => (API_SCOPES as readonly string[]).includes(s)

export function toApiAccount(w: ApiAccountWire): ApiAccount {
  return {
    id: w.id,
    name: w.name,
    keyPrefix: w.keyPrefix,
    scopes: w.scopes.filter(isScope),
    categoryIds: w.categoryIds,
    teamIds: w.teamIds,
    ratePerMinute: w.ratePerMinute,
    createdAt: iso(w.createdAt),
    expiresAt: w.expiresAt === null ? null : iso(w.expiresAt),
    revokedAt: w.revokedAt === null ? null : iso(w.revokedAt),
    lastUsedAt: w.lastUsedAt === null || w.lastUsedAt === undefined ? null : iso(w.lastUsedAt),
  }
}

/** `GET /api/v1/admin/api-accounts`. */
export const ApiAccountsListReply = z.object({ accounts: z.array(WireAccount).max(10_000) })
/** `POST /api/v1/admin/api-accounts` (201). */
export const ApiAccountCreateReply = z.object({
  account: WireAccount,
  key: z.string().min(1).max(API_ACCOUNT_LIMITS.key),
})
/** `DELETE /api/v1/admin/api-accounts/{id}`. */
export const ApiAccountRevokeReply = z.object({ account: WireAccount })
