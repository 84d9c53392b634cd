/**
 * What the agent types in the search box, turned into an FTS5 query that can only mean
 * "these words": every token is quoted (so `"`, `*`, `-`, `NEAR(`, `AND`, `)` are words,
 * never syntax) and the last one matches as a prefix, so results follow the typing.
 *
 * Both sides are folded by `foldLetters` (src/core/privacy/text.ts): the index holds each
 * text through the `grc_fold` SQL function (the triggers of migration 0008 and the bulk
 * load), the words searched go through it here, so « Vandoeuvre », « VANDOEUVRE » and
 * « vandœuvre » all find « Vandœuvre ». Accents are removed by the tokenizer
 * (`unicode61 remove_diacritics 2`) on both sides.
 */
import type Database from 'better-sqlite3-multiple-ciphers'
import type { Db } from './db'
import { foldLetters } from '../../core/privacy/text'
import { cached } from './statements'

/** The SQL function the FTS triggers call on every text they index. */
export const FOLD_FUNCTION = 'grc_fold'

/**
 * Give connection `db` the `grc_fold(text)` function the FTS triggers call: every
 * connection that writes requests or citizens needs it (cache/db.ts registers it on open).
 */
export function registerSearchFunctions(db: Database.Database): void {
  db.function(FOLD_FUNCTION, { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? foldLetters(text) : text,
  )
  db.function(
    TEAM_TERMS_FUNCTION,
    { deterministic: true, varargs: true },
    (teamId: unknown, ...texts: unknown[]) =>
      typeof teamId === 'string' ? teamTermsOf(teamId, texts) : null,
  )
}

/**
 * `grc_fold(expr)`: the SQL of a folded indexed text (the triggers and the bulk load). About
 * a microsecond per text, most of it the call into JavaScript: `foldLetters` returns most
 * text untouched. (Guarding the call with a GLOB on the characters to fold costs more.)
 */
export const foldSql = (expr: string) => `${FOLD_FUNCTION}(${expr})`

/**
 * A second search index holds each request's words scoped to its team (`requests_team_fts`,
 * migration 0022): « lampadaire » of a request of team T is the term teamCode(T) +
 * `lampadaire`. An agent's search names her teams' terms, so FTS5 reads only her teams'
 * matches. In the cache's index, a word frequent in the other teams and rare in hers was
 * walked through all its matches, each checked against her teams' tags (54 ms at 2 million
 * requests, issue 16). The SQL function its triggers and the bulk load call to write them
 * (`grc_team_terms(team_id, text, …)`).
 */
export const TEAM_TERMS_FUNCTION = 'grc_team_terms'

/** ASCII letters and digits, by character code: most of a request's text, tested without a regex. */
const ASCII_WORDISH = Uint8Array.from({ length: 128 }, (_, c) =>
  /[A-Za-z0-9]/.test(String.fromCharCode(c)) ? 1 : 0,
)
/** One character of a word past ASCII: a letter, a digit or a mark (what the tokenizer keeps together). */
const WORD_CHARACTER = /^[\p{L}\p{N}\p{M}]$/u
const wordCharacters = new Map<number, boolean>()

function isWordCharacter(codePoint: number): boolean {
  let is = wordCharacters.get(codePoint)
  if (is === undefined)
    wordCharacters.set(codePoint, (is = WORD_CHARACTER.test(String.fromCodePoint(codePoint))))
  return is
}

/**
 * `text` with `code` in front of each word (each run of letters, digits and marks), the rest
 * left for the tokenizer to drop. Both the index and a search scope their words with it, so
 * they agree even where it splits otherwise than the tokenizer, which then lowers the case and
 * removes the accents of both alike. A scan by character code: a regex replace took 2.5 times
 * as long, and the bulk load calls it for every request.
 */
export function scopeWords(text: string, code: string): string {
  let scoped = ''
  let from = 0
  let inWord = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // The low half of a surrogate pair: its high half decided (a lone one is no letter).
    if (c >= 0xdc00 && c <= 0xdfff && i > 0 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800) continue
    const word = c < 128 ? ASCII_WORDISH[c] === 1 : isWordCharacter(text.codePointAt(i)!)
    if (word && !inWord) {
      scoped += text.slice(from, i) + code
      from = i
    }
    inWord = word
  }
  return scoped + text.slice(from)
}

