/**
 * The DPO's operations on a citizen's data (RGPD rights): search, the file, the subject
 * access export, rectification, erasure (with legal holds), and the anonymisation of
 * requests that erasure and retention share. Every one but the search is logged in
 * `citizen_access_log` (`dpo_view`, `export`, `rectify`, `erase`, `legal_hold`); the search
 * logs nothing, its terms least of all.
 *
 * The retention policy comes from the reference bundle's `privacy` (the server's effective
 * settings) and falls back to the defaults (RETENTION_DEFAULTS) when it is absent.
 */
import type { SessionInfo } from '../../shared/contract'
import type { RequestRecord } from '../../shared/sync'
import type { AgentSummary, Role } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import { RETENTION_DEFAULTS, SUBJECT_ACCESS_FORMAT, type RetentionPolicy } from '../../shared/privacy'
import { redactTags } from '../../core/requests/tags'
import { carriedId } from '../../core/requests/merge'
import { MERGED_FIELD } from '../../core/requests/duplicates'
import { canExerciseRights } from '../../core/authz/permissions'
import { addMonths, retentionRuleFor } from '../../core/privacy/retention'
import {
  citizenRedactor,
  normalizeForSearch,
  phoneKey,
  redactJson,
  redactText,
  similarity,
  trigrams,
  wordMatches,
} from '../../core/privacy/text'
import { appendAccess } from './accessLog'
import { removeAttachmentsById, removeAttachmentsOf } from '../attachments/removal'
import { rowsOf } from '../attachments/rows'
import type { AttachmentSource } from '../../shared/attachments'
import { listApiAccounts } from './apiAccounts'
import { indexCitizen, unindexCitizen } from './citizenSearch'
import type { ChangeSet } from './feed'
import type {
  AccessAction,
  AccessLogEntry,
  CitizenFile,
  CitizenMatch,
  CitizenRectification,
  CitizenRedactor,
  ErasureResult,
  LegalHoldReply,
  PrivacyCitizen,
  PrivacyContext,
  SubjectAccessExport,
} from './privacyContext'
import { appendHistory, detailsOf, getRequests } from './requests'
import { REQUEST_SELECT, toCitizen, toRequestRecord, type CitizenDbRow, type RequestDbRow } from './rows'
import { placeholders, type Sql, type SqlParam } from './sql/client'

/** What an erased citizen's row is called once nothing holds it any more. */
export const ANONYMOUS_CITIZEN = 'Usager anonymisé'

const iso = (ms: number) => new Date(ms).toISOString()
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms))

const DPO_ONLY = 'Seul le délégué à la protection des données exerce les droits des usagers.'
const UNKNOWN_CITIZEN = 'Cet usager n’existe pas.'

function assertDpo(session: SessionInfo): void {
  if (!canExerciseRights(session)) throw new CoreError('forbidden', DPO_ONLY)
}

/** The policy the server runs with, as its reference bundle says it (defaults otherwise). */
async function retentionPolicy(ctx: PrivacyContext, sql: Sql): Promise<RetentionPolicy> {
  return (await ctx.reference(sql)).bundle.privacy?.retention ?? RETENTION_DEFAULTS
}

// --- reading ---------------------------------------------------------------------------------

interface PrivacyCitizenRow extends CitizenDbRow {
  erased_at: number | null
}

const CITIZEN_SELECT = 'id, name, email, phone, postal_address, contact_preference, erased_at'

const toPrivacyCitizen = (r: PrivacyCitizenRow): PrivacyCitizen => ({
  ...toCitizen(r),
  erasedAt: r.erased_at === null ? null : iso(Number(r.erased_at)),
})

