/**
 * Request handlers: read one request, its history and comments, its transitions; fire a
 * transition, assign, comment, edit, create. Every change writes the cache, a history
 * event and an outbox entry in ONE transaction, committed with synchronous=FULL: once the
 * agent sees their change, a power cut cannot lose it.
 */
import type { ParsedInputOf, SessionInfo } from '../../shared/contract'
import type { Citizen, Comment, RequestDetail, TransitionAvailability } from '../../shared/domain'
import type { CitizenContact, ContactPurpose } from '../../shared/privacy'
import { CoreError, type ErrorCode } from '../../shared/result'
import type { CreateRequestInput } from '../../shared/sync'
import { withFullSync } from '../cache/db'
import { logPersonalDataAccess } from '../cache/queries/accessLog'
import { getCitizen, putCitizenName } from '../cache/queries/citizens'
import { citizenDataRolesOf } from '../cache/queries/privacyPolicy'
import { dropStaleContacts, getContact, putContact, shownContact } from '../cache/queries/contacts'
import { getSyncState } from '../cache/queries/syncState'
import { SyncError } from '../sync/transport'
import { listComments } from '../cache/queries/comments'
import { appendHistory, listHistory } from '../cache/queries/history'
import { enqueueMutation, pendingBaseVersion } from '../cache/queries/outbox'
import { getRequestRow, toRequestDetail, type RequestRow } from '../cache/queries/requests'
import { transitionAvailability } from '../../core/workflow/engine'
import { withMergedBlocked } from '../../core/requests/duplicates'
import { actorOf, assertCanSeeTeam, canReadCitizen, canSeeTeam } from '../../core/authz/permissions'
import { ACTION_REFUSALS, requestActions } from '../../core/authz/actions'
import type { CoreDeps } from './deps'
import { assertMayChange, subjectOf, workflowOf, type RequestOp } from '../../core/requests/operations'
import { applyRequestOp, cacheOpContext } from '../cache/requestWrites'
import { writeNewRequest } from './intakeHandlers'

/** Contact details on demand from the server (the sync engine, with its access token). */
export interface ContactRemote {
  citizenContact(requestId: string, purpose: ContactPurpose): Promise<CitizenContact>
}

/** The same sentence the detail's `readCitizen` action gives: the screen and the read agree. */
const NOT_FOR_ROLE = ACTION_REFUSALS.citizen
const CONTACT_UNAVAILABLE =
  'Le serveur est injoignable : hors ligne, les coordonnées de l’usager ne restent disponibles que pour vos ' +
  'demandes en cours déjà consultées. Réessayez une fois la connexion revenue.'

/** The server's refusals of a delivery, in the core's codes. */
const REFUSED: Partial<Record<number, ErrorCode>> = { 403: 'forbidden', 404: 'not_found' }

/** A failed server call that leaves the offline copy as the only answer (vs a refusal of the server). */
const isUnreachable = (e: unknown) => e instanceof SyncError && e.kind !== 'refused'

/** The cached request `id` if `session` may see it; otherwise « not found » or « forbidden ». */
export function visibleRequestRow(db: CoreDeps['db'], session: SessionInfo, id: string): RequestRow {
  const row = getRequestRow(db, id)
  if (!row) throw new CoreError('not_found', 'Demande introuvable.')
  assertCanSeeTeam(session, row.teamId)
  return row
}

