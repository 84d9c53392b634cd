/**
 * Reference administration from the console: an administrator edits the authority's teams,
 * categories, routing rules and sectors on the central server, which versions, audits and
 * feeds every change to every console. Nothing is written to the cache here: after a change
 * the console syncs, and the new reference bundle arrives as any other does.
 *
 * Only administrators (checked here, and again by the server); without a server, or when
 * it cannot be reached, refused in words (`server_unavailable`).
 */
import { z } from 'zod'
import {
  outlineSummary,
  type AdminAuditEntry,
  type AdminAuditReply,
  type AdminItem,
  type AdminKind,
  type AdminReference,
  type AdminSave,
  type AdminWireItem,
  type AuditChange,
  type AuditValue,
} from '../../shared/adminReference'
import {
  toApiAccount,
  type ApiAccount,
  type ApiAccountCreate,
  type ApiAccountCreated,
} from '../../shared/apiAccounts'
import type { SessionInfo } from '../../shared/contract'
import { LocalizedText } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import { canAdministerReference } from '../../core/authz/permissions'
import { SyncError, type SyncTransport } from '../sync/transport'
import { serverRefusal, type ServerRefusalWords } from './serverRefusal'

export const NEEDS_SERVER = 'L’administration du référentiel demande une connexion au serveur central.'
const ONLY_ADMINS = 'L’administration du référentiel est réservée aux administrateurs.'
const NOT_ON_SERVER =
  'Le serveur central ne propose pas l’administration du référentiel : il doit d’abord être mis à jour.'

/** What the service needs of the sync side: a valid access token, the HTTP calls, a sync round. */
export interface ReferenceAdminRemote {
  withAccess<T>(fn: (token: string) => Promise<T>): Promise<T>
  transport: Pick<
    SyncTransport,
    | 'adminReference'
    | 'adminSave'
    | 'adminDelete'
    | 'adminAudit'
    | 'apiAccounts'
    | 'apiAccountCreate'
    | 'apiAccountRevoke'
  >
  /** A change was made on the server: sync now, so this console takes the new reference bundle. */
  afterChange(): void
}

type Transport = ReferenceAdminRemote['transport']

const WORDS: ServerRefusalWords = {
  passedOn: new Set(['invalid_input', 'forbidden', 'not_found', 'version_conflict', 'in_use']),
  needsServer: NEEDS_SERVER,
  notOnServer: NOT_ON_SERVER,
}

/** A failed server call in the core's words (`listing`: see `serverRefusal`). */
export const refusalOf = (e: unknown, listing = false): unknown => serverRefusal(e, WORDS, listing)

const WorkflowName = z.object({ name: LocalizedText })

function toReference(items: readonly AdminWireItem[]): AdminReference {
  const out: AdminReference = { items: [], workflows: [] }
  for (const item of items) {
    if (item.kind !== 'workflow') out.items.push(item)
    else {
      const named = WorkflowName.safeParse(item.data.definition)
      out.workflows.push({
        id: item.id,
        version: item.data.version,
        name: named.success ? named.data.name : null,
      })
    }
  }
  return out
}

// --- the audit trail in words ------------------------------------------------------------

const asRecord = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null

const isGeometry = (v: Record<string, unknown>) =>
  (v.type === 'Polygon' || v.type === 'MultiPolygon') && Array.isArray(v.coordinates)

/** One audited value, made small and plain: an outline is counted, anything odd becomes text. */
export function auditValueOf(value: unknown): AuditValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[]
  const record = asRecord(value)
  if (record) {
    const text = LocalizedText.safeParse(record)
    if (text.success && Object.keys(record).length === 2) return text.data
    if (isGeometry(record)) {
      const { polygons, vertices } = outlineSummary(record as never)
      return { outline: { polygons, vertices } }
    }
  }
  const json = JSON.stringify(value) ?? ''
  return json.length > 200 ? `${json.slice(0, 199)}…` : json
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** The fields a change touched: every field of a creation, none of a deletion (the id never). */
export function auditChanges(
  action: AdminAuditEntry['action'],
  before: unknown,
  after: unknown,
): AuditChange[] {
  if (action === 'delete') return []
  const was = asRecord(before) ?? {}
  const is = asRecord(after) ?? {}
  const fields = [...new Set([...Object.keys(is), ...Object.keys(was)])].filter((f) => f !== 'id')
  return fields
    .filter((f) => action === 'create' || !same(was[f], is[f]))
    .map((field) => ({
      field: field.slice(0, 64),
      before: action === 'create' ? null : auditValueOf(was[field]),
      after: auditValueOf(is[field]),
    }))
}

