/**
 * Merging a duplicate into its master (issue 14): the duplicate's comments are copied onto
 * the master, its files attached there too (the same stored bytes), and it stays linked to
 * the master (linked now if it was not), so its citizen is told when the master is resolved
 * (src/server/store/duplicateFollowers.ts); both histories say `merged`. Decided once here,
 * for the console (written to its cache and queued) and for the server (in one transaction).
 *
 * Who may merge: whoever may link both requests as duplicates (the workflow's link
 * transition, by role and team), seeing both. A request merged once stays so: it cannot be
 * merged again, nor un-linked.
 */
import { createHash } from 'node:crypto'
import type { SessionInfo } from '../../shared/contract'
import type { ActionAvailability, Comment } from '../../shared/domain'
import { ATTACHMENT_LIMITS } from '../../shared/attachments'
import { CoreError } from '../../shared/result'
import type { RequestRecord } from '../../shared/sync'
import { actorOf, assertCanSeeTeam } from '../authz/permissions'
import { applyTransition, checkTransition } from '../workflow/engine'
import { checkDuplicateMaster, DUPLICATE_FIELD, linkTransitionOf, MERGED_FIELD } from './duplicates'
import {
  assertMayChange,
  subjectOf,
  workflowOf,
  type OpContext,
  type RequestStatusChange,
} from './operations'

/** What the duplicate brings, as the deciding store holds it. */
export interface MergeCarried {
  comments: readonly Comment[]
  /** Its attachments' ids. */
  attachmentIds: readonly string[]
  /** How many attachments the master already holds. */
  masterAttachments: number
}

/** What a merge writes. */
export interface MergeDecision {
  /** The duplicate's new status and fields: linked if it was not, marked merged. */
  duplicate: RequestStatusChange
  /** The link fired now (the duplicate was not linked to this master yet). */
  linked: { transitionId: string; from: string; to: string } | null
  /** Copies of the duplicate's comments on the master (ids from `carriedId`). */
  comments: Comment[]
  /** Ids of the master's copies of the duplicate's attachments, by the original's id. */
  attachmentCopies: ReadonlyMap<string, string>
  history: {
    master: { kind: 'merged'; data: Record<string, unknown> }
    duplicate: { kind: 'merged'; data: Record<string, unknown> }
  }
}

/**
 * The id of the master's copy of something the duplicate held: the same on every try and in
 * every store (a retried push, a console's own copy before the server's), in a UUID's shape.
 */
