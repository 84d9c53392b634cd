/**
 * Merging a duplicate into the request shown (issue 14), on the console: the core decides
 * (src/core/requests/merge.ts); both histories say `merged` at once (« en attente d'envoi »)
 * and one `merge` mutation is queued, in one transaction. With a server, the two requests
 * change when the server has applied it and its copies come back through the feed (a
 * second or two online): a merge touches two requests, and a refusal must leave the
 * duplicate as the server has it, which only the server's copy can say. Without a server
 * (a local-only profile) the cache is the authority: the merge is written in it at once.
 */
import type { SessionInfo } from '../../shared/contract'
import type { ActionAvailability, RequestDetail } from '../../shared/domain'
import type { MergePreview } from '../../shared/channels/duplicates'
import { CoreError } from '../../shared/result'
import { MERGED_FIELD } from '../../core/requests/duplicates'
import { decideMerge, mergeAvailability } from '../../core/requests/merge'
import { withFullSync } from '../cache/db'
import { listAttachments } from '../cache/queries/attachments'
import { insertComment, listComments } from '../cache/queries/comments'
import { appendHistory } from '../cache/queries/history'
import { enqueueMutation, pendingBaseVersion } from '../cache/queries/outbox'
import {
  getRequestRow,
  setRequestStatus,
  updateRequestFields,
  type RequestRow,
} from '../cache/queries/requests'
import { cacheOpContext } from '../cache/requestWrites'
import { cached } from '../cache/statements'
import type { CoreDeps } from './deps'
import { visibleRequestRow } from './requests'

/** The version the server knows of a request this console may have changed since (its first pending change's base). */
const serverVersionOf = (deps: CoreDeps, row: RequestRow) =>
  pendingBaseVersion(deps.db, row.id) ?? row.version

const MERGE_PENDING = 'Une fusion de cette demande attend d’être envoyée au serveur.'

export function createMergeService(deps: CoreDeps) {
  const { db } = deps
  const ctx = cacheOpContext(db, deps.workflows, deps.calendar)
  const synced = () => Boolean(deps.config.sync.serverUrl)

  /** Either is already being merged away, or the duplicate is receiving one: the server would refuse a second. */
  const mergePending = (master: string, duplicate: string) =>
    cached(
      db,
      `SELECT 1 FROM outbox WHERE op = 'merge'
           AND (json_extract(payload, '$.duplicateId') IN (@master, @duplicate) OR entity_id = @duplicate)
         LIMIT 1`,
    )
      .pluck()
      .get({ master, duplicate }) === 1

  /** The core's answer, a merge already queued for either refused as the server would. */
  function availabilityOf(
    session: SessionInfo,
    master: RequestRow,
    duplicate: RequestRow,
  ): ActionAvailability {
    const answer = mergeAvailability(ctx, session, master, duplicate)
    if (answer.allowed && mergePending(master.id, duplicate.id))
      return { allowed: false, refusal: 'state', reason: MERGE_PENDING }
    return answer
  }

  const visible = (session: SessionInfo, id: string) => visibleRequestRow(db, session, id)

  function checkVersion(row: RequestRow, seen: number | undefined) {
    if (seen !== undefined && seen !== row.version)
      throw new CoreError(
        'version_conflict',
        `${row.reference} a été modifiée entre-temps : vérifiez-la avant de recommencer.`,
        { currentVersion: row.version },
      )
  }

  return {
    /**
     * What each candidate's line says of merging it into `masterId`: allowed or why not, whether
     * it already was or waits to be (the master read once: a few indexed reads per candidate).
     */
    candidateFacts(
      session: SessionInfo,
      masterId: string,
    ): (candidateId: string) => {
      merge?: ActionAvailability
      mergedInto?: string | null
      mergePending?: boolean
    } {
      const master = getRequestRow(db, masterId)
      return (candidateId) => {
        const candidate = getRequestRow(db, candidateId)
        if (!master || !candidate) return {}
        return {
          merge: availabilityOf(session, master, candidate),
          mergedInto: candidate.fields[MERGED_FIELD] ?? null,
          mergePending: mergePending(master.id, candidate.id),
        }
      }
    },

    /** What a merge would carry over, for the confirmation: counts only, never a name. */
    preview(session: SessionInfo, masterId: string, duplicateId: string): MergePreview {
      const master = visible(session, masterId)
      const duplicate = visible(session, duplicateId)
      return {
        merge: availabilityOf(session, master, duplicate),
        reference: duplicate.reference,
        version: duplicate.version,
        comments: listComments(db, duplicate.id).length,
        attachments: listAttachments(db, duplicate.id).length,
        citizen: duplicate.citizenId !== null,
      }
    },

    /**
     * Merge `duplicateId` into `masterId`: cache, both histories and the outbox in one transaction.
     * @throws CoreError as `decideMerge`, and `version_conflict` when either moved since the agent saw it.
     */
    merge(
      session: SessionInfo,
      input: { id: string; duplicateId: string; baseVersion?: number; duplicateVersion?: number },
    ): RequestDetail['id'] {
      withFullSync(db, () => {
        const master = visible(session, input.id)
        const duplicate = visible(session, input.duplicateId)
        checkVersion(master, input.baseVersion)
        checkVersion(duplicate, input.duplicateVersion)
        if (mergePending(master.id, duplicate.id)) throw new CoreError('invalid_input', MERGE_PENDING)
        const at = deps.now()
        const decision = decideMerge(
          ctx,
          session,
          master,
          duplicate,
          {
            comments: listComments(db, duplicate.id),
            attachmentIds: listAttachments(db, duplicate.id).map((a) => a.id),
            masterAttachments: listAttachments(db, master.id).length,
          },
          at,
        )
        const mutationId = deps.newId()
        const actor = { at, actorId: session.agentId, actorName: session.displayName, mutationId }
        if (!synced()) {
          setRequestStatus(db, duplicate.id, decision.duplicate, duplicate.version)
          updateRequestFields(db, master.id, { updatedAt: at }, master.version)
          for (const c of decision.comments) insertComment(db, c)
        }
        if (decision.linked)
          appendHistory(db, {
            requestId: duplicate.id,
            kind: 'transitioned',
            data: { ...decision.linked, fields: { duplicateOf: master.reference } },
            ...actor,
          })
        appendHistory(db, { requestId: duplicate.id, ...decision.history.duplicate, ...actor })
        appendHistory(db, { requestId: master.id, ...decision.history.master, ...actor })
        if (synced())
          enqueueMutation(db, {
            mutationId,
            entity: 'request',
            entityId: master.id,
            op: 'merge',
            baseVersion: serverVersionOf(deps, master),
            payload: { duplicateId: duplicate.id, duplicateVersion: serverVersionOf(deps, duplicate) },
            createdAt: at,
          })
      })
      deps.localChange?.()
      deps.emit('requests.changed', { ids: [input.id, input.duplicateId] })
      return input.id
    },
  }
}

export type MergeService = ReturnType<typeof createMergeService>