export function createRequestService(
  deps: CoreDeps,
  /** The server, for contact details on demand; null (local-only profile): the cache is the authority. */
  remote: () => ContactRemote | null = () => null,
) {
  const { db } = deps
  const ctx = cacheOpContext(db, deps.workflows, deps.calendar)
  const synced = () => Boolean(deps.config.sync.serverUrl)
  const citizenDataRoles = () => citizenDataRolesOf(db, deps.config.privacy.citizenDataRoles)
  const mayReadCitizen = (session: SessionInfo) => canReadCitizen(session, citizenDataRoles())

  /** Details no longer needed leave the cache: kept for the shown request and the agent's own open ones. */
  function dropStale(session: SessionInfo | null) {
    dropStaleContacts(db, { agentId: session?.agentId ?? null, openRequestId: shownContact.get(db) })
  }

  /** One read of personal data logged here (with its local history event, which carries the entry's id). */
  function logRead(
    session: SessionInfo,
    row: { id: string; citizenId: string },
    action: 'contact_read_offline' | 'contact_read_local',
    purpose: ContactPurpose | null,
  ): number {
    const at = deps.now()
    const entryId = deps.newId()
    logPersonalDataAccess(db, {
      entryId,
      at,
      agentId: session.agentId,
      requestId: row.id,
      citizenId: row.citizenId,
      action,
      purpose,
      clientId: getSyncState(db, 'client_id') ?? null,
    })
    appendHistory(db, {
      requestId: row.id,
      kind: 'viewed_personal_data',
      at,
      actorId: session.agentId,
      actorName: session.displayName,
      data: purpose ? { purpose } : {},
      // Uploaded with this id: the server's event of it is linked to this one, not added twice.
      mutationId: synced() ? entryId : null,
    })
    return at
  }

  const visibleRow = (session: SessionInfo, id: string) => visibleRequestRow(db, session, id)

  function checkVersion(row: RequestRow, baseVersion: number | undefined) {
    if (baseVersion !== undefined && baseVersion !== row.version)
      throw new CoreError(
        'version_conflict',
        'Cette demande a été modifiée entre-temps : rechargez-la avant de recommencer.',
        { currentVersion: row.version },
      )
  }

  /**
   * One change by the agent: the request, its history event and its outbox entry, all or
   * nothing. `carriedBy`: the change rides inside another one already queued (a tour's save
   * assigning its stops), whose mutation id its history event takes; no outbox entry of its own.
   */
  function write(
    session: SessionInfo,
    id: string,
    op: RequestOp,
    baseVersion: number | undefined,
    carriedBy?: string,
  ) {
    return withFullSync(db, () => {
      const row = visibleRow(session, id)
      checkVersion(row, baseVersion)
      const at = deps.now()
      const outcome = applyRequestOp(ctx, session, row, op, at)
      const mutationId = carriedBy ?? deps.newId()
      appendHistory(db, {
        requestId: row.id,
        kind: outcome.history.kind,
        data: outcome.history.data,
        at,
        actorId: session.agentId,
        actorName: session.displayName,
        mutationId,
      })
      if (!carriedBy)
        enqueueMutation(db, {
          mutationId,
          entity: 'request',
          entityId: row.id,
          op: op.op,
          baseVersion: pendingBaseVersion(db, row.id) ?? row.version,
          payload: op.payload,
          createdAt: at,
        })
      // Closed or given to someone else: its citizen's details are no longer the agent's to keep.
      if (op.op === 'transition' || op.op === 'assign') dropStale(session)
      return outcome
    })
  }

  /** A change, then sync is told there is something to push. */
  function change(session: SessionInfo, id: string, op: RequestOp, baseVersion: number | undefined) {
    const outcome = write(session, id, op, baseVersion)
    deps.localChange?.()
    return outcome
  }

  const availability = (session: SessionInfo, row: RequestRow): TransitionAvailability => {
    const def = workflowOf(ctx, row.categoryId)
    return withMergedBlocked(def, row, transitionAvailability(def, subjectOf(row), actorOf(session)))
  }

  /** The request for the detail pane: with what this session may do on it, decided here. */
  function shownDetail(session: SessionInfo, row: RequestRow): RequestDetail {
    const detail = toRequestDetail(row)
    const actions = requestActions(session, detail, {
      citizenDataRoles: citizenDataRoles(),
      transitions: availability(session, row),
    })
    return { ...detail, actions }
  }

  /** After a change: the request as it is now, with what the agent may do next. */
  const detailOf = (session: SessionInfo, id: string) => shownDetail(session, getRequestRow(db, id)!)

  return {
    /**
     * One change as `transition`/`assign` make it, announced by the caller (bulk actions and
     * tours tell the screens and sync once for all of them).
     */
    applyQuietly(session: SessionInfo, id: string, op: RequestOp, carriedBy?: string) {
      if (op.op !== 'assign') assertMayChange(session)
      return write(session, id, op, undefined, carriedBy)
    },

    get(session: SessionInfo, id: string): RequestDetail {
      return shownDetail(session, visibleRow(session, id))
    },

    getMany(session: SessionInfo, ids: readonly string[]): RequestDetail[] {
      return db.transaction(() =>
        ids.flatMap((id) => {
          const row = getRequestRow(db, id)
          return row && canSeeTeam(session, row.teamId) ? [toRequestDetail(row)] : []
        }),
      )()
    },

    history(session: SessionInfo, id: string) {
      visibleRow(session, id)
      return listHistory(db, id)
    },

    comments(session: SessionInfo, id: string): Comment[] {
      visibleRow(session, id)
      return listComments(db, id)
    },

    /**
     * Contact details as the cache holds them, for the roles that need them; each read is
     * logged (RGPD traceability). A local-only profile's cache holds the whole record; a
     * synced one, the name only (`citizenContact` asks the server). Kept until the renderer
     * moves to `citizenContact`.
     */
    citizen(session: SessionInfo, id: string): Citizen | null {
      const row = visibleRow(session, id)
      if (!mayReadCitizen(session)) throw new CoreError('forbidden', NOT_FOR_ROLE)
      if (!row.citizenId) return null
      const citizenId = row.citizenId
      return withFullSync(db, () => {
        const citizen = getCitizen(db, citizenId) ?? null
        if (!citizen) return null
        logRead(session, { id, citizenId }, 'contact_read_local', null)
        return citizen
      })
    },

    /**
     * The citizen's contact details for one purpose. With a server: asked of it (it logs the
     * delivery and writes the history event, which comes back through the feed), kept for
     * this request while needed. Server unreachable: the copy kept here, only for the agent's
     * own open request, logged here with its purpose and uploaded later (`offline: true`).
     * Local-only profile: the cache's record, logged. Null: the request has no citizen.
     */
    async citizenContact(
      session: SessionInfo,
      id: string,
      purpose: ContactPurpose,
    ): Promise<CitizenContact | null> {
      const row = visibleRow(session, id)
      if (!mayReadCitizen(session)) throw new CoreError('forbidden', NOT_FOR_ROLE)
      if (!row.citizenId) return null
      const citizenId = row.citizenId
      if (!synced()) {
        return withFullSync(db, () => {
          const citizen = getCitizen(db, citizenId)
          if (!citizen) return null
          const at = logRead(session, { id, citizenId }, 'contact_read_local', purpose)
          return { ...citizen, purpose, deliveredAt: new Date(at).toISOString(), offline: false }
        })
      }
      let delivered: CitizenContact | null = null
      let unreachable: unknown = null
      try {
        const server = remote()
        if (!server) throw new SyncError('offline', 'no sync engine')
        delivered = await server.citizenContact(id, purpose)
      } catch (e) {
        if (e instanceof SyncError && e.kind === 'refused') {
          // No citizen on the server (any more: erased): nothing to show.
          if (e.code === 'no_citizen') return null
          throw new CoreError(REFUSED[e.status ?? 0] ?? 'invalid_input', e.message)
        }
        if (!isUnreachable(e)) throw e
        unreachable = e
      }
      if (delivered) {
        const contact = delivered
        withFullSync(db, () => {
          // The request may have left the cache while the server answered.
          if (!getRequestRow(db, id)) return
          putCitizenName(db, { id: contact.id, name: contact.name })
          putContact(db, {
            requestId: id,
            citizenId: contact.id,
            email: contact.email,
            phone: contact.phone,
            postalAddress: contact.postalAddress,
            contactPreference: contact.contactPreference,
            purpose,
            agentId: session.agentId,
            fetchedAt: deps.now(),
          })
          shownContact.set(db, id)
          dropStale(session)
        })
        return { ...contact, purpose, offline: false }
      }
      // Offline: the copy kept here, for the agent's own open request only.
      const ownOpen = row.assigneeId === session.agentId && row.statusKind === 'open'
      const kept = ownOpen ? getContact(db, id, session.agentId) : undefined
      if (!kept)
        throw new CoreError('server_unavailable', CONTACT_UNAVAILABLE, {
          reason: unreachable instanceof Error ? unreachable.message : null,
        })
      return withFullSync(db, () => {
        const at = logRead(session, { id, citizenId }, 'contact_read_offline', purpose)
        shownContact.set(db, id)
        return {
          id: kept.citizenId,
          name: getCitizen(db, kept.citizenId)?.name ?? '',
          email: kept.email,
          phone: kept.phone,
          postalAddress: kept.postalAddress,
          contactPreference: kept.contactPreference,
          purpose,
          deliveredAt: new Date(at).toISOString(),
          offline: true,
        }
      })
    },

    /**
     * The detail pane closed or moved on from request `id`: the details the console need not
     * keep go (those of the agent's own open requests stay, for offline use).
     */
    releaseCitizen(session: SessionInfo, id: string): Record<string, never> {
      if (shownContact.get(db) === id) shownContact.set(db, null)
      withFullSync(db, () => dropStale(session))
      return {}
    },

    /** At logout: only the agent's own open requests keep their citizen's details. */
    releaseAll(session: SessionInfo | null): void {
      shownContact.set(db, null)
      withFullSync(db, () => dropStale(session))
    },

    transitions(session: SessionInfo, id: string): TransitionAvailability {
      return availability(session, visibleRow(session, id))
    },

    /** The only way a status changes: through a transition of the request's workflow. */
    transition(session: SessionInfo, input: ParsedInputOf<'request.transition'>): RequestDetail {
      assertMayChange(session)
      const { transitionId, fields } = input
      const op = { op: 'transition' as const, payload: { transitionId, fields } }
      change(session, input.id, op, input.baseVersion)
      deps.emit('requests.changed', { ids: [input.id] })
      return detailOf(session, input.id)
    },

    assign(session: SessionInfo, input: ParsedInputOf<'request.assign'>): RequestDetail {
      const op = { op: 'assign' as const, payload: { assigneeId: input.assigneeId } }
      change(session, input.id, op, input.baseVersion)
      deps.emit('requests.changed', { ids: [input.id] })
      return detailOf(session, input.id)
    },

    update(session: SessionInfo, input: ParsedInputOf<'request.update'>): RequestDetail {
      change(session, input.id, { op: 'update', payload: input.patch }, input.baseVersion)
      deps.emit('requests.changed', { ids: [input.id] })
      return detailOf(session, input.id)
    },

    comment(session: SessionInfo, input: ParsedInputOf<'request.comment'>): Comment {
      assertMayChange(session)
      const payload = { commentId: deps.newId(), kind: input.kind, body: input.body }
      const outcome = change(session, input.id, { op: 'comment', payload }, undefined)
      deps.emit('requests.changed', { ids: [input.id] })
      return outcome.comment!
    },

    /** A request taken at the counter or on the phone, routed by the routing rules, with its citizen. */
    create(session: SessionInfo, input: CreateRequestInput): RequestDetail {
      assertMayChange(session)
      const id = writeNewRequest(deps, ctx, session, input, citizenDataRoles())
      deps.localChange?.()
      deps.emit('requests.changed', { ids: [id] })
      // Returned even when routed to a team the agent cannot see: they typed it themselves;
      // with no actions then, since every change to it would be refused.
      const row = getRequestRow(db, id)!
      return canSeeTeam(session, row.teamId) ? shownDetail(session, row) : toRequestDetail(row)
    },
  }
}

export type RequestService = ReturnType<typeof createRequestService>
