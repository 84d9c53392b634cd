/**
 * Likely duplicates (issue 14): which requests a request (or one being typed at intake)
 * probably repeats, and why. Pure: the store hands in the requests near in place and time,
 * this ranks them; and the checks that make `duplicateOf` a reference to a real master.
 *
 * A candidate must be of a related category (the same one, or one whose default team is the
 * same: the team that would handle both), within the category's radius and time window; it
 * is ranked by a score mixing nearness, closeness in time, shared words and the same category.
 * Citizens never take part: no name, no contact, only the request's own title and description.
 */
import type { SessionInfo } from '../../shared/contract'
import type { Category, CategoryDuplicates, Point, TransitionAvailability } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { RequestRecord } from '../../shared/sync'
import { haversineKm } from '../../shared/tour'
import type { WorkflowDefinition, WorkflowTransition } from '../../shared/workflow'
import { canSeeTeam } from '../authz/permissions'
import { foldLetters } from '../privacy/text'

/** Without a rule of its category: 50 m and 30 days, what FixMyStreet-like portals use for a street fault. */
export const DUPLICATE_DEFAULTS: CategoryDuplicates = { radiusM: 50, windowDays: 30 }

/** The transition field that names the master. */
export const DUPLICATE_FIELD = 'duplicateOf'

/** The field a duplicate merged into its master keeps: the master's reference (src/core/requests/merge.ts). */
export const MERGED_FIELD = 'mergedInto'

const DAY_MS = 86_400_000

/** The radius and window a category's requests are compared within. */
export function duplicateRulesOf(category: Category | undefined): CategoryDuplicates {
  return category?.duplicates ?? DUPLICATE_DEFAULTS
}

/**
 * The categories whose requests may duplicate one of `category`: itself and those with the
 * same default team (a pothole reported as « Voirie » or « Mobilier urbain » goes to the same people).
 */
export function relatedCategoryIds(category: Category, all: readonly Category[]): string[] {
  const ids = all.filter((c) => c.defaultTeamId === category.defaultTeamId).map((c) => c.id)
  return ids.includes(category.id) ? ids : [category.id, ...ids]
}

/** Metres between two points (great circle). */
export function metresBetween(a: Point, b: Point): number {
  return haversineKm(a, b) * 1000
}

/** A box around `p` holding every point within `radiusM` (for the R*Tree), in degrees. */
export function boxAround(p: Point, radiusM: number) {
  const dLat = radiusM / 111_320
  const dLon = radiusM / (111_320 * Math.max(0.01, Math.cos((p.lat * Math.PI) / 180)))
  return { minLat: p.lat - dLat, maxLat: p.lat + dLat, minLon: p.lon - dLon, maxLon: p.lon + dLon }
}

/** Words too common in requests to say two of them are about the same thing. */
const COMMON_WORDS = new Set([
  'les',
  'des',
  'une',
  'dans',
  'sur',
  'sous',
  'pour',
  'par',
  'avec',
  'sans',
  'est',
  'sont',
  'qui',
  'que',
  'quoi',
  'aux',
  'pas',
  'plus',
  'tres',
  'depuis',
  'devant',
  'entre',
  'cette',
  'ces',
  'son',
  'ses',
  'leur',
  'nous',
  'vous',
  'ils',
  'elle',
  'elles',
  'mais',
  'car',
  'donc',
  'ete',
  'fait',
  'faire',
  'merci',
  'bonjour',
  'madame',
  'monsieur',
  'svp',
  'rue',
  'avenue',
  'boulevard',
  'chemin',
  'allee',
  'impasse',
  'the',
  'and',
])

/**
 * The words of a text as the full-text index sees them: letters folded (`foldLetters`, as
 * `grc_fold` does), accents and case removed (as the tokenizer does), split on anything that
 * is not a letter or digit; short and common words left out.
 */
export function significantWords(text: string): Set<string> {
  const words = new Set<string>()
  const folded = foldLetters(text).normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
  for (const w of folded.split(/[^\p{L}\p{N}]+/u))
    if (w.length >= 3 && !COMMON_WORDS.has(w) && !/^\d+$/.test(w)) words.add(w)
  return words
}

