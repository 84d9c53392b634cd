/**
 * The handlers of the duplicates channels (src/shared/channels/duplicates.ts); authorisation
 * is checked here, in the core, whatever the screen shows.
 *
 * The candidates come from the cache (near in place through the R*Tree, or sharing words
 * through the full-text index when the request has no place), within the session's scope,
 * and are ranked by the core (src/core/requests/duplicates.ts). Linking is the workflow's own
 * transition (the one asking for `duplicateOf`), fired through the request service, so the
 * master is checked there, and again on the server, like any transition.
 */
import type { SessionInfo } from '../../shared/contract'
import type { ActionAvailability, Category, RequestDetail } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { WorkflowDefinition } from '../../shared/workflow'
import type { Handlers } from '../dispatch'
import type { duplicateChannels, DuplicateDraft, RequestDuplicates } from '../../shared/channels/duplicates'
import { scopeFor } from '../../core/authz/permissions'
import {
  boxAround,
  assertNotMerged,
  DUPLICATE_FIELD,
  duplicateRulesOf,
  MERGED_FIELD,
  linkTransitionOf,
  rankDuplicates,
  relatedCategoryIds,
  significantWords,
  unlinkTransitionOf,
  type DuplicateSource,
  type DuplicateSubject,
  type RankedDuplicate,
} from '../../core/requests/duplicates'
import { getCategory, listCategories } from '../cache/queries/reference'
import { categoryDuplicateRules, requestsInBox, requestsSharingWords } from '../cache/queries/duplicates'
import type { CoreDeps } from './deps'
import { createMergeService } from './mergeRequests'
import type { RequestService } from './requests'

export type DuplicateHandlers = Pick<Handlers, keyof typeof duplicateChannels>

/** Candidates shown, best first. */
const SHOWN = 10
/** Rows read from the cache at most for one search by place (a crowded square at most). */
const READ_AT_MOST = 2000
/** By words, the most recent matches only: common words match thousands of requests a month. */
const READ_BY_WORDS = 200
/** Words a search without a place looks for: the longest, the most telling. */
const SEARCHED_WORDS = 8
const DAY_MS = 86_400_000

const NO_DUPLICATES: ActionAvailability = {
  allowed: false,
  refusal: 'state',
  reason: 'Le circuit de cette catégorie ne prévoit pas de doublons.',
}

/** The workflow's answer for one transition, as an action of the panel. */
function availabilityOf(
  transitionId: string | undefined,
  transitions: ReturnType<RequestService['transitions']>,
  notNow: string,
): ActionAvailability {
  if (!transitionId) return NO_DUPLICATES
  if (transitions.allowed.some((t) => t.id === transitionId)) return { allowed: true }
  const blocked = transitions.blocked.find((t) => t.id === transitionId)
  const byRole = blocked?.reasons.some((r) => r.code === 'role' || r.code === 'team') ?? true
  return byRole
    ? { allowed: false, refusal: 'role', reason: 'Votre rôle ne permet pas de lier ou délier des doublons.' }
    : { allowed: false, refusal: 'state', reason: notNow }
}

