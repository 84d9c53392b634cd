/**
 * The handlers of the dispatch board (src/shared/channels/dispatch.ts, issue 15). Who may
 * use it is decided here, in the core (src/core/authz/dispatch.ts), whatever the screen
 * shows. Nothing here writes a request: the board assigns through `request.assign` and
 * `requests.bulkAssign`, with their checks and their outbox.
 *
 * How the figures are found:
 * - Load: each open request counts a fixed estimate by category family, since categories
 *   carry no duration: a field intervention (a category that needs a location: the trip,
 *   the work on site) FIELD_HOURS, a desk request (civil status, nursery…) DESK_HOURS.
 * - Capacity: the weekly hours the lead set (DEFAULT_WEEKLY_HOURS when nobody did); this
 *   week's available hours take off one fifth of it per weekday (Monday–Friday) of absence.
 * - What a person handles: the categories and sectors of the requests assigned to them that
 *   were created or changed in the last RECENT_DAYS days, counted from the start of today in
 *   UTC (the latest RECENT_PER_TEAM of each team, so that the cost does not grow with the
 *   cache), and of their open requests. A person with none of those (new in the team)
 *   handles their teams' categories (the categories whose default team, or a routing rule's
 *   team, is one of theirs), in any sector.
 * - Counts are within the board's teams.
 */
import type { Handlers } from '../dispatch'
import {
  DEFAULT_WEEKLY_HOURS,
  absenceOn,
  type Absence,
  type CapacitySave,
  type WorkCapacity,
} from '../../shared/capacity'
import type {
  DispatchBoard,
  DispatchColumn,
  DispatchSuggestion,
  dispatchChannels,
} from '../../shared/channels/dispatch'
import type { SessionInfo } from '../../shared/contract'
import type { AgentSummary, Category } from '../../shared/domain'
import type { Sector } from '../../shared/routing'
import { bboxContains, bboxOfGeometry, pointInPolygon } from '../../shared/geo'
import { CoreError } from '../../shared/result'
import { canAssign } from '../../core/authz/permissions'
import { effectiveTeams, type Scope } from '../../core/authz/scope'
import { CAPACITY_REFUSAL, canSetCapacity, dispatchScope, worksRequests } from '../../core/authz/dispatch'
import { instantAt, isoOf, localDateAt, weekdayOf, type LocalDate } from '../../core/workflow/zonedTime'
import { countOverdueByAssignee, summariesByRowid } from '../cache/queries/requests'
import {
  getAgentById,
  listAgents,
  listCategories,
  listRoutingRules,
  listSectors,
  listTeams,
} from '../cache/queries/reference'
import {
  capacityByAgent,
  dueBetween,
  firstCards,
  moreCards,
  openLoad,
  recentWork,
  replaceCapacity,
} from '../cache/queries/dispatch'
import { SyncError, type SyncTransport } from '../sync/transport'
import { serverRefusal, type ServerRefusalWords } from './serverRefusal'
import type { CoreDeps } from './deps'
import { openStatesOf } from './openStates'
import type { RequestService } from './requests'

export type DispatchHandlers = Pick<Handlers, keyof typeof dispatchChannels>

/** Estimated hours of an open field intervention (a category that needs a location). */
export const FIELD_HOURS = 3
/** Estimated hours of an open desk request (a category without location). */
export const DESK_HOURS = 1
/** How far back « what a person handles » looks. */
export const RECENT_DAYS = 90
const DAY_MS = 86_400_000

/** Capacity is set on the central server: what the console needs of the sync side. */
export interface CapacityRemote {
  withAccess<T>(fn: (token: string) => Promise<T>): Promise<T>
  transport: Pick<SyncTransport, 'setCapacity'>
  /** The change is on the server: sync now, so the new reference bundle comes back. */
  afterChange(): void
}

// Until deps.ts names it, the console (console.ts) hands the capacity remote over here.
export const CAPACITY_NEEDS_SERVER =
  'La capacité et les absences se règlent sur le serveur central : reconnectez-vous pour les modifier.'
