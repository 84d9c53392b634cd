/**
 * French public holidays (jours fériés, Code du travail art. L3133-1) for any year, as
 * calendar dates in the authority's own time zone.
 */
import type { LocalizedText } from '../../shared/domain'

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDay = string

export interface PublicHoliday {
  date: IsoDay
  name: LocalizedText
}

export interface HolidayOptions {
  /**
   * Good Friday and 26 December are holidays only in Alsace-Moselle (Bas-Rhin, Haut-Rhin,
   * Moselle). Off by default: Nancy is in Meurthe-et-Moselle, which is not.
   */
  alsaceMoselle?: boolean
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** `YYYY-MM-DD` for a year, a month (1–12) and a day; overflowing days roll into the next month. */
export function isoDay(year: number, month: number, day: number): IsoDay {
  const d = new Date(Date.UTC(year, month - 1, day))
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const n = h + l - 7 * m + 114
  return { month: Math.floor(n / 31), day: (n % 31) + 1 }
}

/** The public holidays of `year`, in date order. */
export function frenchPublicHolidays(year: number, options: HolidayOptions = {}): PublicHoliday[] {
  const easter = easterSunday(year)
  const afterEaster = (days: number) => isoDay(year, easter.month, easter.day + days)
  const list: PublicHoliday[] = [
    { date: isoDay(year, 1, 1), name: { fr: 'Jour de l’an', en: 'New Year’s Day' } },
    { date: afterEaster(1), name: { fr: 'Lundi de Pâques', en: 'Easter Monday' } },
    { date: isoDay(year, 5, 1), name: { fr: 'Fête du Travail', en: 'Labour Day' } },
    { date: isoDay(year, 5, 8), name: { fr: 'Victoire 1945', en: 'Victory in Europe Day' } },
    { date: afterEaster(39), name: { fr: 'Ascension', en: 'Ascension Day' } },
    { date: afterEaster(50), name: { fr: 'Lundi de Pentecôte', en: 'Whit Monday' } },
    { date: isoDay(year, 7, 14), name: { fr: 'Fête nationale', en: 'Bastille Day' } },
    { date: isoDay(year, 8, 15), name: { fr: 'Assomption', en: 'Assumption Day' } },
    { date: isoDay(year, 11, 1), name: { fr: 'Toussaint', en: 'All Saints’ Day' } },
    { date: isoDay(year, 11, 11), name: { fr: 'Armistice 1918', en: 'Armistice Day' } },
    { date: isoDay(year, 12, 25), name: { fr: 'Noël', en: 'Christmas Day' } },
  ]
  if (options.alsaceMoselle)
    list.push(
      { date: afterEaster(-2), name: { fr: 'Vendredi saint', en: 'Good Friday' } },
      { date: isoDay(year, 12, 26), name: { fr: 'Saint-Étienne', en: 'St Stephen’s Day' } },
    )
  // Ascension can fall on 1 or 8 May: both stay listed, the day is closed either way.
  return list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0))
}

const cache = new Map<string, ReadonlySet<IsoDay>>()

/** Whether `day` (`YYYY-MM-DD`) is a French public holiday. Memoised per year. */
export function isFrenchPublicHoliday(day: IsoDay, options: HolidayOptions = {}): boolean {
  const year = Number(day.slice(0, 4))
  const key = `${year}:${options.alsaceMoselle ? 'am' : 'fr'}`
  let days = cache.get(key)
  if (!days) {
    days = new Set(frenchPublicHolidays(year, options).map((h) => h.date))
    cache.set(key, days)
  }
  return days.has(day)
}