/**
 * What begins every scoped term: a private-use character, a letter to the tokenizer that
 * nobody types, so the scoped terms sort after every word and no prefix typed lists them.
 */
const SCOPED = '\uE000'

/**
 * A team's code in its scoped terms: SCOPED and 8 hex digits (FNV-1a, 32 bits) whatever the
 * id's length. Two teams sharing a code only share their lists: every search checks the team
 * on the rows.
 */
export function teamCode(teamId: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < teamId.length; i++) hash = Math.imul(hash ^ teamId.charCodeAt(i), 0x01000193)
  return SCOPED + (hash >>> 0).toString(16).padStart(8, '0')
}

/**
 * Between the texts of one request in `team_words`: a private-use character, a token of its
 * own to the tokenizer and never part of a word searched, so no phrase runs across two texts.
 */
const TEXT_BREAK = ' \uE001 '

/** A request's texts as its team's scoped terms (null when it has none). */
export function teamTermsOf(teamId: string, texts: readonly unknown[]): string | null {
  const code = teamCode(teamId)
  let terms: string | null = null
  for (const text of texts) {
    if (typeof text !== 'string' || text === '') continue
    const scoped = scopeWords(foldLetters(text), code)
    terms = terms === null ? scoped : terms + TEXT_BREAK + scoped
  }
  return terms
}

/** `team_words` of a requests row alias: its team's terms of its reference, title, description and address. */
export const teamWordsSql = (row: string) =>
  `${TEAM_TERMS_FUNCTION}(${row}.team_id, ${row}.reference, ${row}.title, ${row}.description, ${row}.address)`

/** `team_names` of a requests row alias: its team's terms of its citizen's name (`name`, SQL). */
export const teamNamesSql = (row: string, name: string) => `${TEAM_TERMS_FUNCTION}(${row}.team_id, ${name})`

/** The full-text indexes of requests: the cache's and the agents' (migration 0022), both holding names. */
export const SEARCH_INDEXES = ['requests_fts', 'requests_team_fts'] as const

/** Letters or digits: a token without any is dropped (the tokenizer would drop it too). */
const WORDISH = /[\p{L}\p{N}]/u

/**
 * The indexed terms that begin with `prefix` (already as the tokenizer spells its terms:
 * lower case, no accent), or null to search it as a prefix instead (too many of them, or no
 * way to list them).
 */
export type PrefixTerms = (prefix: string) => readonly string[] | null

/**
 * The last word as the index spells its tokens, when that is certain: ASCII once its accents
 * are removed (`Éclair` → `eclair`, `nid-de-P` → `nid de p`), where `unicode61` keeps letters
 * and digits and splits on everything else. Null otherwise (`łódź`, `rue–saint` with a dash
 * past ASCII): searched as a prefix.
 */
function asIndexTokens(word: string): string[] | null {
  const folded = word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
  if (/[^\p{ASCII}]/u.test(folded)) return null
  const tokens = folded.split(/[^a-z0-9]+/).filter(Boolean)
  return tokens.length ? tokens : null
}

/** What a search looks for: the words typed, the last one apart (it may be a prefix). */
interface SearchWords {
  head: string[]
  last: string
  /**
   * The last word spelled out, or null to search it as a prefix: its tokens before its last
   * (`nid de` of `nid-de-poule`) and the index's terms its last token stands for.
   */
  spelled: { lead: string[]; terms: readonly string[] } | null
}

function searchWordsOf(text: string | undefined | null, prefixTerms?: PrefixTerms): SearchWords | null {
  if (!text) return null
  const words = foldLetters(text)
    .split(/\s+/u)
    .filter((t) => WORDISH.test(t))
  if (words.length === 0) return null
  const last = words[words.length - 1]!
  const tokens = prefixTerms && asIndexTokens(last)
  const terms = tokens ? prefixTerms!(tokens[tokens.length - 1]!) : null
  return { head: words.slice(0, -1), last, spelled: terms && { lead: tokens!.slice(0, -1), terms } }
}

const quote = (t: string) => `"${t.replace(/"/g, '""')}"`

/**
 * The last word spelled out as phrases, one OR another, each of `spelled.lead` then one of
 * its terms written by `write` (as the index holds them); null when it is searched as a prefix.
 * No term at all: the prefix query finds nothing either, at no cost.
 */
