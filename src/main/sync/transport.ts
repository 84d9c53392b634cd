/**
 * The console's HTTP client for the sync protocol. Every reply is size-capped, parsed and
 * validated against the shared schemas before anything touches the cache; every failure
 * becomes a SyncError whose kind decides what the engine does (retry, refresh, ask the
 * agent) and whose message an agent can read.
 */
import { createParser } from 'eventsource-parser'
import { z } from 'zod'
import {
  ChangesReplyFromServer,
  DetailsReplyFromServer,
  MutationsReplyFromServer,
  SYNC_LIMITS,
  TokenReply,
  type Mutation,
  type TokenRequest,
} from '../../shared/sync'
import { AdminAuditReply, AdminListReply, AdminSaveReply, type AdminKind } from '../../shared/adminReference'
import { CapacityReply, type CapacitySave } from '../../shared/capacity'
import {
  NoticeTemplateSaveReply,
  NoticeTemplatesReply,
  type TemplateText,
} from '../../shared/noticeTemplates'
import {
  ApiAccountCreateReply,
  ApiAccountRevokeReply,
  ApiAccountsListReply,
  type ApiAccountCreate,
} from '../../shared/apiAccounts'
import {
  AccessLogPage,
  CitizenContact,
  CitizenFile,
  CitizenLookupReply,
  CitizenSearchReply,
  ErasureResult,
  LegalHoldReply,
  OfflineAccessReply,
  RectifyReply,
  RetentionPlan,
  SubjectAccessExport,
  type AccessLogQuery,
  type CitizenContactRequest,
  type CitizenLookupRequest,
  type CitizenRectification,
  type OfflineAccessUpload,
} from '../../shared/privacy'
import { AttachmentMeta } from '../../shared/attachments'
import { PresenceMark, PresenceReportReply, type PresenceReport } from '../../shared/presence'
import { createCaFetch } from './caFetch'
import { readCaFile } from './caFile'

const RevokeReply = z.object({})
const EmptyReply = z.object({})

export type SyncErrorKind =
  /** No connection to the server (refused, reset, DNS): retry later. */
  | 'offline'
  | 'timeout'
  /** 5xx: retry later. */
  | 'server'
  /** The access token was refused: refresh it, or ask the agent to log in again. */
  | 'auth'
  /** 4xx other than 401: this request will not succeed as it is. */
  | 'refused'
  /** A reply that is not what the protocol says (types, size, truncation): retry later, touch nothing. */
  | 'protocol'
  /** The server's epoch changed: it was restored from a backup; this reply is not taken. */
  | 'restored'

export class SyncError extends Error {
  constructor(
    readonly kind: SyncErrorKind,
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message)
    this.name = 'SyncError'
  }
}

export interface TransportOptions {
  baseUrl: string
  timeoutMs: number
  maxReplyBytes?: number
  fetch?: typeof fetch
  /**
   * `sync.caFile`: a PEM file of the authority's own CA, trusted for the server in addition to
   * the usual CAs. Read here, at start (an unreadable file throws, in French). For Node's
   * fetch only: a `fetch` given above brings its own trust (Electron's: see app/trustedCa.ts).
   */
  caFile?: string
  /**
   * Told the server's epoch (`grc-server-epoch`) of every reply before it is read; throwing
   * leaves the reply untaken (a restored server: the engine recovers first).
   */
  onEpoch?: (epoch: string) => void
}

const MESSAGES = {
  offline: 'Serveur injoignable : vos modifications sont gardées et partiront au retour de la connexion.',
  timeout: 'Le serveur ne répond pas à temps : nouvel essai bientôt.',
  server: (status: number) => `Le serveur a rencontré une erreur (${status}) : nouvel essai bientôt.`,
  tooLarge: 'Le serveur a envoyé une réponse trop volumineuse : elle a été ignorée.',
  untrustedCertificate: (detail: string) =>
    `Le certificat du serveur n’est pas reconnu (${detail}) : la connexion a été refusée pour protéger vos données. Vos modifications sont gardées ; si le problème persiste, prévenez le service informatique (autorité de certification : sync.caFile).`,
  malformed: (detail: string) =>
    `Le serveur a envoyé une réponse illisible (${detail}) : elle a été ignorée.`,
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  return Buffer.from(await readCappedBytes(res, maxBytes)).toString('utf8')
}

