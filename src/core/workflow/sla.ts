/**
 * SLA in business time: working hours on working days (Monday–Friday minus French public
 * holidays and the authority's own closed days), in the authority's time zone.
 */
import type { StatusKind } from '../../shared/domain'
import { isFrenchPublicHoliday } from './holidays'
import { assertTimeZone, instantAt, isoOf, localDateAt, weekdayOf, type LocalDate } from './zonedTime'

/** When the authority works. Mirrors the `sla` section of the configuration. */
export interface BusinessCalendar {
  /** IANA zone the working hours are read in. */
  timeZone: string
  /** `HH:MM`, wall-clock time in `timeZone`. */
  dayStart: string
  /** `HH:MM`, after `dayStart`. */
  dayEnd: string
  /** Adds Good Friday and 26 December (Alsace-Moselle local law). */
  alsaceMoselle: boolean
  /** Further closed days (`YYYY-MM-DD`), e.g. a bridge day the authority grants. */
  extraClosedDays: readonly string[]
}

export const DEFAULT_CALENDAR: BusinessCalendar = Object.freeze({
  timeZone: 'Europe/Paris',
  dayStart: '08:30',
  dayEnd: '17:30',
  alsaceMoselle: false,
  extraClosedDays: Object.freeze([]) as readonly string[],
})

const HOUR_MS = 3_600_000
const MINUTE_MS = 60_000
const DAY_MS = 86_400_000
/** A request whose due date lies further than this in working days is a configuration error. */
const MAX_SEARCH_DAYS = 366 * 30
/** Bound on the per-calendar memo of working windows (about 55 years of days). */
const MAX_CACHED_DAYS = 20_000

/** A working day's opening and closing instants; null for a day off. */
type Window = readonly [open: number, close: number] | null

interface CompiledCalendar {
  timeZone: string
  startMinute: number
  endMinute: number
  alsaceMoselle: boolean
  closed: ReadonlySet<string>
  /**
   * Windows by day number (days since 1970-01-01 as a calendar date). Computing one takes
   * several Intl calls; seeding and queue rendering ask for the same few hundred days again
   * and again, so they are remembered.
   */
  windows: Map<number, Window>
}

const byObject = new WeakMap<BusinessCalendar, CompiledCalendar>()
const bySignature = new Map<string, CompiledCalendar>()

function minutesOf(hhmm: string, key: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm)
  if (!m) throw new RangeError(`${key}: expected HH:MM (24 h), got "${hhmm}"`)
  return Number(m[1]) * 60 + Number(m[2])
}

function compile(cal: BusinessCalendar): CompiledCalendar {
  const known = byObject.get(cal)
  if (known) return known
  // Callers may rebuild an equal calendar object per call: share the memo between them.
  const signature = [cal.timeZone, cal.dayStart, cal.dayEnd, cal.alsaceMoselle, ...cal.extraClosedDays].join(
    '|',
  )
  let c = bySignature.get(signature)
  if (!c) {
    assertTimeZone(cal.timeZone)
    const startMinute = minutesOf(cal.dayStart, 'dayStart')
    const endMinute = minutesOf(cal.dayEnd, 'dayEnd')
    if (endMinute <= startMinute) throw new RangeError('dayEnd must be after dayStart')
    c = {
      timeZone: cal.timeZone,
      startMinute,
      endMinute,
      alsaceMoselle: cal.alsaceMoselle,
      closed: new Set(cal.extraClosedDays),
      windows: new Map(),
    }
    if (bySignature.size > 100) bySignature.clear()
    bySignature.set(signature, c)
  }
  byObject.set(cal, c)
  return c
}

const dayNumberOf = (date: LocalDate) => Date.UTC(date.year, date.month - 1, date.day) / DAY_MS

