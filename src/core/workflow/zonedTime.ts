/**
 * Wall-clock time in an IANA time zone with nothing but Intl, so business hours stay
 * right across daylight-saving changes without a time-zone library.
 */

/** A calendar date in the zone (month 1–12). */
export interface LocalDate {
  year: number
  month: number
  day: number
}

export interface WallClock extends LocalDate {
  hour: number
  minute: number
  second: number
}

const DAY_MS = 86_400_000

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    // Throws a RangeError for an unknown zone, which is what a bad configuration deserves.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** Throws a RangeError naming the zone when Intl does not know it. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatterFor(timeZone)
  } catch {
    throw new RangeError(`unknown time zone "${timeZone}"`)
  }
}

/** What a wall clock in `timeZone` shows at instant `t` (epoch ms). */
export function wallClockAt(t: number, timeZone: string): WallClock {
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 }
  for (const part of formatterFor(timeZone).formatToParts(t)) {
    if (part.type in out) out[part.type as keyof WallClock] = Number(part.value)
  }
  return out
}

/** The zone's offset from UTC at instant `t`, in ms (Paris: +1 h in winter, +2 h in summer). */
export function offsetAt(t: number, timeZone: string): number {
  const w = wallClockAt(t, timeZone)
  const wallAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
  return wallAsUtc - (t - (((t % 1000) + 1000) % 1000))
}

/**
 * The instant at which the zone's wall clock shows `minutes` after midnight on `date`.
 * A wall time repeated by a fall-back change resolves to its first occurrence; one skipped
 * by a spring-forward change is read with the offset in force before the jump (02:30 on
 * the March change in Paris gives 03:30 summer time).
 */
export function instantAt(date: LocalDate, minutes: number, timeZone: string): number {
  const wallAsUtc = Date.UTC(date.year, date.month - 1, date.day, 0, minutes)
  // Offsets a day either side: time zones change at most once within such a window.
  const before = wallAsUtc - offsetAt(wallAsUtc - DAY_MS, timeZone)
  const after = wallAsUtc - offsetAt(wallAsUtc + DAY_MS, timeZone)
  const shows = (t: number) => offsetAt(t, timeZone) === wallAsUtc - t
  const candidates = [before, after].filter(shows)
  return candidates.length > 0 ? Math.min(...candidates) : before
}

/** The calendar date the zone's wall clock shows at instant `t`. */
export function localDateAt(t: number, timeZone: string): LocalDate {
  const { year, month, day } = wallClockAt(t, timeZone)
  return { year, month, day }
}

/** 0 = Sunday … 6 = Saturday, for the calendar date itself (no zone involved). */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()
}

/** `YYYY-MM-DD`. */
export function isoOf(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`
}
