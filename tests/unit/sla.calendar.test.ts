import { describe, expect, it } from 'vitest'
import { easterSunday, frenchPublicHolidays, isFrenchPublicHoliday } from '../../src/core/workflow/holidays'
import {
  addBusinessHours,
  addBusinessMs,
  businessMsBetween,
  DEFAULT_CALENDAR,
  isBusinessDay,
  slaClock,
  type BusinessCalendar,
} from '../../src/core/workflow/sla'
import { instantAt, localDateAt } from '../../src/core/workflow/zonedTime'

const HOUR = 3_600_000
const cal = DEFAULT_CALENDAR
const at = (iso: string) => Date.parse(iso)
/** The due date as Paris wall-clock text, to compare with what an agent reads. */
const paris = (t: number) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Paris',
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(t)

describe('French public holidays', () => {
  it('computes Easter Sunday (anonymous Gregorian algorithm)', () => {
    const known: [number, string][] = [
      [2024, '03-31'],
      [2025, '04-20'],
      [2026, '04-05'],
      [2027, '03-28'],
      [2000, '04-23'],
      [2008, '03-23'],
      [2011, '04-24'],
      [2038, '04-25'],
      [2285, '03-22'],
    ]
    for (const [year, date] of known) {
      const { month, day } = easterSunday(year)
      expect(`${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, String(year)).toBe(date)
    }
  })

  it('lists the eleven national holidays of a year', () => {
    expect(frenchPublicHolidays(2026).map((h) => h.date)).toEqual([
      '2026-01-01',
      '2026-04-06', // Easter Monday
      '2026-05-01',
      '2026-05-08',
      '2026-05-14', // Ascension
      '2026-05-25', // Whit Monday
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ])
    expect(frenchPublicHolidays(2027).find((h) => h.name.en === 'Whit Monday')?.date).toBe('2027-05-17')
  })

  it('adds Good Friday and 26 December for Alsace-Moselle only', () => {
    expect(isFrenchPublicHoliday('2026-04-03')).toBe(false)
    expect(isFrenchPublicHoliday('2026-04-03', { alsaceMoselle: true })).toBe(true)
    expect(isFrenchPublicHoliday('2026-12-26', { alsaceMoselle: true })).toBe(true)
    expect(frenchPublicHolidays(2026, { alsaceMoselle: true })).toHaveLength(13)
  })

  it('knows working days: weekends, holidays and the authority’s own closed days are off', () => {
    expect(isBusinessDay('2026-01-16', cal)).toBe(true) // Friday
    expect(isBusinessDay('2026-01-17', cal)).toBe(false) // Saturday
    expect(isBusinessDay('2026-05-14', cal)).toBe(false) // Ascension
    const bridge: BusinessCalendar = { ...cal, extraClosedDays: ['2026-05-15'] }
    expect(isBusinessDay('2026-05-15', cal)).toBe(true)
    expect(isBusinessDay('2026-05-15', bridge)).toBe(false)
  })
})

describe('due dates in business hours (Paris, 08:30–17:30)', () => {
  it('carries a Friday 16:00 request over the weekend', () => {
    // 1 h 30 on Friday, the remaining 2 h 30 on Monday morning.
    expect(paris(addBusinessHours(at('2026-01-16T16:00:00+01:00'), 4, cal))).toBe('2026-01-19 11:00')
    // With offices closing at 17:00, the same request is due at 11:30.
    const early: BusinessCalendar = { ...cal, dayEnd: '17:00' }
    expect(paris(addBusinessHours(at('2026-01-16T16:00:00+01:00'), 4, early))).toBe('2026-01-19 11:30')
  })

  it('skips Easter Monday, Ascension Thursday, Whit Monday and 14 July', () => {
    expect(paris(addBusinessHours(at('2026-04-03T16:00:00+02:00'), 4, cal))).toBe('2026-04-07 11:00')
    expect(paris(addBusinessHours(at('2026-05-13T16:00:00+02:00'), 4, cal))).toBe('2026-05-15 11:00')
    expect(paris(addBusinessHours(at('2026-05-22T16:00:00+02:00'), 4, cal))).toBe('2026-05-26 11:00')
    expect(paris(addBusinessHours(at('2026-07-13T16:00:00+02:00'), 4, cal))).toBe('2026-07-15 11:00')
  })

  it('skips Good Friday only with the Alsace-Moselle flag', () => {
    const start = at('2026-04-02T16:00:00+02:00') // Thursday before Easter
    expect(paris(addBusinessHours(start, 4, cal))).toBe('2026-04-03 11:00')
    expect(paris(addBusinessHours(start, 4, { ...cal, alsaceMoselle: true }))).toBe('2026-04-07 11:00')
  })

  it('keeps office hours in local time across the daylight-saving changes', () => {
    // Summer time starts on Sunday 29 March 2026, ends on Sunday 25 October 2026.
    const march = addBusinessHours(at('2026-03-27T16:00:00+01:00'), 4, cal)
    expect(march).toBe(at('2026-03-30T11:00:00+02:00'))
    const october = addBusinessHours(at('2026-10-23T16:00:00+02:00'), 4, cal)
    expect(october).toBe(at('2026-10-26T11:00:00+01:00'))
    expect(businessMsBetween(at('2026-03-27T16:00:00+01:00'), march, cal)).toBe(4 * HOUR)
    expect(businessMsBetween(at('2026-10-23T16:00:00+02:00'), october, cal)).toBe(4 * HOUR)
  })

  it('counts from the next opening when created outside office hours', () => {
    expect(paris(addBusinessHours(at('2026-01-17T10:00:00+01:00'), 2, cal))).toBe('2026-01-19 10:30') // Saturday
    expect(paris(addBusinessHours(at('2026-01-14T20:00:00+01:00'), 2, cal))).toBe('2026-01-15 10:30') // evening
    expect(paris(addBusinessHours(at('2026-01-14T07:00:00+01:00'), 2, cal))).toBe('2026-01-14 10:30') // early
  })

  it('ends at closing time, not the next morning, when the hours run out exactly then', () => {
    expect(paris(addBusinessHours(at('2026-01-16T16:00:00+01:00'), 1.5, cal))).toBe('2026-01-16 17:30')
  })

  it('spans weeks for long SLAs', () => {
    // 10 working days of 9 h from Monday opening: the second Friday at closing time.
    expect(paris(addBusinessHours(at('2026-01-12T08:30:00+01:00'), 90, cal))).toBe('2026-01-23 17:30')
    // Over Christmas and New Year's Day 2026/2027.
    expect(paris(addBusinessHours(at('2026-12-24T17:00:00+01:00'), 9, cal))).toBe('2026-12-28 17:00')
  })

  it('leaves the start untouched for zero hours', () => {
    const saturday = at('2026-01-17T10:00:00+01:00')
    expect(addBusinessHours(saturday, 0, cal)).toBe(saturday)
  })

  it('uses the configured time zone', () => {
    const montreal: BusinessCalendar = { ...cal, timeZone: 'America/Toronto' }
    expect(addBusinessHours(at('2026-01-16T16:00:00-05:00'), 4, montreal)).toBe(
      at('2026-01-19T11:00:00-05:00'),
    )
  })

  it('refuses a broken calendar', () => {
    expect(() => addBusinessHours(0, 1, { ...cal, timeZone: 'Europe/Nancy' })).toThrow(/time zone/)
    expect(() => addBusinessHours(0, 1, { ...cal, dayStart: '18:00' })).toThrow(/dayEnd/)
    expect(() => addBusinessHours(0, 1, { ...cal, dayEnd: '25:00' })).toThrow(/HH:MM/)
  })
})

describe('business time between two instants', () => {
  it('counts only office hours', () => {
    expect(businessMsBetween(at('2026-01-16T16:00:00+01:00'), at('2026-01-19T11:00:00+01:00'), cal)).toBe(
      4 * HOUR,
    )
    expect(businessMsBetween(at('2026-01-12T00:00:00+01:00'), at('2026-01-19T00:00:00+01:00'), cal)).toBe(
      45 * HOUR,
    )
    expect(businessMsBetween(at('2026-01-14T18:00:00+01:00'), at('2026-01-15T08:00:00+01:00'), cal)).toBe(0)
    expect(businessMsBetween(at('2026-05-13T17:00:00+02:00'), at('2026-05-15T09:00:00+02:00'), cal)).toBe(
      HOUR,
    )
  })

  it('is zero when the end is not after the start', () => {
    const t = at('2026-01-14T10:00:00+01:00')
    expect(businessMsBetween(t, t, cal)).toBe(0)
    expect(businessMsBetween(t + HOUR, t, cal)).toBe(0)
  })

  it('is the inverse of adding business time', () => {
    const start = at('2026-03-26T09:15:00+01:00')
    for (const hours of [0.25, 3, 9, 17, 40, 200])
      expect(businessMsBetween(start, addBusinessHours(start, hours, cal), cal)).toBe(hours * HOUR)
  })
})

describe('the SLA clock', () => {
  const dueAt = at('2026-01-19T11:00:00+01:00') // Monday 11:00

  it('is on time with more than a working day left, due soon within one', () => {
    expect(
      slaClock({ dueAt, slaPausedSince: null, statusKind: 'open' }, at('2026-01-15T11:00:00+01:00'), cal),
    ).toEqual({
      state: 'on_time',
      businessMsLeft: 18 * HOUR,
    })
    expect(
      slaClock({ dueAt, slaPausedSince: null, statusKind: 'open' }, at('2026-01-16T16:00:00+01:00'), cal),
    ).toEqual({
      state: 'due_soon',
      businessMsLeft: 4 * HOUR,
    })
  })

  it('is overdue past the due date, with how late in business time', () => {
    expect(
      slaClock({ dueAt, slaPausedSince: null, statusKind: 'open' }, at('2026-01-19T14:00:00+01:00'), cal),
    ).toEqual({
      state: 'overdue',
      businessMsLeft: -3 * HOUR,
    })
    // Due Friday 17:30: overdue on Saturday although no business time has passed.
    const friday = at('2026-01-16T17:30:00+01:00')
    expect(
      slaClock({ dueAt: friday, slaPausedSince: null, statusKind: 'open' }, friday + 10 * HOUR, cal).state,
    ).toBe('overdue')
  })

  it('freezes while paused and says nothing for closed requests or missing due dates', () => {
    const paused = slaClock(
      { dueAt, slaPausedSince: at('2026-01-16T16:00:00+01:00'), statusKind: 'open' },
      dueAt + 100 * HOUR,
      cal,
    )
    expect(paused).toEqual({ state: 'paused', businessMsLeft: 4 * HOUR })
    expect(slaClock({ dueAt, slaPausedSince: null, statusKind: 'closed' }, dueAt + HOUR, cal).state).toBe(
      'closed',
    )
    expect(slaClock({ dueAt: null, slaPausedSince: null, statusKind: 'open' }, dueAt, cal).state).toBe('none')
  })

  it('honours a custom due-soon threshold', () => {
    const now = at('2026-01-16T16:00:00+01:00')
    expect(
      slaClock({ dueAt, slaPausedSince: null, statusKind: 'open' }, now, cal, { dueSoonMs: 2 * HOUR }).state,
    ).toBe('on_time')
  })
})

describe('wall-clock time in the zone', () => {
  it('resolves the skipped and the repeated hour of the daylight-saving changes', () => {
    // 02:30 does not exist on 29 March 2026 in Paris: read with winter time, it is 03:30 summer time.
    expect(instantAt({ year: 2026, month: 3, day: 29 }, 150, 'Europe/Paris')).toBe(
      at('2026-03-29T03:30:00+02:00'),
    )
    // 02:30 happens twice on 25 October 2026: the first one (summer time) is chosen.
    expect(instantAt({ year: 2026, month: 10, day: 25 }, 150, 'Europe/Paris')).toBe(
      at('2026-10-25T02:30:00+02:00'),
    )
    expect(instantAt({ year: 2026, month: 7, day: 1 }, 510, 'Europe/Paris')).toBe(
      at('2026-07-01T08:30:00+02:00'),
    )
  })

  it('gives the local calendar date, not the UTC one', () => {
    expect(localDateAt(at('2026-01-15T23:30:00Z'), 'Europe/Paris')).toEqual({ year: 2026, month: 1, day: 16 })
    expect(localDateAt(at('2026-01-15T23:30:00Z'), 'America/Toronto')).toEqual({
      year: 2026,
      month: 1,
      day: 15,
    })
  })

  it('adds business milliseconds the same way as hours', () => {
    const start = at('2026-01-16T16:00:00+01:00')
    expect(addBusinessMs(start, 4 * HOUR, cal)).toBe(addBusinessHours(start, 4, cal))
  })
})