async function citizenRow(sql: Pick<Sql, 'get' | 'dialect'>, id: string, lock = false) {
  const row = await sql.get<PrivacyCitizenRow>(
    `SELECT ${CITIZEN_SELECT} FROM citizens WHERE id = ?${lock && sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
    [id],
  )
  if (!row) throw new CoreError('not_found', UNKNOWN_CITIZEN)
  return row
}

interface HoldDbRow {
  id: string
  legal_hold_reason: string | null
  legal_hold_at: number | null
  legal_hold_by: string | null
  anonymised_at: number | null
}

/** The citizen's requests (oldest first) with their legal hold and anonymisation. */
async function requestsOf(sql: Pick<Sql, 'all'>, citizenId: string) {
  const rows = await sql.all<RequestDbRow>(
    `SELECT ${REQUEST_SELECT} FROM requests WHERE citizen_id = ? ORDER BY created_at, id`,
    [citizenId],
  )
  const holds = await sql.all<HoldDbRow>(
    `SELECT id, legal_hold_reason, legal_hold_at, legal_hold_by, anonymised_at FROM requests WHERE citizen_id = ?`,
    [citizenId],
  )
  const holdOf = new Map(holds.map((h) => [h.id, h]))
  return rows.map((r) => ({ record: toRequestRecord(r), hold: holdOf.get(r.id)! }))
}

async function agentNames(
  sql: Pick<Sql, 'all'>,
  ids: readonly (string | null)[],
): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter((id): id is string => !!id))]
  if (unique.length === 0) return new Map()
  const rows = await sql.all<{ id: string; display_name: string }>(
    `SELECT id, display_name FROM agents WHERE id IN (${placeholders(unique.length)})`,
    unique,
  )
  return new Map(rows.map((r) => [r.id, r.display_name]))
}

interface AccessDbRow {
  id: string
  at: number
  recorded_at: number
  agent_id: string
  agent_name: string | null
  request_id: string | null
  request_reference: string | null
  request_team: string | null
  citizen_id: string
  action: string
  purpose: string | null
  client_id: string | null
  workstation: string | null
  source: string
}

/** The accesses to the citizen's data, newest first. */
async function accessesOf(sql: Pick<Sql, 'all'>, citizenId: string, limit: number): Promise<AccessDbRow[]> {
  return sql.all<AccessDbRow>(
    `SELECT l.id, l.at, l.recorded_at, l.agent_id, coalesce(l.agent_name, a.display_name) AS agent_name,
            l.request_id, r.reference AS request_reference, r.team_id AS request_team, l.citizen_id,
            l.action, l.purpose, l.client_id, l.workstation, l.source
     FROM citizen_access_log l
     LEFT JOIN agents a ON a.id = l.agent_id
     LEFT JOIN requests r ON r.id = l.request_id
     WHERE l.citizen_id = ? ORDER BY l.at DESC, l.id DESC LIMIT ?`,
    [citizenId, limit],
  )
}

const toAccessEntry = (r: AccessDbRow): AccessLogEntry => ({
  id: r.id,
  at: iso(Number(r.at)),
  recordedAt: iso(Number(r.recorded_at)),
  agentId: r.agent_id,
  agentName: r.agent_name,
  requestId: r.request_id,
  requestReference: r.request_reference,
  citizenId: r.citizen_id,
  action: r.action as AccessLogEntry['action'],
  purpose: r.purpose as AccessLogEntry['purpose'],
  clientId: r.client_id,
  workstation: r.workstation,
  source: r.source as AccessLogEntry['source'],
})

/** One DPO operation on the citizen's data, in the access log (the DPO's id, never a search term). */
async function logAccess(
  ctx: PrivacyContext,
  sql: Sql,
  session: SessionInfo,
  action: AccessAction,
  citizenId: string,
  at: number,
  requestId: string | null = null,
): Promise<void> {
  await appendAccess(sql, {
    id: ctx.newId(),
    at,
    recordedAt: at,
    agentId: session.agentId,
    agentName: session.displayName,
    requestId,
    citizenId,
    action,
    purpose: null,
    clientId: null,
    workstation: null,
    source: 'server',
  })
}

// --- search ------------------------------------------------------------------------------------

/** Candidates read from the grams before reranking. */
const CANDIDATES = 200
/** Below this, a candidate is noise. */
const MIN_SCORE = 0.3

/** Only digits and a phone's punctuation: the text is a phone number (or its start). */
const looksLikePhone = (q: string) => /^[\d\s.+()\-/]+$/.test(q) && q.replace(/\D/g, '').length >= 4

interface SearchQuery {
  text: string
  folded: string
  words: string[]
  /** The phone's key, or the digits typed without leading zeros (a number's start). */
  phoneDigits: string | null
  fullPhone: boolean
}

function scoreOf(q: SearchQuery, c: PrivacyCitizenRow): number {
  let score = 0
  if (q.words.length > 0) {
    const sim = similarity(q.text, c.name)
    score = Math.max(score, sim)
    const words = normalizeForSearch(c.name).split(' ')
    if (q.words.every((w) => words.some((n) => wordMatches(w, n)))) score = Math.max(score, 0.6 + 0.4 * sim)
  }
  if (c.email) {
    if (normalizeForSearch(c.email) === q.folded) score = 1
    else score = Math.max(score, similarity(q.text, c.email))
  }
  if (c.phone && q.phoneDigits) {
    const key = phoneKey(c.phone) ?? c.phone.replace(/\D/g, '')
    if (q.fullPhone && key === q.phoneDigits) score = 1
    else if (key.includes(q.phoneDigits))
      score = Math.max(score, 0.5 + 0.5 * (q.phoneDigits.length / key.length))
  }
  return Math.min(1, score)
}

/** Citizens whose name, e-mail or phone resemble `q` (accents, case and small typos ignored). */
export async function searchCitizens(
  ctx: PrivacyContext,
  session: SessionInfo,
  q: string,
  limit: number,
): Promise<CitizenMatch[]> {
  assertDpo(session)
  const text = q.trim()
  const phone = looksLikePhone(text)
  const key = phone ? phoneKey(text) : null
  const query: SearchQuery = {
    text,
    folded: normalizeForSearch(text),
    words: phone ? [] : normalizeForSearch(text).split(' ').filter(Boolean),
    phoneDigits: phone ? (key ?? text.replace(/\D/g, '').replace(/^0+/, '')) : null,
    fullPhone: key !== null,
  }
  const textGrams = phone ? [] : trigrams(text)
  const phoneGrams = query.phoneDigits ? trigrams(query.phoneDigits) : []
  if (textGrams.length === 0 && phoneGrams.length === 0) return []
  const where: string[] = []
  const params: SqlParam[] = []
  if (textGrams.length > 0) {
    where.push(`(field IN ('name', 'email') AND gram IN (${placeholders(textGrams.length)}))`)
    params.push(...textGrams)
  }
  if (phoneGrams.length > 0) {
    where.push(`(field = 'phone' AND gram IN (${placeholders(phoneGrams.length)}))`)
    params.push(...phoneGrams)
  }
  const candidates = await ctx.db.all<{ citizen_id: string; shared: number }>(
    `SELECT citizen_id, count(*) AS shared FROM citizen_search WHERE ${where.join(' OR ')}
     GROUP BY citizen_id ORDER BY count(*) DESC, citizen_id LIMIT ?`,
    [...params, CANDIDATES],
  )
  if (candidates.length === 0) return []
  const ids = candidates.map((c) => c.citizen_id)
  const citizens = await ctx.db.all<PrivacyCitizenRow>(
    `SELECT ${CITIZEN_SELECT} FROM citizens WHERE id IN (${placeholders(ids.length)}) AND erased_at IS NULL`,
    ids,
  )
  const ranked = citizens
    .map((c) => ({ c, score: scoreOf(query, c) }))
    .filter((m) => m.score >= MIN_SCORE)
    .sort((a, b) => b.score - a.score || a.c.name.localeCompare(b.c.name, 'fr') || (a.c.id < b.c.id ? -1 : 1))
    .slice(0, limit)
  if (ranked.length === 0) return []
  const counts = await ctx.db.all<{ citizen_id: string; n: number; last: number | null }>(
    `SELECT citizen_id, count(*) AS n, max(created_at) AS last FROM requests
     WHERE citizen_id IN (${placeholders(ranked.length)}) GROUP BY citizen_id`,
    ranked.map((m) => m.c.id),
  )
  const countOf = new Map(counts.map((r) => [r.citizen_id, r]))
  return ranked.map(({ c, score }) => {
    const n = countOf.get(c.id)
    return {
      id: c.id,
      name: c.name,
      email: c.email,
      phone: c.phone,
      requestCount: Number(n?.n ?? 0),
      lastRequestAt: n?.last == null ? null : iso(Number(n.last)),
      erasedAt: null,
      score: Math.round(score * 1000) / 1000,
    }
  })
}

// --- the file -------------------------------------------------------------------------------------

/** The citizen's file for the DPO's screen (logged `dpo_view`, no history). */
export async function citizenFile(
  ctx: PrivacyContext,
  session: SessionInfo,
  citizenId: string,
): Promise<CitizenFile> {
  assertDpo(session)
  return ctx.db.transaction(async (tx) => {
    const at = ctx.now()
    const citizen = await citizenRow(tx, citizenId)
    await logAccess(ctx, tx, session, 'dpo_view', citizenId, at)
    const requests = await requestsOf(tx, citizenId)
    const details = await detailsOf(
      tx,
      requests.map((r) => r.record.id),
    )
    const holders = await agentNames(
      tx,
      requests.map((r) => r.hold.legal_hold_by),
    )
    const accesses = await accessesOf(tx, citizenId, 500)
    return {
      citizen: toPrivacyCitizen(citizen),
      requests: requests.map(({ record: r, hold }) => ({
        id: r.id,
        reference: r.reference,
        title: r.title,
        categoryId: r.categoryId,
        teamId: r.teamId,
        status: r.status,
        statusKind: r.statusKind,
        createdAt: iso(r.createdAt),
        closedAt: isoOrNull(r.closedAt),
        anonymisedAt: hold.anonymised_at === null ? null : iso(Number(hold.anonymised_at)),
        legalHold:
          hold.legal_hold_reason === null
            ? null
            : {
                reason: hold.legal_hold_reason,
                at: iso(Number(hold.legal_hold_at ?? at)),
                byName: (hold.legal_hold_by && holders.get(hold.legal_hold_by)) || null,
              },
        comments: (details.get(r.id)?.comments ?? []).map((c) => ({
          id: c.id,
          kind: c.kind,
          body: c.body,
          authorName: c.authorName,
          createdAt: c.createdAt,
        })),
        history: (details.get(r.id)?.history ?? []).map((h) => ({
          kind: h.kind,
          at: iso(h.at),
          actorName: h.actorName,
          data: h.data,
        })),
      })),
      accesses: accesses.map(toAccessEntry),
    }
  })
}

// --- the subject access export (art. 15) ------------------------------------------------------------

const ROLE_LABELS: Record<Role, string> = {
  agent: 'Agent d’accueil',
  lead: 'Responsable d’équipe',
  technician: 'Technicien',
  supervisor: 'Superviseur',
  admin: 'Administrateur',
  dpo: 'Délégué à la protection des données',
}
const DPO_SERVICE = ROLE_LABELS.dpo

const PURPOSES: SubjectAccessExport['purposes'] = [
  {
    purpose: 'Traiter les demandes des usagers (signalements, réclamations, interventions) et leur répondre',
    legalBasis: 'RGPD art. 6(1)(e) : mission d’intérêt public dont est investie la collectivité',
  },
  {
    purpose: 'Recontacter l’usager au sujet de sa demande (rappel, intervention, réponse écrite)',
    legalBasis: 'RGPD art. 6(1)(e) : mission d’intérêt public',
  },
  {
    purpose: 'Tracer les accès aux données des usagers (sécurité du traitement)',
    legalBasis: 'RGPD art. 6(1)(c) et art. 32 : obligation légale de sécurité',
  },
]

/** Who did it, reduced to their team (when it handles the request) or their role: no agent's name. */
function actorOf(
  actorId: string | null,
  agents: ReadonlyMap<string, AgentSummary>,
  teamId: string,
  teamName: string,
): string | null {
  if (!actorId) return null
  const agent = agents.get(actorId)
  if (!agent) return 'Agent'
  if (agent.teamIds.includes(teamId)) return teamName
  const role = agent.roles[0]
  return role ? ROLE_LABELS[role] : 'Agent'
}

/**
 * History data without the agents it names (an assignee's id, an agent's name in a
 * conflict): each reduced the way `actorOf` reduces the actor.
 */
function withoutAgents(
  data: Record<string, unknown>,
  agents: ReadonlyMap<string, AgentSummary>,
  teamId: string,
  teamName: string,
): Record<string, unknown> {
  const byName = new Map([...agents.values()].map((a) => [a.displayName, a.id]))
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const id = agents.has(v) ? v : byName.get(v)
      return id ? actorOf(id, agents, teamId, teamName) : v
    }
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]))
    return v
  }
  return walk(data) as Record<string, unknown>
}

/** Everything held on the citizen (art. 15), logged `export` and written in each request's history. */
export async function exportCitizen(
  ctx: PrivacyContext,
  session: SessionInfo,
  citizenId: string,
): Promise<SubjectAccessExport> {
  assertDpo(session)
  return ctx.write(async (tx, changes) => {
    const at = ctx.now()
    const citizen = await citizenRow(tx, citizenId)
    const ref = await ctx.reference(tx)
    const policy = ref.bundle.privacy?.retention ?? RETENTION_DEFAULTS
    const teamName = new Map(ref.bundle.teams.map((t) => [t.id, t.name]))
    const agents = new Map(ref.bundle.agents.map((a) => [a.id, a]))
    const requests = await requestsOf(tx, citizenId)
    const details = await detailsOf(
      tx,
      requests.map((r) => r.record.id),
    )
    await logAccess(ctx, tx, session, 'export', citizenId, at)
    const accesses = await accessesOf(tx, citizenId, 10_000)
    const accounts = (await listApiAccounts(tx)).filter(
      (a) =>
        a.scopes.includes('requests:read') &&
        a.revokedAt === null &&
        (a.expiresAt === null || a.expiresAt > at) &&
        requests.some(
          ({ record: r }) =>
            (a.categoryIds === null || a.categoryIds.includes(r.categoryId)) &&
            (a.teamIds === null || a.teamIds.includes(r.teamId)),
        ),
    )
    const exported: SubjectAccessExport = {
      format: SUBJECT_ACCESS_FORMAT,
      generatedAt: iso(at),
      controller: ctx.controller,
      citizen: toPrivacyCitizen(citizen),
      requests: requests.map(({ record: r, hold }) => {
        const category = ref.category(r.categoryId)
        const team = teamName.get(r.teamId) ?? r.teamId
        const rule = retentionRuleFor(category, policy)
        const held = hold.legal_hold_reason !== null
        const due = (months: number | null) =>
          held || r.closedAt === null || months === null ? null : iso(addMonths(r.closedAt, months))
        return {
          reference: r.reference,
          createdAt: iso(r.createdAt),
          closedAt: isoOrNull(r.closedAt),
          channel: r.channel,
          category: category?.name.fr ?? r.categoryId,
          team,
          title: r.title,
          description: r.description,
          address: r.address,
          location: r.lat !== null && r.lon !== null ? { lat: r.lat, lon: r.lon } : null,
          fields: r.fields,
          status: r.status,
          legalHold: held,
          retention: {
            anonymiseOn: hold.anonymised_at === null ? due(rule.anonymiseAfterClosedMonths) : null,
            deleteOn: due(rule.deleteAfterClosedMonths),
          },
          comments: (details.get(r.id)?.comments ?? []).map((c) => ({
            kind: c.kind,
            body: c.body,
            at: c.createdAt,
          })),
          history: (details.get(r.id)?.history ?? []).map((h) => ({
            kind: h.kind,
            at: iso(h.at),
            data: withoutAgents(h.data, agents, r.teamId, team),
            actor: actorOf(h.actorId, agents, r.teamId, team),
          })),
          attachments: [],
        }
      }),
      accesses: accesses.map((a) => ({
        at: iso(Number(a.at)),
        action: a.action as AccessAction,
        purpose: a.purpose as SubjectAccessExport['accesses'][number]['purpose'],
        service: a.request_team
          ? (teamName.get(a.request_team) ?? null)
          : a.action === 'contact_delivered' || a.action.startsWith('contact_')
            ? null
            : DPO_SERVICE,
      })),
      purposes: PURPOSES,
      recipients: [
        ...[...new Set(requests.map(({ record: r }) => r.teamId))].map((id) => ({
          kind: 'team' as const,
          name: teamName.get(id) ?? id,
        })),
        ...accounts.map((a) => ({ kind: 'api_account' as const, name: a.name })),
      ],
      retentionPolicy: policy,
    }
    for (const { record: r } of requests) {
      await appendHistory(tx, {
        requestId: r.id,
        kind: 'exported',
        at,
        actorId: session.agentId,
        actorName: session.displayName,
        data: { format: SUBJECT_ACCESS_FORMAT },
      })
      changes.request(r.id, r.teamId)
    }
    return exported
  })
}

// --- rectification (art. 16) ------------------------------------------------------------------------

const RECTIFIABLE = ['name', 'email', 'phone', 'postalAddress', 'contactPreference'] as const

/** An empty contact field is no contact field. */
const blankToNull = (v: string | null) => (v === null || v.trim() === '' ? null : v.trim())

/** Correct the citizen's data (art. 16): history `edited {citizen: true, fields}` without values. */
export async function rectifyCitizen(
  ctx: PrivacyContext,
  session: SessionInfo,
  citizenId: string,
  input: CitizenRectification,
): Promise<PrivacyCitizen> {
  assertDpo(session)
  return ctx.write(async (tx, changes) => {
    const at = ctx.now()
    const row = await citizenRow(tx, citizenId, true)
    if (row.erased_at !== null) throw new CoreError('not_found', 'Cet usager a été effacé.')
    const before = toCitizen(row)
    const after = { ...before }
    if (input.name !== undefined) after.name = input.name.trim()
    if (input.email !== undefined) after.email = blankToNull(input.email)
    if (input.phone !== undefined) after.phone = blankToNull(input.phone)
    if (input.postalAddress !== undefined) after.postalAddress = blankToNull(input.postalAddress)
    if (input.contactPreference !== undefined) after.contactPreference = input.contactPreference
    const fields = RECTIFIABLE.filter((f) => after[f] !== before[f])
    if (fields.length > 0) {
      await tx.run(
        `UPDATE citizens SET name = ?, email = ?, phone = ?, postal_address = ?, contact_preference = ? WHERE id = ?`,
        [after.name, after.email, after.phone, after.postalAddress, after.contactPreference, citizenId],
      )
      await indexCitizen(tx, after)
      const requests = await tx.all<{ id: string; team_id: string }>(
        'SELECT id, team_id FROM requests WHERE citizen_id = ? ORDER BY id',
        [citizenId],
      )
      for (const r of requests) {
        // The names of the fields only: the values stay in the citizen's row.
        await appendHistory(tx, {
          requestId: r.id,
          kind: 'edited',
          at,
          actorId: session.agentId,
          actorName: session.displayName,
          data: { citizen: true, fields: [...fields] },
        })
        changes.request(r.id, r.team_id)
      }
    }
    await logAccess(ctx, tx, session, 'rectify', citizenId, at)
    return { ...after, erasedAt: null }
  })
}

// --- erasure (art. 17) and legal holds ---------------------------------------------------------------

/** Erase the citizen (art. 17): requests under legal hold are kept and listed in `held`. */
export async function eraseCitizen(
  ctx: PrivacyContext,
  session: SessionInfo,
  citizenId: string,
  reason: string,
): Promise<ErasureResult> {
  assertDpo(session)
  const result = await ctx.write(async (tx, changes): Promise<ErasureResult> => {
    const at = ctx.now()
    const citizen = await citizenRow(tx, citizenId, true)
    // 1. The citizen's requests, locked.
    const ids = (
      await tx.all<{ id: string }>('SELECT id FROM requests WHERE citizen_id = ? ORDER BY id', [citizenId])
    ).map((r) => r.id)
    const locked = await getRequests(tx, ids, { lock: true })
    // 2. Those a legal hold keeps.
    const holds =
      ids.length === 0
        ? []
        : await tx.all<{ id: string; reference: string; legal_hold_reason: string }>(
            `SELECT id, reference, legal_hold_reason FROM requests
             WHERE id IN (${placeholders(ids.length)}) AND legal_hold_reason IS NOT NULL ORDER BY reference`,
            ids,
          )
    const heldIds = new Set(holds.map((h) => h.id))
    const toAnonymise = ids.filter((id) => !heldIds.has(id))
    // 3. What identifies the citizen in free text, read before anything is changed.
    const redactor = citizenRedactor({
      name: citizen.name,
      email: citizen.email,
      phone: citizen.phone,
      postalAddress: citizen.postal_address,
    })
    const policy = await retentionPolicy(ctx, tx)
    const citizenAnonymised = holds.length === 0
    // 8. The citizen first in the feed: the requests anonymised after it get later numbers.
    if (toAnonymise.length > 0 || citizenAnonymised) changes.citizen(citizenId)
    // 4. The requests nothing holds.
    const anonymised = await anonymiseRequests(tx, changes, toAnonymise, redactor, at, {
      keepInternalComments: policy.keepInternalComments,
      actor: { id: session.agentId, name: session.displayName },
      attachmentSources: ['citizen'],
    })
    for (const h of holds) changes.request(h.id, locked.get(h.id)!.teamId)
    // 5. The citizen's own row, when no held request still needs it.
    if (citizenAnonymised) {
      await tx.run(
        `UPDATE citizens SET name = ?, email = NULL, phone = NULL, postal_address = NULL,
                contact_preference = 'none', erased_at = ? WHERE id = ?`,
        [ANONYMOUS_CITIZEN, citizen.erased_at ?? at, citizenId],
      )
      await unindexCitizen(tx, citizenId)
    }
    // 6. The register of erasures (re-applied after a restore).
    await tx.run(
      `INSERT INTO privacy_erasures (id, citizen_id, at, actor_id, reason, request_ids, held_request_ids)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        ctx.newId(),
        citizenId,
        at,
        session.agentId,
        reason,
        JSON.stringify(anonymised),
        JSON.stringify(holds.map((h) => h.id)),
      ],
    )
    // 7. The access log.
    await logAccess(ctx, tx, session, 'erase', citizenId, at)
    return {
      citizenId,
      anonymisedRequestIds: anonymised,
      held: holds.map((h) => ({ id: h.id, reference: h.reference, reason: h.legal_hold_reason })),
      citizenAnonymised,
    }
  })
  // 9. The bytes of what was overwritten leave the files (SQLite; nothing on PostgreSQL).
  await ctx.db.reclaim()
  return result
}

