/**
 * Applying a console's batch of mutations, once each, on any number of instances.
 *
 * A batch is one transaction. Its requests are read and (PostgreSQL) locked first, in id
 * order; then the mutation ids already answered are looked up, and those are answered as
 * before. Each new mutation is decided by the core (authorisation, workflow guards: the
 * server re-checks whatever a console claims), compared with what others changed since its
 * base version (a conflict only when the same fields moved), and written. Outcomes go into
 * `applied_mutations` at the end: if another instance applied one of them meanwhile, its
 * primary key refuses the insert, the whole batch is rolled back and run again, and that
 * mutation is then answered from the other instance's outcome.
 */
import { randomUUID } from 'node:crypto'
import type { SessionInfo } from '../../shared/contract'
import type { Comment, Role } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { SavedTour } from '../../shared/savedTour'
import {
  isTourOp,
  type FieldChange,
  type Mutation,
  type MutationResult,
  type RequestRecord,
  type ServerHistoryEvent,
} from '../../shared/sync'
import type { WorkflowDefinition } from '../../shared/workflow'
import { canSeeTeam } from '../../core/authz/permissions'
import {
  assertMayChange,
  decideRequestOp,
  fieldsTouchedBy,
  decideIntakeCitizen,
  newRequestRow,
  valueOfField,
  workflowOf,
  type OpContext,
  type RequestDecision,
  type RequestOp,
} from '../../core/requests/operations'
import { decideTourDelete, decideTourSave } from '../../core/tours/operations'
import { planTourStops } from '../../core/tours/planStops'
import type { NewHistoryEvent } from '../../core/requests/records'
import type { BusinessCalendar } from '../../core/workflow/sla'
import { ChangeSet } from './feed'
import { duplicateMasters } from './duplicateMasters'
import { masterResolvedEvents, resolves } from './duplicateFollowers'
import { applyMerge } from './merge'
import { parisTime } from './parisTime'
import type { ReferenceSnapshot } from './reference'
import {
  changesMadeBy,
  citizenById,
  citizenRefsFor,
  entitiesFor,
  getRequests,
  insertCitizen,
  insertRequest,
  nextReference,
  upsertRequests,
} from './requests'
import { COMMENT_COLUMNS, HISTORY_COLUMNS, toHistoryEvent, toTour, type HistoryDbRow } from './rows'
import {
  insertRows,
  insertRowsReturning,
  isUniqueViolation,
  placeholders,
  type Sql,
  type SqlDatabase,
  type SqlParam,
} from './sql/client'

/** What a batch's transaction knows when it commits: the requests as written, what it made. */
interface BatchMemory {
  rows: ReadonlyMap<string, RequestRecord>
  fresh: ReadonlySet<string>
  made: { history: Map<string, ServerHistoryEvent[]>; comments: Map<string, Comment[]> }
}

const MUTATION_ID_TAKEN =
  'Cet identifiant de modification a déjà servi à un autre agent ou poste : modification refusée, renvoyez-la.'

type Outcome =
  | { status: 'applied'; version: number }
  | { status: 'conflict'; theirs: FieldChange[] }
  | { status: 'rejected'; code: string; reason: string }

export interface MutationContext {
  db: SqlDatabase
  workflows: Map<string, WorkflowDefinition>
  calendar: BusinessCalendar
  citizenDataRoles: readonly Role[]
  reference(tx: Sql): Promise<ReferenceSnapshot>
  now(): number
}

interface VersionRow {
  version: number
  fields: string
  actor_name: string | null
  at: number
}

/** Request fields whose value is free text (names, addresses, phone numbers may be typed in). */
const TEXT_PATCH_FIELDS = ['title', 'description', 'address'] as const

/**
 * A change that carries free text: a comment, an edit of the title, description or address,
 * a transition with text fields (a reason, a resolution note).
 */