function dateOfDayNumber(n: number): LocalDate {
  const d = new Date(n * DAY_MS)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

function isWorkingDay(c: CompiledCalendar, date: LocalDate): boolean {
  const weekday = weekdayOf(date)
  if (weekday === 0 || weekday === 6) return false
  const iso = isoOf(date)
  return !c.closed.has(iso) && !isFrenchPublicHoliday(iso, { alsaceMoselle: c.alsaceMoselle })
}

/** The working window of day number `n`, as instants in the calendar's zone. */
function windowOf(c: CompiledCalendar, n: number): Window {
  let w = c.windows.get(n)
  if (w === undefined) {
    const date = dateOfDayNumber(n)
    w = isWorkingDay(c, date)
      ? [instantAt(date, c.startMinute, c.timeZone), instantAt(date, c.endMinute, c.timeZone)]
      : null
    if (c.windows.size >= MAX_CACHED_DAYS) c.windows.clear()
    c.windows.set(n, w)
  }
  return w
}

/** Whether `date` (`YYYY-MM-DD`) is a working day for the calendar. */
export function isBusinessDay(day: string, cal: BusinessCalendar): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) throw new RangeError(`expected YYYY-MM-DD, got "${day}"`)
  return isWorkingDay(compile(cal), { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) })
}

/** Nominal length of one working day in ms (09:00 with the default 08:30–17:30). */
export function businessDayMs(cal: BusinessCalendar): number {
  const c = compile(cal)
  return (c.endMinute - c.startMinute) * MINUTE_MS
}

/**
 * The instant `ms` of business time after `start`. Time outside working hours does not
 * count; a start outside them counts from the next opening. When the amount runs out
 * exactly at closing time the result is that closing time, not the next morning.
 */
export function addBusinessMs(start: number, ms: number, cal: BusinessCalendar): number {
  if (!(ms > 0)) return start
  const c = compile(cal)
  let remaining = ms
  const first = dayNumberOf(localDateAt(start, c.timeZone))
  for (let n = first; n < first + MAX_SEARCH_DAYS; n++) {
    const w = windowOf(c, n)
    if (!w) continue
    const from = Math.max(start, w[0])
    if (from >= w[1]) continue
    if (remaining <= w[1] - from) return from + remaining
    remaining -= w[1] - from
  }
  throw new RangeError(`no working time found within ${MAX_SEARCH_DAYS} days`)
}

/** The due date `hours` business hours after `start` (epoch ms). */
export function addBusinessHours(start: number, hours: number, cal: BusinessCalendar): number {
  return addBusinessMs(start, Math.round(hours * HOUR_MS), cal)
}

/** Business time between two instants, in ms; 0 when `b` is not after `a`. */
export function businessMsBetween(a: number, b: number, cal: BusinessCalendar): number {
  if (!(b > a)) return 0
  const c = compile(cal)
  const last = dayNumberOf(localDateAt(b, c.timeZone))
  let total = 0
  for (let n = dayNumberOf(localDateAt(a, c.timeZone)); n <= last; n++) {
    const w = windowOf(c, n)
    if (!w) continue
    const overlap = Math.min(b, w[1]) - Math.max(a, w[0])
    if (overlap > 0) total += overlap
  }
  return total
}

export type SlaState = 'on_time' | 'due_soon' | 'overdue' | 'paused' | 'closed' | 'none'

export interface SlaClock {
  state: SlaState
  /**
   * Business time left before the due date; negative once overdue (how late, in business
   * time). While paused, the time that was left when the clock stopped. 0 for `closed`
   * and `none` (no due date).
   */
  businessMsLeft: number
}

export interface SlaClockOptions {
  /** Below this much business time left, the request is `due_soon`; default one working day. */
  dueSoonMs?: number
}

/**
 * Where a request stands against its due date at `now`. Overdue is decided on real time
 * (a due date of Friday 17:30 is overdue on Saturday even though no business time passed).
 */
export function slaClock(
  request: { dueAt: number | null; slaPausedSince: number | null; statusKind: StatusKind },
  now: number,
  cal: BusinessCalendar,
  options: SlaClockOptions = {},
): SlaClock {
  if (request.statusKind === 'closed') return { state: 'closed', businessMsLeft: 0 }
  const { dueAt } = request
  if (dueAt === null) return { state: 'none', businessMsLeft: 0 }
  const signedLeft = (from: number) =>
    from <= dueAt ? businessMsBetween(from, dueAt, cal) : -businessMsBetween(dueAt, from, cal)
  if (request.slaPausedSince !== null)
    return { state: 'paused', businessMsLeft: signedLeft(request.slaPausedSince) }
  const left = signedLeft(now)
  if (now > dueAt) return { state: 'overdue', businessMsLeft: left }
  const dueSoonMs = options.dueSoonMs ?? businessDayMs(cal)
  return { state: left <= dueSoonMs ? 'due_soon' : 'on_time', businessMsLeft: left }
}
