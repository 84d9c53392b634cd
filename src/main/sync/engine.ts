/**
 * The sync engine: pushes the outbox, pulls the change feed, keeps the agent told.
 *
 * - One round at a time: push first (so the server answers this console's changes before
 *   their requests are pulled), then pull until the feed is drained.
 * - Push: batches of the outbox, oldest first. Each answer leaves the outbox in the same
 *   FULL-synced transaction that records its outcome: applied (the server's copy is taken
 *   in), conflict or rejected (the change moves, whole, to the conflict inbox). A push
 *   whose answer is lost is simply sent again: the server applies a mutation id once.
 * - Pull: pages applied in short transactions with the event loop let go between them;
 *   the cursor moves in the same transaction as the last chunk of its page, so a crash
 *   or a lost connection resumes where it stopped (the initial sync included).
 * - Failures: a page of the feed (or of details) that fails is asked again on its own, a
 *   few times, soon; a round that fails waits with exponential backoff and full jitter,
 *   reset by any round that moved something (pushed, pulled), so progress is never
 *   punished. The nudge stream reconnects with the same policy.
 * - One token owner: any call the server refuses for its access token (a round, the nudge
 *   stream, an administration call) drops that token only, and one shared renewal (single
 *   flight) gets the next; the agent is asked for their password only when the server
 *   says the session is over. Nothing pending is ever dropped on the way.
 */
import { hostname } from 'node:os'
import type { EventName, EventPayload, SessionInfo } from '../../shared/contract'
import { OfflineAccess, PRIVACY_LIMITS, type CitizenContact, type ContactPurpose } from '../../shared/privacy'
import {
  isTourOp,
  Mutation,
  SYNC_LIMITS,
  type ChangesReply,
  type DetailsReply,
  type MutationResult,
  type SyncStatus,
} from '../../shared/sync'
import type { WorkflowDefinition } from '../../shared/workflow'
import type { CacheOpContext } from '../cache/requestWrites'
import { withFullSync, type Db } from '../cache/db'
import { countOpenConflicts, insertConflict } from '../cache/queries/conflicts'
import { appendHistory, hasLocalEventOf } from '../cache/queries/history'
import {
  countPendingMutations,
  listPendingFor,
  isPending,
  listPendingMutations,
  recordMutationFailure,
  pruneSent,
  recordSent,
  removeMutations,
  requeueSent,
  type PendingMutation,
} from '../cache/queries/outbox'
import { getRequestRow } from '../cache/queries/requests'
import { pendingAccessUploads, settleAccessUploads } from '../cache/queries/accessLog'
import { dropStaleContacts, shownContact } from '../cache/queries/contacts'
import {
  ERASED_REASON,
  eraseLocally,
  isScrubNeeded,
  scrubFreedSpace,
  scrubRequestLocally,
  stripQueuedText,
} from '../cache/scrub'
import { getSyncState, setSyncState } from '../cache/queries/syncState'
import { cached } from '../cache/statements'
import { parseWorkflowDefinition, WorkflowDefinitionError } from '../../core/workflow/definitions'
import { listWorkflowDefinitionsRaw } from '../cache/queries/reference'
import {
  applyReference,
  applyRequestDetails,
  applyRequestEntity,
  backfill,
  removeRequest,
  takeServerTour,
  visibleTo,
} from './apply'
import type { RefreshTokenStore } from './secrets'
import { sendPendingUploads } from '../attachments/uploads'
import { countPendingUploads } from '../cache/queries/attachments'
import { SyncError, type SyncTransport } from './transport'
import { firstDownloadBySnapshot } from './snapshotSync'
import type { SnapshotCacheAccess } from './snapshotLoader'
import type { PresenceHeard } from '../presence/marks'

export interface SyncEngineDeps {
  db: Db
  /** The operations' context; its workflows are replaced when the server sends new ones. */
  ctx: CacheOpContext
  transport: SyncTransport
  tokens: RefreshTokenStore
  clientId: string
  session: () => SessionInfo | null
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void
  now: () => number
  newId: () => string
  /** Between rounds when no nudge comes. */
  intervalMs: number
  random?: () => number
  pullPageSize?: number
  logError?: (where: string, error: unknown) => void
  /** The cache for the snapshot worker (issue 16); absent: the first download reads the feed. */
  snapshot?: SnapshotCacheAccess
}

/** Time given to one transaction of pulled changes before the event loop gets its turn. */
const CHUNK_BUDGET_MS = 25