/** The reply's bytes, refused past `maxBytes` (declared or counted). */
async function readCappedBytes(res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel()
    throw new SyncError('protocol', MESSAGES.tooLarge, res.status)
  }
  if (!res.body) return new Uint8Array(0)
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > maxBytes) {
        await reader.cancel()
        throw new SyncError('protocol', MESSAGES.tooLarge, res.status)
      }
      chunks.push(value)
    }
  } catch (e) {
    if (e instanceof SyncError) throw e
    // The connection broke mid-body (a truncated reply).
    throw new SyncError('protocol', MESSAGES.malformed('réponse tronquée'), res.status)
  }
  return Buffer.concat(chunks)
}

/** A 4xx/5xx reply as the SyncError the engine acts on, the server's own message kept. */
function statusError(status: number, text: string, lenient = false): SyncError {
  if (status >= 500) return new SyncError('server', MESSAGES.server(status), status)
  let err: { code?: string; message?: string } | undefined
  try {
    err = (JSON.parse(text) as { error?: { code?: string; message?: string } })?.error
  } catch {
    // An unreadable refusal is a damaged reply (tried again), except where `lenient` takes
    // the status alone (a proxy's page refusing an attachment's bytes is still a refusal).
    if (!lenient || status === 401)
      return new SyncError('protocol', MESSAGES.malformed('JSON invalide'), status)
  }
  if (status === 401)
    return new SyncError('auth', err?.message ?? 'Session refusée par le serveur.', 401, err?.code)
  return new SyncError('refused', err?.message ?? `Requête refusée (${status}).`, status, err?.code)
}

/** OpenSSL's and Node's codes for a certificate refused (Node's fetch puts them in `cause`). */
const TLS_CODE =
  /^(?:CERT_|UNABLE_TO_(?:GET|VERIFY)|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|ERR_TLS_CERT|HOSTNAME_MISMATCH)/
/** Chromium's (Electron's net.fetch), in the error's message. */
const CHROMIUM_CERT = /net::(ERR_CERT_[A-Z_]+|ERR_SSL_[A-Z_]+)/

/** The certificate problem behind a failed request, if that is what it was. */
function certificateProblem(e: unknown): string | null {
  let x = e as { code?: unknown; message?: unknown; cause?: unknown } | undefined
  for (let depth = 0; x && depth < 4; depth++, x = x.cause as typeof x) {
    if (typeof x.code === 'string' && TLS_CODE.test(x.code)) return x.code
    const chromium = typeof x.message === 'string' ? CHROMIUM_CERT.exec(x.message) : null
    if (chromium) return chromium[1]!
  }
  return null
}

function networkError(e: unknown): SyncError {
  if (e instanceof SyncError) return e
  const name = (e as { name?: string })?.name
  if (name === 'TimeoutError' || name === 'AbortError') return new SyncError('timeout', MESSAGES.timeout)
  // Not the server we trust (another CA, another name, expired): as good as unreachable, so
  // nothing is sent and the engine keeps trying; the message says it is not the network.
  const certificate = certificateProblem(e)
  if (certificate)
    return new SyncError(
      'offline',
      MESSAGES.untrustedCertificate(certificate),
      undefined,
      'untrusted_certificate',
    )
  return new SyncError('offline', MESSAGES.offline)
}

/** One call of the protocol: JSON `body`, or `raw` bytes with their type (attachments). */
interface CallInit {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  token?: string
  body?: unknown
  raw?: { bytes: Uint8Array; type: string }
  /** Longer than the usual one for a file's bytes. */
  timeoutMs?: number
  /** A refusal without a JSON body is still a refusal (see statusError). */
  lenient?: boolean
}