function nameOf(data: unknown): AdminAuditEntry['name'] {
  const name = asRecord(data)?.name
  if (typeof name === 'string') return name
  const text = LocalizedText.safeParse(name)
  return text.success ? text.data : null
}

export function toAuditEntry(raw: AdminAuditReply['entries'][number]): AdminAuditEntry {
  return {
    id: raw.id,
    kind: raw.kind,
    itemId: raw.itemId,
    version: raw.version,
    action: raw.action,
    actorName: raw.actorName,
    at: new Date(raw.at).toISOString(),
    name: nameOf(raw.after) ?? nameOf(raw.before),
    changes: auditChanges(raw.action, raw.before, raw.after),
  }
}

// --- the service ---------------------------------------------------------------------------

export function createReferenceAdminService(remote: ReferenceAdminRemote | null) {
  async function onServer<T>(
    session: SessionInfo,
    fn: (t: Transport, token: string) => Promise<T>,
    listing = false,
  ) {
    if (!canAdministerReference(session)) throw new CoreError('forbidden', ONLY_ADMINS)
    if (!remote) throw new CoreError('server_unavailable', NEEDS_SERVER)
    try {
      return await remote.withAccess((token) => fn(remote.transport, token))
    } catch (e) {
      // A restored server: the sync engine recovers first; the agent tries again after.
      if (e instanceof SyncError && e.kind === 'restored') remote.afterChange()
      throw refusalOf(e, listing)
    }
  }

  return {
    /** Every editable item with its version, and the workflows (to pick a category's). */
    async list(session: SessionInfo): Promise<AdminReference> {
      const reply = await onServer(session, (t, token) => t.adminReference(token), true)
      return toReference(reply.items)
    },

    /** Create or change one item on the version the administrator saw; the console syncs after. */
    async save(session: SessionInfo, input: AdminSave): Promise<AdminItem> {
      const { item } = await onServer(session, (t, token) =>
        t.adminSave(token, input.kind, input.data.id, input.data, input.baseVersion),
      )
      remote?.afterChange()
      if (item.kind !== input.kind || item.id !== input.data.id)
        throw new CoreError('internal', 'Le serveur a répondu pour un autre élément que celui enregistré.')
      return item
    },

    /** Delete one item (refused while something uses it); the console syncs after. */
    async delete(session: SessionInfo, input: { kind: AdminKind; id: string; baseVersion: number }) {
      await onServer(session, (t, token) => t.adminDelete(token, input.kind, input.id, input.baseVersion))
      remote?.afterChange()
      return {}
    },

    /** The audit trail of a kind or one item, newest first, each entry with what it changed. */
    async audit(session: SessionInfo, input: { kind?: AdminKind; id?: string; limit: number }) {
      const { entries } = await onServer(session, (t, token) => t.adminAudit(token, input), true)
      return { entries: entries.map(toAuditEntry) }
    },

    /**
     * API accounts of portals and partners, on the same server and under the same rules
     * (admins only, a server needed). Nothing here is kept or logged: a new key goes from
     * the server's reply to the administrator's screen, once.
     */
    apiAccounts: {
      async list(session: SessionInfo): Promise<{ accounts: ApiAccount[] }> {
        const { accounts } = await onServer(session, (t, token) => t.apiAccounts(token), true)
        return { accounts: accounts.map(toApiAccount) }
      },
      async create(session: SessionInfo, input: ApiAccountCreate): Promise<ApiAccountCreated> {
        const { account, key } = await onServer(session, (t, token) => t.apiAccountCreate(token, input), true)
        return { account: toApiAccount(account), key }
      },
      async revoke(session: SessionInfo, input: { id: string }): Promise<{ account: ApiAccount }> {
        const { account } = await onServer(session, (t, token) => t.apiAccountRevoke(token, input.id))
        return { account: toApiAccount(account) }
      },
    },
  }
}

export type ReferenceAdminService = ReturnType<typeof createReferenceAdminService>