const BACKOFF_BASE_MS = 1000
const BACKOFF_MAX_MS = 60_000
/** A failed page (or details batch, or renewal) is asked again this many times within a round. */
const CALL_RETRIES = 4
const CALL_RETRY_BASE_MS = 200
/** Logout does not wait longer than this for the server to hear about it. */
const REVOKE_WAIT_MS = 2000
/** An access token is renewed this long before it expires. */
const TOKEN_MARGIN_MS = 30_000

const AUTH_REQUIRED = 'Votre session auprès du serveur a expiré : saisissez à nouveau votre mot de passe.'
const INTERNAL = 'La synchronisation a rencontré une erreur interne ; vos modifications sont conservées.'
const RESTORED =
  'Le serveur a été restauré depuis une sauvegarde : vos modifications récentes lui sont renvoyées et les données rechargées.'

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Wait `ms`, or less if `signal` aborts; leaves no listener and no timer behind. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * Worth asking again at once: a dropped connection, a 5xx or a damaged reply. Not a timeout
 * (a server that does not answer is not asked four more times in a row), nor the request itself.
 */
const isTransient = (e: unknown) =>
  e instanceof SyncError && (e.kind === 'offline' || e.kind === 'server' || e.kind === 'protocol')

/** The engine was stopped (logout, quit) in the middle of a round: nothing more is written. */
class Stopped extends Error {}