/** A file's bytes take longer than a page of the feed on a slow line. */
const BYTES_TIMEOUT_MS = 120_000

export function createSyncTransport(options: TransportOptions) {
  const base = options.baseUrl.replace(/\/+$/, '')
  const doFetch = options.fetch ?? (options.caFile ? createCaFetch(readCaFile(options.caFile).pem) : fetch)
  const maxBytes = options.maxReplyBytes ?? SYNC_LIMITS.maxReplyBytes

  /** A request sent, its epoch told; a failure to reach the server as a SyncError. */
  async function open(path: string, init: CallInit, accept: string): Promise<Response> {
    let res: Response
    try {
      res = await doFetch(`${base}${path}`, {
        method: init.method,
        headers: {
          accept,
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          // Attachments (issue 14) go as raw bytes with their type.
          ...(init.raw ? { 'content-type': init.raw.type } : {}),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        },
        body: init.raw ? init.raw.bytes : init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(init.timeoutMs ?? options.timeoutMs),
      })
    } catch (e) {
      throw networkError(e)
    }
    const epoch = res.headers.get('grc-server-epoch')
    if (epoch && res.status < 500) options.onEpoch?.(epoch)
    return res
  }

  /**
   * A binary reply (an attachment's content or thumbnail) with its type; a refusal as
   * `call` says it. Capped at `maxReply` bytes.
   */
  async function callBytes(
    path: string,
    init: CallInit,
    maxReply: number,
  ): Promise<{ bytes: Uint8Array; type: string | null }> {
    const res = await open(path, init, '*/*')
    let bytes: Uint8Array
    try {
      bytes = await readCappedBytes(res, maxReply)
    } catch (e) {
      throw e instanceof SyncError ? e : networkError(e)
    }
    if (res.status >= 400) throw statusError(res.status, Buffer.from(bytes).toString('utf8'), true)
    return { bytes, type: res.headers.get('content-type') }
  }

  async function call<S extends z.ZodType>(path: string, init: CallInit, schema: S): Promise<z.output<S>> {
    const res = await open(path, init, 'application/json')
    let text: string
    try {
      text = await readCapped(res, maxBytes)
    } catch (e) {
      throw e instanceof SyncError ? e : networkError(e)
    }
    if (res.status >= 400) throw statusError(res.status, text, init.lenient)
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new SyncError('protocol', MESSAGES.malformed('JSON invalide'), res.status)
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new SyncError(
        'protocol',
        MESSAGES.malformed(`${issue?.path.join('.') || 'racine'} : ${issue?.message}`),
      )
    }
    return parsed.data
  }

  return {
    token: (body: TokenRequest) => call('/api/v1/auth/token', { method: 'POST', body }, TokenReply),
    changes: (token: string, since: string, limit: number, light = false) =>
      call(
        `/api/v1/changes?since=${encodeURIComponent(since)}&limit=${limit}${light ? '&light=1' : ''}`,
        { method: 'GET', token },
        ChangesReplyFromServer,
      ),
    revoke: (token: string) => call('/api/v1/auth/revoke', { method: 'POST', token, body: {} }, RevokeReply),
    details: (token: string, ids: string[]) =>
      call('/api/v1/requests/details', { method: 'POST', token, body: { ids } }, DetailsReplyFromServer),
    mutations: (token: string, mutations: Mutation[]) =>
      call('/api/v1/mutations', { method: 'POST', token, body: { mutations } }, MutationsReplyFromServer),

    /** Reference administration (admin accounts only): every item with its version. */
    adminReference: (token: string) =>
      call('/api/v1/admin/reference', { method: 'GET', token }, AdminListReply),
    /** Create (`baseVersion` null) or change one item, on the version the administrator saw. */
    adminSave: (token: string, kind: AdminKind, id: string, data: unknown, baseVersion: number | null) =>
      call(
        `/api/v1/admin/reference/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`,
        { method: 'PUT', token, body: { data, baseVersion } },
        AdminSaveReply,
      ),
    adminDelete: (token: string, kind: AdminKind, id: string, baseVersion: number) =>
      call(
        `/api/v1/admin/reference/${encodeURIComponent(kind)}/${encodeURIComponent(id)}?baseVersion=${baseVersion}`,
        { method: 'DELETE', token },
        EmptyReply,
      ),
    /** The audit trail, newest first, of a kind or one item. */
    adminAudit: (token: string, filter: { kind?: AdminKind; id?: string; limit: number }) => {
      const query = new URLSearchParams({ limit: String(filter.limit) })
      if (filter.kind) query.set('kind', filter.kind)
      if (filter.id) query.set('id', filter.id)
      return call(`/api/v1/admin/reference/audit?${query}`, { method: 'GET', token }, AdminAuditReply)
    },
    /** Reply templates (admin accounts only): every one in force, its placeholders. */
    noticeTemplates: (token: string) =>
      call('/api/v1/admin/notice-templates', { method: 'GET', token }, NoticeTemplatesReply),
    /** Save one category's (or `*`) template for one event, on the version the administrator saw. */
    noticeTemplateSave: (
      token: string,
      categoryId: string,
      event: string,
      text: TemplateText,
      baseVersion: number,
    ) =>
      call(
        `/api/v1/admin/notice-templates/${encodeURIComponent(categoryId)}/${encodeURIComponent(event)}`,
        { method: 'PUT', token, body: { ...text, baseVersion } },
        NoticeTemplateSaveReply,
      ),
    /** Back to the shipped template: no body (nor content-type). */
    noticeTemplateReset: (token: string, categoryId: string, event: string) =>
      call(
        `/api/v1/admin/notice-templates/${encodeURIComponent(categoryId)}/${encodeURIComponent(event)}`,
        { method: 'DELETE', token },
        EmptyReply,
      ),
    /** API accounts of portals and partners (admin accounts only). */
    apiAccounts: (token: string) =>
      call('/api/v1/admin/api-accounts', { method: 'GET', token }, ApiAccountsListReply),
    /** A new account; the reply holds its key in clear, this once. */
    apiAccountCreate: (token: string, input: ApiAccountCreate) =>
      call('/api/v1/admin/api-accounts', { method: 'POST', token, body: input }, ApiAccountCreateReply),
    /** Revoke an account: no body (nor content-type). */
    apiAccountRevoke: (token: string, id: string) =>
      call(
        `/api/v1/admin/api-accounts/${encodeURIComponent(id)}`,
        { method: 'DELETE', token },
        ApiAccountRevokeReply,
      ),
    /** A person's weekly hours and absences (issue 15: their leads, supervisors); the reply is what is stored. */
    setCapacity: (token: string, agentId: string, body: CapacitySave) =>
      call(`/api/v1/capacity/${encodeURIComponent(agentId)}`, { method: 'PUT', token, body }, CapacityReply),

    /** A citizen's contact details for one purpose (logged by the server with it). */
    citizenContact: (token: string, requestId: string, body: CitizenContactRequest) =>
      call(
        `/api/v1/requests/${encodeURIComponent(requestId)}/citizen-contact`,
        { method: 'POST', token, body },
        CitizenContact,
      ),
    /** Reads made offline, uploaded once; the reply lists the ids the server holds. */
    uploadAccessLog: (token: string, body: OfflineAccessUpload) =>
      call('/api/v1/access-log', { method: 'POST', token, body }, OfflineAccessReply),

    /** A citizen's requests by their exact e-mail or phone (supervisors, DPO); a POST keeps the term out of URLs. */
    citizenLookup: (token: string, body: CitizenLookupRequest) =>
      call('/api/v1/citizens/lookup', { method: 'POST', token, body }, CitizenLookupReply),
    /**
     * Attachments (issue 14; protocol in src/shared/attachments.ts). An upload: the raw bytes
     * under the id the console made (a retry is applied once); the reply is the server's
     * description of what it kept.
     */
    uploadAttachment: (
      token: string,
      upload: { requestId: string; id: string; name: string; mime: string; bytes: Uint8Array },
    ) =>
      call(
        `/api/v1/requests/${encodeURIComponent(upload.requestId)}/attachments/${encodeURIComponent(upload.id)}?${new URLSearchParams({ name: upload.name })}`,
        {
          method: 'PUT',
          token,
          raw: { bytes: upload.bytes, type: upload.mime },
          timeoutMs: Math.max(options.timeoutMs, BYTES_TIMEOUT_MS),
          lenient: true,
        },
        AttachmentMeta,
      ),
    /** An attachment's file (`content`) or its JPEG thumbnail. */
    attachmentBytes: (token: string, id: string, kind: 'content' | 'thumbnail') =>
      callBytes(
        `/api/v1/attachments/${encodeURIComponent(id)}/${kind}`,
        { method: 'GET', token, timeoutMs: Math.max(options.timeoutMs, BYTES_TIMEOUT_MS) },
        maxBytes,
      ),
    deleteAttachment: (token: string, id: string) =>
      callBytes(`/api/v1/attachments/${encodeURIComponent(id)}`, { method: 'DELETE', token }, 64 * 1024),

    /** The citizens' rights (DPO accounts only): search by name, e-mail or phone. */
    privacySearch: (token: string, q: string, limit: number) =>
      call(
        `/api/v1/privacy/citizens?${new URLSearchParams({ q, limit: String(limit) })}`,
        { method: 'GET', token },
        CitizenSearchReply,
      ),
    privacyFile: (token: string, citizenId: string) =>
      call(
        `/api/v1/privacy/citizens/${encodeURIComponent(citizenId)}`,
        { method: 'GET', token },
        CitizenFile,
      ),
    privacyExport: (token: string, citizenId: string) =>
      call(
        `/api/v1/privacy/citizens/${encodeURIComponent(citizenId)}/export`,
        { method: 'GET', token },
        SubjectAccessExport,
      ),
    privacyRectify: (token: string, citizenId: string, body: CitizenRectification) =>
      call(
        `/api/v1/privacy/citizens/${encodeURIComponent(citizenId)}/rectify`,
        { method: 'POST', token, body },
        RectifyReply,
      ),
    privacyErase: (token: string, citizenId: string, reason: string) =>
      call(
        `/api/v1/privacy/citizens/${encodeURIComponent(citizenId)}/erase`,
        { method: 'POST', token, body: { reason } },
        ErasureResult,
      ),
    /** Set (a reason) or lift (null) a request's legal hold. */
    privacyLegalHold: (token: string, requestId: string, reason: string | null) =>
      call(
        `/api/v1/privacy/requests/${encodeURIComponent(requestId)}/legal-hold`,
        { method: 'PUT', token, body: { reason } },
        LegalHoldReply,
      ),
    /** The access log, newest first; `before` is the previous page's `next`. */
    privacyAccessLog: (token: string, q: AccessLogQuery) => {
      const query = new URLSearchParams({ limit: String(q.limit) })
      for (const key of ['citizenId', 'agentId', 'from', 'to', 'before'] as const) {
        const value = q[key]
        if (value !== undefined) query.set(key, value)
      }
      return call(`/api/v1/privacy/access-log?${query}`, { method: 'GET', token }, AccessLogPage)
    },
    /** What the next retention run would do, per category (a dry run on the server). */
    privacyRetentionPreview: (token: string) =>
      call('/api/v1/privacy/retention/preview', { method: 'GET', token }, RetentionPlan),

    /**
     * One chunk of the first download (issue 16), as the server compressed it: unpacked,
     * parsed and validated by the snapshot worker before anything touches the cache (the
     * main process only carries the bytes). `cursor` absent: a new snapshot. A 404 (an older
     * server) is a refusal the engine answers with the change feed.
     */
    async snapshot(
      token: string,
      position: { after: string; cursor: string | null; limit: number },
    ): Promise<{ bytes: Uint8Array; cursor: string; next: string | null; total: number | null }> {
      const query = new URLSearchParams({ after: position.after, limit: String(position.limit) })
      if (position.cursor !== null) query.set('cursor', position.cursor)
      const res = await open(
        `/api/v1/snapshot?${query}`,
        { method: 'GET', token },
        'application/x-ndjson+gzip',
      )
      let bytes: Uint8Array
      try {
        bytes = await readCappedBytes(res, maxBytes)
      } catch (e) {
        throw e instanceof SyncError ? e : networkError(e)
      }
      if (res.status >= 400) throw statusError(res.status, Buffer.from(bytes).toString('utf8'))
      const cursor = res.headers.get('grc-snapshot-cursor') ?? ''
      const next = res.headers.get('grc-snapshot-next')
      const total = res.headers.get('grc-snapshot-total')
      if (
        !/^\d{1,15}$/.test(cursor) ||
        next === null ||
        next.length > 64 ||
        (total && !/^\d{1,12}$/.test(total))
      )
        throw new SyncError('protocol', MESSAGES.malformed('en-têtes du téléchargement initial'), res.status)
      return { bytes, cursor, next: next === '' ? null : next, total: total ? Number(total) : null }
    },

    /** Who is on a request (issue 15): this agent views or edits it, or `left` it. */
    presence: async (token: string, requestId: string, report: PresenceReport | 'left'): Promise<void> => {
      const path = `/api/v1/presence/${encodeURIComponent(requestId)}`
      if (report === 'left') await callBytes(path, { method: 'DELETE', token }, 1024)
      else await call(path, { method: 'PUT', token, body: report }, PresenceReportReply)
    },

    /**
     * Hold the nudge stream open; `onOpen` once the server accepted it; resolves when it ends
     * (server gone, `signal` aborted, nothing heard for `idleMs`: the server's keep-alives stopped).
     * `onPresence` hears who else is on a request (issue 15); a mark that is not the protocol's is dropped.
     */
    async events(
      token: string,
      onNudge: () => void,
      signal: AbortSignal,
      onOpen: () => void = () => {},
      idleMs = 45_000,
      onPresence: (mark: PresenceMark) => void = () => {},
    ): Promise<void> {
      const local = new AbortController()
      const abort = () => local.abort()
      signal.addEventListener('abort', abort, { once: true })
      let idle = setTimeout(abort, idleMs)
      try {
        const res = await doFetch(`${base}/api/v1/events`, {
          headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
          signal: local.signal,
        })
        if (res.status === 401) throw new SyncError('auth', 'Session refusée par le serveur.', 401)
        if (!res.ok || !res.body) throw new SyncError('server', MESSAGES.server(res.status), res.status)
        onOpen()
        const parser = createParser({
          onEvent: (e) => {
            if (e.event === 'changes') onNudge()
            else if (e.event === 'presence') {
              let data: unknown
              try {
                data = JSON.parse(e.data)
              } catch {
                return
              }
              const mark = PresenceMark.safeParse(data)
              if (mark.success) onPresence(mark.data)
            }
          },
        })
        const decoder = new TextDecoder()
        const reader = res.body.getReader()
        for (;;) {
          const { done, value } = await reader.read()
          if (done) return
          clearTimeout(idle)
          idle = setTimeout(abort, idleMs)
          parser.feed(decoder.decode(value, { stream: true }))
        }
      } catch (e) {
        if (signal.aborted) return
        throw networkError(e)
      } finally {
        clearTimeout(idle)
        signal.removeEventListener('abort', abort)
      }
    },
  }
}

export type SyncTransport = ReturnType<typeof createSyncTransport>
