/**
 * The dashboard's period presets as calendar days (`YYYY-MM-DD`) around a given instant,
 * read in the workstation's local calendar. Pure, for tests at a fixed date.
 */
export type PeriodPreset = 'month' | 'lastMonth' | 'weeks12'

const pad = (n: number) => String(n).padStart(2, '0')
export const isoDay = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`

export function presetPeriod(preset: PeriodPreset, now: Date): { from: string; to: string } {
  const y = now.getFullYear()
  const m = now.getMonth()
  switch (preset) {
    case 'month':
      return { from: isoDay(new Date(y, m, 1)), to: isoDay(now) }
    case 'lastMonth':
      return monthPeriod(
        `${new Date(y, m - 1, 1).getFullYear()}-${pad(new Date(y, m - 1, 1).getMonth() + 1)}`,
      )
    case 'weeks12': {
      // Twelve whole weeks, Monday to Sunday, ending with the current one.
      const monday = new Date(y, m, now.getDate() - ((now.getDay() + 6) % 7))
      return {
        from: isoDay(new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() - 77)),
        to: isoDay(now),
      }
    }
  }
}

/** A month (`YYYY-MM`, as an `<input type="month">` gives it) as its first and last days. */
export function monthPeriod(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return { from: isoDay(new Date(y, m - 1, 1)), to: isoDay(new Date(y, m, 0)) }
}
