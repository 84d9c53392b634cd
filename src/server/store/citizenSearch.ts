/**
 * Finding a citizen by name, e-mail or phone without any database extension: the grams of
 * each citizen's folded name, e-mail and phone key are kept in `citizen_search` (the same
 * plain table on SQLite and PostgreSQL), written by `indexCitizen` whenever a citizen is
 * written and removed by `unindexCitizen` when one is erased. Folding is done in TypeScript
 * (`normalizeForSearch` in src/core/privacy/text.ts), never in SQL: neither database folds
 * accents the same way (and SQLite not at all), so the grams written and the grams searched
 * come from the one function.
 *
 * Search terms are never logged.
 */
import type { Citizen } from '../../shared/domain'
import { phoneKey, trigrams } from '../../core/privacy/text'
import { insertRows, type Sql, type SqlParam } from './sql/client'

export type SearchField = 'name' | 'email' | 'phone'

export type IndexedCitizen = Pick<Citizen, 'id' | 'name' | 'email' | 'phone'>

/** The rows of `citizen_search` for one citizen: `[gram, field]`, each once. */
export function citizenGrams(c: Omit<IndexedCitizen, 'id'>): Array<[string, SearchField]> {
  const out: Array<[string, SearchField]> = trigrams(c.name).map((g) => [g, 'name'])
  if (c.email) for (const g of trigrams(c.email)) out.push([g, 'email'])
  const phone = c.phone ? phoneKey(c.phone) : null
  if (phone) for (const g of trigrams(phone)) out.push([g, 'phone'])
  return out
}

/** (Re)write the grams of citizens `cs` (new, or rectified). */
export async function indexCitizens(sql: Pick<Sql, 'run'>, cs: readonly IndexedCitizen[]): Promise<void> {
  if (cs.length === 0) return
  for (let i = 0; i < cs.length; i += 500) {
    const part = cs.slice(i, i + 500)
    await sql.run(
      `DELETE FROM citizen_search WHERE citizen_id IN (${part.map(() => '?').join(', ')})`,
      part.map((c) => c.id),
    )
  }
  const rows = cs.flatMap((c) => citizenGrams(c).map(([gram, field]): SqlParam[] => [gram, field, c.id]))
  await insertRows(sql, 'citizen_search', ['gram', 'field', 'citizen_id'], rows)
}

/** (Re)write the grams of citizen `c`. */
export async function indexCitizen(sql: Pick<Sql, 'run'>, c: IndexedCitizen): Promise<void> {
  await indexCitizens(sql, [c])
}

/** Forget citizen `id`'s grams (erasure). */
export async function unindexCitizen(sql: Pick<Sql, 'run'>, id: string): Promise<void> {
  await sql.run('DELETE FROM citizen_search WHERE citizen_id = ?', [id])
}
