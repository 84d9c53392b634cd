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
}

/**
 * `grc_fold(expr)`: the SQL of a folded indexed text (the triggers and the bulk load). About
 * a microsecond per text, most of it the call into JavaScript: `foldLetters` returns most
 * text untouched. (Guarding the call with a GLOB on the characters to fold costs more.)
 */
export const foldSql = (expr: string) => `${FOLD_FUNCTION}(${expr})`

/** Letters or digits: a token without any is dropped (the tokenizer would drop it too). */
const WORDISH = /[\p{L}\p{N}]/u

/**
 * The indexed terms that begin with `prefix` (already as the tokenizer spells its terms:
 * lower case, no accent), or null to search it as a prefix instead (too many of them, or no
 * way to list them).
 */
export type PrefixTerms = (prefix: string) => readonly string[] | null

/**
 * The last word as the index spells its terms, when that is certain: letters and digits
 * that are ASCII once their accents are removed (`Éclair` → `eclair`), so one token for
 * `unicode61 remove_diacritics 2`. Null otherwise (`nid-de-poule`, `łódź`): searched as a prefix.
 */
function asIndexTerm(word: string): string | null {
  const term = word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
  return /^[a-z0-9]+$/.test(term) ? term : null
}

/**
 * The FTS5 MATCH expression for `text`, or null when there is nothing to search
 * (blank text, or only punctuation).
 *
 * With `prefixTerms`, the last word becomes the terms of the index it stands for, one OR
 * another (`trottoir` → `("trottoir" OR "trottoirs")`): the same rows, but FTS5 reads them
 * newest first and stops at the LIMIT, where a prefix query first merges the whole list of
 * every term it stands for (66 ms for `trottoir*` at 2 million requests, against 10 ms to
 * list its two terms and 0.05 ms to read 50 rows).
 */
export function toFtsQuery(text: string | undefined | null, prefixTerms?: PrefixTerms): string | null {
  if (!text) return null
  const words = foldLetters(text)
    .split(/\s+/u)
    .filter((t) => WORDISH.test(t))
  if (words.length === 0) return null
  const quote = (t: string) => `"${t.replace(/"/g, '""')}"`
  const head = words.slice(0, -1).map(quote)
  const last = words[words.length - 1]!
  const term = prefixTerms && asIndexTerm(last)
  const terms = term ? prefixTerms!(term) : null
  // No term at all: the prefix query finds nothing either, at no cost.
  if (!terms?.length) return [...head, `${quote(last)}*`].join(' ')
  const any = `(${terms.map(quote).join(' OR ')})`
  return head.length ? `${head.join(' ')} AND ${any}` : any
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
  const words = toFtsQuery(text, options.prefixTerms)
  if (words === null) return null
  const parts = [`${options.citizenNames ? TEXT_COLUMNS : TEXT_COLUMNS_NO_NAMES} : (${words})`]
  const any = (tokens: string[]) => `tags : (${tokens.join(' OR ')})`
  if (restrictions.teamIds?.length) parts.push(any(restrictions.teamIds.map((t) => tag('t', t))))
  if (restrictions.statuses?.length) parts.push(any(restrictions.statuses.map((s) => tag('s', s))))
  if (restrictions.categoryIds?.length) parts.push(any(restrictions.categoryIds.map((c) => tag('c', c))))
  if (restrictions.assignees?.length)
    parts.push(any(restrictions.assignees.map((a) => (a === null ? '"anone"' : tag('a', a)))))
  return parts.join(' AND ')
}

/** The most terms a last word is spelled out as; past it, a prefix query (one or two letters typed). */
export const PREFIX_TERMS_MAX = 64

const VOCABULARY = 'grc_fts_terms'
const withVocabulary = new WeakSet<Db>()

/**
 * The terms of the cache's full-text index that begin with a prefix, read from an fts5vocab
 * table over it (a TEMP table: made once per connection, nothing stored). Null past
 * PREFIX_TERMS_MAX terms. The vocabulary walks each term's list to count it, so listing the
 * terms costs about a seventh of merging them (a prefix query) and is bounded by the cap.
 */
export function prefixTermsOf(db: Db): PrefixTerms {
  if (!withVocabulary.has(db)) {
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.${VOCABULARY} USING fts5vocab(main, requests_fts, row)`)
    withVocabulary.add(db)
  }
  return (prefix) => {
    // One letter stands for too many terms to list them cheaply: a prefix query, as before.
    if (prefix.length < 2) return null
    // The first string after every term that begins with `prefix` (ASCII letters or digits).
    const after = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
    const terms = cached(db, `SELECT term FROM temp.${VOCABULARY} WHERE term >= ? AND term < ? LIMIT ?`)
      .pluck()
      .all(prefix, after, PREFIX_TERMS_MAX + 1) as string[]
    return terms.length > PREFIX_TERMS_MAX ? null : terms
  }
}