function spelledOut(spelled: SearchWords['spelled'], write: (phrase: string) => string): string | null {
  if (!spelled?.terms.length) return null
  return `(${spelled.terms.map((t) => quote(write([...spelled.lead, t].join(' ')))).join(' OR ')})`
}

/** The query of the words over the index's own terms. */
function plainQuery({ head, last, spelled }: SearchWords): string {
  const quoted = head.map(quote)
  const any = spelledOut(spelled, (phrase) => phrase)
  if (any === null) return [...quoted, `${quote(last)}*`].join(' ')
  return quoted.length ? `${quoted.join(' ')} AND ${any}` : any
}

/** The same query over one team's scoped terms (`code`: teamCode): each word a phrase of its scoped words. */
function teamQuery({ head, last, spelled }: SearchWords, code: string): string {
  // Scoped as in the index: `nid-de-poule` is a phrase of three scoped words.
  const phrase = (word: string) => quote(scopeWords(word, code))
  const parts = head.map(phrase)
  parts.push(spelledOut(spelled, (words) => scopeWords(words, code)) ?? `${phrase(last)}*`)
  return parts.join(' AND ')
}

/**
 * The FTS5 MATCH expression for `text`, or null when there is nothing to search
 * (blank text, or only punctuation).
 *
 * With `prefixTerms`, the last word becomes the terms of the index it stands for, one OR
 * another (`trottoir` → `("trottoir" OR "trottoirs")`, `nid-de-poule` → `("nid de poule" OR
 * "nid de poules")`): the same rows, but FTS5 reads them newest first and stops at the LIMIT,
 * where a prefix query first merges the whole list of every term it stands for (66 ms for
 * `trottoir*` at 2 million requests, against about a millisecond to list its two terms and
 * 0.05 ms to read 50 rows).
 */
export function toFtsQuery(text: string | undefined | null, prefixTerms?: PrefixTerms): string | null {
  const words = searchWordsOf(text, prefixTerms)
  return words && plainQuery(words)
}

/** A tag token: a one-letter kind and the hex of the id, so any id is one plain token. */
const tag = (kind: 't' | 's' | 'c' | 'a', id: string) => `"${kind}${Buffer.from(id, 'utf8').toString('hex')}"`

/** Tags of the requests_fts `tags` column, as SQL over a requests row alias (must match the triggers). */
export function ftsTagsSql(row: string): string {
  return `'t' || hex(${row}.team_id) || ' s' || hex(${row}.status) || ' c' || hex(${row}.category_id) || ' ' ||
   CASE WHEN ${row}.assignee_id IS NULL THEN 'anone' ELSE 'a' || hex(${row}.assignee_id) END`
}

/** Restrictions a search can hand to the FTS index (each list: any of). */
export interface FtsRestrictions {
  teamIds?: readonly string[] | null
  statuses?: readonly string[]
  categoryIds?: readonly string[]
  /** Assignee ids; `null` in the list stands for "unassigned". */
  assignees?: readonly (string | null)[]
}

/** The searchable columns: the user's words never match the tags. */
const TEXT_COLUMNS = '{reference title description address citizen_name}'
/**
 * The same without the citizen's name, for roles that may not read citizens: the name must
 * not be findable by searching it (the index would answer "this request is theirs").
 */
const TEXT_COLUMNS_NO_NAMES = '{reference title description address}'
const TEAM_COLUMNS = '{team_words team_names}'
const TEAM_COLUMNS_NO_NAMES = '{team_words}'

/**
 * Up to this many teams, a search within teams reads their scoped terms (`requests_team_fts`,
 * one group per team); past it, the words and the teams' tags, as a supervisor's: one list
 * per team walked then merged made a supervisor's capped counts up to twice as slow (twelve
 * teams at 500k), where an agent's two teams read far less (her counts 46.8 → 31.7 ms).
 */
export const TEAM_TERMS_MAX_TEAMS = 4

export interface FtsMatchOptions {
  /** Whether the user's words may match the citizen's name (`canReadCitizen`). */
  citizenNames: boolean
  /** The index's terms for the last word (`prefixTermsOf`); without, it is searched as a prefix. */
  prefixTerms?: PrefixTerms
}

