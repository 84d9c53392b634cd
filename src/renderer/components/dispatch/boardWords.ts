/** How the board words its figures: hours with at most one decimal, French or English. */
import { ApiError } from '../../api'
import type { DispatchColumn } from '../../../shared/channels/dispatch'

export const hoursText = (hours: number, locale: string) =>
  new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: 1 }).format(hours)

/** Over this week's available hours (or any load with none available). */
export const isOverloaded = (c: Pick<DispatchColumn, 'loadHours' | 'availableHours'>) =>
  c.loadHours > c.availableHours

/** What a card carries while it is dragged: the request's id (a selection is looked up by it). */
export const DRAG_TYPE = 'application/x-grc-request'

/** The core's refusal in its own words (they say what to do next). */
export const messageOf = (e: unknown) => (e instanceof ApiError ? e.message : String(e))

/** A calendar day (`YYYY-MM-DD`) in short form: 16/03/2026. */
export const dayText = (iso: string, locale: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'fr-FR', {
    dateStyle: 'short',
    timeZone: 'UTC',
  }).format(Date.UTC(y, m - 1, d))
}