/** Put a request under legal hold (reason) or lift it (null). */
export async function setLegalHold(
  ctx: PrivacyContext,
  session: SessionInfo,
  requestId: string,
  reason: string | null,
): Promise<LegalHoldReply> {
  assertDpo(session)
  return ctx.db.transaction(async (tx) => {
    const at = ctx.now()
    const lock = tx.dialect === 'postgres' ? ' FOR UPDATE' : ''
    const row = await tx.get<{ id: string; citizen_id: string | null }>(
      `SELECT id, citizen_id FROM requests WHERE id = ?${lock}`,
      [requestId],
    )
    if (!row) throw new CoreError('not_found', 'Cette demande n’existe pas.')
    const text = reason?.trim() || null
    await tx.run(
      'UPDATE requests SET legal_hold_reason = ?, legal_hold_at = ?, legal_hold_by = ? WHERE id = ?',
      text === null ? [null, null, null, requestId] : [text, at, session.agentId, requestId],
    )
    // A request without a citizen holds nobody's data: nothing was accessed.
    if (row.citizen_id) await logAccess(ctx, tx, session, 'legal_hold', row.citizen_id, at, requestId)
    return {
      requestId,
      legalHold: text === null ? null : { reason: text, at: iso(at), byName: session.displayName },
    }
  })
}

