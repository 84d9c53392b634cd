/**
 * The handlers of the dashboard channels (src/shared/channels/dashboard.ts); authorisation is
 * checked here, in the core, whatever the screen shows.
 */
import type { Handlers } from '../dispatch'
import {
  DASHBOARD_MAX_DAYS,
  type DashboardFigures,
  type DashboardQuery,
  type dashboardChannels,
} from '../../shared/channels/dashboard'
import type { SessionInfo } from '../../shared/contract'
import { CoreError } from '../../shared/result'
import { effectiveTeams, type Scope } from '../../core/authz/scope'
import { instantAt, isoOf, weekdayOf, type LocalDate } from '../../core/workflow/zonedTime'
import {
  backlog,
  closedFigures,
  countClosed,
  ensureDashboardCounts,
  countCreated,
  histogramPercentile,
  topPlaces,
  type Span,
} from '../cache/queries/dashboard'
import { listAgents, listTeams } from '../cache/queries/reference'
import type { CoreDeps } from './deps'
import { openStatesOf } from './openStates'
import type { RequestService } from './requests'

export type DashboardHandlers = Pick<Handlers, keyof typeof dashboardChannels>

const DAY_MS = 86_400_000
const TOP_PLACES = 10

export const DASHBOARD_REFUSAL =
  'Le tableau de bord est réservé aux chefs d’équipe et aux superviseurs : votre rôle ne permet pas de le consulter.'

/**
 * Leads see their own teams' figures, supervisors every team's; agents, technicians, the DPO
 * and administrators are refused (per-person figures are the management's, not theirs).
 */
export function dashboardScope(session: SessionInfo): Scope {
  if (session.roles.includes('supervisor')) return { kind: 'all' }
  if (session.roles.includes('lead')) return { kind: 'teams', teamIds: [...session.teamIds] }
  throw new CoreError('forbidden', DASHBOARD_REFUSAL)
}

const dateOf = (iso: string): LocalDate => {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number]
  return { year, month, day }
}
/** The calendar date `days` after `date` (no time zone: calendar arithmetic). */
const plusDays = (date: LocalDate, days: number): LocalDate => {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days))
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}
const dayNumber = (date: LocalDate) => Date.UTC(date.year, date.month - 1, date.day) / DAY_MS

/** The period's weeks (Monday to Sunday in the authority's zone), the first and last cut to the period. */
export function periodWeeks(
  from: string,
  to: string,
  timeZone: string,
): { period: Span; weeks: (Span & { weekStart: string })[] } {
  const first = dateOf(from)
  const last = dateOf(to)
  const days = dayNumber(last) - dayNumber(first) + 1
  if (!(days >= 1)) throw new CoreError('invalid_input', 'La fin de la période doit suivre son début.')
  if (days > DASHBOARD_MAX_DAYS)
    throw new CoreError('invalid_input', `La période est limitée à ${DASHBOARD_MAX_DAYS} jours.`)
  const end = instantAt(plusDays(last, 1), 0, timeZone)
  const period = { from: instantAt(first, 0, timeZone), to: end }
  const weeks: (Span & { weekStart: string })[] = []
  let monday = plusDays(first, -((weekdayOf(first) + 6) % 7))
  while (dayNumber(monday) <= dayNumber(last)) {
    const next = plusDays(monday, 7)
    weeks.push({
      weekStart: isoOf(monday),
      from: Math.max(period.from, instantAt(monday, 0, timeZone)),
      to: Math.min(end, instantAt(next, 0, timeZone)),
    })
    monday = next
  }
  return { period, weeks }
}

export function createDashboardHandlers(deps: CoreDeps, _requests: RequestService): DashboardHandlers {
  const { db } = deps

  async function figures(query: DashboardQuery, session: SessionInfo): Promise<DashboardFigures> {
    const scope = dashboardScope(session)
    const teamNames = new Map(listTeams(db).map((t) => [t.id, t.name]))
    const choices = scope.kind === 'all' ? [...teamNames.keys()] : scope.teamIds
    const teams = (effectiveTeams(scope, query.teamIds) ?? choices).filter((id) => teamNames.has(id))
    const { weeks } = periodWeeks(query.from, query.to, deps.calendar.timeZone)
    // Communes, deadlines, resolution times and assignees are counted by day: the period's dates.
    const days = { from: dayNumber(dateOf(query.from)), to: dayNumber(dateOf(query.to)) + 1 }
    await ensureDashboardCounts(db)

    const incoming = countCreated(db, teams, weeks)
    const closed = countClosed(db, teams, weeks)
    const { byStatus, byCategory } = backlog(db, teams, openStatesOf(db, deps.workflows))
    const done = closedFigures(db, teams, days)
    const agentNames = new Map(listAgents(db).map((a) => [a.id, a.displayName]))
    const named = (ids: readonly string[]) =>
      ids
        .map((id) => ({ id, name: teamNames.get(id) ?? id }))
        .sort((a, b) => a.name.localeCompare(b.name, 'fr'))
    const mostFirst = <K extends string>(m: Map<string, number>, key: K) =>
      [...m]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([k, n]) => ({ [key]: k, n }) as { [P in K]: string } & { n: number })

    return {
      from: query.from,
      to: query.to,
      teams: named(teams),
      teamChoices: named(choices.filter((id) => teamNames.has(id))),
      weeks: weeks.map((w, i) => ({ weekStart: w.weekStart, incoming: incoming[i]!, closed: closed[i]! })),
      backlogByStatus: mostFirst(byStatus, 'status'),
      backlogByCategory: mostFirst(byCategory, 'categoryId'),
      sla: { closedWithDue: done.closedWithDue, closedOnTime: done.closedOnTime },
      resolution: {
        closed: done.resolutionHistogram.reduce((sum, [, n]) => sum + n, 0),
        medianHours: histogramPercentile(done.resolutionHistogram, 0.5),
        p90Hours: histogramPercentile(done.resolutionHistogram, 0.9),
      },
      topPlaces: topPlaces(db, teams, days, TOP_PLACES),
      throughput: done.byAssignee.map((a) => ({
        assigneeId: a.assigneeId,
        name: a.assigneeId === null ? null : (agentNames.get(a.assigneeId) ?? null),
        closed: a.closed,
      })),
    }
  }

  return {
    'dashboard.figures': (input, { session }) => figures(input, session),
  }
}
