/**
 * "il y a 5 minutes": how long ago an instant was, in the agent's language. Pure (the
 * caller passes `now`), so it can be tested at a fixed instant.
 */
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const formatters = new Map<string, Intl.RelativeTimeFormat>()
function formatter(locale: string) {
  let f = formatters.get(locale)
  if (!f) {
    f = new Intl.RelativeTimeFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { numeric: 'auto' })
    formatters.set(locale, f)
  }
  return f
}

/** The time since `iso` in words, or null when it is under a minute (the caller says "just now"). */
export function timeAgo(iso: string, now: number, locale: string): string | null {
  const elapsed = now - Date.parse(iso)
  if (Number.isNaN(elapsed) || elapsed < MINUTE) return null
  const f = formatter(locale)
  if (elapsed < HOUR) return f.format(-Math.floor(elapsed / MINUTE), 'minute')
  if (elapsed < DAY) return f.format(-Math.floor(elapsed / HOUR), 'hour')
  return f.format(-Math.floor(elapsed / DAY), 'day')
}