export function createDuplicateHandlers(deps: CoreDeps, requests: RequestService): DuplicateHandlers {
  const { db } = deps
  const merges = createMergeService(deps)

  /** The category, with the radius and window the cache keeps for it. */
  function categoryOf(id: string): Category {
    const category = getCategory(db, id)
    if (!category) throw new CoreError('invalid_input', 'Catégorie inconnue.')
    const duplicates = category.duplicates ?? categoryDuplicateRules(db, id)
    return duplicates ? { ...category, duplicates } : category
  }

  function workflowOf(category: Category): WorkflowDefinition | undefined {
    return deps.workflows.get(category.workflowId)
  }

  /** The subject's likely duplicates among the requests the session sees. */
  function candidatesOf(
    session: SessionInfo,
    subject: DuplicateSubject,
    category: Category,
    until: number,
  ): RankedDuplicate[] {
    const rules = duplicateRulesOf(category)
    const related = relatedCategoryIds(category, listCategories(db))
    const window = {
      scope: scopeFor(session),
      categoryIds: related,
      since: subject.createdAt - rules.windowDays * DAY_MS,
      until,
      limit: READ_AT_MOST,
    }
    let sources: DuplicateSource[]
    if (subject.location)
      sources = requestsInBox(db, { ...window, box: boxAround(subject.location, rules.radiusM) })
    else {
      const words = [...significantWords(subject.text)]
        .sort((a, b) => b.length - a.length || a.localeCompare(b))
        .slice(0, SEARCHED_WORDS)
      sources = requestsSharingWords(db, { ...window, limit: READ_BY_WORDS, words })
    }
    return rankDuplicates(subject, sources, rules, related, SHOWN)
  }

  const subjectOf = (d: RequestDetail): DuplicateSubject => ({
    id: d.id,
    reference: d.reference,
    categoryId: d.categoryId,
    location: d.location,
    createdAt: Date.parse(d.createdAt),
    text: `${d.title} ${d.description}`,
    duplicateOf: d.fields[DUPLICATE_FIELD] ?? null,
  })

  return {
    'duplicates.ofRequest': ({ id }, { session }): RequestDuplicates => {
      const request = requests.get(session, id)
      const subject = subjectOf(request)
      const category = categoryOf(request.categoryId)
      const later = subject.createdAt + duplicateRulesOf(category).windowDays * DAY_MS
      const mergeFacts = merges.candidateFacts(session, id)
      const candidates = candidatesOf(session, subject, category, later).map((c) => ({
        ...c,
        ...mergeFacts(c.id),
      }))
      const def = workflowOf(category)
      const transitions = requests.transitions(session, id)
      return {
        candidates,
        duplicateOf: subject.duplicateOf,
        link: availabilityOf(
          def && linkTransitionOf(def)?.id,
          transitions,
          'Seule une demande qui n’est pas encore traitée peut être liée comme doublon.',
        ),
        unlink: request.fields[MERGED_FIELD]
          ? {
              allowed: false,
              refusal: 'state',
              reason: `Cette demande a été fusionnée dans ${request.fields[MERGED_FIELD]} : elle ne peut plus être déliée.`,
            }
          : subject.duplicateOf
            ? availabilityOf(
                def && unlinkTransitionOf(def)?.id,
                transitions,
                'Cette demande ne peut pas être déliée dans son état actuel.',
              )
            : { allowed: false, refusal: 'state', reason: 'Cette demande n’est liée à aucune autre.' },
      }
    },

    'duplicates.forDraft': (draft: DuplicateDraft, { session }) => {
      const now = deps.now()
      const subject: DuplicateSubject = {
        id: null,
        reference: null,
        categoryId: draft.categoryId,
        location: draft.location,
        createdAt: now,
        text: draft.text,
        duplicateOf: null,
      }
      return { candidates: candidatesOf(session, subject, categoryOf(draft.categoryId), now) }
    },

    'duplicates.link': ({ id, masterId, baseVersion }, { session }) => {
      const request = requests.get(session, id)
      // Answered "not found" when the master is out of the agent's sight, like any request.
      const master = requests.get(session, masterId)
      const def = workflowOf(categoryOf(request.categoryId))
      const link = def && linkTransitionOf(def)
      if (!link) throw new CoreError('transition_refused', NO_DUPLICATES.reason!, { reasons: [] })
      return requests.transition(session, {
        id,
        transitionId: link.id,
        fields: { [DUPLICATE_FIELD]: master.reference },
        baseVersion,
      })
    },

    'duplicates.unlink': ({ id, baseVersion }, { session }) => {
      const request = requests.get(session, id)
      if (!request.fields[DUPLICATE_FIELD])
        throw new CoreError('invalid_input', 'Cette demande n’est liée à aucune autre.')
      assertNotMerged(request)
      const def = workflowOf(categoryOf(request.categoryId))
      const unlink = def && unlinkTransitionOf(def)
      if (!unlink) throw new CoreError('transition_refused', NO_DUPLICATES.reason!, { reasons: [] })
      return requests.transition(session, { id, transitionId: unlink.id, fields: {}, baseVersion })
    },

    'duplicates.mergePreview': ({ id, duplicateId }, { session }) => merges.preview(session, id, duplicateId),

    'duplicates.merge': (input, { session }) => requests.get(session, merges.merge(session, input)),
  }
}