export function createSyncEngine(deps: SyncEngineDeps) {
  const { db, transport } = deps
  const random = deps.random ?? Math.random
  const pageSize = deps.pullPageSize ?? 200

  let stopped = true
  let access: { token: string; expiresAt: number } | null = null
  /** Held in memory only until the server has given a token (the server was unreachable at login). */
  let credentials: { login: string; password: string } | null = null
  let state: SyncStatus['state'] = 'idle'
  let lastError: string | null = null
  let lastSyncAt: number | null = null
  let initial: SyncStatus['initial'] = null
  let failures = 0
  /** Something was pushed or pulled in the current round: a failure after it does not grow the backoff. */
  let progressed = false
  let running: Promise<void> | null = null
  let again = false
  let timer: NodeJS.Timeout | null = null
  let eventsAbort: AbortController | null = null

  function status(): SyncStatus {
    return {
      configured: true,
      state: stopped && state === 'idle' ? 'offline' : state,
      // Files waiting to be sent (issue 14) are pending work of the agent too.
      pending: countPendingMutations(db) + countPendingUploads(db, deps.session()?.agentId ?? null),
      conflicts: countOpenConflicts(db),
      lastSyncAt: lastSyncAt === null ? null : new Date(lastSyncAt).toISOString(),
      lastError,
      initial,
    }
  }
  const publish = () => deps.emit('sync.changed', status())

  const backoff = (attempt: number) =>
    Math.max(250, random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16)))

  /**
   * One call of the protocol, asked again a few times after a transient failure (the feed,
   * details and renewal are idempotent): one lost page does not cost the round.
   */
  async function retried<T>(call: () => Promise<T>, first?: Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await (attempt === 0 && first ? first : call())
      } catch (e) {
        if (!isTransient(e) || attempt >= CALL_RETRIES || stopped) throw e
        await pause(Math.max(50, random() * CALL_RETRY_BASE_MS * 2 ** attempt))
      }
    }
  }

  function schedule(ms: number) {
    if (stopped) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      void syncNow()
    }, ms)
  }

  /** One token request at a time: the nudge stream and a round must not spend the same refresh token. */
  let obtaining: Promise<string> | null = null
  function ensureAccess(): Promise<string> {
    if (access && access.expiresAt - TOKEN_MARGIN_MS > deps.now()) return Promise.resolve(access.token)
    obtaining ??= obtainAccess().finally(() => (obtaining = null))
    return obtaining
  }

  /** The server refused `token`: forget it, unless a renewal already replaced it. */
  function refused(token: string | null) {
    if (token !== null && access?.token === token) access = null
  }

  async function obtainAccess(): Promise<string> {
    access = null
    const session = deps.session()
    let reply = null
    const refreshToken = deps.tokens.load()
    if (refreshToken) {
      try {
        // A lost or repeated answer is asked again: within its grace the server renews the same token again.
        reply = await retried(() =>
          transport.token({ grantType: 'refresh_token', refreshToken, clientId: deps.clientId }),
        )
      } catch (e) {
        if (!(e instanceof SyncError) || e.kind !== 'auth') throw e
        // Only the token that was refused: another one may have been saved meanwhile.
        if (deps.tokens.load() === refreshToken) deps.tokens.save(null)
      }
      // A token left by another agent on this profile is never used for this one.
      if (reply && session && reply.agent.login.toLowerCase() !== session.login.toLowerCase()) {
        deps.tokens.save(null)
        reply = null
      }
    }
    if (!reply && credentials) {
      try {
        const login = credentials
        reply = await retried(() =>
          transport.token({ grantType: 'password', ...login, clientId: deps.clientId }),
        )
      } catch (e) {
        if (e instanceof SyncError && e.kind === 'auth') {
          credentials = null
          // Said as the server said it (a wrong password is not an expired session).
          throw new SyncError('auth', e.message, 401, e.code)
        }
        throw e
      }
    }
    if (!reply) throw new SyncError('auth', AUTH_REQUIRED, 401)
    deps.tokens.save(reply.refreshToken)
    credentials = null
    access = { token: reply.accessToken, expiresAt: deps.now() + reply.expiresIn * 1000 }
    return access.token
  }

  // --- push -------------------------------------------------------------------------------

  const eraseCtx = { db, now: deps.now, newId: deps.newId }
  /** The mutations of the batch being settled (each is settled by its own answer). */
  let answering: ReadonlySet<string> = new Set()

  /** Drop the contact details no longer needed (a pull may have reassigned or closed their request). */
  function dropStale(session: SessionInfo | null) {
    dropStaleContacts(db, { agentId: session?.agentId ?? null, openRequestId: shownContact.get(db) })
  }

  function toMutation(p: PendingMutation) {
    return Mutation.safeParse({
      mutationId: p.mutationId,
      clientId: deps.clientId,
      entityId: p.entityId,
      baseVersion: p.baseVersion ?? 0,
      createdAt: p.createdAt,
      op: p.op,
      payload: p.payload,
    })
  }

  /** The server's copy, or its absence, taken into the cache. */
  /** No copy from the server: the request is gone there or out of sight; ours goes once nothing waits. */
  function takeEntity(entityId: string, entity: MutationResult['entity']) {
    const session = deps.session()
    if (entity && visibleTo(session, entity)) applyRequestEntity(deps.ctx, entity, session)
    else if (listPendingFor(db, entityId).length === 0) removeRequest(db, entityId)
  }

  function toInbox(
    p: PendingMutation,
    kind: 'conflict' | 'rejected',
    details: Partial<{ theirs: unknown; reason: string; serverVersion: number }>,
  ) {
    insertConflict(db, {
      id: deps.newId(),
      mutationId: p.mutationId,
      requestId: p.entityId,
      op: p.op,
      payload: p.payload,
      baseVersion: p.baseVersion ?? 0,
      madeAt: p.createdAt,
      detectedAt: deps.now(),
      serverVersion: details.serverVersion ?? -1,
      theirs: (details.theirs as never) ?? [],
      kind,
      reason: details.reason ?? null,
    })
    const session = deps.session()
    // The change's own event now says « en conflit » or « refusée »; a change that left none
    // (a tour's stop) gets one, so the request's history still tells what happened.
    if (getRequestRow(db, p.entityId) && !hasLocalEventOf(db, p.entityId, p.mutationId))
      appendHistory(db, {
        requestId: p.entityId,
        kind: 'sync_conflict',
        at: deps.now(),
        actorId: session?.agentId ?? null,
        actorName: session?.displayName ?? null,
        data: { op: p.op, kind, reason: details.reason ?? null },
        mutationId: p.mutationId,
      })
  }

  /** A tour change answered: the server's copy is taken back; a refusal waits in the inbox. */
  function settleTour(p: PendingMutation, r: MutationResult) {
    removeMutations(db, [p.mutationId])
    // Deleting a tour the server no longer has: what the agent wanted is done.
    const alreadyGone = p.op === 'tour_delete' && r.status === 'rejected' && r.tour === null
    if (r.status !== 'applied' && !alreadyGone)
      toInbox(p, 'rejected', {
        reason: r.status === 'rejected' ? r.reason : 'La tournée a été modifiée sur le serveur.',
        serverVersion: (r.status === 'rejected' ? r.tour?.version : undefined) ?? -1,
      })
    const server = r.status === 'conflict' ? undefined : r.tour
    if (server !== undefined) takeServerTour(db, p.entityId, server)
    // The stops as the server has them: assigned with the tour, or left as they were when it was refused.
    const session = deps.session()
    for (const stop of r.status === 'conflict' ? [] : (r.stops ?? []))
      if (visibleTo(session, stop)) applyRequestEntity(deps.ctx, stop, session)
  }

  function settle(p: PendingMutation, r: MutationResult, takeState: boolean) {
    // Applied: kept a while, to be sent again if the server is restored from an older backup.
    if (r.status === 'applied') recordSent(db, p, deps.now())
    if (isTourOp(p.op)) return settleTour(p, r)
    removeMutations(db, [p.mutationId])
    // A note the server did not take must not stay shown as posted: it lives on in the inbox.
    if (r.status !== 'applied' && p.op === 'comment')
      cached(db, 'DELETE FROM comments WHERE id = ?').run(
        (p.payload as { commentId?: string }).commentId ?? '',
      )
    if (r.status === 'applied') return takeState && takeEntity(p.entityId, r.entity)
    if (r.status === 'conflict') {
      toInbox(p, 'conflict', { theirs: r.theirs, serverVersion: r.entity.request.version })
      return takeState && takeEntity(p.entityId, r.entity)
    }
    if (r.code === 'citizen_erased') return settleErased(p, r)
    toInbox(p, 'rejected', { reason: r.reason, serverVersion: r.entity?.request.version ?? -1 })
    if (takeState) takeEntity(p.entityId, r.entity)
  }

  /**
   * Refused because the request's citizen was erased after the change was made: the change
   * waits in the inbox without its text, and the request is scrubbed and taken again from
   * the server's anonymised copy (its local history told the text too). Always taken here,
   * whichever answer of the batch is last: the request was just removed.
   */
  function settleErased(p: PendingMutation, r: Extract<MutationResult, { status: 'rejected' }>) {
    insertConflict(db, {
      id: deps.newId(),
      mutationId: p.mutationId,
      requestId: p.entityId,
      op: p.op,
      payload: stripQueuedText(p.op, p.payload),
      baseVersion: p.baseVersion ?? 0,
      madeAt: p.createdAt,
      detectedAt: deps.now(),
      serverVersion: r.entity?.request.version ?? -1,
      theirs: [],
      kind: 'rejected',
      reason: ERASED_REASON,
    })
    scrubRequestLocally(eraseCtx, p.entityId, answering)
    const session = deps.session()
    if (r.entity && visibleTo(session, r.entity)) applyRequestEntity(deps.ctx, r.entity, session)
  }

  async function push(token: string): Promise<void> {
    for (;;) {
      assertRunning()
      const pending = listPendingMutations(db, SYNC_LIMITS.mutationsPerBatch)
      if (pending.length === 0) return
      const batch: Mutation[] = []
      const unreadable: PendingMutation[] = []
      for (const p of pending) {
        const parsed = toMutation(p)
        if (parsed.success) batch.push(parsed.data)
        else unreadable.push(p)
      }
      if (unreadable.length > 0)
        withFullSync(db, () => {
          for (const p of unreadable) {
            removeMutations(db, [p.mutationId])
            toInbox(p, 'rejected', { reason: 'Cette modification n’a pas pu être relue pour l’envoi.' })
          }
        })
      if (batch.length === 0) continue
      let results: MutationResult[]
      try {
        results = (await transport.mutations(token, batch)).results
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e)
        withFullSync(db, () => batch.forEach((m) => recordMutationFailure(db, m.mutationId, message)))
        throw e
      }
      const byId = new Map(pending.map((p) => [p.mutationId, p]))
      if (results.some((r) => !byId.has(r.mutationId)))
        throw new SyncError(
          'protocol',
          'Le serveur a répondu pour des modifications inconnues : réponse ignorée.',
        )
      const ids = new Set<string>()
      const tourIds = new Set<string>()
      assertRunning()
      answering = new Set(batch.map((m) => m.mutationId))
      try {
        withFullSync(db, () => {
          // The server's copy of a request is taken in once per batch, with its last answer:
          // k changes to one request cost one write and one rebase, not k.
          const lastFor = new Map(results.map((r, i) => [byId.get(r.mutationId)!.entityId, i]))
          results.forEach((r, i) => {
            const p = byId.get(r.mutationId)!
            // Still pending? A duplicate answer for one already settled changes nothing.
            if (isPending(db, p.mutationId)) settle(p, r, lastFor.get(p.entityId) === i)
            ;(isTourOp(p.op) ? tourIds : ids).add(p.entityId)
            if (r.status !== 'conflict') for (const stop of r.stops ?? []) ids.add(stop.request.id)
          })
          dropStale(deps.session())
        })
      } finally {
        answering = new Set()
      }
      progressed = true
      pruneSent(db, deps.now())
      if (ids.size > 0) deps.emit('requests.changed', { ids: [...ids] })
      if (tourIds.size > 0) deps.emit('tours.changed', { ids: [...tourIds] })
      publish()
      // An answer that covers none of the batch would loop forever: try again next round.
      if (results.length === 0) return
    }
  }

  // --- the access log ---------------------------------------------------------------------

  /**
   * Reads of contact details made offline (and those logged before contacts came on demand)
   * go to the server, which records each entry id once; the rows it has leave the
   * workstation in the same transaction. A server without the route (older) is skipped
   * quietly: the rows wait for one that has it.
   */
  async function uploadAccessLog(token: string): Promise<void> {
    for (;;) {
      assertRunning()
      const agentId = deps.session()?.agentId
      if (!agentId) return
      const pending = pendingAccessUploads(db, agentId, deps.clientId, PRIVACY_LIMITS.uploadEntries)
      const entries = pending.filter((e) => OfflineAccess.safeParse(e).success)
      if (entries.length === 0) return
      let accepted: string[]
      try {
        accepted = (await transport.uploadAccessLog(token, { entries })).accepted
      } catch (e) {
        if (e instanceof SyncError && (e.status === 404 || e.status === 501)) return
        if (e instanceof SyncError && e.kind === 'refused') {
          deps.logError?.('sync', e)
          withFullSync(db, () =>
            settleAccessUploads(
              db,
              entries.map((x) => x.id),
              [],
              deps.now(),
            ),
          )
          return
        }
        throw e
      }
      assertRunning()
      withFullSync(db, () =>
        settleAccessUploads(
          db,
          entries.map((x) => x.id),
          accepted,
          deps.now(),
        ),
      )
      progressed = true
      if (accepted.length < entries.length) return
    }
  }

  /**
   * After a round that deleted personal data, even one that failed later or was stopped:
   * the bytes leave the file and the WAL. Never fails the round (tried again after the next).
   */
  function scrubIfNeeded() {
    try {
      if (!isScrubNeeded(db)) return
      if (!scrubFreedSpace(db).checkpointed)
        deps.logError?.('sync', new Error('scrub: WAL checkpoint busy, retried after the next round'))
    } catch (e) {
      deps.logError?.('sync', e)
    }
  }

  /**
   * A citizen's contact details for one request and purpose, from the server (which logs
   * the delivery and puts it in the request's history, fed back to this console).
   * @throws SyncError as any call of the protocol.
   */
  async function citizenContact(requestId: string, purpose: ContactPurpose): Promise<CitizenContact> {
    const workstation = hostname().slice(0, PRIVACY_LIMITS.workstation)
    const contact = await engine.withAccess((token) =>
      transport.citizenContact(token, requestId, {
        purpose,
        clientId: deps.clientId,
        ...(workstation ? { workstation } : {}),
      }),
    )
    // The server's history event of the delivery comes back with the next round.
    schedule(20)
    return contact
  }

  // --- pull -------------------------------------------------------------------------------

  /**
   * Apply changes from `from` on, in one transaction, until the time budget is spent: big
   * enough transactions to amortise each commit, short enough to let the UI breathe.
   * The cursor moves with the page's last change. @returns where it stopped.
   */
  /** Between two steps of a round: stop there if the agent logged out or the app quits. */
  function assertRunning() {
    if (stopped || !deps.session()) throw new Stopped()
  }

  function applyChunk(page: ChangesReply, from: number, ids: string[], tourIds: string[]): number {
    assertRunning()
    let workflows: Map<string, WorkflowDefinition> | null = null
    const session = deps.session()
    const { changes } = page
    let i = from
    db.transaction(() => {
      const started = performance.now()
      while (i < changes.length && (i === from || performance.now() - started < CHUNK_BUDGET_MS)) {
        const c = changes[i++]!
        if (c.type === 'reference') workflows = applyReference(db, c.reference)
        else if (c.type === 'tour') {
          if (takeServerTour(db, c.tour.id, c.tour)) tourIds.push(c.tour.id)
        } else if (c.type === 'tour_removed') {
          if (takeServerTour(db, c.id, null)) tourIds.push(c.id)
        } else if (c.type === 'request_removed') removeRequest(db, c.id)
        else if (c.type === 'citizen_erased') ids.push(...eraseLocally(eraseCtx, c))
        else if (visibleTo(session, c.entity)) {
          applyRequestEntity(deps.ctx, c.entity, session)
          if (c.partial) backfill.add(db, c.entity.request.id)
          else backfill.done(db, c.entity.request.id)
        } else removeRequest(db, c.entity.request.id)
        if (c.type === 'request') ids.push(c.entity.request.id)
        else if (c.type === 'request_removed') ids.push(c.id)
      }
      dropStale(session)
      if (i >= changes.length) setSyncState(db, 'cursor', page.nextCursor)
    })()
    if (workflows) {
      // Replaced in place: every service holds this same map.
      const running = deps.ctx.workflows
      running.clear()
      for (const [id, def] of workflows as Map<string, WorkflowDefinition>) running.set(id, def)
      deps.emit('reference.changed', {})
    }
    return i
  }

  /** Until the server says it has no snapshot (an older one): then the feed, as before. */
  const snapshot = { offered: true }

  async function pull(token: string): Promise<void> {
    // An empty cache fills from a snapshot in chunks, then the feed goes on from its cursor.
    if (getSyncState(db, 'initial_done') !== '1' && deps.snapshot && snapshot.offered) {
      const session = deps.session()
      const taken = await firstDownloadBySnapshot({
        db,
        transport,
        token,
        cache: deps.snapshot,
        // Ten pages of the feed a chunk: 2 000 requests with the default page size.
        chunkRows: pageSize * 10,
        owner: `${session?.agentId}@${getSyncState(db, 'server_epoch') ?? ''}`,
        retried,
        assertRunning,
        show: (progress) => {
          initial = progress
          if (progress.phase === 'snapshot' && progress.done > 0) progressed = true
          publish()
        },
        refused: () => (snapshot.offered = false),
      })
      initial = null
      if (taken) {
        afterSnapshot()
        setSyncState(db, 'initial_done', '1')
      }
    }
    let cursor = getSyncState(db, 'cursor') ?? '0'
    const firstSync = getSyncState(db, 'initial_done') !== '1'
    // A first download resumed after a failure goes on counting from what is already in.
    let done = firstSync ? (cached(db, 'SELECT count(*) FROM requests').pluck().get() as number) : 0
    // A first download asks for requests alone: the queue is usable sooner, details follow.
    const pageAt = (since: string) => transport.changes(token, since, pageSize, firstSync)
    let next: Promise<ChangesReply> | null = null
    for (;;) {
      const from = cursor
      const page: ChangesReply = await retried(() => pageAt(from), next ?? undefined)
      if ((page.changes.length > 0 || page.hasMore) && !(Number(page.nextCursor) > Number(cursor)))
        throw new SyncError('protocol', 'Le serveur a renvoyé un curseur qui n’avance pas : réponse ignorée.')
      // The next page is on its way while this one is written: the server's time and ours overlap.
      const prefetch: Promise<ChangesReply> | null = page.hasMore ? pageAt(page.nextCursor) : null
      prefetch?.catch(() => {})
      const ids: string[] = []
      const tourIds: string[] = []
      try {
        let at = applyChunk(page, 0, ids, tourIds)
        while (at < page.changes.length) {
          await yieldToEventLoop()
          at = applyChunk(page, at, ids, tourIds)
        }
      } catch (e) {
        if (e instanceof WorkflowDefinitionError)
          throw new SyncError('protocol', `Le serveur a envoyé un circuit invalide (${e.message}) : ignoré.`)
        throw e
      }
      cursor = page.nextCursor
      if (page.changes.length > 0) progressed = true
      if (ids.length > 0) deps.emit('requests.changed', { ids })
      if (tourIds.length > 0) deps.emit('tours.changed', { ids: tourIds })
      if (firstSync) {
        done += page.changes.length
        initial = { done, total: done + page.remaining, phase: 'requests' }
        publish()
      }
      if (!prefetch) break
      next = prefetch
      await yieldToEventLoop()
    }
    if (firstSync) setSyncState(db, 'initial_done', '1')
    initial = null
  }

  /** The worker wrote the cache: the running workflows and every screen follow it. */
  function afterSnapshot() {
    const running = deps.ctx.workflows
    running.clear()
    for (const w of listWorkflowDefinitionsRaw(db))
      running.set(w.id, parseWorkflowDefinition(JSON.parse(w.json), `serveur:${w.id}`))
    deps.emit('reference.changed', {})
    deps.emit('requests.changed', { ids: [] })
    deps.emit('tours.changed', { ids: [] })
  }

  /** Comments and history of the requests a light first download brought without them. */
  async function fetchDetails(token: string): Promise<void> {
    const waiting = backfill.next(db, Number.MAX_SAFE_INTEGER)
    if (waiting.length === 0) return
    const batches: string[][] = []
    for (let i = 0; i < waiting.length; i += SYNC_LIMITS.detailsPerBatch)
      batches.push(waiting.slice(i, i + SYNC_LIMITS.detailsPerBatch))
    let done = 0
    let next: Promise<DetailsReply> | undefined
    for (const [n, ids] of batches.entries()) {
      initial = { done, total: waiting.length, phase: 'details' }
      publish()
      const { details } = await retried(() => transport.details(token, ids), next)
      assertRunning()
      // The next batch is on its way while this one is written.
      if (n + 1 < batches.length) {
        next = transport.details(token, batches[n + 1]!)
        next.catch(() => {})
      }
      db.transaction(() => {
        for (const d of details) applyRequestDetails(db, d)
        // Those left out are no longer the agent's to see: the feed says so in its own time.
        for (const id of ids) backfill.done(db, id)
      })()
      done += ids.length
      progressed = true
      // No requests.changed: comments and history change no row of a queue or count.
      await yieldToEventLoop()
    }
    initial = null
  }

  // --- attachments (issue 14) ------------------------------------------------------------

  /**
   * The agent's files added on this console, within a round's budget (attachments/uploads.ts):
   * when more wait, another round follows at once. A refusal is kept with the file; a server
   * out of reach fails the round like any call (backoff), a refused token renews it.
   */
  async function uploadAttachments(token: string): Promise<void> {
    const agentId = deps.session()?.agentId
    if (!agentId) return
    const outcome = await sendPendingUploads({ db, transport, agentId, assertRunning }, token)
    if (outcome.requestIds.length > 0) {
      progressed = true
      // Sent or refused: the lists of these requests' files; the server's `attachment_added`
      // comes back with the feed, as any change.
      deps.emit('attachments.changed', { ids: outcome.requestIds })
      publish()
    }
    if (outcome.more) again = true
  }

  // --- a restored server -----------------------------------------------------------------

  /**
   * Each reply's server epoch, before the reply is taken. The first one is remembered; a
   * different one means the server was restored from a backup: it has forgotten what it
   * applied after that backup, and its change feed went back. The reply is left untaken.
   */
  function checkEpoch(epoch: string): void {
    const known = getSyncState(db, 'server_epoch')
    if (known === epoch) return
    if (known === undefined) {
      setSyncState(db, 'server_epoch', epoch)
      return
    }
    throw new SyncError('restored', RESTORED)
  }

  /**
   * Recover from a restore: the changes the server applied lately go back to the outbox
   * (sent again, in their order: it answers what it still has as before, applies the rest),
   * the cache's copy of the server is dropped and pulled again from the start, and the new
   * epoch is remembered. The outbox, the inbox and the session stay.
   */
  function recoverFromRestore(): void {
    withFullSync(db, () => {
      const requeued = requeueSent(db)
      db.exec(`DELETE FROM sync_backfill; DELETE FROM citizen_contacts; DELETE FROM comments; DELETE FROM requests;
               DELETE FROM citizens; DELETE FROM tours;
               DELETE FROM sync_state WHERE key IN ('cursor', 'initial_done', 'server_epoch');`)
      deps.logError?.(
        'sync',
        new Error(`server restored from a backup: ${requeued} applied changes sent again`),
      )
    })
    deps.emit('requests.changed', { ids: [] })
    deps.emit('tours.changed', { ids: [] })
  }

  // --- rounds -----------------------------------------------------------------------------

  async function round(): Promise<void> {
    state = 'syncing'
    publish()
    progressed = false
    let recovered = false
    let renewed = false
    for (;;) {
      let token: string | null = null
      try {
        token = await ensureAccess()
        await push(token)
        await uploadAccessLog(token)
        await pull(token)
        await fetchDetails(token)
        // After the push (a request created offline exists on the server first) and the
        // feed, so a large file holds neither back (issue 14).
        await uploadAttachments(token)
        failures = 0
        lastError = null
        lastSyncAt = deps.now()
        state = 'idle'
        return
      } catch (e) {
        if (e instanceof Stopped) {
          state = 'idle'
          return
        }
        // A call refused the access token (expired early, signed with a key the server lost):
        // drop that token and renew once, whoever noticed first. Only a refused renewal asks for the password.
        if (e instanceof SyncError && e.kind === 'auth' && e.code === 'unauthenticated' && !renewed) {
          renewed = true
          refused(token)
          continue
        }
        // The server was restored: send again what it forgot, pull it all again (once a round).
        if (e instanceof SyncError && e.kind === 'restored' && !recovered) {
          recovered = true
          recoverFromRestore()
          continue
        }
        fail(e)
        return
      }
    }
  }

  function fail(e: unknown) {
    if (e instanceof SyncError && e.kind === 'auth') {
      access = null
      state = 'auth_required'
      lastError = e.code === 'bad_credentials' ? e.message : AUTH_REQUIRED
      return
    }
    // A round that moved something before failing starts the backoff again from the bottom.
    failures = progressed ? 1 : failures + 1
    if (e instanceof SyncError) {
      state = e.kind === 'offline' || e.kind === 'timeout' ? 'offline' : 'error'
      lastError = e.message
    } else {
      state = 'error'
      lastError = INTERNAL
      deps.logError?.('sync', e)
    }
    schedule(backoff(failures))
  }

  /** Run a round now (or right after the running one); resolves with the status after it. */
  async function syncNow(): Promise<SyncStatus> {
    if (stopped) return status()
    if (running) {
      again = true
      await running
      return status()
    }
    running = (async () => {
      try {
        do {
          again = false
          await round()
          scrubIfNeeded()
          // After a failure the backoff decides when to try again, not a call that came meanwhile.
        } while (again && !stopped && state === 'idle')
      } finally {
        running = null
        if (!stopped && state === 'idle') schedule(deps.intervalMs)
        publish()
      }
    })()
    await running
    return status()
  }

  const presenceListeners = new Set<(heard: PresenceHeard) => void>()
  /** Who is on a request (issue 15): each mark the stream carries, and when it opens or ends. */
  const tellPresence = (heard: PresenceHeard) => presenceListeners.forEach((l) => l(heard))

  /**
   * Hold the nudge stream open. Each time it opens, a round runs (nudges may have been missed
   * while it was down) and the reconnect backoff starts again; a stream the server refuses
   * drops its token only (the next connection shares the one renewal).
   */
  async function eventsLoop(signal: AbortSignal) {
    let attempt = 0
    while (!signal.aborted) {
      let token: string | null = null
      try {
        token = await ensureAccess()
        await transport.events(
          token,
          () => schedule(10),
          signal,
          () => {
            attempt = 0
            tellPresence('open')
            schedule(10)
          },
          undefined,
          tellPresence,
        )
      } catch (e) {
        if (e instanceof SyncError && e.kind === 'auth') refused(token)
      }
      // Marks heard on the stream are followed no more: its next opening tells the live ones again.
      tellPresence('closed')
      if (signal.aborted) return
      await pause(backoff(attempt++), signal)
    }
  }

  const engine = {
    status,
    syncNow,
    checkEpoch,
    citizenContact: (requestId: string, purpose: ContactPurpose) => citizenContact(requestId, purpose),

    /** Hear who is on which request, from the nudge stream (issue 15); returns the undo. */
    onPresence(listener: (heard: PresenceHeard) => void): () => void {
      presenceListeners.add(listener)
      return () => void presenceListeners.delete(listener)
    },

    /** After login: keep the password in memory only until the server has given a token. */
    start(login: { login: string; password: string } | null) {
      stopped = false
      credentials = login
      access = null
      state = 'idle'
      lastError = null
      eventsAbort?.abort()
      eventsAbort = new AbortController()
      void eventsLoop(eventsAbort.signal)
      void syncNow()
    },

    /** The agent typed their password again after the server's session expired. */
    async reauth(login: string, password: string): Promise<SyncStatus> {
      credentials = { login, password }
      deps.tokens.save(null)
      access = null
      if (stopped) return status()
      // The nudge stream gave up on the old token: it reconnects with the new one.
      eventsAbort?.abort()
      eventsAbort = new AbortController()
      void eventsLoop(eventsAbort.signal)
      return syncNow()
    },

    /**
     * Run `fn` with a valid access token, for calls outside the sync protocol (reference
     * administration): the token is renewed as a round renews it, and once more if the
     * server refuses it. Changes nothing else of the engine's state.
     */
    async withAccess<T>(fn: (token: string) => Promise<T>): Promise<T> {
      if (stopped) throw new SyncError('auth', AUTH_REQUIRED, 401)
      const token = await ensureAccess()
      try {
        return await fn(token)
      } catch (e) {
        if (!(e instanceof SyncError) || e.kind !== 'auth') throw e
        // A token the server no longer knows (it restarted, or it expired early): renew it once.
        refused(token)
        return fn(await ensureAccess())
      }
    },

    /** The agent changed something: push it soon. */
    localChange() {
      publish()
      schedule(20)
    },

    /** Stop syncing. `forget` (logout) also drops the refresh token; an app quit keeps it, encrypted. */
    async stop(options: { forget: boolean }) {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = null
      eventsAbort?.abort()
      eventsAbort = null
      // Logout ends the session on the server too (best effort: offline, the token expires anyway).
      if (options.forget && access)
        await Promise.race([
          transport.revoke(access.token).catch(() => {}),
          new Promise((resolve) => setTimeout(resolve, REVOKE_WAIT_MS).unref()),
        ])
      access = null
      credentials = null
      if (options.forget) deps.tokens.save(null)
      await running
    },
  }
  return engine
}

export type SyncEngine = ReturnType<typeof createSyncEngine>
