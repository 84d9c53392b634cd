/**
 * The tags in use within a scope, for completion: read from the partial index of tagged
 * requests (migration 0020), so the untagged requests are never read.
 */
import { effectiveTeams, type Scope } from '../../../core/authz/scope'
import { parseTags } from '../../../core/requests/records'
import { tagKey } from '../../../shared/tags'
import type { Db } from '../db'
import { TAGGED_INDEX, TAGGED_SQL } from '../migrations/0018-tags'
import { cached, inList } from '../statements'

export interface TagCount {
  /** The spelling most requests carry (ties: the first met). */
  tag: string
  count: number
}

/** The tags of `scope`'s requests with how many carry each, most used first, then by name. */
export function listTagsInUse(db: Db, scope: Scope, limit: number): TagCount[] {
  const teams = effectiveTeams(scope)
  if (teams && teams.length === 0) return []
  const params: Record<string, unknown> = {}
  const where = [TAGGED_SQL, ...(teams ? [`team_id IN (${inList(params, 't', teams)})`] : [])]
  const rows = cached(db, `SELECT tags FROM requests INDEXED BY ${TAGGED_INDEX} WHERE ${where.join(' AND ')}`)
    .pluck()
    .all(params) as string[]
  const byKey = new Map<string, { count: number; spellings: Map<string, number> }>()
  for (const json of rows)
    for (const tag of parseTags(json)) {
      const key = tagKey(tag)
      const entry = byKey.get(key) ?? { count: 0, spellings: new Map<string, number>() }
      entry.count += 1
      entry.spellings.set(tag, (entry.spellings.get(tag) ?? 0) + 1)
      byKey.set(key, entry)
    }
  const counted = [...byKey.values()].map(({ count, spellings }) => {
    let tag = ''
    let most = 0
    for (const [spelling, n] of spellings) if (n > most) [tag, most] = [spelling, n]
    return { tag, count }
  })
  counted.sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag, 'fr'))
  return counted.slice(0, limit)
}