// --- anonymisation (erasure and retention) ------------------------------------------------------------

const LIST_CHUNK = 500

async function inChunks<T>(ids: readonly string[], read: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < ids.length; i += LIST_CHUNK) out.push(...(await read(ids.slice(i, i + LIST_CHUNK))))
  return out
}

/** The master each of `records` was merged into (`fields.mergedInto`, a reference), by the duplicate's id. */
async function mergeMastersOf(
  sql: Pick<Sql, 'all'>,
  records: readonly RequestRecord[],
): Promise<Map<string, { id: string; teamId: string }>> {
  const merged = records.filter((r) => typeof r.fields[MERGED_FIELD] === 'string')
  if (merged.length === 0) return new Map()
  const references = [...new Set(merged.map((r) => r.fields[MERGED_FIELD]!))]
  const masters = await inChunks(references, (part) =>
    sql.all<{ id: string; reference: string; team_id: string }>(
      `SELECT id, reference, team_id FROM requests WHERE reference IN (${placeholders(part.length)})`,
      part,
    ),
  )
  const byReference = new Map(masters.map((m) => [m.reference, { id: m.id, teamId: m.team_id }]))
  return new Map(
    merged.flatMap((r) => {
      const master = byReference.get(r.fields[MERGED_FIELD]!)
      return master ? [[r.id, master] as const] : []
    }),
  )
}