export function carriedId(masterId: string, originalId: string): string {
  const h = createHash('sha256').update(`merge\u0000${masterId}\u0000${originalId}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const refused = (message: string) => new CoreError('invalid_input', message)
const notAllowed = (message: string) => new CoreError('forbidden', message)

/** The reasons `session` may not link `row` by the rights alone (role, team), the state aside. */
function rightsToLink(ctx: OpContext, session: SessionInfo, row: RequestRecord): boolean {
  const def = workflowOf(ctx, row.categoryId)
  const link = linkTransitionOf(def)
  if (!link) return false
  const check = checkTransition(def, subjectOf(row), actorOf(session), link.id, { [DUPLICATE_FIELD]: '-' })
  return check.ok || check.reasons.every((r) => r.code !== 'role' && r.code !== 'team')
}

/**
 * Check that `session` may merge `duplicate` into `master` now.
 * @throws CoreError not_found (either out of sight), forbidden (rights), invalid_input or
 *   transition_refused (the state of either), with the reason in words.
 */
export function checkMerge(
  ctx: OpContext,
  session: SessionInfo,
  master: RequestRecord,
  duplicate: RequestRecord,
): void {
  assertCanSeeTeam(session, master.teamId)
  assertCanSeeTeam(session, duplicate.teamId)
  assertMayChange(session)
  if (master.id === duplicate.id) throw refused('Une demande ne peut pas être fusionnée dans elle-même.')
  if (!rightsToLink(ctx, session, master) || !rightsToLink(ctx, session, duplicate))
    throw notAllowed('Votre rôle ne permet pas de fusionner ces demandes : il faut pouvoir lier les deux.')
  const mastersMaster = master.fields[MERGED_FIELD] ?? master.fields[DUPLICATE_FIELD]
  if (mastersMaster)
    throw refused(
      `${master.reference} est elle-même un doublon de ${mastersMaster} : fusionnez plutôt dans ${mastersMaster}.`,
    )
  if (master.statusKind !== 'open')
    throw refused(`${master.reference} est close : on ne fusionne que dans une demande en cours.`)
  const mergedInto = duplicate.fields[MERGED_FIELD]
  if (mergedInto) throw refused(`${duplicate.reference} a déjà été fusionnée dans ${mergedInto}.`)
  const linkedTo = duplicate.fields[DUPLICATE_FIELD]
  if (linkedTo && linkedTo !== master.reference)
    throw refused(`${duplicate.reference} est un doublon de ${linkedTo} : fusionnez-la dans ${linkedTo}.`)
  if (!linkedTo) {
    checkDuplicateMaster(session, duplicate, master.reference, master)
    const def = workflowOf(ctx, duplicate.categoryId)
    const link = linkTransitionOf(def)!
    const check = checkTransition(def, subjectOf(duplicate), actorOf(session), link.id, {
      [DUPLICATE_FIELD]: master.reference,
    })
    if (!check.ok)
      throw new CoreError(
        'transition_refused',
        `${duplicate.reference} ne peut plus être liée comme doublon dans son état actuel : elle ne peut pas être fusionnée.`,
        { reasons: check.reasons },
      )
  }
}

/** `checkMerge` as the panel shows it: allowed, or refused with the reason and its kind. */
export function mergeAvailability(
  ctx: OpContext,
  session: SessionInfo,
  master: RequestRecord,
  duplicate: RequestRecord,
): ActionAvailability {
  try {
    checkMerge(ctx, session, master, duplicate)
    return { allowed: true }
  } catch (e) {
    if (!(e instanceof CoreError)) throw e
    return { allowed: false, refusal: e.code === 'forbidden' ? 'role' : 'state', reason: e.message }
  }
}

/**
 * Merge `duplicate` into `master` at `at`: checked (`checkMerge`), then what to write.
 * @throws CoreError as `checkMerge`; invalid_input when the master cannot hold the files.
 */
export function decideMerge(
  ctx: OpContext,
  session: SessionInfo,
  master: RequestRecord,
  duplicate: RequestRecord,
  carried: MergeCarried,
  at: number,
): MergeDecision {
  checkMerge(ctx, session, master, duplicate)
  const files = carried.attachmentIds.length
  if (carried.masterAttachments + files > ATTACHMENT_LIMITS.perRequest)
    throw refused(
      `${master.reference} ne peut pas recevoir les ${files} pièces jointes de ${duplicate.reference} : ` +
        `${ATTACHMENT_LIMITS.perRequest} au plus par demande. Retirez-en d’abord.`,
    )
  let linked: MergeDecision['linked'] = null
  let change: RequestStatusChange = {
    status: duplicate.status,
    statusKind: duplicate.statusKind,
    closedAt: duplicate.closedAt,
    fields: { ...duplicate.fields },
    slaPausedMs: duplicate.slaPausedMs,
    slaPausedSince: duplicate.slaPausedSince,
    dueAt: duplicate.dueAt,
  }
  if (duplicate.fields[DUPLICATE_FIELD] !== master.reference) {
    const def = workflowOf(ctx, duplicate.categoryId)
    const link = linkTransitionOf(def)!
    const next = applyTransition(
      def,
      duplicate,
      link.id,
      { [DUPLICATE_FIELD]: master.reference },
      at,
      ctx.calendar,
    )
    change = next
    linked = { transitionId: link.id, from: duplicate.status, to: next.status }
  }
  change = {
    ...change,
    fields: { ...change.fields, [MERGED_FIELD]: master.reference },
    updatedAt: at,
  }
  const comments = carried.comments.map((c): Comment => ({
    ...c,
    id: carriedId(master.id, c.id),
    requestId: master.id,
  }))
  const attachmentCopies = new Map(carried.attachmentIds.map((id) => [id, carriedId(master.id, id)]))
  const counts = { comments: comments.length, attachments: files, citizen: duplicate.citizenId !== null }
  return {
    duplicate: change,
    linked,
    comments,
    attachmentCopies,
    history: {
      master: {
        kind: 'merged',
        data: { direction: 'in', otherId: duplicate.id, otherReference: duplicate.reference, ...counts },
      },
      duplicate: {
        kind: 'merged',
        data: {
          direction: 'out',
          otherId: master.id,
          otherReference: master.reference,
          ...counts,
          ...(linked ? { linked } : {}),
        },
      },
    },
  }
}
