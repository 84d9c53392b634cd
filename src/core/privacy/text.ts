/**
 * Citizens' names, e-mails and phones as text: folded for search (no SQL-side folding, which
 * neither database does reliably), and redacted from free text on erasure and retention.
 * Pure functions, shared by the server and the console.
 */
import type { Mutation } from '../../shared/sync'

/**
 * Lower case, accents and other marks removed (NFD), œ/æ spelled out, punctuation and
 * spaces collapsed to single spaces: `Éloïse  QUINTAVALLE-d'Œuf` → `eloise quintavalle d oeuf`.
 */
export function normalizeForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[œŒ]/g, 'oe')
    .replace(/[æÆ]/g, 'ae')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

/**
 * Letters spelled the way a keyboard types them, for a full-text index whose tokenizer
 * already folds case and the accents of precomposed letters (SQLite's `unicode61
 * remove_diacritics 2`): compatibility characters decomposed (NFKD: `ﬁ` → `fi`, `²` → `2`,
 * full-width `Ａ` → `A`), marks removed, and the ligatures Unicode does not decompose spelled
 * out (`œ` → `oe`, `æ` → `ae`, `ß` → `ss`): `Vandœuvre-lès-Nancy` → `Vandoeuvre-les-Nancy`.
 * Text with nothing of the kind (ASCII, French accented letters and punctuation) comes back
 * unchanged, accents included: the tokenizer removes those, and index writes stay cheap.
 * The cache's full-text index holds text folded by it, and the words searched are folded by it.
 */
export function foldLetters(text: string): string {
  if (!NEEDS_FOLDING.test(text)) return text
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'OE')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .replace(/ß/g, 'ss')
    .replace(/ẞ/g, 'SS')
}

/**
 * The code points `foldLetters` leaves alone (inclusive ranges): ASCII, the Latin-1 letters
 * the tokenizer folds itself (not Æ, ß, æ), Latin-1 punctuation and symbols that stay
 * separators whatever NFKD does to them (not ª ² ³ µ ¹ º ¼ ½ ¾), typographic quotes and
 * dashes (U+2010–2027) and the euro sign.
 */
const FOLD_FREE_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x7f],
  [0xa0, 0xa9],
  [0xab, 0xb1],
  [0xb4, 0xb4],
  [0xb6, 0xb8],
  [0xbb, 0xbb],
  [0xbf, 0xc5],
  [0xc7, 0xde],
  [0xe0, 0xe5],
  [0xe7, 0xff],
  [0x2010, 0x2027],
  [0x20ac, 0x20ac],
]