const CAPACITY_WORDS: ServerRefusalWords = {
  passedOn: new Set(['invalid_input', 'forbidden', 'not_found']),
  needsServer: CAPACITY_NEEDS_SERVER,
  notOnServer:
    'Le serveur central ne gère pas encore la capacité des équipes : il doit d’abord être mis à jour.',
}

/** A person's figures on the board (the screen's column without its cards). */
type PersonFigures = Omit<DispatchColumn, 'requests' | 'nextCursor'> & { fromTeamCategories: boolean }

const plusDays = (date: LocalDate, days: number): LocalDate => {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days))
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

/** The ISO days Monday to Friday of the week of `date`. */
function workingDaysOfWeek(date: LocalDate): string[] {
  const monday = plusDays(date, -((weekdayOf(date) + 6) % 7))
  return [0, 1, 2, 3, 4].map((i) => isoOf(plusDays(monday, i)))
}

/** The sector a point lies in (the first, in the cache's order), or null. */
function sectorFinder(sectors: readonly Sector[]) {
  const boxed = sectors.map((s) => ({ sector: s, bbox: bboxOfGeometry(s.geometry) }))
  return (lat: number | null, lon: number | null): Sector | null => {
    if (lat === null || lon === null) return null
    const point = { lat, lon }
    return (
      boxed.find((b) => b.bbox && bboxContains(b.bbox, point) && pointInPolygon(point, b.sector.geometry))
        ?.sector ?? null
    )
  }
}

