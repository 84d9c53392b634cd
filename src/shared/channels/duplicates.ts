/**
 * Likely duplicates of a request, or of a request being typed at intake, and linking them.
 * The core gives the facts behind each score (distance, days apart, same category, text
 * similarity); the screen words them in the agent's language.
 */
import { z } from 'zod'
import { ActionAvailability, Id, IsoDateTime, LIMITS, Point, RequestDetail, StatusKind } from '../domain'
import { spec } from '../channelSpec'

export const DuplicateCandidate = z.object({
  id: Id,
  reference: z.string(),
  title: z.string(),
  status: z.string(),
  statusKind: StatusKind,
  categoryId: Id,
  createdAt: IsoDateTime,
  /** Metres between the two places; null when either has no location. */
  distanceM: z.number().nonnegative().nullable(),
  /** Whole days between the two creations. */
  daysApart: z.number().int().nonnegative(),
  sameCategory: z.boolean(),
  /** 0 (nothing in common) to 1 (same words). */
  textSimilarity: z.number().min(0).max(1),
  /** The words both texts hold (folded as the search folds them: no accents, lower case), a few at most. */
  sharedWords: z.array(z.string()).optional(),
  /** The ranking: 0 to 1, higher is likelier. */
  score: z.number().min(0).max(1),
  /** Already linked as a duplicate of the request looked at (or it is the master). */
  linked: z.boolean(),
  /** The candidate's own master when it is itself a duplicate (it cannot be a master then). */
  duplicateOf: z.string().nullable().optional(),
  /** The master it was merged into, once merged (it stays that master's duplicate). */
  mergedInto: z.string().nullable().optional(),
  /** Merging it into the request looked at, as the core decides (absent for a request being typed). */
  merge: ActionAvailability.optional(),
  /** A merge of it waits in this console's outbox (the server has not applied it yet). */
  mergePending: z.boolean().optional(),
})
export type DuplicateCandidate = z.infer<typeof DuplicateCandidate>

export const DuplicateCandidates = z.object({ candidates: z.array(DuplicateCandidate) })
export type DuplicateCandidates = z.infer<typeof DuplicateCandidates>

/** An open request's likely duplicates, and what the session may do about them, as the core decides. */
export const RequestDuplicates = DuplicateCandidates.extend({
  /** This request's master, when it is linked as a duplicate. */
  duplicateOf: z.string().nullable(),
  /** Marking this request a duplicate of a candidate (the workflow's transition that asks for a master). */
  link: ActionAvailability,
  /** Un-linking it: the workflow's way back to an open state. */
  unlink: ActionAvailability,
})
export type RequestDuplicates = z.infer<typeof RequestDuplicates>

/** What merging a candidate would carry over, for the confirmation (counts only, never a name). */
export const MergePreview = z.object({
  merge: ActionAvailability,
  reference: z.string(),
  /** The candidate's version now: the merge is refused if it changes before the agent confirms. */
  version: z.number().int().nonnegative(),
  comments: z.number().int().nonnegative(),
  attachments: z.number().int().nonnegative(),
  /** It has a citizen, who will be told when the request looked at is resolved. */
  citizen: z.boolean(),
})
export type MergePreview = z.infer<typeof MergePreview>

/** The version the agent saw: a stale one is refused rather than overwritten. */
const BaseVersion = z.number().int().nonnegative().optional()

export const DuplicateDraft = z
  .object({
    categoryId: Id,
    location: Point.nullable(),
    text: z.string().max(LIMITS.description),
  })
  .strict()
export type DuplicateDraft = z.infer<typeof DuplicateDraft>

export const duplicateChannels = {
  /** The open request's likely duplicates, best first. */
  'duplicates.ofRequest': spec(z.object({ id: Id }).strict(), RequestDuplicates),
  /** While the intake form is filled: requests the new one would likely duplicate. */
  'duplicates.forDraft': spec(DuplicateDraft, DuplicateCandidates),
  /** Mark `id` a duplicate of `masterId` (a checked reference): it follows the master. */
  'duplicates.link': spec(
    z.object({ id: Id, masterId: Id, baseVersion: BaseVersion }).strict(),
    RequestDetail,
  ),
  /** Undo a link: the request is worked on its own again. */
  'duplicates.unlink': spec(z.object({ id: Id, baseVersion: BaseVersion }).strict(), RequestDetail),
  /** What merging `duplicateId` into `id` would carry over, and whether the session may. */
  'duplicates.mergePreview': spec(z.object({ id: Id, duplicateId: Id }).strict(), MergePreview),
  /**
   * Merge `duplicateId` into `id` (the request looked at): its comments, files and citizen
   * carried over, history `merged` on both; it stays `id`'s duplicate for good.
   */
  'duplicates.merge': spec(
    z.object({ id: Id, duplicateId: Id, baseVersion: BaseVersion, duplicateVersion: BaseVersion }).strict(),
    RequestDetail,
  ),
} as const