/** How much two sets of words overlap: shared / √(|a|·|b|), 0 to 1 (the cosine of the two sets). */
export function wordSimilarity(
  a: ReadonlySet<string>,
  b: ReadonlySet<string>,
): { value: number; shared: string[] } {
  if (a.size === 0 || b.size === 0) return { value: 0, shared: [] }
  const shared = [...a].filter((w) => b.has(w)).sort()
  return { value: Math.min(1, shared.length / Math.sqrt(a.size * b.size)), shared }
}

/** The request being compared: an existing one, or a draft at intake (no id, created now). */
export interface DuplicateSubject {
  id: string | null
  reference: string | null
  categoryId: string
  location: Point | null
  /** Epoch ms. */
  createdAt: number
  /** Title and description together. */
  text: string
  /** Its master's reference, when it is itself linked as a duplicate. */
  duplicateOf: string | null
}

/** A request the store found near in place and time. */
export interface DuplicateSource {
  id: string
  reference: string
  title: string
  description: string
  status: string
  statusKind: 'open' | 'closed'
  categoryId: string
  teamId: string
  createdAt: number
  lat: number | null
  lon: number | null
  duplicateOf: string | null
}

/** One ranked candidate, the facts behind its score (the screen words them). */
export interface RankedDuplicate {
  id: string
  reference: string
  title: string
  status: string
  statusKind: 'open' | 'closed'
  categoryId: string
  createdAt: string
  distanceM: number | null
  daysApart: number
  sameCategory: boolean
  textSimilarity: number
  sharedWords: string[]
  score: number
  linked: boolean
  duplicateOf: string | null
}

/** Weights of the score: nearness counts most, then the words, then time, then the category. */
const WEIGHTS = { distance: 0.35, text: 0.3, time: 0.2, category: 0.15 } as const
/** Shared words shown as the reason, at most. */
const SHOWN_WORDS = 6
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits

/**
 * The candidate's facts and score against `subject`, or null when it falls outside the rules
 * (too far, too old or too new, unrelated category) or is the subject itself.
 */
export function scoreDuplicate(
  subject: DuplicateSubject,
  subjectWords: ReadonlySet<string>,
  source: DuplicateSource,
  rules: CategoryDuplicates,
  related: ReadonlySet<string>,
): RankedDuplicate | null {
  if (source.id === subject.id || !related.has(source.categoryId)) return null
  const where = source.lat !== null && source.lon !== null ? { lat: source.lat, lon: source.lon } : null
  const distance = subject.location && where ? metresBetween(subject.location, where) : null
  if (distance !== null && distance > rules.radiusM) return null
  const daysApart = Math.floor(Math.abs(source.createdAt - subject.createdAt) / DAY_MS)
  if (daysApart > rules.windowDays) return null
  const sameCategory = source.categoryId === subject.categoryId
  const text = wordSimilarity(subjectWords, significantWords(`${source.title} ${source.description}`))
  // Unplaced on either side: nearness says nothing, the other parts carry the whole score.
  const parts = [
    ...(distance === null ? [] : [[WEIGHTS.distance, 1 - distance / rules.radiusM] as const]),
    [WEIGHTS.text, text.value] as const,
    [WEIGHTS.time, 1 - daysApart / (rules.windowDays + 1)] as const,
    [WEIGHTS.category, sameCategory ? 1 : 0] as const,
  ]
  const weight = parts.reduce((s, [w]) => s + w, 0)
  const score = parts.reduce((s, [w, v]) => s + w * v, 0) / weight
  return {
    id: source.id,
    reference: source.reference,
    title: source.title,
    status: source.status,
    statusKind: source.statusKind,
    categoryId: source.categoryId,
    createdAt: new Date(source.createdAt).toISOString(),
    distanceM: distance === null ? null : Math.round(distance),
    daysApart,
    sameCategory,
    textSimilarity: round(text.value, 2),
    sharedWords: text.shared.slice(0, SHOWN_WORDS),
    score: round(Math.max(0, Math.min(1, score)), 3),
    linked:
      (subject.reference !== null && source.duplicateOf === subject.reference) ||
      (subject.duplicateOf !== null && subject.duplicateOf === source.reference),
    duplicateOf: source.duplicateOf,
  }
}

