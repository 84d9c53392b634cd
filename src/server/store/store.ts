/**
 * The central server's store, written once over the SQL interface: the same statements
 * and the same core decisions on SQLite and PostgreSQL.
 */
import { randomUUID } from 'node:crypto'
import type { SessionInfo } from '../../shared/contract'
import type { AgentSummary, Role } from '../../shared/domain'
import type { ChangesReply, RequestRecord } from '../../shared/sync'
import type { WorkflowDefinition } from '../../shared/workflow'
import { canSeeTeam } from '../../core/authz/permissions'
import { agentIdFor } from '../../core/directory/agentId'
import { newRequestRow } from '../../core/requests/operations'
import type { BusinessCalendar } from '../../core/workflow/sla'
import {
  createApiAccount,
  ensureApiAccountForKey,
  findApiAccountByKey,
  hasApiAccounts,
  hitRateWindow,
  listApiAccounts,
  logApiUse,
  revokeApiAccount,
} from './apiAccounts'
import { readAccessLog, recordOfflineAccess } from './accessLog'
import { deliverCitizenContact } from './contacts'
import { seedServerDemo, type ServerDemoOptions } from './demoSeed'
import { ChangeSet, CHANGES_CHANNEL, changeRows, remainingAfter, writeFed } from './feed'
import { migrateServerStore } from './migrate'
import { SERVER_MIGRATIONS } from './migrations'
import { applyMutations, type MutationContext } from './mutations'
import {
  addPartnerNote,
  createPartnerRequest,
  getPartnerRequest,
  listPartnerRequests,
} from './partnerRequests'
import {
  citizenFile,
  eraseCitizen,
  exportCitizen,
  rectifyCitizen,
  searchCitizens,
  setLegalHold,
} from './privacy'
import type { Controller, PrivacyContext } from './privacyContext'
import type { PrivacyPolicy } from '../../shared/privacy'
import {
  agentByLogin,
  agentById,
  loadReference,
  referenceVersion,
  upsertAgent,
  type ReferenceSnapshot,
} from './reference'
import {
  appendHistory,
  detailsOf,
  entitiesFor,
  getRequest,
  getRequests,
  insertCitizen,
  insertRequest,
  nextReference,
} from './requests'
import { applyRetention, planRetention } from './retention'
import { lookupCitizen } from './citizenLookup'
import { REQUEST_SELECT, toRequestRecord, toTour, type RequestDbRow } from './rows'
import { placeholders, type Sql, type SqlDatabase, type SqlParam } from './sql/client'
import type { ServerStore } from './types'

/**
 * The erasures of `citizenIds` as `session` may hear of them: when the last one was made,
 * and the requests each detached (held ones excepted) that the session may see now. All
 * the citizen's erasures count: a console offline across two of them hears only the last.
 */
async function erasuresFor(
  sql: Pick<Sql, 'all' | 'dialect'>,
  session: SessionInfo,
  citizenIds: readonly string[],
): Promise<Map<string, { erasedAt: number; requestIds: string[] }>> {
  if (citizenIds.length === 0) return new Map()
  const rows = await sql.all<{ citizen_id: string; at: number; request_ids: string }>(
    `SELECT citizen_id, at, request_ids FROM privacy_erasures
     WHERE citizen_id IN (${placeholders(citizenIds.length)}) ORDER BY at, id`,
    [...citizenIds],
  )
  const byCitizen = new Map<string, { erasedAt: number; requestIds: Set<string> }>()
  for (const r of rows) {
    const e = byCitizen.get(r.citizen_id) ?? { erasedAt: 0, requestIds: new Set<string>() }
    e.erasedAt = Math.max(e.erasedAt, Number(r.at))
    for (const id of JSON.parse(r.request_ids) as string[]) e.requestIds.add(id)
    byCitizen.set(r.citizen_id, e)
  }
  const requests = await getRequests(
    sql,
    [...byCitizen.values()].flatMap((e) => [...e.requestIds]),
  )
  return new Map(
    [...byCitizen].map(([citizenId, e]) => [
      citizenId,
      {
        erasedAt: e.erasedAt,
        requestIds: [...e.requestIds].filter((id) => {
          const request = requests.get(id)
          return request !== undefined && canSeeTeam(session, request.teamId)
        }),
      },
    ]),
  )
}

export interface ServerStoreOptions {
  db: SqlDatabase
  /** How the database is named in messages (a file, or a URL without its password). */
  label: string
  workflows: Map<string, WorkflowDefinition>
  calendar: BusinessCalendar
  citizenDataRoles: readonly Role[]
  /** Who answers for the citizens' data (config `privacy.controller`), named in exports. */
  privacyController?: Controller | null
  /**
   * The authority's privacy policy (config `privacy`): sent to every console with the
   * reference data (who may read citizens, the retention it applies to its cache) and
   * followed by erasure and retention here. Absent: the built-in defaults.
   */
  privacyPolicy?: PrivacyPolicy
  /** Seed the demo authority when the database is new. */
  demo?: Omit<ServerDemoOptions, 'now'> | null
  now?: () => number
  newId?: () => string
}