export function createDispatchHandlers(deps: CoreDeps, requests: RequestService): DispatchHandlers {
  const { db } = deps

  /** The board's teams: the scope narrowed by the choice, those the cache knows. */
  function boardTeams(session: SessionInfo, teamIds: readonly string[] | undefined) {
    const scope = dispatchScope(session)
    const known = listTeams(db)
    const names = new Map(known.map((t) => [t.id, t.name]))
    const choices = scope.kind === 'all' ? known.map((t) => t.id) : scope.teamIds.filter((t) => names.has(t))
    const teams = (effectiveTeams(scope, teamIds) ?? choices).filter((t) => names.has(t))
    const named = (ids: readonly string[]) =>
      ids.map((id) => ({ id, name: names.get(id) ?? id })).sort((a, b) => a.name.localeCompare(b.name, 'fr'))
    return { teams, teamsNamed: named(teams), choicesNamed: named(choices) }
  }

  /** Every person's figures over `teams`, and the unassigned requests' (key null). */
  function figures(session: SessionInfo, teams: readonly string[]) {
    const now = deps.now()
    const timeZone = deps.calendar.timeZone
    const today = localDateAt(now, timeZone)
    const todayIso = isoOf(today)
    const week = workingDaysOfWeek(today)
    const categories = new Map<string, Category>(listCategories(db).map((c) => [c.id, c]))
    const hoursOf = (categoryId: string) =>
      categories.get(categoryId)?.requiresLocation ? FIELD_HOURS : DESK_HOURS
    const scope: Scope = { kind: 'teams', teamIds: [...teams] }

    const load = new Map<string | null, { open: number; dueToday: number; hours: number }>()
    const openCategories = new Map<string, Set<string>>()
    for (const row of openLoad(db, teams, openStatesOf(db, deps.workflows))) {
      const l = load.get(row.assigneeId) ?? { open: 0, dueToday: 0, hours: 0 }
      l.open += row.open
      l.hours += row.open * hoursOf(row.categoryId)
      load.set(row.assigneeId, l)
      if (row.assigneeId !== null)
        openCategories.set(
          row.assigneeId,
          (openCategories.get(row.assigneeId) ?? new Set()).add(row.categoryId),
        )
    }
    const tonight = instantAt(plusDays(today, 1), 0, timeZone)
    for (const [assigneeId, n] of dueBetween(db, teams, { from: now, to: tonight })) {
      const l = load.get(assigneeId)
      if (l) l.dueToday = n
    }

    const sectors = listSectors(db)
    const sectorOf = sectorFinder(sectors)
    const worked = new Map<string, { categories: Set<string>; sectors: Set<string> }>()
    // From a day's start (UTC), so that the teams' recent work kept between reads stays valid all day.
    const since = (Math.floor(now / DAY_MS) - RECENT_DAYS) * DAY_MS
    for (const row of recentWork(db, teams, since)) {
      const w = worked.get(row.assigneeId) ?? { categories: new Set(), sectors: new Set() }
      w.categories.add(row.categoryId)
      const sector = sectorOf(row.lat, row.lon)
      if (sector) w.sectors.add(sector.id)
      worked.set(row.assigneeId, w)
    }
    const rules = listRoutingRules(db)
    const teamCategories = (teamIds: readonly string[]) =>
      new Set([
        ...[...categories.values()].filter((c) => teamIds.includes(c.defaultTeamId)).map((c) => c.id),
        ...rules.filter((r) => r.categoryId !== null && teamIds.includes(r.teamId)).map((r) => r.categoryId!),
      ])

    const capacity = capacityByAgent(db)
    /** Overdue as the queue's « En retard » filter counts it (paused clocks left out), every column at once. */
    const overdue = countOverdueByAssignee(db, teams, now)
    const overdueOf = (agentId: string | null) => overdue.get(agentId) ?? 0

    const people = listAgents(db, scope).filter(worksRequests)
    const personFigures = (agent: AgentSummary): PersonFigures => {
      const set: WorkCapacity | undefined = capacity.get(agent.id)
      const weeklyHours = set?.weeklyHours ?? DEFAULT_WEEKLY_HOURS
      const absences: Absence[] = (set?.absences ?? [])
        .filter((a) => a.to >= todayIso)
        .sort((a, b) => a.from.localeCompare(b.from))
      const daysAway = week.filter((day) => absenceOn(absences, day)).length
      const l = load.get(agent.id) ?? { open: 0, dueToday: 0, hours: 0 }
      const w = worked.get(agent.id)
      const handled = new Set([...(w?.categories ?? []), ...(openCategories.get(agent.id) ?? [])])
      const fromTeamCategories = handled.size === 0
      return {
        agentId: agent.id,
        name: agent.displayName,
        roles: agent.roles,
        teamIds: agent.teamIds,
        open: l.open,
        overdue: overdueOf(agent.id),
        dueToday: l.dueToday,
        loadHours: l.hours,
        weeklyHours,
        capacitySet: set !== undefined,
        availableHours: (weeklyHours * (week.length - daysAway)) / week.length,
        absences,
        absentToday: absenceOn(absences, todayIso)?.reason ?? null,
        categoryIds: [...(fromTeamCategories ? teamCategories(agent.teamIds) : handled)].sort(),
        sectorIds: [...(w?.sectors ?? [])].sort(),
        canSetCapacity: canSetCapacity(session, agent),
        fromTeamCategories,
      }
    }
    const nobody = load.get(null) ?? { open: 0, dueToday: 0, hours: 0 }
    const unassigned: PersonFigures = {
      agentId: null,
      name: null,
      roles: [],
      teamIds: [...teams],
      open: nobody.open,
      overdue: overdueOf(null),
      dueToday: nobody.dueToday,
      loadHours: nobody.hours,
      weeklyHours: 0,
      capacitySet: false,
      availableHours: 0,
      absences: [],
      absentToday: null,
      categoryIds: [],
      sectorIds: [],
      canSetCapacity: false,
      fromTeamCategories: false,
    }
    return { today: todayIso, people: people.map(personFigures), unassigned, sectors, sectorOf }
  }

  const withoutFlag = ({ fromTeamCategories: _, ...column }: PersonFigures) => column

  function board(session: SessionInfo, teamIds: string[] | undefined, perColumn: number): DispatchBoard {
    const { teams, teamsNamed, choicesNamed } = boardTeams(session, teamIds)
    const f = figures(session, teams)
    const firstPages = firstCards(db, teams, [...f.people.map((p) => p.agentId), null], perColumn)
    const named = new Set([...f.people.flatMap((p) => p.sectorIds)])
    return {
      today: f.today,
      teams: teamsNamed,
      teamChoices: choicesNamed,
      columns: [...f.people, f.unassigned].map((p) => {
        const page = firstPages.get(p.agentId) ?? { rowids: [], nextCursor: null }
        // The cards as the queue lists them (nothing personal: the summary's fields only).
        return { ...withoutFlag(p), requests: summariesByRowid(db, page.rowids), nextCursor: page.nextCursor }
      }),
      sectors: f.sectors.filter((s) => named.has(s.id)).map((s) => ({ id: s.id, name: s.name })),
    }
  }

  function suggest(session: SessionInfo, requestId: string): DispatchSuggestion | null {
    const { teams } = boardTeams(session, undefined)
    const request = requests.get(session, requestId)
    if (!teams.includes(request.teamId) || !canAssign(session, request.teamId))
      throw new CoreError('forbidden', 'Vous n’attribuez pas les demandes de cette équipe.')
    if (request.statusKind !== 'open')
      throw new CoreError(
        'invalid_input',
        `La demande ${request.reference} est close : il n’y a personne à lui attribuer.`,
      )
    // The people of the request's team, their load counted over every team of theirs in scope
    // (as a board of those teams shows it), not over the whole authority for a supervisor.
    const members = listAgents(db, { kind: 'teams', teamIds: [request.teamId] })
    const theirTeams = teams.filter((team) => members.some((m) => m.teamIds.includes(team)))
    const f = figures(session, theirTeams.length ? theirTeams : [request.teamId])
    const sector = request.location ? f.sectorOf(request.location.lat, request.location.lon) : null
    const ratio = (p: PersonFigures) => p.loadHours / p.availableHours
    const best = f.people
      .filter(
        (p) =>
          p.agentId !== request.assigneeId &&
          p.teamIds.includes(request.teamId) &&
          p.absentToday === null &&
          p.availableHours > 0 &&
          p.categoryIds.includes(request.categoryId) &&
          (sector === null || p.sectorIds.length === 0 || p.sectorIds.includes(sector.id)),
      )
      .sort((a, b) => ratio(a) - ratio(b) || a.open - b.open || a.name!.localeCompare(b.name!, 'fr'))[0]
    if (!best) return null
    return {
      agentId: best.agentId!,
      name: best.name!,
      loadHours: best.loadHours,
      availableHours: best.availableHours,
      categoryId: request.categoryId,
      sector: sector && { id: sector.id, name: sector.name },
      fromTeamCategories: best.fromTeamCategories,
    }
  }

  async function setCapacity(
    session: SessionInfo,
    input: CapacitySave & { agentId: string },
  ): Promise<WorkCapacity> {
    dispatchScope(session)
    const agent = getAgentById(db, input.agentId)
    if (!agent)
      throw new CoreError('not_found', 'Cette personne n’est pas dans le référentiel de la console.')
    if (!canSetCapacity(session, agent)) throw new CoreError('forbidden', CAPACITY_REFUSAL)
    const remote = deps.capacityRemote
    if (!remote) throw new CoreError('server_unavailable', CAPACITY_NEEDS_SERVER)
    let saved: WorkCapacity
    try {
      ;({ capacity: saved } = await remote.withAccess((token) =>
        remote.transport.setCapacity(token, input.agentId, {
          weeklyHours: input.weeklyHours,
          absences: input.absences,
        }),
      ))
    } catch (e) {
      // A restored server: the sync engine recovers first; the lead tries again after.
      if (e instanceof SyncError && e.kind === 'restored') remote.afterChange()
      throw serverRefusal(e, CAPACITY_WORDS)
    }
    // The server's answer is kept at once so the board shows it; the next bundle says the same.
    const others = [...capacityByAgent(db).values()].filter((c) => c.agentId !== saved.agentId)
    db.transaction(() => replaceCapacity(db, [...others, saved]))()
    remote.afterChange()
    return saved
  }

  return {
    'dispatch.board': (input, { session }) => board(session, input.teamIds, input.cards),
    'dispatch.column': (input, { session }) => {
      const { teams } = boardTeams(session, input.teamIds)
      const page = moreCards(db, teams, input.agentId, input.after, input.cards)
      return { requests: summariesByRowid(db, page.rowids), nextCursor: page.nextCursor }
    },
    'dispatch.suggest': (input, { session }) => ({ suggestion: suggest(session, input.requestId) }),
    'dispatch.setCapacity': (input, { session }) => setCapacity(session, input),
  }
}
