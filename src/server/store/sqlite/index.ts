/**
 * The reference server's storage on SQLite: the console's schema and query functions,
 * plus the server's tables (schema.ts). Changes to requests run through the same
 * operations as on the console (requestOps), so authorisation and workflow guards are
 * checked again here whatever a console claims.
 */
import { randomUUID } from 'node:crypto'
import type { SessionInfo } from '../../../shared/contract'
import type { AgentSummary, Role } from '../../../shared/domain'
import { CoreError } from '../../../shared/result'
import type { SavedTour } from '../../../shared/savedTour'
import {
  isTourOp,
  type ChangesReply,
  type FieldChange,
  type Mutation,
  type MutationResult,
  type RequestRecord,
} from '../../../shared/sync'
import type { WorkflowDefinition } from '../../../shared/workflow'
import { seedDemo } from '../../../main/cache/demoSeed'
import { seedReferenceData } from '../../../main/cache/demoSeed'
import { assertCanSeeTeam, canSeeTeam, scopeFor } from '../../../core/authz/permissions'
import { listComments } from '../../../main/cache/queries/comments'
import {
  assertMayChange,
  fieldsTouchedBy,
  newRequestRow,
  valueOfField,
  type RequestOp,
} from '../../../core/requests/operations'
import { applyRequestOp, cacheOpContext } from '../../../main/cache/requestWrites'
import { deleteTour, putTour } from '../../../main/cache/queries/tours'
import { openStore, type Db } from '../../../main/cache/db'
import { insertCitizen } from '../../../main/cache/queries/citizens'
import { appendHistory } from '../../../main/cache/queries/history'
import {
  agentIdFor,
  getAgentById,
  getAgentByLogin,
  listCategories,
  upsertAgent,
} from '../../../main/cache/queries/reference'
import {
  countAllRequests,
  getRequestRow,
  insertRequest,
  nextReference,
} from '../../../main/cache/queries/requests'
import { cached } from '../../../main/cache/statements'
import { getTour } from '../../../main/cache/queries/tours'
import { decideTourDelete, decideTourSave, stopsToAssign, type TourOp } from '../../../core/tours/operations'
import type { BusinessCalendar } from '../../../core/workflow/sla'
import type { CitizenRequestInput, PublicRequestFilter, RefreshTokenGrant, ServerStore } from '../types'
import { entityFor, recordOf, referenceBundle, serverHistory } from './entities'
import { migrateServerSchema, rebuildChangeScope } from './schema'

export interface SqliteServerStoreOptions {
  file: string
  workflows: Map<string, WorkflowDefinition>
  calendar: BusinessCalendar
  citizenDataRoles: readonly Role[]
  /** Seed the demo authority when the database is new (`count` requests). */
  demo?: { count: number; seed: number; workflowsDir?: string } | null
  now?: () => number
  newId?: () => string
}

interface ChangeRow {
  entity: string
  entity_id: string
  seq: number
}

interface VersionRow {
  version: number
  fields: string
  actor_name: string | null
  at: number
}

interface AppliedRow {
  status: 'applied' | 'conflict' | 'rejected'
  request_id: string
  outcome: string
}

