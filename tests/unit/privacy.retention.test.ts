/**
 * Retention's pure rules: which rule a category follows (its own fields over the
 * authority's defaults, null meaning never), calendar months, what is due for a request at
 * a given time (deletion before anonymisation; nothing while open or held), and when the
 * server's daily run falls in Europe/Paris time, summer and winter.
 */
import { describe, expect, it } from 'vitest'
import { RETENTION_DEFAULTS } from '../../src/shared/privacy'
import { addMonths, retentionDue, retentionRuleFor } from '../../src/core/privacy/retention'
import { lastScheduledRun } from '../../src/server/retention'

const utc = (s: string) => Date.parse(s)

describe('the rule of a category', () => {
  const defaults = { anonymiseAfterClosedMonths: 12, deleteAfterClosedMonths: null }

  it('takes the defaults where the category says nothing', () => {
    expect(retentionRuleFor(null, defaults)).toEqual(defaults)
    expect(retentionRuleFor({}, defaults)).toEqual(defaults)
    expect(retentionRuleFor({ retention: {} }, defaults)).toEqual(defaults)
    expect(retentionRuleFor(undefined, RETENTION_DEFAULTS)).toEqual({
      anonymiseAfterClosedMonths: 12,
      deleteAfterClosedMonths: null,
    })
  })

  it('takes each field the category sets, null meaning never', () => {
    expect(retentionRuleFor({ retention: { deleteAfterClosedMonths: 120 } }, defaults)).toEqual({
      anonymiseAfterClosedMonths: 12,
      deleteAfterClosedMonths: 120,
    })
    expect(retentionRuleFor({ retention: { anonymiseAfterClosedMonths: null } }, defaults)).toEqual({
      anonymiseAfterClosedMonths: null,
      deleteAfterClosedMonths: null,
    })
    expect(
      retentionRuleFor(
        { retention: { anonymiseAfterClosedMonths: 36 } },
        { anonymiseAfterClosedMonths: null, deleteAfterClosedMonths: 60 },
      ),
    ).toEqual({ anonymiseAfterClosedMonths: 36, deleteAfterClosedMonths: 60 })
  })
})

describe('calendar months', () => {
  it('adds and subtracts months, the day clamped to the month’s last', () => {
    expect(addMonths(utc('2025-01-15T10:00:00Z'), 12)).toBe(utc('2026-01-15T10:00:00Z'))
    expect(addMonths(utc('2025-01-31T10:00:00Z'), 1)).toBe(utc('2025-02-28T10:00:00Z'))
    expect(addMonths(utc('2024-01-31T10:00:00Z'), 1)).toBe(utc('2024-02-29T10:00:00Z'))
    expect(addMonths(utc('2026-03-31T00:00:00Z'), -1)).toBe(utc('2026-02-28T00:00:00Z'))
    expect(addMonths(utc('2026-06-15T08:00:00Z'), -12)).toBe(utc('2025-06-15T08:00:00Z'))
    expect(addMonths(utc('2025-11-30T23:59:00Z'), 3)).toBe(utc('2026-02-28T23:59:00Z'))
  })
})

describe('what is due', () => {
  const closedAt = utc('2025-03-10T09:00:00Z')
  const closed = { statusKind: 'closed' as const, closedAt, legalHold: false }
  const anonymiseOnly = { anonymiseAfterClosedMonths: 12, deleteAfterClosedMonths: null }
  const both = { anonymiseAfterClosedMonths: 12, deleteAfterClosedMonths: 24 }

  it('anonymises a closed request once its months have passed, not a moment before', () => {
    expect(retentionDue(closed, anonymiseOnly, utc('2026-03-10T08:59:59Z'))).toBeNull()
    expect(retentionDue(closed, anonymiseOnly, utc('2026-03-10T09:00:00Z'))).toBe('anonymise')
    expect(retentionDue(closed, anonymiseOnly, utc('2040-01-01T00:00:00Z'))).toBe('anonymise')
  })

  it('does nothing to an open request, a held one, or one anonymised already', () => {
    const late = utc('2030-01-01T00:00:00Z')
    expect(retentionDue({ statusKind: 'open', closedAt: null, legalHold: false }, both, late)).toBeNull()
    expect(retentionDue({ statusKind: 'open', closedAt, legalHold: false }, both, late)).toBeNull()
    expect(retentionDue({ ...closed, legalHold: true }, both, late)).toBeNull()
    expect(
      retentionDue({ ...closed, anonymisedAt: utc('2026-04-01T00:00:00Z') }, anonymiseOnly, late),
    ).toBeNull()
  })

  it('deletes once the deletion delay has passed (anonymised or not), and only when a delay is set', () => {
    const at = utc('2027-03-10T09:00:00Z')
    expect(retentionDue(closed, both, at - 1)).toBe('anonymise')
    expect(retentionDue(closed, both, at)).toBe('delete')
    expect(retentionDue({ ...closed, anonymisedAt: utc('2026-04-01T00:00:00Z') }, both, at)).toBe('delete')
    expect(retentionDue(closed, anonymiseOnly, at)).toBe('anonymise')
    expect(
      retentionDue(closed, { anonymiseAfterClosedMonths: null, deleteAfterClosedMonths: null }, at),
    ).toBeNull()
  })
})

describe('when the daily run falls (Europe/Paris)', () => {
  it('is today’s runAt once passed, yesterday’s before, in summer time (UTC+2)', () => {
    expect(lastScheduledRun(utc('2026-06-15T08:00:00Z'), '02:30')).toBe(utc('2026-06-15T00:30:00Z'))
    expect(lastScheduledRun(utc('2026-06-15T00:29:00Z'), '02:30')).toBe(utc('2026-06-14T00:30:00Z'))
    expect(lastScheduledRun(utc('2026-06-15T00:30:00Z'), '02:30')).toBe(utc('2026-06-15T00:30:00Z'))
  })

  it('in winter time (UTC+1), and on a Paris day that is still yesterday in UTC', () => {
    expect(lastScheduledRun(utc('2026-12-04T19:00:00Z'), '02:30')).toBe(utc('2026-12-04T01:30:00Z'))
    // 23:30 UTC on the 4th is 00:30 on the 5th in Paris: the 5th's 00:15 has passed.
    expect(lastScheduledRun(utc('2026-12-04T23:30:00Z'), '00:15')).toBe(utc('2026-12-04T23:15:00Z'))
    expect(lastScheduledRun(utc('2026-12-04T23:30:00Z'), '23:45')).toBe(utc('2026-12-04T22:45:00Z'))
  })

  it('across the clock changes: one run a day, even when 02:30 does not exist', () => {
    // 29 March 2026: 02:00 → 03:00. The run is at the first instant after the gap's start.
    const spring = lastScheduledRun(utc('2026-03-29T06:00:00Z'), '02:30')
    expect(spring).toBeGreaterThan(utc('2026-03-28T01:30:00Z'))
    expect(spring).toBeLessThanOrEqual(utc('2026-03-29T01:30:00Z'))
    // 25 October 2026: 03:00 → 02:00; 02:30 happens twice, one run.
    const autumn = lastScheduledRun(utc('2026-10-25T06:00:00Z'), '02:30')
    expect([utc('2026-10-25T00:30:00Z'), utc('2026-10-25T01:30:00Z')]).toContain(autumn)
    expect(lastScheduledRun(utc('2026-10-26T06:00:00Z'), '02:30')).toBe(utc('2026-10-26T01:30:00Z'))
  })
})