export async function openServerStore(options: ServerStoreOptions): Promise<ServerStore> {
  const { db } = options
  const now = options.now ?? Date.now
  const newId = options.newId ?? randomUUID
  await migrateServerStore(db, SERVER_MIGRATIONS, options.label)

  if (options.demo) await seedServerDemo(db, { ...options.demo, now: now() })
  const epoch = (await db.get<{ value: string }>("SELECT value FROM server_info WHERE key = 'epoch'"))!.value

  let snapshot: ReferenceSnapshot | null = null
  /** The reference data, reloaded when the feed says another transaction (any instance) changed it. */
  async function reference(sql: Pick<Sql, 'all' | 'get'>): Promise<ReferenceSnapshot> {
    const version = await referenceVersion(sql)
    if (!snapshot || snapshot.version !== version) {
      const loaded = await loadReference(sql)
      snapshot = options.privacyPolicy
        ? { ...loaded, bundle: { ...loaded.bundle, privacy: options.privacyPolicy } }
        : loaded
    }
    return snapshot
  }

  const mutationContext: MutationContext = {
    db,
    workflows: options.workflows,
    calendar: options.calendar,
    citizenDataRoles: options.citizenDataRoles,
    reference,
    now,
  }

  const listeners = new Set<(scopes: ReadonlySet<string>) => void>()
  const unlisten = await db.listen(CHANGES_CHANNEL, (payload) => {
    let scopes: unknown
    try {
      scopes = JSON.parse(payload)
    } catch {
      return
    }
    if (!Array.isArray(scopes)) return
    const set = new Set(scopes.filter((s): s is string => typeof s === 'string'))
    listeners.forEach((l) => l(set))
  })

  /** A write transaction that feeds the change set it is given, published at its end. */
  const write = <T>(fn: (tx: Sql, changes: ChangeSet) => Promise<T>) => writeFed(db, fn)

  const privacy: PrivacyContext = {
    db,
    citizenDataRoles: options.citizenDataRoles,
    controller: options.privacyController ?? null,
    now,
    newId,
    reference,
    write,
  }

  return {
    sql: db,
    epoch,

    findAgentByLogin: (login) => agentByLogin(db, login),
    async agentFromDirectory(identity) {
      const known = await agentByLogin(db, identity.login)
      const agent: AgentSummary = {
        id: known?.id ?? agentIdFor(identity.login),
        login: identity.login,
        displayName: identity.displayName,
        roles: identity.roles,
        teamIds: identity.teamIds,
      }
      // Unchanged: no write, so no reference change is fed to every console at each login.
      if (JSON.stringify(known) !== JSON.stringify(agent))
        await write(async (tx, changes) => {
          // Roles or teams changed in the directory: sessions opened under the old ones end.
          if (known) await tx.run('DELETE FROM refresh_tokens WHERE agent_id = ?', [known.id])
          await upsertAgent(tx, agent)
          changes.reference()
        })
      return agent
    },
    getAgent: (id) => agentById(db, id),

    async saveRefreshToken(tokenHash, grant) {
      // Used tokens are kept until they expire: a replay must still be recognised as one.
      await db.run('DELETE FROM refresh_tokens WHERE expires_at < ?', [now()])
      await db.run(
        `INSERT INTO refresh_tokens (token_hash, family_id, agent_id, client_id, expires_at, auth_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [tokenHash, grant.familyId, grant.agentId, grant.clientId, grant.expiresAt, grant.authAt],
      )
    },
    takeRefreshToken: (tokenHash, clientId, graceMs) =>
      db.transaction(async (tx) => {
        const lock = tx.dialect === 'postgres' ? ' FOR UPDATE' : ''
        const row = await tx.get<{
          family_id: string | null
          agent_id: string
          client_id: string
          expires_at: number
          auth_at: number
          used_at: number | null
        }>(
          `SELECT family_id, agent_id, client_id, expires_at, auth_at, used_at FROM refresh_tokens
           WHERE token_hash = ?${lock}`,
          [tokenHash],
        )
        if (!row) return undefined
        const familyId = row.family_id ?? tokenHash
        const at = now()
        if (row.used_at === null && row.client_id === clientId)
          await tx.run('UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?', [at, tokenHash])
        else if (row.used_at !== null && row.client_id === clientId && at - row.used_at <= graceMs)
          // The successor issued then never arrived (or arrives on the other delivery): the new one replaces it.
          await tx.run('DELETE FROM refresh_tokens WHERE family_id = ? AND used_at IS NULL', [familyId])
        else {
          // Used long ago, or by another console: a copy is in other hands. The family ends.
          await tx.run('DELETE FROM refresh_tokens WHERE family_id = ?', [familyId])
          return undefined
        }
        return {
          familyId,
          agentId: row.agent_id,
          clientId: row.client_id,
          expiresAt: row.expires_at,
          authAt: row.auth_at,
        }
      }),
    async revokeRefreshTokens(agentId) {
      await db.run('DELETE FROM refresh_tokens WHERE agent_id = ?', [agentId])
    },

    async changesSince(session: SessionInfo, since, limit, changeOptions = {}): Promise<ChangesReply> {
      const light = changeOptions.light === true
      const rows = await changeRows(db, session, since, limit)
      const requestIds = rows.filter((r) => r.entity === 'request').map((r) => r.entity_id)
      const tourIds = rows.filter((r) => r.entity === 'tour').map((r) => r.entity_id)
      const citizenIds = rows.filter((r) => r.entity === 'citizen').map((r) => r.entity_id)
      const [entities, existing, tours, ref, erasures] = await Promise.all([
        entitiesFor(db, session, options.citizenDataRoles, requestIds, light),
        getRequests(db, requestIds),
        tourIds.length === 0
          ? []
          : db.all<{ data: string }>(
              `SELECT data FROM tours WHERE id IN (${placeholders(tourIds.length)})`,
              tourIds,
            ),
        rows.some((r) => r.entity === 'reference') ? reference(db) : null,
        erasuresFor(db, session, citizenIds),
      ])
      const tourById = new Map(tours.map(toTour).map((t) => [t.id, t]))
      const seen = new Set<string>()
      const changes: ChangesReply['changes'] = []
      for (const r of rows) {
        const key = `${r.entity}:${r.entity_id}`
        if (seen.has(key)) continue
        seen.add(key)
        if (r.entity === 'reference') {
          changes.push({ type: 'reference', seq: r.seq, reference: ref!.bundle })
          continue
        }
        // An erased citizen: the console forgets them and scrubs the requests listed (those
        // this session may see); their anonymised copies follow as request changes.
        if (r.entity === 'citizen') {
          const erasure = erasures.get(r.entity_id)
          if (erasure)
            changes.push({ type: 'citizen_erased', seq: r.seq, citizenId: r.entity_id, ...erasure })
          continue
        }
        if (r.entity === 'tour') {
          const tour = tourById.get(r.entity_id)
          changes.push(
            tour && canSeeTeam(session, tour.teamId)
              ? { type: 'tour', seq: r.seq, tour }
              : { type: 'tour_removed', seq: r.seq, id: r.entity_id },
          )
          continue
        }
        const entity = entities.get(r.entity_id)
        if (entity) changes.push({ type: 'request', seq: r.seq, entity, partial: light })
        else
          changes.push({
            type: 'request_removed',
            seq: r.seq,
            id: r.entity_id,
            reason: existing.has(r.entity_id) ? 'out_of_scope' : 'deleted',
          })
      }
      const next = rows.length > 0 ? rows[rows.length - 1]!.seq : since
      const remaining = await remainingAfter(db, session, next)
      return { changes, nextCursor: String(next), hasMore: remaining > 0, remaining }
    },

    applyMutations: (session, clientId, mutations) =>
      applyMutations(mutationContext, session, clientId, mutations),

    async requestDetails(session, ids) {
      const visible = [...(await getRequests(db, ids)).values()].filter((r) => canSeeTeam(session, r.teamId))
      const details = await detailsOf(
        db,
        visible.map((r) => r.id),
      )
      return ids.flatMap((id) => {
        const d = details.get(id)
        return d ? [{ id, comments: d.comments, history: d.history }] : []
      })
    },

    listCategories: async () => (await reference(db)).bundle.categories,

    // API accounts (apiAccounts.ts) and the partner API's requests (partnerRequests.ts).
    createApiAccount: (input) => createApiAccount(db, input, { at: now(), newId }),
    ensureApiAccountForKey: (key, input) => ensureApiAccountForKey(db, key, input, { at: now(), newId }),
    apiAccountByKey: (key) => findApiAccountByKey(db, key, now()),
    hasApiAccounts: () => hasApiAccounts(db),
    listApiAccounts: () => listApiAccounts(db),
    revokeApiAccount: (idOrPrefix) => revokeApiAccount(db, idOrPrefix, now()),
    logApiUse: (use) => logApiUse(db, { ...use, at: now() }),
    hitRateWindow: (key, windowMs) => hitRateWindow(db, key, windowMs, now()),
    listPartnerRequests: (filter) => listPartnerRequests(db, filter),
    getPartnerRequest: (id, limits) => getPartnerRequest(db, id, limits),
    createPartnerRequest: (actor, input) =>
      write(async (tx, changes) =>
        createPartnerRequest(
          tx,
          changes,
          {
            ref: await reference(tx),
            workflows: options.workflows,
            calendar: options.calendar,
            at: now(),
            newId,
          },
          actor,
          input,
        ),
      ),
    addPartnerNote: (actor, input) =>
      write((tx, changes) => addPartnerNote(tx, changes, { at: now(), newId }, actor, input)),

    createCitizenRequest: (input) =>
      write(async (tx, changes): Promise<RequestRecord> => {
        const ref = await reference(tx)
        const at = now()
        const citizenId = input.citizen ? newId() : null
        if (input.citizen && citizenId) await insertCitizen(tx, { id: citizenId, ...input.citizen })
        const category = ref.category(input.categoryId)
        const where =
          input.address ??
          (input.location ? `${input.location.lat.toFixed(5)}, ${input.location.lon.toFixed(5)}` : '')
        const title = `${category?.name.fr ?? input.categoryId}${where ? ` — ${where}` : ''}`.slice(0, 200)
        const { row, routed } = newRequestRow(
          { ref, workflows: options.workflows, calendar: options.calendar },
          {
            categoryId: input.categoryId,
            subcategory: input.subcategory,
            channel: 'open311',
            title,
            description: input.description,
            priority: 'normal',
            address: input.address,
            location: input.location,
          },
          { id: newId(), reference: await nextReference(tx, at), at, citizenId },
        )
        await insertRequest(tx, row, changes)
        const data = { channel: 'open311', portal: input.portal }
        await appendHistory(tx, {
          requestId: row.id,
          kind: 'created',
          at,
          actorId: null,
          actorName: null,
          data,
        })
        await appendHistory(tx, { requestId: row.id, ...routed, at, actorId: null, actorName: null })
        await tx.run(
          `INSERT INTO request_versions (request_id, version, fields, client_id, agent_id, mutation_id, actor_name, at)
           VALUES (?, 0, '["*"]', NULL, NULL, NULL, NULL, ?)`,
          [row.id, at],
        )
        return (await getRequest(tx, row.id))!
      }),

    async listPublicRequests(filter) {
      // Only what citizens sent through a portal: requests taken at the counter or on the phone
      // carry what agents typed (names, phone numbers…) and are never published.
      const where: string[] = ["channel = 'open311'"]
      const params: SqlParam[] = []
      const list = (column: string, values: readonly string[]) => {
        where.push(`${column} IN (${placeholders(values.length)})`)
        params.push(...values)
      }
      if (filter.ids?.length) list('id', filter.ids)
      if (filter.categoryIds?.length) list('category_id', filter.categoryIds)
      if (filter.statusKinds?.length) list('status_kind', filter.statusKinds)
      if (filter.from !== undefined) {
        where.push('created_at >= ?')
        params.push(filter.from)
      }
      if (filter.to !== undefined) {
        where.push('created_at <= ?')
        params.push(filter.to)
      }
      const rows = await db.all<RequestDbRow>(
        `SELECT ${REQUEST_SELECT} FROM requests WHERE ${where.join(' AND ')} ORDER BY n DESC LIMIT ?`,
        [...params, filter.limit],
      )
      return rows.map(toRequestRecord)
    },

    // The citizen's data (contacts.ts, accessLog.ts, privacy.ts, retention.ts).
    deliverCitizenContact: (session, input) => deliverCitizenContact(privacy, session, input),
    recordOfflineAccess: (session, entries) => recordOfflineAccess(privacy, session, entries),
    accessLog: (session, query) => readAccessLog(privacy, session, query),
    searchCitizens: (session, q, limit) => searchCitizens(privacy, session, q, limit),
    lookupCitizen: (session, input) => lookupCitizen(privacy, session, input),
    citizenFile: (session, id) => citizenFile(privacy, session, id),
    exportCitizen: (session, id) => exportCitizen(privacy, session, id),
    rectifyCitizen: (session, id, input) => rectifyCitizen(privacy, session, id, input),
    eraseCitizen: (session, id, reason) => eraseCitizen(privacy, session, id, reason),
    setLegalHold: (session, requestId, reason) => setLegalHold(privacy, session, requestId, reason),
    planRetention: (policy, at) => planRetention(privacy, policy, at ?? now()),
    applyRetention: (policy, at) => applyRetention(privacy, policy, at ?? now()),

    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async close() {
      listeners.clear()
      await unlisten()
      await db.close()
    },
  }
}
