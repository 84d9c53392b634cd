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
import { foldLetters } from '../../core/privacy/text'

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
 * The FTS5 MATCH expression for `text`, or null when there is nothing to search
 * (blank text, or only punctuation).
 */
export function toFtsQuery(text: string | undefined | null): string | null {
  if (!text) return null
  const tokens = foldLetters(text)
    .split(/\s+/u)
    .filter((t) => WORDISH.test(t))
    .map((t) => `"${t.replace(/"/g, '""')}"`)
  if (tokens.length === 0) return null
  tokens[tokens.length - 1] += '*'
  return tokens.join(' ')
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
  const words = toFtsQuery(text)
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
