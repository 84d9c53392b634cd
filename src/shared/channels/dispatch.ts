/**
 * The lead's dispatch board (« Répartition », issue 15): one column per person who works
 * the requests of the lead's teams (a supervisor's: the teams they pick), plus the
 * requests nobody has, each with its figures; a suggested assignee for one request; the
 * capacity and absences a lead sets. Assigning itself goes through `request.assign` and
 * `requests.bulkAssign`, the same checks and outbox as everywhere else.
 */
import { z } from 'zod'
import { Id, RequestSummary, Role } from '../domain'
import { IsoDay } from '../savedTour'
import { Absence, AbsenceReason, CapacitySave, WorkCapacity } from '../capacity'
import { spec } from '../channelSpec'

/** Cards a column shows at first; « Afficher plus » reads the next ones. */
export const DISPATCH_CARDS = 20
export const DISPATCH_MAX_CARDS = 100

export const DispatchBoardQuery = z
  .object({
    /** Narrow to these teams (within the session's); empty or absent: every team in scope. */
    teamIds: z.array(Id).max(200).optional(),
    /** Cards per column (most urgent first). */
    cards: z.number().int().min(1).max(DISPATCH_MAX_CARDS).default(DISPATCH_CARDS),
  })
  .strict()
export type DispatchBoardQuery = z.input<typeof DispatchBoardQuery>

const Count = z.number().int().nonnegative()
const Hours = z.number().nonnegative()

export const DispatchColumn = z.object({
  /** The person; null for the column of requests nobody is assigned to. */
  agentId: Id.nullable(),
  name: z.string().nullable(),
  roles: z.array(Role),
  teamIds: z.array(Id),
  open: Count,
  /** Open and past their due date in business time, the clock running (the queue's « En retard »). */
  overdue: Count,
  /** Open, not late yet, due before midnight tonight (the authority's time zone). */
  dueToday: Count,
  /** Estimated hours of the open requests (see dispatchHandlers.ts for the estimate). */
  loadHours: Hours,
  /** Hours a week as set by the lead (or the default, `capacitySet` false). */
  weeklyHours: Hours,
  capacitySet: z.boolean(),
  /** This week's hours once the absences of its working days are taken off. */
  availableHours: Hours,
  /** Absences that end today or later, soonest first. */
  absences: z.array(Absence),
  /** Why the person is away today; null when present. */
  absentToday: AbsenceReason.nullable(),
  /** The categories and sectors the person handles (see dispatchHandlers.ts for how they are found). */
  categoryIds: z.array(Id),
  sectorIds: z.array(Id),
  /** The first open requests, most urgent first (due date, then creation). */
  requests: z.array(RequestSummary),
  /** Give it to `dispatch.column` for the next ones; null when all are shown. */
  nextCursor: z.string().nullable(),
  /** Whether this session may change the person's capacity and absences. */
  canSetCapacity: z.boolean(),
})
export type DispatchColumn = z.infer<typeof DispatchColumn>

export const DispatchBoard = z.object({
  /** Today in the authority's time zone (`YYYY-MM-DD`). */
  today: IsoDay,
  teams: z.array(z.object({ id: Id, name: z.string() })),
  teamChoices: z.array(z.object({ id: Id, name: z.string() })),
  /** The people first (by name), then « Non attribuées ». */
  columns: z.array(DispatchColumn),
  /** Sectors named in the columns, for the screen's words. */
  sectors: z.array(z.object({ id: Id, name: z.string() })),
})
export type DispatchBoard = z.infer<typeof DispatchBoard>

export const DispatchColumnQuery = z
  .object({
    agentId: Id.nullable(),
    teamIds: z.array(Id).max(200).optional(),
    after: z.string().max(512),
    cards: z.number().int().min(1).max(DISPATCH_MAX_CARDS).default(DISPATCH_CARDS),
  })
  .strict()

/** Why someone is suggested, as facts the screen puts in words. */
export const DispatchSuggestion = z.object({
  agentId: Id,
  name: z.string(),
  loadHours: Hours,
  availableHours: Hours,
  categoryId: Id,
  /** The request's sector, when it lies in one. */
  sector: z.object({ id: Id, name: z.string() }).nullable(),
  /** The person had none of the category's requests lately: suggested from the team's categories. */
  fromTeamCategories: z.boolean(),
})
export type DispatchSuggestion = z.infer<typeof DispatchSuggestion>

export const dispatchChannels = {
  /** The board: leads get their teams, supervisors the teams they pick (all by default); others refused. */
  'dispatch.board': spec(DispatchBoardQuery, DispatchBoard),
  /** More cards of one column, after the cursor the board (or the previous call) gave. */
  'dispatch.column': spec(
    DispatchColumnQuery,
    z.object({ requests: z.array(RequestSummary), nextCursor: z.string().nullable() }),
  ),
  /**
   * The least loaded person (load against this week's hours) of the request's team, present
   * today, who handles its category and sector, with the facts; null when nobody fits.
   */
  'dispatch.suggest': spec(
    z.object({ requestId: Id }).strict(),
    z.object({ suggestion: DispatchSuggestion.nullable() }),
  ),
  /** Set a person's weekly hours and absences on the central server (online only). */
  'dispatch.setCapacity': spec(CapacitySave.extend({ agentId: Id }).strict(), WorkCapacity),
} as const
