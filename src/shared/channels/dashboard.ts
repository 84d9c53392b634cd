/**
 * The lead's and supervisor's dashboards, computed from the cache: one call answers every
 * figure of one dashboard (a period and an optional team filter), so the screen draws all
 * its charts from one read.
 *
 * The weeks are cut at midnight in the authority's time zone; the other figures of the
 * period (deadlines, resolution, communes, people) count the requests of its dates by UTC
 * day, so a request closed between midnight and 1 or 2 a.m. in Paris counts on the day
 * before (the cache keeps them as daily counts: see the cache's migration 0011).
 */
import { z } from 'zod'
import { Id } from '../domain'
import { IsoDay } from '../savedTour'
import { spec } from '../channelSpec'

/** The longest period one dashboard covers: a year and a bit, so a yearly report fits. */
export const DASHBOARD_MAX_DAYS = 400

export const DashboardQuery = z
  .object({
    /** First day of the period (`YYYY-MM-DD`, in the authority's time zone). */
    from: IsoDay,
    /** Last day of the period, included. */
    to: IsoDay,
    /** Narrow to these teams (within the session's teams); empty or absent: every team in scope. */
    teamIds: z.array(Id).max(200).optional(),
  })
  .strict()
export type DashboardQuery = z.infer<typeof DashboardQuery>

const Count = z.number().int().nonnegative()

export const DashboardWeek = z.object({
  /** The Monday the week starts on (`YYYY-MM-DD`); the first and last weeks are cut to the period. */
  weekStart: IsoDay,
  incoming: Count,
  closed: Count,
})
export type DashboardWeek = z.infer<typeof DashboardWeek>

export const DashboardFigures = z.object({
  from: IsoDay,
  to: IsoDay,
  /** The teams the figures cover (the scope narrowed by the filter), with their names. */
  teams: z.array(z.object({ id: Id, name: z.string() })),
  /** Every team the session may choose from in the filter. */
  teamChoices: z.array(z.object({ id: Id, name: z.string() })),
  weeks: z.array(DashboardWeek),
  /** Open requests now, by status (whatever the period: a backlog is a state, not a flow). */
  backlogByStatus: z.array(z.object({ status: z.string(), n: Count })),
  /** Open requests now, by category. */
  backlogByCategory: z.array(z.object({ categoryId: Id, n: Count })),
  /**
   * Requests closed in the period that had a due date, and those closed by it. The due date
   * is in business time (working hours, holidays) and already pushed back by the time the
   * request waited for the citizen, so « closed by it » is the business-time SLA.
   */
  sla: z.object({ closedWithDue: Count, closedOnTime: Count }),
  /** Creation to closing of the requests closed in the period, in hours (wall clock); null when none. */
  resolution: z.object({
    closed: Count,
    medianHours: z.number().nonnegative().nullable(),
    p90Hours: z.number().nonnegative().nullable(),
  }),
  /** Communes with the most requests created in the period, most first (at most 10). */
  topPlaces: z.array(z.object({ place: z.string(), n: Count })),
  /** Requests closed in the period per assignee (null: closed without one), most first. */
  throughput: z.array(z.object({ assigneeId: Id.nullable(), name: z.string().nullable(), closed: Count })),
})
export type DashboardFigures = z.infer<typeof DashboardFigures>

export const dashboardChannels = {
  /** Every figure of one dashboard: leads get their teams, supervisors every team; others are refused. */
  'dashboard.figures': spec(DashboardQuery, DashboardFigures),
} as const