export function openSqliteServerStore(options: SqliteServerStoreOptions): ServerStore & { db: Db } {
  const db = openStore(options.file)
  migrateServerSchema(db)
  const now = options.now ?? Date.now
  const newId = options.newId ?? randomUUID
  const ctx = cacheOpContext(db, options.workflows, options.calendar)
  const citizenRoles = options.citizenDataRoles

  if (options.demo && countAllRequests(db) === 0 && listCategories(db).length === 0) {
    seedReferenceData(db, { workflowsDir: options.demo.workflowsDir })
    if (options.demo.count > 0)
      seedDemo(db, { count: options.demo.count, seed: options.demo.seed, now: now() })
    rebuildChangeScope(db)
  }

  const listeners = new Set<(scopes: ReadonlySet<string>) => void>()
  const counter = () => cached(db, 'SELECT seq FROM change_counter').pluck().get() as number
  /** Tell listeners which scopes moved past `before` (after the commit: they may read at once). */
  function notifySince(before: number) {
    if (listeners.size === 0) return
    const scopes = new Set(
      cached(db, 'SELECT DISTINCT scope FROM change_scope WHERE seq > ?').pluck().all(before) as string[],
    )
    if (scopes.size > 0) listeners.forEach((l) => l(scopes))
  }

  function changeRows(session: SessionInfo, since: number, limit: number): ChangeRow[] {
    const scope = scopeFor(session)
    if (scope.kind === 'all')
      return cached(
        db,
        'SELECT entity, entity_id, seq FROM change_scope WHERE seq > ? ORDER BY seq LIMIT ?',
      ).all(since, limit) as ChangeRow[]
    // One short index range per scope, merged: the cost is (scopes × limit), not the feed's length.
    const scopes = ['*', ...new Set(scope.teamIds)]
    const part = `SELECT * FROM (SELECT entity, entity_id, seq FROM change_scope
                  WHERE scope = ? AND seq > ? ORDER BY seq LIMIT ?)`
    const sql = `${scopes.map(() => part).join(' UNION ALL ')} ORDER BY seq LIMIT ?`
    return cached(db, sql).all(...scopes.flatMap((s) => [s, since, limit]), limit) as ChangeRow[]
  }

  function remainingAfter(session: SessionInfo, after: number): number {
    const scope = scopeFor(session)
    if (scope.kind === 'all')
      return cached(db, 'SELECT count(*) FROM change_scope WHERE seq > ?').pluck().get(after) as number
    const count = cached(db, 'SELECT count(*) FROM change_scope WHERE scope = ? AND seq > ?').pluck()
    return ['*', ...new Set(scope.teamIds)].reduce((n, s) => n + (count.get(s, after) as number), 0)
  }

  /** Changes since `baseVersion` not made by this agent on this console. */
  function othersChangesSince(requestId: string, baseVersion: number, clientId: string, agentId: string) {
    return cached(
      db,
      `SELECT version, fields, actor_name, at FROM request_versions
       WHERE request_id = ? AND version > ?
         AND NOT (client_id IS NOT NULL AND client_id = ? AND agent_id IS NOT NULL AND agent_id = ?)
       ORDER BY version`,
    ).all(requestId, baseVersion, clientId, agentId) as VersionRow[]
  }

  function recordVersion(
    row: { id: string; version: number },
    fields: string[],
    m: Mutation,
    session: SessionInfo,
  ) {
    cached(
      db,
      `INSERT INTO request_versions (request_id, version, fields, client_id, agent_id, mutation_id, actor_name, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      row.id,
      row.version,
      JSON.stringify(fields),
      m.clientId,
      session.agentId,
      m.mutationId,
      session.displayName,
      now(),
    )
  }

  type Outcome =
    | { status: 'applied'; version: number }
    | { status: 'conflict'; theirs: FieldChange[] }
    | { status: 'rejected'; code: string; reason: string }

  function applyCreate(session: SessionInfo, m: Extract<Mutation, { op: 'create' }>): Outcome {
    assertMayChange(session)
    if (getRequestRow(db, m.entityId))
      return { status: 'rejected', code: 'invalid_input', reason: 'Cet identifiant de demande existe déjà.' }
    const at = now()
    const { row, routed } = newRequestRow(ctx, m.payload, {
      id: m.entityId,
      reference: nextReference(db, at),
      at,
      citizenId: null,
    })
    insertRequest(db, row)
    const actor = { actorId: session.agentId, actorName: session.displayName }
    const created = { channel: m.payload.channel }
    appendHistory(db, {
      requestId: row.id,
      kind: 'created',
      at,
      ...actor,
      data: created,
      mutationId: m.mutationId,
    })
    appendHistory(db, {
      requestId: row.id,
      ...routed,
      at,
      actorId: null,
      actorName: null,
      mutationId: m.mutationId,
    })
    recordVersion(row, ['*'], m, session)
    return { status: 'applied', version: 0 }
  }

  function applyChange(session: SessionInfo, m: Exclude<Mutation, { op: 'create' }>): Outcome {
    const row = getRequestRow(db, m.entityId)
    if (!row) return { status: 'rejected', code: 'not_found', reason: 'Cette demande n’existe plus.' }
    assertCanSeeTeam(session, row.teamId)
    if (m.baseVersion > row.version)
      return { status: 'rejected', code: 'invalid_input', reason: 'Version de base inconnue du serveur.' }
    const op = { op: m.op, payload: m.payload } as RequestOp
    const mine = fieldsTouchedBy(op)
    const others = othersChangesSince(row.id, m.baseVersion, m.clientId, session.agentId)
    const lastTouch = new Map<string, VersionRow>()
    for (const v of others) for (const f of JSON.parse(v.fields) as string[]) lastTouch.set(f, v)
    const overlap = mine.filter((f) => lastTouch.has(f) || lastTouch.has('*'))
    if (overlap.length > 0) {
      const theirs = overlap.map((field) => {
        const v = lastTouch.get(field) ?? lastTouch.get('*')!
        return {
          field,
          value: valueOfField(row, field),
          actorName: v.actor_name,
          at: v.at,
          version: v.version,
        }
      })
      return { status: 'conflict', theirs }
    }
    const at = now()
    const outcome = applyRequestOp(ctx, session, row, op, at)
    const after = getRequestRow(db, row.id)!
    if (after.version !== row.version) recordVersion(after, mine, m, session)
    appendHistory(db, {
      requestId: row.id,
      ...outcome.history,
      at,
      actorId: session.agentId,
      actorName: session.displayName,
      mutationId: m.mutationId,
    })
    return { status: 'applied', version: after.version }
  }

  /** A tour as `session` may see it: their teams' tours only. */
  function tourFor(session: SessionInfo, id: string): SavedTour | null {
    const tour = getTour(db, id)
    return tour && canSeeTeam(session, tour.teamId) ? tour : null
  }

  /** The last version of a tour written after `baseVersion` by another console or agent. */
  function othersTourVersion(id: string, baseVersion: number, clientId: string, agentId: string) {
    return cached(
      db,
      `SELECT version, actor_name, deleted, at FROM tour_versions
       WHERE tour_id = ? AND version > ? AND NOT (client_id = ? AND agent_id = ?)
       ORDER BY version DESC LIMIT 1`,
    ).get(id, baseVersion, clientId, agentId) as
      { version: number; actor_name: string | null; deleted: number; at: number } | undefined
  }

  const when = (ms: number) =>
    new Date(ms).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' })

  function applyTour(session: SessionInfo, m: Extract<Mutation, { op: TourOp['op'] }>): Outcome {
    const other = othersTourVersion(m.entityId, m.baseVersion, m.clientId, session.agentId)
    if (other) {
      const who = other.actor_name ?? 'un autre agent'
      const what = other.deleted ? 'supprimée' : 'modifiée'
      return {
        status: 'rejected',
        code: 'tour_changed',
        reason: `La tournée a été ${what} par ${who} le ${when(other.at)} : votre version n’a pas été appliquée.`,
      }
    }
    const before = getTour(db, m.entityId)
    const at = now()
    let version = (before?.version ?? -1) + 1
    // A savepoint: a stop that cannot be assigned undoes the tour's save with it.
    db.transaction(() => {
      if (m.op === 'tour_delete') {
        decideTourDelete(session, getTour(db, m.entityId))
        deleteTour(db, m.entityId)
        return
      }
      const saved = decideTourSave(ctx.ref, session, getTour(db, m.entityId), m.entityId, m.payload, at)
      putTour(db, saved)
      version = saved.version
      for (const row of stopsToAssign(ctx.ref, saved, m.payload.assignStops)) {
        const outcome = applyChange(session, {
          ...m,
          op: 'assign',
          entityId: row.id,
          baseVersion: row.version,
          payload: { assigneeId: saved.technicianId },
        })
        if (outcome.status !== 'applied')
          throw new CoreError(
            'invalid_input',
            outcome.status === 'rejected' ? outcome.reason : 'Une étape a changé entre-temps.',
          )
      }
    })()
    cached(
      db,
      `INSERT OR REPLACE INTO tour_versions (tour_id, version, client_id, agent_id, actor_name, deleted, at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      m.entityId,
      version,
      m.clientId,
      session.agentId,
      session.displayName,
      m.op === 'tour_delete' ? 1 : 0,
      at,
    )
    return { status: 'applied', version }
  }

  const applyOne = (
    session: SessionInfo,
    clientId: string,
    m: Mutation,
  ): Omit<AppliedRow, 'outcome'> & { outcome: Outcome } =>
    db
      .transaction(() => {
        const prior = cached(
          db,
          'SELECT status, request_id, outcome FROM applied_mutations WHERE mutation_id = ?',
        ).get(m.mutationId) as AppliedRow | undefined
        if (prior) return { ...prior, outcome: JSON.parse(prior.outcome) as Outcome }
        let outcome: Outcome
        try {
          outcome =
            m.op === 'create'
              ? applyCreate(session, m)
              : m.op === 'tour_save' || m.op === 'tour_delete'
                ? applyTour(session, m)
                : applyChange(session, m)
        } catch (e) {
          if (!(e instanceof CoreError)) throw e
          outcome = { status: 'rejected', code: e.code, reason: e.message }
        }
        cached(
          db,
          `INSERT INTO applied_mutations (mutation_id, client_id, agent_id, request_id, op, status, outcome, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          m.mutationId,
          clientId,
          session.agentId,
          m.entityId,
          m.op,
          outcome.status,
          JSON.stringify(outcome),
          now(),
        )
        return { status: outcome.status, request_id: m.entityId, outcome }
      })
      .immediate()

  return {
    db,

    findAgentByLogin: (login) => getAgentByLogin(db, login),
    agentFromDirectory(identity) {
      const known = getAgentByLogin(db, identity.login)
      const agent: AgentSummary = {
        id: known?.id ?? agentIdFor(identity.login),
        login: identity.login,
        displayName: identity.displayName,
        roles: identity.roles,
        teamIds: identity.teamIds,
      }
      // Unchanged: no write, so no reference change is fed to every console at each login.
      if (JSON.stringify(known) !== JSON.stringify(agent)) {
        const before = counter()
        // Roles or teams changed in the directory: sessions opened under the old ones end.
        if (known) cached(db, 'DELETE FROM refresh_tokens WHERE agent_id = ?').run(known.id)
        upsertAgent(db, agent)
        notifySince(before)
      }
      return agent
    },
    getAgent: (id) => getAgentById(db, id),

    saveRefreshToken(tokenHash: string, grant: RefreshTokenGrant) {
      cached(db, 'DELETE FROM refresh_tokens WHERE expires_at < ?').run(now())
      cached(
        db,
        'INSERT INTO refresh_tokens (token_hash, agent_id, client_id, expires_at, auth_at) VALUES (?, ?, ?, ?, ?)',
      ).run(tokenHash, grant.agentId, grant.clientId, grant.expiresAt, grant.authAt)
    },
    takeRefreshToken(tokenHash: string) {
      const row = cached(
        db,
        'DELETE FROM refresh_tokens WHERE token_hash = ? RETURNING agent_id, client_id, expires_at, auth_at',
      ).get(tokenHash) as
        { agent_id: string; client_id: string; expires_at: number; auth_at: number } | undefined
      return (
        row && {
          agentId: row.agent_id,
          clientId: row.client_id,
          expiresAt: row.expires_at,
          authAt: row.auth_at,
        }
      )
    },
    revokeRefreshTokens(agentId: string) {
      cached(db, 'DELETE FROM refresh_tokens WHERE agent_id = ?').run(agentId)
    },

    changesSince(session: SessionInfo, since: number, limit: number, options = {}): ChangesReply {
      const light = (options as { light?: boolean }).light === true
      return db.transaction(() => {
        const rows = changeRows(session, since, limit)
        const seen = new Set<string>()
        const changes: ChangesReply['changes'] = []
        for (const r of rows) {
          const key = `${r.entity}:${r.entity_id}`
          if (seen.has(key)) continue
          seen.add(key)
          if (r.entity === 'reference') {
            changes.push({ type: 'reference', seq: r.seq, reference: referenceBundle(db) })
            continue
          }
          if (r.entity === 'tour') {
            const tour = tourFor(session, r.entity_id)
            changes.push(
              tour
                ? { type: 'tour', seq: r.seq, tour }
                : { type: 'tour_removed', seq: r.seq, id: r.entity_id },
            )
            continue
          }
          const entity = entityFor(db, session, citizenRoles, r.entity_id, light)
          if (entity) changes.push({ type: 'request', seq: r.seq, entity, partial: light })
          else
            changes.push({
              type: 'request_removed',
              seq: r.seq,
              id: r.entity_id,
              reason: getRequestRow(db, r.entity_id) ? 'out_of_scope' : 'deleted',
            })
        }
        const next = rows.length > 0 ? rows[rows.length - 1]!.seq : since
        const remaining = remainingAfter(session, next)
        return { changes, nextCursor: String(next), hasMore: remaining > 0, remaining }
      })()
    },

    applyMutations(session: SessionInfo, clientId: string, mutations: readonly Mutation[]): MutationResult[] {
      const before = counter()
      const results = mutations.map((m): MutationResult => {
        const { outcome } = applyOne(session, clientId, m)
        if (isTourOp(m.op)) {
          const tour = tourFor(session, m.entityId)
          // The stops as they stand after it: the console takes them (assigned or left as they were).
          const stops =
            m.op === 'tour_save'
              ? m.payload.stopIds.flatMap((id) => entityFor(db, session, citizenRoles, id) ?? [])
              : undefined
          if (outcome.status === 'applied')
            return {
              status: 'applied',
              mutationId: m.mutationId,
              version: outcome.version,
              entity: null,
              tour,
              stops,
            }
          return {
            stops,
            status: 'rejected',
            mutationId: m.mutationId,
            code: outcome.status === 'rejected' ? outcome.code : 'conflict',
            reason: outcome.status === 'rejected' ? outcome.reason : 'La tournée a été modifiée entre-temps.',
            entity: null,
            tour,
          }
        }
        const entity = entityFor(db, session, citizenRoles, m.entityId)
        if (outcome.status === 'applied')
          return { status: 'applied', mutationId: m.mutationId, version: outcome.version, entity }
        if (outcome.status === 'conflict' && entity)
          return { status: 'conflict', mutationId: m.mutationId, entity, theirs: outcome.theirs }
        if (outcome.status === 'conflict')
          return {
            status: 'rejected',
            mutationId: m.mutationId,
            code: 'not_found',
            reason: 'Demande introuvable.',
            entity,
          }
        return {
          status: 'rejected',
          mutationId: m.mutationId,
          code: outcome.code,
          reason: outcome.reason,
          entity,
        }
      })
      notifySince(before)
      return results
    },

    requestDetails(session: SessionInfo, ids: readonly string[]) {
      return db.transaction(() =>
        ids.flatMap((id) => {
          const row = getRequestRow(db, id)
          if (!row || !canSeeTeam(session, row.teamId)) return []
          return [{ id, comments: listComments(db, id), history: serverHistory(db, id) }]
        }),
      )()
    },

    listCategories: () => listCategories(db),

    addPortalKey(keyHash: string, portal: string) {
      cached(db, 'INSERT OR REPLACE INTO portal_keys (key_hash, portal, created_at) VALUES (?, ?, ?)').run(
        keyHash,
        portal,
        now(),
      )
    },
    hasPortalKeys: () => cached(db, 'SELECT EXISTS (SELECT 1 FROM portal_keys)').pluck().get() === 1,
    portalOfKey: (keyHash: string) =>
      cached(db, 'SELECT portal FROM portal_keys WHERE key_hash = ?').pluck().get(keyHash) as
        string | undefined,

    createCitizenRequest(input: CitizenRequestInput): RequestRecord {
      const before = counter()
      const record = db
        .transaction(() => {
          const at = now()
          const citizenId = input.citizen ? newId() : null
          if (input.citizen && citizenId) insertCitizen(db, { id: citizenId, ...input.citizen })
          const category = listCategories(db).find((c) => c.id === input.categoryId)
          const where =
            input.address ??
            (input.location ? `${input.location.lat.toFixed(5)}, ${input.location.lon.toFixed(5)}` : '')
          const title = `${category?.name.fr ?? input.categoryId}${where ? ` — ${where}` : ''}`.slice(0, 200)
          const { row, routed } = newRequestRow(
            ctx,
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
            { id: newId(), reference: nextReference(db, at), at, citizenId },
          )
          insertRequest(db, row)
          const data = { channel: 'open311', portal: input.portal }
          appendHistory(db, { requestId: row.id, kind: 'created', at, actorId: null, actorName: null, data })
          appendHistory(db, { requestId: row.id, ...routed, at, actorId: null, actorName: null })
          cached(
            db,
            `INSERT INTO request_versions (request_id, version, fields, client_id, agent_id, mutation_id, actor_name, at)
           VALUES (?, 0, '["*"]', NULL, NULL, NULL, NULL, ?)`,
          ).run(row.id, at)
          return recordOf(getRequestRow(db, row.id)!)
        })
        .immediate()
      notifySince(before)
      return record
    },

    listPublicRequests(filter: PublicRequestFilter): RequestRecord[] {
      // Only what citizens sent through a portal: requests taken at the counter or on the phone
      // carry what agents typed (names, phone numbers…) and are never published.
      const where: string[] = ["channel = 'open311'"]
      const params: Record<string, unknown> = { limit: filter.limit }
      const list = (name: string, values: readonly string[]) => {
        values.forEach((v, i) => (params[`${name}${i}`] = v))
        return values.map((_v, i) => `@${name}${i}`).join(', ')
      }
      if (filter.ids?.length) where.push(`id IN (${list('id', filter.ids)})`)
      if (filter.categoryIds?.length) where.push(`category_id IN (${list('cat', filter.categoryIds)})`)
      if (filter.statusKinds?.length) where.push(`status_kind IN (${list('kind', filter.statusKinds)})`)
      if (filter.from !== undefined) {
        params.from = filter.from
        where.push('created_at >= @from')
      }
      if (filter.to !== undefined) {
        params.to = filter.to
        where.push('created_at <= @to')
      }
      const ids = db
        .prepare(
          `SELECT id FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY rowid DESC LIMIT @limit`,
        )
        .pluck()
        .all(params) as string[]
      return ids.map((id) => recordOf(getRequestRow(db, id)!))
    },

    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      listeners.clear()
      db.close()
    },
  }
}
