/** Saved tours in the cache (console) or the central database (server): the same table. */
import type { SavedTour, TourDepot } from '../../../shared/savedTour'
import type { Db } from '../db'
import { cached } from '../statements'

interface TourRow {
  id: string
  team_id: string
  technician_id: string | null
  day: string
  name: string
  depot: string
  stop_ids: string
  distance_km: number
  duration_minutes: number
  created_by: string | null
  created_at: number
  updated_at: number
  version: number
}

const toTour = (r: TourRow): SavedTour => ({
  id: r.id,
  teamId: r.team_id,
  technicianId: r.technician_id,
  date: r.day,
  name: r.name,
  depot: JSON.parse(r.depot) as TourDepot,
  stopIds: JSON.parse(r.stop_ids) as string[],
  distanceKm: r.distance_km,
  durationMinutes: r.duration_minutes,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
})

export function getTour(db: Db, id: string): SavedTour | undefined {
  const row = cached(db, 'SELECT * FROM tours WHERE id = ?').get(id) as TourRow | undefined
  return row && toTour(row)
}

/** Insert or replace a tour whole (the server's copy, or the lead's save). */
export function putTour(db: Db, tour: SavedTour): void {
  cached(
    db,
    `INSERT INTO tours (id, team_id, technician_id, day, name, depot, stop_ids, distance_km,
                        duration_minutes, created_by, created_at, updated_at, version)
     VALUES (@id, @teamId, @technicianId, @date, @name, @depot, @stopIds, @distanceKm,
             @durationMinutes, @createdBy, @createdAt, @updatedAt, @version)
     ON CONFLICT (id) DO UPDATE SET team_id = excluded.team_id, technician_id = excluded.technician_id,
       day = excluded.day, name = excluded.name, depot = excluded.depot, stop_ids = excluded.stop_ids,
       distance_km = excluded.distance_km, duration_minutes = excluded.duration_minutes,
       created_by = excluded.created_by, created_at = excluded.created_at,
       updated_at = excluded.updated_at, version = excluded.version`,
  ).run({ ...tour, depot: JSON.stringify(tour.depot), stopIds: JSON.stringify(tour.stopIds) })
}

export function deleteTour(db: Db, id: string): boolean {
  return cached(db, 'DELETE FROM tours WHERE id = ?').run(id).changes > 0
}

export interface TourListFilter {
  /** Tours of these teams (null: every team). */
  teamIds: readonly string[] | null
  /** Only this technician's tours. */
  technicianId?: string
  /** Days from this one on (YYYY-MM-DD). */
  fromDay?: string
  limit: number
}

/** Tours by day, then name: the technician's coming days first, or a team's planning. */
export function listTours(db: Db, filter: TourListFilter): SavedTour[] {
  const where: string[] = []
  const params: unknown[] = []
  if (filter.teamIds) {
    if (filter.teamIds.length === 0) return []
    where.push(`team_id IN (${filter.teamIds.map(() => '?').join(', ')})`)
    params.push(...filter.teamIds)
  }
  if (filter.technicianId !== undefined) {
    where.push('technician_id = ?')
    params.push(filter.technicianId)
  }
  if (filter.fromDay) {
    where.push('day >= ?')
    params.push(filter.fromDay)
  }
  const sql = `SELECT * FROM tours ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
               ORDER BY day, name, id LIMIT ?`
  return (db.prepare(sql).all(...params, filter.limit) as TourRow[]).map(toTour)
}