function bearsText(m: Mutation): boolean {
  switch (m.op) {
    case 'comment':
      return true
    case 'update':
      return TEXT_PATCH_FIELDS.some((f) => m.payload[f] !== undefined)
    case 'transition':
      return Object.values(m.payload.fields).some((v) => typeof v === 'string' && v.trim() !== '')
    // A tag is typed by an agent: it may name the citizen whose data were erased.
    case 'tag':
      return m.payload.add.length > 0
    default:
      return false
  }
}

/** When each of `ids` was anonymised, for those that were. */
async function anonymisedAtOf(tx: Sql, ids: readonly string[]): Promise<Map<string, number>> {
  const unique = [...new Set(ids)]
  if (unique.length === 0) return new Map()
  const rows = await tx.all<{ id: string; anonymised_at: number }>(
    `SELECT id, anonymised_at FROM requests
     WHERE id IN (${placeholders(unique.length)}) AND anonymised_at IS NOT NULL`,
    unique,
  )
  return new Map(rows.map((r) => [r.id, Number(r.anonymised_at)]))
}

/** One batch inside its transaction. */
async function applyInTransaction(
  ctx: MutationContext,
  tx: Sql,
  session: SessionInfo,
  clientId: string,
  mutations: readonly Mutation[],
): Promise<{ outcomes: Outcome[]; changes: ChangeSet; memory: BatchMemory }> {
  const changes = new ChangeSet()
  const ref = await ctx.reference(tx)
  const masters = await duplicateMasters(tx, mutations, (id) => rows.get(id))
  const opCtx: OpContext = { ref, workflows: ctx.workflows, calendar: ctx.calendar, ...masters }

  // Every request the batch may write, locked in one order (tours: their stops too).
  const touched = mutations.flatMap((m) =>
    m.op === 'tour_save'
      ? [...m.payload.stopIds]
      : m.op === 'merge'
        ? [m.entityId, m.payload.duplicateId]
        : isTourOp(m.op)
          ? []
          : [m.entityId],
  )
  const rows = await getRequests(tx, touched, { lock: true })
  const tourIds = mutations.filter((m) => isTourOp(m.op)).map((m) => m.entityId)
  if (tourIds.length > 0 && tx.dialect === 'postgres')
    await tx.all(
      `SELECT id FROM tours WHERE id IN (${placeholders(tourIds.length)}) ORDER BY id FOR UPDATE`,
      tourIds,
    )

  // When the requests that text-bearing changes aim at were anonymised (erasure, retention).
  const anonymisedAt = await anonymisedAtOf(
    tx,
    mutations.filter(bearsText).map((m) => m.entityId),
  )

  const ids = [...new Set(mutations.map((m) => m.mutationId))]
  // A mutation id is answered again only to the agent and workstation that sent it: anyone
  // else presenting it (copied from a history event) neither learns that outcome nor has
  // their own change taken for it: theirs is refused, with the reason, into their inbox.
  const priorRows = await tx.all<{
    mutation_id: string
    outcome: string
    agent_id: string
    client_id: string
  }>(
    `SELECT mutation_id, outcome, agent_id, client_id FROM applied_mutations WHERE mutation_id IN (${placeholders(ids.length)})`,
    ids,
  )
  const prior = new Map(
    priorRows.map((r): [string, Outcome] => [
      r.mutation_id,
      r.agent_id === session.agentId && r.client_id === clientId
        ? (JSON.parse(r.outcome) as Outcome)
        : { status: 'rejected', code: 'invalid_input', reason: MUTATION_ID_TAKEN },
    ]),
  )

  // What the batch writes goes out together, a few statements per batch instead of several
  // per mutation: the requests (locked above, so this batch's copy is the truth), comments,
  // versions and history. Flushed before anything reads them back (a conflict check, a
  // savepoint) and before the commit.
  /** The requests this transaction wrote or created, and the events and comments it made on them. */
  const fresh = new Set<string>()
  const made = { history: new Map<string, ServerHistoryEvent[]>(), comments: new Map<string, Comment[]>() }
  const pending = {
    requests: new Set<string>(),
    comments: [] as SqlParam[][],
    history: [] as SqlParam[][],
    versions: [] as SqlParam[][],
  }
  async function flush() {
    if (pending.requests.size > 0)
      await upsertRequests(
        tx,
        [...pending.requests].map((id) => rows.get(id)!),
      )
    if (pending.comments.length > 0) await insertRows(tx, 'comments', COMMENT_COLUMNS, pending.comments)
    if (pending.versions.length > 0)
      await insertRows(
        tx,
        'request_versions',
        ['request_id', 'version', 'fields', 'client_id', 'agent_id', 'mutation_id', 'actor_name', 'at'],
        pending.versions,
      )
    if (pending.history.length > 0) {
      const stored = await insertRowsReturning<HistoryDbRow>(
        tx,
        'history_events',
        HISTORY_COLUMNS,
        pending.history,
        'id, request_id, kind, at, actor_id, actor_name, data, mutation_id',
      )
      // What this batch made, for its answer: nothing is read back after the commit.
      for (const h of stored)
        made.history.set(h.request_id, [...(made.history.get(h.request_id) ?? []), toHistoryEvent(h)])
    }
    pending.requests.clear()
    pending.comments = []
    pending.versions = []
    pending.history = []
  }
  /** This batch's decision on `row`, in memory until the flush. */
  function write(row: RequestRecord, decision: RequestDecision): RequestRecord {
    const { write } = decision
    let after = row
    if (write) {
      const patch: Partial<RequestRecord> = write.kind === 'status' ? write.change : write.patch
      const written = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
      after = { ...row, ...written, version: row.version + 1 }
      rows.set(row.id, after)
      pending.requests.add(row.id)
    }
    fresh.add(row.id)
    const c = decision.comment
    if (c) {
      made.comments.set(c.requestId, [...(made.comments.get(c.requestId) ?? []), c])
      pending.comments.push([
        c.id,
        c.requestId,
        c.kind,
        c.body,
        c.authorId,
        c.authorName,
        Date.parse(c.createdAt),
      ])
      commentIds.add(c.id)
    }
    changes.request(row.id, row.teamId, after.teamId)
    return after
  }
  // Comment ids already taken: those of this batch, and those stored (read once for the batch).
  const newCommentIds = mutations.flatMap((m) => (m.op === 'comment' ? [m.payload.commentId] : []))
  const commentIds = new Set<string>(
    newCommentIds.length === 0
      ? []
      : (
          await tx.all<{ id: string }>(
            `SELECT id FROM comments WHERE id IN (${placeholders(newCommentIds.length)})`,
            newCommentIds,
          )
        ).map((r) => r.id),
  )
  const recordVersion = (row: RequestRecord, fields: string[], m: Mutation) =>
    void pending.versions.push([
      row.id,
      row.version,
      JSON.stringify(fields),
      m.clientId,
      session.agentId,
      m.mutationId,
      session.displayName,
      ctx.now(),
    ])
  const appendHistory = (e: NewHistoryEvent) =>
    void pending.history.push([
      e.requestId,
      e.kind,
      e.at,
      e.actorId,
      e.actorName,
      JSON.stringify(e.data),
      e.mutationId ?? null,
    ])

  async function applyCreate(m: Extract<Mutation, { op: 'create' }>): Promise<Outcome> {
    assertMayChange(session)
    if (rows.has(m.entityId))
      return { status: 'rejected', code: 'invalid_input', reason: 'Cet identifiant de demande existe déjà.' }
    const at = ctx.now()
    const citizen = decideIntakeCitizen(session, ctx.citizenDataRoles, m.payload.citizen, randomUUID)
    if (m.payload.citizen?.kind === 'existing') {
      const known = await citizenById(tx, m.payload.citizen.id)
      if (!known || known.erasedAt !== null)
        return {
          status: 'rejected',
          code: 'invalid_input',
          reason: 'Cet usager est introuvable sur le serveur.',
        }
    }
    if (citizen.create && (await citizenById(tx, citizen.create.id)))
      return { status: 'rejected', code: 'invalid_input', reason: 'Cet identifiant d’usager existe déjà.' }
    const teams = new Map(ref.bundle.teams.map((t) => [t.id, t]))
    const { row, routed } = newRequestRow(
      { ...opCtx, ref: { ...ref, team: (id) => teams.get(id) } },
      m.payload,
      {
        id: m.entityId,
        reference: await nextReference(tx, at),
        at,
        citizenId: citizen.citizenId,
      },
    )
    // The row is decided (and may be refused) before anything is written.
    if (citizen.create) {
      await insertCitizen(tx, citizen.create)
      const consentAt = m.payload.citizen?.kind === 'new' ? m.payload.citizen.citizen.consentAt : null
      if (consentAt)
        await tx.run('UPDATE citizens SET consent_at = ? WHERE id = ?', [
          Date.parse(consentAt),
          citizen.create.id,
        ])
    }
    await insertRequest(tx, row, changes)
    rows.set(row.id, row)
    fresh.add(row.id)
    const actor = { actorId: session.agentId, actorName: session.displayName }
    appendHistory({
      requestId: row.id,
      kind: 'created',
      at,
      ...actor,
      data: { channel: m.payload.channel, ...citizen.createdData },
      mutationId: m.mutationId,
    })
    appendHistory({
      requestId: row.id,
      ...routed,
      at,
      actorId: null,
      actorName: null,
      mutationId: m.mutationId,
    })
    recordVersion(row, ['*'], m)
    return { status: 'applied', version: 0 }
  }

  async function applyChange(
    m: Exclude<Mutation, { op: 'create' | 'tour_save' | 'tour_delete' }>,
  ): Promise<Outcome> {
    const row = rows.get(m.entityId)
    if (!row) return { status: 'rejected', code: 'not_found', reason: 'Cette demande n’existe plus.' }
    if (!canSeeTeam(session, row.teamId))
      return { status: 'rejected', code: 'not_found', reason: 'Demande introuvable.' }
    // Text typed before the request was anonymised may hold what the erasure removed: an
    // offline console's queue must not bring it back.
    const erasedAt = anonymisedAt.get(row.id)
    if (erasedAt !== undefined && bearsText(m) && m.createdAt < erasedAt)
      return {
        status: 'rejected',
        code: 'citizen_erased',
        reason:
          `Les données personnelles de l’usager de cette demande ont été effacées le ${parisTime(erasedAt)} : ` +
          'cette modification, faite avant, n’a pas été appliquée pour ne pas les réintroduire.',
      }
    // A base version the server never reached: it was restored from an older backup and the
    // versions in between are lost; nothing newer than its own state can conflict, so the
    // change applies on what it has (the console sends its lost changes again in order).
    const op = { op: m.op, payload: m.payload } as RequestOp
    const mine = fieldsTouchedBy(op)
    if (mine.length > 0 && row.version > m.baseVersion) {
      // Changes since the base version not made by this agent on this console.
      await flush()
      const others = await tx.all<VersionRow>(
        `SELECT version, fields, actor_name, at FROM request_versions
         WHERE request_id = ? AND version > ?
           AND NOT (client_id IS NOT NULL AND client_id = ? AND agent_id IS NOT NULL AND agent_id = ?)
         ORDER BY version`,
        [row.id, m.baseVersion, m.clientId, session.agentId],
      )
      const lastTouch = new Map<string, VersionRow>()
      for (const v of others) for (const f of JSON.parse(v.fields) as string[]) lastTouch.set(f, v)
      const overlap = mine.filter((f) => lastTouch.has(f) || lastTouch.has('*'))
      if (overlap.length > 0)
        return {
          status: 'conflict',
          theirs: overlap.map((field) => {
            const v = lastTouch.get(field) ?? lastTouch.get('*')!
            return {
              field,
              value: valueOfField(row, field),
              actorName: v.actor_name,
              at: v.at,
              version: v.version,
            }
          }),
        }
    }
    if (op.op === 'comment' && commentIds.has(op.payload.commentId))
      return { status: 'rejected', code: 'invalid_input', reason: 'Ce commentaire existe déjà.' }
    const at = ctx.now()
    const decision = decideRequestOp(opCtx, session, row, op, at)
    const after = write(row, decision)
    if (after.version !== row.version) recordVersion(after, mine, m)
    appendHistory({
      requestId: row.id,
      ...decision.history,
      at,
      actorId: session.agentId,
      actorName: session.displayName,
      mutationId: m.mutationId,
    })
    // A master resolved: its duplicates follow, in this transaction (see duplicateFollowers.ts);
    // written first, so a duplicate linked earlier in this batch is found.
    if (op.op === 'transition' && resolves(workflowOf(opCtx, row.categoryId), op.payload.transitionId)) {
      await flush()
      for (const { teamId, event } of await masterResolvedEvents(tx, after, at)) {
        appendHistory(event)
        changes.request(event.requestId, teamId)
      }
    }
    return { status: 'applied', version: after.version }
  }

  async function applyTour(m: Extract<Mutation, { op: 'tour_save' | 'tour_delete' }>): Promise<Outcome> {
    // The last version written after the base by another console or agent.
    const other = await tx.get<{ version: number; actor_name: string | null; deleted: number; at: number }>(
      `SELECT version, actor_name, deleted, at FROM tour_versions
       WHERE tour_id = ? AND version > ? AND NOT (client_id = ? AND agent_id = ?)
       ORDER BY version DESC LIMIT 1`,
      [m.entityId, m.baseVersion, m.clientId, session.agentId],
    )
    if (other) {
      const who = other.actor_name ?? 'un autre agent'
      const what = other.deleted ? 'supprimée' : 'modifiée'
      return {
        status: 'rejected',
        code: 'tour_changed',
        reason: `La tournée a été ${what} par ${who} le ${parisTime(other.at)} : votre version n’a pas été appliquée.`,
      }
    }
    const stored = await tx.get<{ data: string }>('SELECT data FROM tours WHERE id = ?', [m.entityId])
    const before = stored ? toTour(stored) : undefined
    const at = ctx.now()
    let version: number
    // A savepoint: a stop that cannot be assigned undoes the tour's save with it, and what
    // this batch knows of the stops goes back to what it was.
    await flush()
    const rowsBefore = new Map(rows)
    const freshBefore = new Set(fresh)
    const madeBefore = { history: new Map(made.history), comments: new Map(made.comments) }
    await tx
      .savepoint(async () => {
        if (m.op === 'tour_delete') {
          const deleted = decideTourDelete(session, before)
          await tx.run('DELETE FROM tours WHERE id = ?', [m.entityId])
          changes.touch(deleted.teamId, 'tour', deleted.id)
          version = deleted.version + 1
          return
        }
        const lookup = { agent: ref.agent, request: (id: string) => rows.get(id) }
        const saved = decideTourSave(lookup, session, before, m.entityId, m.payload, at)
        await tx.run(
          `INSERT INTO tours (id, team_id, technician_id, data, version) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET team_id = excluded.team_id, technician_id = excluded.technician_id,
           data = excluded.data, version = excluded.version`,
          [saved.id, saved.teamId, saved.technicianId, JSON.stringify(saved), saved.version],
        )
        for (const team of new Set([saved.teamId, before?.teamId ?? saved.teamId]))
          changes.touch(team, 'tour', saved.id)
        version = saved.version
        // Each stop assigned and planned (« Planifiée » on the tour's day) as the core decides,
        // each change re-checked by the workflow: one refusal undoes the whole save.
        const planning = {
          ...lookup,
          workflowOf: (categoryId: string) => {
            const category = ref.category(categoryId)
            return category && ctx.workflows.get(category.workflowId)
          },
        }
        for (const { row, ops } of planTourStops(planning, session, saved, m.payload.assignStops))
          for (const op of ops) {
            const outcome = await applyChange({
              ...m,
              ...op,
              entityId: row.id,
              baseVersion: rows.get(row.id)?.version ?? row.version,
            } as Exclude<Mutation, { op: 'create' | 'tour_save' | 'tour_delete' }>)
            if (outcome.status !== 'applied')
              throw new CoreError(
                'invalid_input',
                outcome.status === 'rejected'
                  ? `La demande ${row.reference} ne peut pas être planifiée : ${outcome.reason}`
                  : `La demande ${row.reference} a changé entre-temps.`,
              )
          }
        await flush()
      })
      .catch((e: unknown) => {
        pending.requests.clear()
        pending.comments = []
        pending.history = []
        pending.versions = []
        rows.clear()
        rowsBefore.forEach((row, id) => rows.set(id, row))
        fresh.clear()
        freshBefore.forEach((id) => fresh.add(id))
        for (const kind of ['history', 'comments'] as const) {
          made[kind].clear()
          madeBefore[kind].forEach((v, k) => made[kind].set(k, v as never))
        }
        throw e
      })
    await tx.run(
      `INSERT INTO tour_versions (tour_id, version, client_id, agent_id, actor_name, deleted, at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tour_id, version) DO UPDATE SET client_id = excluded.client_id, agent_id = excluded.agent_id,
         actor_name = excluded.actor_name, deleted = excluded.deleted, at = excluded.at`,
      [
        m.entityId,
        version!,
        m.clientId,
        session.agentId,
        session.displayName,
        m.op === 'tour_delete' ? 1 : 0,
        at,
      ],
    )
    return { status: 'applied', version: version! }
  }

  // A merge writes two requests through this batch's writers (merge.ts).
  const mergeBatch = { tx, session, ctx: opCtx, rows, now: () => ctx.now(), flush, write }
  const mergeWriters = { ...mergeBatch, recordVersion, appendHistory }
  const outcomes: Outcome[] = []
  const answered = new Map<string, Outcome>()
  for (const m of mutations) {
    const known = prior.get(m.mutationId) ?? answered.get(m.mutationId)
    if (known) {
      outcomes.push(known)
      continue
    }
    let outcome: Outcome
    try {
      outcome =
        m.op === 'create'
          ? await applyCreate(m)
          : m.op === 'merge'
            ? await applyMerge(mergeWriters, m)
            : m.op === 'tour_save' || m.op === 'tour_delete'
              ? await applyTour(m)
              : await applyChange(m)
    } catch (e) {
      if (!(e instanceof CoreError)) throw e
      outcome = { status: 'rejected', code: e.code, reason: e.message }
    }
    answered.set(m.mutationId, outcome)
    outcomes.push(outcome)
  }

  await flush()
  const answeredNow = [...answered.entries()]
  const mutationOf = new Map(mutations.map((m) => [m.mutationId, m]))
  for (let i = 0; i < answeredNow.length; i += 100) {
    const part = answeredNow.slice(i, i + 100)
    await tx.run(
      `INSERT INTO applied_mutations (mutation_id, client_id, agent_id, request_id, op, status, outcome, at)
       VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      part.flatMap(([id, outcome]) => {
        const m = mutationOf.get(id)!
        return [
          id,
          clientId,
          session.agentId,
          m.entityId,
          m.op,
          outcome.status,
          JSON.stringify(outcome),
          ctx.now(),
        ]
      }),
    )
  }
  await changes.publish(ctx.db, tx)
  return { outcomes, changes, memory: { rows, fresh, made } }
}

/** PostgreSQL's "try again" errors: a deadlock or a serialisation failure. */
const isRetryable = (e: unknown) => {
  const code = (e as { code?: unknown })?.code
  return isUniqueViolation(e) || code === '40P01' || code === '40001'
}

/** Apply a batch in order, each mutation at most once; one result per mutation. */
export async function applyMutations(
  ctx: MutationContext,
  session: SessionInfo,
  clientId: string,
  mutations: readonly Mutation[],
): Promise<MutationResult[]> {
  if (mutations.length === 0) return []
  let applied: Awaited<ReturnType<typeof applyInTransaction>> | undefined
  for (let attempt = 1; !applied; attempt++) {
    try {
      applied = await ctx.db.transaction((tx) => applyInTransaction(ctx, tx, session, clientId, mutations))
    } catch (e) {
      if (attempt >= 3 || !isRetryable(e)) throw e
    }
  }
  return answer(ctx, session, mutations, applied.outcomes, applied.memory)
}

/** The results: each request (and tour, and a tour's stops) as the agent may now see it. */
async function answer(
  ctx: MutationContext,
  session: SessionInfo,
  mutations: readonly Mutation[],
  outcomes: Outcome[],
  memory: BatchMemory,
): Promise<MutationResult[]> {
  const requestIds = mutations.flatMap((m) =>
    m.op === 'tour_save' ? m.payload.stopIds : isTourOp(m.op) ? [] : [m.entityId],
  )
  // A request a change of this batch touched goes back with the history events and the
  // comment that change made, not its whole history: the console merges events and comments
  // by id, so what it has stays and what is new arrives (a batch's answer stays small). A
  // refused or conflicting change gets the whole request: the console shows what happened.
  const complete = new Set(
    mutations.filter((_m, i) => outcomes[i]!.status !== 'applied').map((m) => m.entityId),
  )
  // What this transaction wrote is known without reading it back (the citizens' names are read, once).
  const fromMemory = requestIds.filter(
    (id) => !complete.has(id) && memory.fresh.has(id) && memory.rows.has(id),
  )
  const inMemory = new Set(fromMemory)
  const entities = await entitiesFor(
    ctx.db,
    session,
    ctx.citizenDataRoles,
    requestIds.filter((id) => !inMemory.has(id)),
    (id) => !complete.has(id),
  )
  const known = [...inMemory].map((id) => memory.rows.get(id)!).filter((r) => canSeeTeam(session, r.teamId))
  const citizens = await citizenRefsFor(ctx.db, session, ctx.citizenDataRoles, known)
  for (const request of known)
    entities.set(request.id, {
      request,
      // As in the feed: the citizen's name for the roles that read citizens, never their contacts.
      citizen: null,
      citizenRef: (request.citizenId && citizens.get(request.citizenId)) || null,
      comments: memory.made.comments.get(request.id) ?? [],
      history: memory.made.history.get(request.id) ?? [],
    })
  const batchIds = mutations.map((m) => m.mutationId)
  const touched = [...entities.values()]
    .filter((e) => !complete.has(e.request.id) && !inMemory.has(e.request.id))
    .map((e) => e.request.id)
  if (touched.length > 0) {
    const made = await changesMadeBy(ctx.db, touched, batchIds, mutations)
    for (const id of touched) {
      const entity = entities.get(id)!
      entities.set(id, {
        ...entity,
        comments: made.comments.get(id) ?? [],
        history: made.history.get(id) ?? [],
      })
    }
  }
  const tourIds = mutations.filter((m) => isTourOp(m.op)).map((m) => m.entityId)
  const tours = new Map<string, SavedTour>(
    tourIds.length === 0
      ? []
      : (
          await ctx.db.all<{ data: string }>(
            `SELECT data FROM tours WHERE id IN (${placeholders(tourIds.length)})`,
            tourIds,
          )
        )
          .map(toTour)
          .map((t) => [t.id, t]),
  )
  return mutations.map((m, i): MutationResult => {
    const outcome = outcomes[i]!
    if (isTourOp(m.op)) {
      const stored = tours.get(m.entityId)
      const tour = stored && canSeeTeam(session, stored.teamId) ? stored : null
      // The stops as they stand after it: the console takes them (assigned or left as they were).
      const stops =
        m.op === 'tour_save' ? m.payload.stopIds.flatMap((id) => entities.get(id) ?? []) : undefined
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
    const entity = entities.get(m.entityId) ?? null
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
}