/**
 * Detach the citizen from requests `ids` (read and locked by the caller) and redact their
 * free text with `redactor`: title, description, address, transition fields, comments,
 * history data and the values kept in conflict answers (`applied_mutations`). Internal
 * comments go unless `keepInternalComments`. Each request gets a new version (the fields
 * redacted, in `request_versions`), history `anonymised` (no reason text) and is fed.
 * Shared by erasure and retention; `actor`: who did it (none for retention).
 * @returns the ids anonymised.
 */
export async function anonymiseRequests(
  tx: Sql,
  changes: ChangeSet,
  ids: readonly string[],
  redactor: CitizenRedactor,
  at: number,
  options: {
    keepInternalComments: boolean
    actor?: { id: string; name: string } | null
    /** The attachments that go (erasure: the citizen's own); absent: all (retention). */
    attachmentSources?: readonly AttachmentSource[]
  },
): Promise<string[]> {
  if (ids.length === 0) return []
  const records = await getRequests(tx, ids)
  const done = [...records.keys()].sort()
  if (done.length === 0) return []
  const actor = options.actor ?? null
  // A duplicate merged into another request left copies of its comments and files on that
  // master (ids from `carriedId`): they hold the same personal data and go the same way.
  const masterOf = await mergeMastersOf(
    tx,
    done.map((id) => records.get(id)!),
  )
  const copiedFiles = (await rowsOf(tx, [...masterOf.keys()], options.attachmentSources ?? null)).map((f) =>
    carriedId(masterOf.get(f.request_id)!.id, f.id),
  )
  // Before the history is redacted below: the removal events' file names are redacted too.
  const removal = { reason: actor ? ('erasure' as const) : ('retention' as const), at, history: true, actor }
  await removeAttachmentsOf(tx, done, { ...removal, sources: options.attachmentSources ?? null })
  await removeAttachmentsById(tx, copiedFiles, removal)
  for (const id of done) {
    const r = records.get(id)!
    const title = redactText(r.title, redactor)
    const description = redactText(r.description, redactor)
    const address = r.address === null ? null : redactText(r.address, redactor)
    const fields = redactJson(r.fields, redactor)
    const tags = redactTags(r.tags ?? [], (t) => redactText(t, redactor))
    const touched = [
      ...(tags.length !== (r.tags ?? []).length || tags.some((t, i) => t !== r.tags?.[i]) ? ['tags'] : []),
      ...(title !== r.title ? ['title'] : []),
      ...(description !== r.description ? ['description'] : []),
      ...(address !== r.address ? ['address'] : []),
      ...Object.keys(fields)
        .filter((f) => fields[f] !== r.fields[f])
        .map((f) => `fields.${f}`),
    ]
    await tx.run(
      `UPDATE requests SET citizen_id = NULL, anonymised_at = ?, title = ?, description = ?, address = ?,
              fields = ?, tags = ?, version = ?, updated_at = ? WHERE id = ?`,
      [
        at,
        title,
        description,
        address,
        JSON.stringify(fields),
        JSON.stringify(tags),
        r.version + 1,
        Math.max(at, r.updatedAt),
        id,
      ],
    )
    await tx.run(
      `INSERT INTO request_versions (request_id, version, fields, client_id, agent_id, mutation_id, actor_name, at)
       VALUES (?, ?, ?, NULL, ?, NULL, ?, ?)`,
      [id, r.version + 1, JSON.stringify(touched), actor?.id ?? null, actor?.name ?? null, at],
    )
  }

  const own = await inChunks(done, (part) =>
    tx.all<{ id: string; kind: string; body: string; request_id: string }>(
      `SELECT id, kind, body, request_id FROM comments WHERE request_id IN (${placeholders(part.length)})`,
      part,
    ),
  )
  const copyIds = own.flatMap((c) => {
    const master = masterOf.get(c.request_id)
    return master ? [carriedId(master.id, c.id)] : []
  })
  const comments = [
    ...own,
    ...(await inChunks(copyIds, (part) =>
      tx.all<{ id: string; kind: string; body: string; request_id: string }>(
        `SELECT id, kind, body, request_id FROM comments WHERE id IN (${placeholders(part.length)})`,
        part,
      ),
    )),
  ]
  const dropped = options.keepInternalComments ? [] : comments.filter((c) => c.kind === 'internal')
  for (let i = 0; i < dropped.length; i += LIST_CHUNK) {
    const part = dropped.slice(i, i + LIST_CHUNK).map((c) => c.id)
    await tx.run(`DELETE FROM comments WHERE id IN (${placeholders(part.length)})`, part)
  }
  for (const c of comments) {
    if (!options.keepInternalComments && c.kind === 'internal') continue
    const body = redactText(c.body, redactor)
    if (body !== c.body) await tx.run('UPDATE comments SET body = ? WHERE id = ?', [body, c.id])
  }
  // The masters changed too (copies redacted or gone): a new version each, so the consoles take them again.
  const masters = new Map([...masterOf.values()].filter((m) => !done.includes(m.id)).map((m) => [m.id, m]))
  for (const master of (await getRequests(tx, [...masters.keys()])).values()) {
    await tx.run('UPDATE requests SET version = ?, updated_at = ? WHERE id = ?', [
      master.version + 1,
      Math.max(at, master.updatedAt),
      master.id,
    ])
    await tx.run(
      `INSERT INTO request_versions (request_id, version, fields, client_id, agent_id, mutation_id, actor_name, at)
       VALUES (?, ?, '[]', NULL, ?, NULL, ?, ?)`,
      [master.id, master.version + 1, actor?.id ?? null, actor?.name ?? null, at],
    )
    changes.request(master.id, master.teamId)
  }

  const events = await inChunks(done, (part) =>
    tx.all<{ id: number; data: string }>(
      `SELECT id, data FROM history_events WHERE request_id IN (${placeholders(part.length)})`,
      part,
    ),
  )
  for (const e of events) {
    const data = JSON.stringify(redactJson(JSON.parse(e.data) as unknown, redactor))
    if (data !== e.data) await tx.run('UPDATE history_events SET data = ? WHERE id = ?', [data, e.id])
  }

  const outcomes = await inChunks(done, (part) =>
    tx.all<{ mutation_id: string; outcome: string }>(
      `SELECT mutation_id, outcome FROM applied_mutations WHERE request_id IN (${placeholders(part.length)})`,
      part,
    ),
  )
  for (const o of outcomes) {
    const outcome = JSON.stringify(redactJson(JSON.parse(o.outcome) as unknown, redactor))
    if (outcome !== o.outcome)
      await tx.run('UPDATE applied_mutations SET outcome = ? WHERE mutation_id = ?', [outcome, o.mutation_id])
  }

  for (const id of done) {
    await appendHistory(tx, {
      requestId: id,
      kind: 'anonymised',
      at,
      actorId: actor?.id ?? null,
      actorName: actor?.name ?? null,
      data: {},
    })
    changes.request(id, records.get(id)!.teamId)
  }
  return done
}