/** The likely duplicates of `subject` among `sources`, best first, at most `limit`. */
export function rankDuplicates(
  subject: DuplicateSubject,
  sources: Iterable<DuplicateSource>,
  rules: CategoryDuplicates,
  related: readonly string[],
  limit: number,
): RankedDuplicate[] {
  const words = significantWords(subject.text)
  const relatedSet = new Set(related)
  const ranked: RankedDuplicate[] = []
  for (const source of sources) {
    const scored = scoreDuplicate(subject, words, source, rules, relatedSet)
    if (scored) ranked.push(scored)
  }
  return ranked
    .sort((a, b) => b.score - a.score || a.daysApart - b.daysApart || a.reference.localeCompare(b.reference))
    .slice(0, limit)
}

/** The workflow's transition that marks a request a duplicate: the one asking for `duplicateOf`. */
export function linkTransitionOf(def: WorkflowDefinition): WorkflowTransition | undefined {
  return def.transitions.find((t) => t.requires.includes(DUPLICATE_FIELD))
}

/**
 * The workflow's way back from being a duplicate: a transition out of the state the link
 * leads to, into an open state, asking for nothing.
 */
export function unlinkTransitionOf(def: WorkflowDefinition): WorkflowTransition | undefined {
  const link = linkTransitionOf(def)
  if (!link) return undefined
  const open = new Set(def.states.filter((s) => s.kind === 'open').map((s) => s.id))
  return def.transitions.find((t) => t.from.includes(link.to) && open.has(t.to) && t.requires.length === 0)
}

/** The refusal of a `duplicateOf`, on its field (the transition form marks it). */
const badReference = (message: string) =>
  new CoreError('invalid_input', message, { issues: [{ path: `fields.${DUPLICATE_FIELD}`, message }] })

/**
 * Check that `reference` names a master `row` may be a duplicate of: a request that exists
 * and the session sees, not `row` itself, and not a duplicate itself (of `row` or of another:
 * duplicates point at a master, never at each other, so links cannot loop).
 * @returns the master's reference as stored.
 * @throws CoreError invalid_input, on the `duplicateOf` field.
 */
export function checkDuplicateMaster(
  session: SessionInfo,
  row: Pick<RequestRecord, 'id' | 'reference'>,
  reference: string,
  master: Pick<RequestRecord, 'id' | 'reference' | 'teamId' | 'fields'> | undefined,
): string {
  if (!master || !canSeeTeam(session, master.teamId))
    throw badReference(`Aucune demande visible ne porte la référence « ${reference} ».`)
  if (master.id === row.id) throw badReference('Une demande ne peut pas être le doublon d’elle-même.')
  const itsMaster = master.fields[DUPLICATE_FIELD]
  if (itsMaster === row.reference)
    throw badReference(`${master.reference} est déjà un doublon de cette demande : déliez-la d’abord.`)
  if (itsMaster)
    throw badReference(
      `${master.reference} est elle-même un doublon de ${itsMaster} : liez cette demande à ${itsMaster}.`,
    )
  return master.reference
}

/**
 * A duplicate merged into its master stays its duplicate: its comments and files live on in
 * the master and its citizen is told through it, so no transition takes it back to work.
 * @throws CoreError transition_refused.
 */
export function assertNotMerged(row: Pick<RequestRecord, 'reference' | 'fields'>): void {
  const master = row.fields[MERGED_FIELD]
  if (master)
    throw new CoreError(
      'transition_refused',
      `${row.reference} a été fusionnée dans ${master} : elle ne peut plus être déliée ni rouverte.`,
      { reasons: [] },
    )
}

/** The guard a merged duplicate's transitions back to work are blocked by (`assertNotMerged` in words). */
export const NOT_MERGED_GUARD = 'notMerged'

/**
 * `availability` with the transitions that would take a merged duplicate back to an open
 * state moved to blocked, as `assertNotMerged` refuses them: the screen does not offer
 * « Délier » or « Rouvrir » on it.
 */
export function withMergedBlocked(
  def: WorkflowDefinition,
  row: Pick<RequestRecord, 'fields'>,
  availability: TransitionAvailability,
): TransitionAvailability {
  if (!row.fields[MERGED_FIELD]) return availability
  const reopens = (to: string) => def.states.find((s) => s.id === to)?.kind === 'open'
  return {
    allowed: availability.allowed.filter((t) => !reopens(t.to)),
    blocked: [
      ...availability.allowed
        .filter((t) => reopens(t.to))
        .map((t) => ({ ...t, reasons: [{ code: 'guard' as const, guard: NOT_MERGED_GUARD }] })),
      ...availability.blocked,
    ],
  }
}