/**
 * The full MATCH expression for `text` within `restrictions`, or null when the text has no
 * word to search. The restrictions narrow the index's answer; callers still check them on
 * the rows (the index is an accelerator, the WHERE clause is the rule).
 */
export function toFtsMatch(
  text: string | undefined | null,
  restrictions: FtsRestrictions,
  options: FtsMatchOptions,
): string | null {
  const words = searchWordsOf(text, options.prefixTerms)
  if (words === null) return null
  const parts = [`${options.citizenNames ? TEXT_COLUMNS : TEXT_COLUMNS_NO_NAMES} : (${plainQuery(words)})`]
  const any = (tokens: string[]) => `tags : (${tokens.join(' OR ')})`
  if (restrictions.teamIds?.length) parts.push(any(restrictions.teamIds.map((t) => tag('t', t))))
  if (restrictions.statuses?.length) parts.push(any(restrictions.statuses.map((s) => tag('s', s))))
  if (restrictions.categoryIds?.length) parts.push(any(restrictions.categoryIds.map((c) => tag('c', c))))
  if (restrictions.assignees?.length)
    parts.push(any(restrictions.assignees.map((a) => (a === null ? '"anone"' : tag('a', a)))))
  return parts.join(' AND ')
}

/**
 * The MATCH expression over `requests_team_fts` for `text` within `teamIds` (at most
 * TEAM_TERMS_MAX_TEAMS of them): one group of each team's scoped terms, any of them. Or null
 * when the text has no word to search. Statuses, categories and assignees are not in that
 * index: the callers' WHERE clause checks them on the rows, as it checks the teams.
 */
export function toTeamFtsMatch(
  text: string | undefined | null,
  teamIds: readonly string[],
  options: FtsMatchOptions,
): string | null {
  const words = searchWordsOf(text, options.prefixTerms)
  if (words === null || teamIds.length === 0) return null
  const groups = [...new Set(teamIds.map(teamCode))].map((code) => `(${teamQuery(words, code)})`)
  return `${options.citizenNames ? TEAM_COLUMNS : TEAM_COLUMNS_NO_NAMES} : (${groups.join(' OR ')})`
}

/** Whether `requests_team_fts` holds every request (migration 0022): searches read it only then. */
export function teamSearchReady(db: Db): boolean {
  return cached(db, 'SELECT ready FROM team_search_state').pluck().get() === 1
}

/** The most terms a last word is spelled out as; past it, a prefix query (one or two letters typed). */
export const PREFIX_TERMS_MAX = 64

const VOCABULARY = 'grc_fts_instances'
const withVocabulary = new WeakSet<Db>()

/**
 * The terms of the cache's full-text index that begin with a prefix, or null past
 * PREFIX_TERMS_MAX of them. Read from an fts5vocab table of the index's instances (a TEMP
 * table: made once per connection, nothing stored), one seek per term: the first term at or
 * after the prefix, then the first after that term, and so on. Its `row` kind counted each
 * term's list before naming it (20 ms for `trottoir` at 2 million requests, where the search
 * itself then took 3 ms); reading the first instance of each term costs under a millisecond.
 */
export function prefixTermsOf(db: Db): PrefixTerms {
  if (!withVocabulary.has(db)) {
    db.exec(
      `CREATE VIRTUAL TABLE IF NOT EXISTS temp.${VOCABULARY} USING fts5vocab(main, requests_fts, instance)`,
    )
    withVocabulary.add(db)
  }
  const firstFrom = cached(db, `SELECT term FROM temp.${VOCABULARY} WHERE term >= ? LIMIT 1`).pluck()
  return (prefix) => {
    // One letter stands for too many terms to list them cheaply: a prefix query, as before.
    if (prefix.length < 2) return null
    const terms: string[] = []
    let from = prefix
    while (terms.length <= PREFIX_TERMS_MAX) {
      const term = firstFrom.get(from) as string | undefined
      // Terms are in byte order, and the prefix is ASCII: the first that does not begin with it ends them.
      if (term === undefined || !term.startsWith(prefix)) return terms
      terms.push(term)
      // The least string after `term`: no term holds a NUL (a control character splits words).
      from = term + '\u0001'
    }
    return null
  }
}
