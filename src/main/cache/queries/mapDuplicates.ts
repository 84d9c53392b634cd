/**
 * The duplicate groups the map draws (issue 14): the linked requests come from the partial
 * expression index of migration 0015 (only they are in it, a small part of the cache), each
 * joined to its master by reference (a unique index); the groups touching the box are kept,
 * the most recent masters first, at most `limit`.
 *
 * Both ends are within the scope: a master of another team is never placed on an agent's
 * map through a duplicate they see, nor a duplicate through its master.
 */
import type { Scope } from '../../../core/authz/scope'
import { effectiveTeams } from '../../../core/authz/scope'
import type { DuplicateLinkGroup, DuplicateLinks } from '../../../shared/channels/mapDuplicates'
import type { Db } from '../db'
import { DUPLICATE_OF_SQL } from '../migrations/0015-duplicate-links'
import { cachedRaw, inList } from '../statements'

export interface DuplicateLinksArgs {
  scope: Scope
  bbox: { minLat: number; minLon: number; maxLat: number; maxLon: number }
  /** Groups answered at most. */
  limit: number
}

type LinkRow = [
  masterRowid: number,
  masterId: string,
  masterReference: string,
  masterLat: number,
  masterLon: number,
  masterStatusKind: 'open' | 'closed',
  id: string,
  reference: string,
  lat: number | null,
  lon: number | null,
]

/** `m` + lat: the master's place; '' + lat: the duplicate's. */
const inBox = (p: 'm' | '') => `(${p}lat BETWEEN @minLat AND @maxLat AND ${p}lon BETWEEN @minLon AND @maxLon)`

/**
 * `+team_id`: the team is checked on the rows the index gives, never used to pick an index
 * (the team's index would read every request of the team to find its few linked ones).
 */
export function duplicateLinksSql(teams: string[] | null, params: Record<string, unknown>): string {
  const dupTeam = teams ? `AND +team_id IN (${inList(params, 'd', teams)})` : ''
  const masterTeam = teams ? `AND +m.team_id IN (${inList(params, 'm', teams)})` : ''
  return `WITH links AS MATERIALIZED (
      SELECT m.rowid AS mrow, m.id AS mid, m.reference AS mref, m.lat AS mlat, m.lon AS mlon,
             m.status_kind AS mkind, d.id, d.reference, d.lat, d.lon
      FROM (SELECT id, reference, lat, lon, ${DUPLICATE_OF_SQL} AS master FROM requests
            WHERE ${DUPLICATE_OF_SQL} IS NOT NULL ${dupTeam}) d
      JOIN requests m ON m.reference = d.master
      WHERE m.lat IS NOT NULL AND m.lon IS NOT NULL ${masterTeam}
    ),
    touched AS (
      SELECT DISTINCT mrow FROM links
      WHERE ${inBox('m')} OR ${inBox('')}
      ORDER BY mrow DESC LIMIT @take
    )
    SELECT l.mrow, l.mid, l.mref, l.mlat, l.mlon, l.mkind, l.id, l.reference, l.lat, l.lon
    FROM links l JOIN touched t ON t.mrow = l.mrow
    ORDER BY l.mrow DESC, l.reference`
}

/** The duplicate groups within the scope whose master or any duplicate lies in the box. */
export function duplicateLinksInBox(db: Db, args: DuplicateLinksArgs): DuplicateLinks {
  const teams = effectiveTeams(args.scope)
  if (teams && teams.length === 0) return { groups: [], capped: false }
  // One group more than asked: its presence is what says the answer is capped.
  const params: Record<string, unknown> = { ...args.bbox, take: args.limit + 1 }
  const rows = cachedRaw(db, duplicateLinksSql(teams, params)).all(params) as LinkRow[]
  const groups: DuplicateLinkGroup[] = []
  let current: DuplicateLinkGroup | null = null
  let currentRowid = -1
  for (const r of rows) {
    if (r[0] !== currentRowid) {
      currentRowid = r[0]
      current = {
        master: { id: r[1], reference: r[2], lat: r[3], lon: r[4], statusKind: r[5] },
        duplicates: [],
      }
      groups.push(current)
    }
    current!.duplicates.push({ id: r[6], reference: r[7], lat: r[8], lon: r[9] })
  }
  const capped = groups.length > args.limit
  return { groups: capped ? groups.slice(0, args.limit) : groups, capped }
}