const codeUnit = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`
/** A character `foldLetters` must handle: one outside FOLD_FREE_RANGES. */
const NEEDS_FOLDING = new RegExp(
  `[^${FOLD_FREE_RANGES.map(([a, b]) => (a === b ? codeUnit(a) : `${codeUnit(a)}-${codeUnit(b)}`)).join('')}]`,
  'u',
)

/**
 * The distinct trigrams of a text's normalised words, each word padded as pg_trgm does
 * (two spaces before, one after): `Léa` → `  l`, ` le`, `lea`, `ea `.
 */
export function trigrams(text: string): string[] {
  const grams = new Set<string>()
  for (const word of normalizeForSearch(text).split(' ')) {
    if (!word) continue
    const padded = `  ${word} `
    for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3))
  }
  return [...grams]
}

/**
 * A phone number whatever its spelling (`+33 6 12 34 56 78`, `06.12.34.56.78`,
 * `0033612345678`): its last 9 digits, the French national number without the trunk 0.
 * Null when the text holds fewer than 9 digits.
 */
export function phoneKey(phone: string): string | null {
  const digits = phone.replace(/\D/g, '')
  return digits.length >= 9 ? digits.slice(-9) : null
}

/** Trigram similarity (shared over all distinct trigrams, as pg_trgm's `similarity`): 0 to 1. */
export function similarity(a: string, b: string): number {
  const ga = new Set(trigrams(a))
  const gb = new Set(trigrams(b))
  if (ga.size === 0 || gb.size === 0) return 0
  let shared = 0
  for (const g of ga) if (gb.has(g)) shared++
  return shared / (ga.size + gb.size - shared)
}

/**
 * Damerau-Levenshtein distance (optimal string alignment: insertions, deletions,
 * substitutions and adjacent transpositions count one each), for typos in a searched word.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0
  if (!a.length) return b.length
  if (!b.length) return a.length
  const rows = Array.from({ length: a.length + 1 }, (_r, i) =>
    Array.from({ length: b.length + 1 }, (_c, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = d
    }
  return rows[a.length]![b.length]!
}

/**
 * Does the searched word (folded) stand for this word of a name (folded)? The same, its
 * start (3 letters or more), or within one typo per 5 letters.
 */
export function wordMatches(searched: string, word: string): boolean {
  if (searched === word) return true
  if (searched.length >= 3 && word.startsWith(searched)) return true
  const allowed = Math.floor(Math.max(searched.length, word.length) / 5)
  return (
    allowed > 0 &&
    Math.abs(searched.length - word.length) <= allowed &&
    editDistance(searched, word) <= allowed
  )
}

/** What identifies one citizen in free text, as given to `citizenRedactor`. */
export interface RedactionTarget {
  name: string
  email: string | null
  phone: string | null
  postalAddress: string | null
}

/**
 * Matches one citizen's identity in free text: the full name in both orders, surname tokens
 * of 4 letters or more, the e-mail, the phone in any spacing, the postal address; accent- and
 * case-insensitive, mapped back to the original string. Built before anonymising.
 */
export interface CitizenRedactor {
  /** What a match is replaced with. */
  readonly replacement: string
  /** The patterns matched, on the original text. */
  readonly patterns: readonly RegExp[]
}

/** What a redacted piece of text reads as: neutral, and the same everywhere. */
export const REDACTED = '[données effacées]'

/** Letters, digits: what a word boundary is made of (accents included). */
const WORD = '[\\p{L}\\p{N}]'
const START = `(?<!${WORD})`
const END = `(?!${WORD}|\\p{M})`
/** Between two words of a name or an address: anything that is not a letter or digit. */
const GAP = '[^\\p{L}\\p{N}]+'
/** Between two digits of a phone number. */
const PHONE_GAP = '[\\s.\\-/()]*'

/**
 * Per folded letter, every character that folds to it (Latin-1 and Latin Extended-A/B):
 * `e` → `eéèêëēĕėęě…`, so a pattern written from the folded form matches the original
 * spelled with or without accents; the `i` flag does the capitals.
 */
const VARIANTS: ReadonlyMap<string, string> = (() => {
  const out = new Map<string, string>()
  for (let cp = 0x00c0; cp <= 0x024f; cp++) {
    const ch = String.fromCodePoint(cp)
    const base = ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
    if (/^[a-z]$/.test(base) && base !== ch.toLowerCase())
      out.set(base, (out.get(base) ?? '') + ch.toLowerCase())
  }
  return out
})()

// Outside a character class `-` and `/` need no escape, and `\-` is an error under the `u` flag.
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A folded word as a pattern on original text: any accent on each letter, œ/æ either way. */
function wordPattern(folded: string): string {
  const letter = (ch: string) => {
    const variants = VARIANTS.get(ch)
    return variants ? `[${ch}${variants}]\\p{M}*` : `${escapeRegExp(ch)}\\p{M}*`
  }
  let out = ''
  for (let i = 0; i < folded.length; i++) {
    const pair = folded.slice(i, i + 2)
    if (pair === 'oe' || pair === 'ae') {
      out += `(?:${letter(pair[0]!)}${letter(pair[1]!)}|${pair === 'oe' ? 'œ' : 'æ'}\\p{M}*)`
      i++
      continue
    }
    out += letter(folded[i]!)
  }
  return out
}

/** Words (folded) in sequence, whatever spaces or punctuation separate them. */
const wordsPattern = (words: readonly string[]) => START + words.map(wordPattern).join(GAP) + END

/** Name particles never redacted alone (they are not the citizen's). */
const PARTICLES = new Set([
  'de',
  'des',
  'du',
  'la',
  'le',
  'les',
  'van',
  'von',
  'der',
  'den',
  'del',
  'della',
  'dos',
  'das',
  'di',
  'da',
  'ben',
  'ibn',
  'bin',
  'saint',
  'sainte',
  'mac',
  'epouse',
  'veuve',
  'dit',
  'dite',
])

/** The phone's digits with any spacing, with or without its country code or trunk 0. */
function phonePattern(phone: string): string | null {
  const key = phoneKey(phone)
  const digits = key ?? phone.replace(/\D/g, '')
  if (digits.length < 6) return null
  const body = [...digits].join(PHONE_GAP)
  const prefix = key
    ? `(?:(?:\\+|00)${PHONE_GAP}\\d{1,3}${PHONE_GAP}(?:\\(0\\)${PHONE_GAP})?|0${PHONE_GAP})?`
    : ''
  return `(?<![\\d+])${prefix}${body}(?!\\d)`
}

/**
 * What identifies the citizen, as patterns on original text, most specific first (the
 * e-mail before the name it holds, the full name before its surname).
 */
export function citizenRedactor(target: RedactionTarget): CitizenRedactor {
  const sources: string[] = []
  const add = (p: string | null) => {
    if (p && !sources.includes(p)) sources.push(p)
  }
  if (target.email?.trim()) {
    const email = target.email.trim()
    add(`(?<![\\p{L}\\p{N}._%+-])${escapeRegExp(email)}(?![\\p{L}\\p{N}_%+-]|\\.[\\p{L}\\p{N}])`)
  }
  if (target.phone) add(phonePattern(target.phone))
  const address = normalizeForSearch(target.postalAddress ?? '')
  if (address) {
    add(wordsPattern(address.split(' ')))
    // The street alone ("12 rue des Lilas"), when the address says more after a comma.
    const street = normalizeForSearch((target.postalAddress ?? '').split(',')[0] ?? '')
    if (street !== address && street.length >= 8 && /\d/.test(street) && street.includes(' '))
      add(wordsPattern(street.split(' ')))
  }
  const words = normalizeForSearch(target.name).split(' ').filter(Boolean)
  if (words.length > 0) {
    add(wordsPattern(words))
    if (words.length > 1) {
      add(wordsPattern([...words].reverse()))
      // "QUINTAVALLE Éloïse Marie": the surname first, the given names after.
      add(wordsPattern([words[words.length - 1]!, ...words.slice(0, -1)]))
    }
    // The surname alone, particles included ("de la Tour"), then its words of 4 letters or more.
    if (words.length > 2) add(wordsPattern(words.slice(1)))
    for (const w of words.slice(words.length > 1 ? 1 : 0))
      if (w.length >= 4 && !PARTICLES.has(w) && /\p{L}/u.test(w)) add(wordsPattern([w]))
  }
  return {
    replacement: REDACTED,
    patterns: sources.map((s) => new RegExp(s, 'giu')),
  }
}

/** The text with every match of the redactor replaced. */
export function redactText(text: string, redactor: CitizenRedactor): string {
  let out = text
  // Decomposed accents (NFD input) are matched too: each letter's pattern takes its marks.
  for (const p of redactor.patterns) {
    p.lastIndex = 0
    out = out.replace(p, redactor.replacement)
  }
  return out
}

/** Every string inside a JSON value redacted (history data, conflict values), keys kept. */
export function redactJson<T>(value: T, redactor: CitizenRedactor): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, redactor)
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]))
    return v
  }
  return walk(value) as T
}

/** The free-text keys of each op's payload (`fields` of a transition: every value). */
const FREE_TEXT: Partial<Record<Mutation['op'], readonly string[]>> = {
  create: ['title', 'description', 'address'],
  comment: ['body'],
  update: ['title', 'description', 'address'],
}

/** Transition fields an agent types (a date or a reference is not free text). */
const TRANSITION_TEXT: ReadonlySet<string> = new Set(['reason', 'resolutionNote', 'holdReason'])

/**
 * A queued change's payload without its free text (comment body, title, description,
 * address, transition text fields), for a change refused because its citizen was erased.
 * Each text becomes `REDACTED` (a null stays null), so the payload keeps its shape and
 * the conflict inbox can still say what kind of change it was.
 */
export function stripFreeText(op: Mutation['op'], payload: unknown): unknown {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return payload
  const out: Record<string, unknown> = { ...(payload as Record<string, unknown>) }
  for (const key of FREE_TEXT[op] ?? []) if (typeof out[key] === 'string') out[key] = REDACTED
  if (op === 'transition' && out.fields && typeof out.fields === 'object' && !Array.isArray(out.fields))
    out.fields = Object.fromEntries(
      Object.entries(out.fields as Record<string, unknown>).map(([k, v]) => [
        k,
        typeof v === 'string' && TRANSITION_TEXT.has(k) ? REDACTED : v,
      ]),
    )
  return out
}
