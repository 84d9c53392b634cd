/**
 * Retention rules for closed requests (RGPD art. 5(1)(e)): which rule applies to a category,
 * and what is due for a request now. Pure: the server's job and the console's cache purge
 * both decide with these.
 */
import type { Category, RetentionRule, StatusKind } from '../../shared/domain'
import type { RetentionPolicy } from '../../shared/privacy'

/**
 * The category's own rule where it sets one, the authority's default elsewhere. A delay
 * shorter than anonymisation on one side and longer on the other is not reconciled here:
 * deletion wins when both are due (see `retentionDue`).
 */
export function retentionRuleFor(
  category: Pick<Category, 'retention'> | null | undefined,
  defaults: Pick<RetentionPolicy, 'anonymiseAfterClosedMonths' | 'deleteAfterClosedMonths'>,
): RetentionRule {
  // A category's null means "never"; only a field it leaves out takes the default.
  const own = category?.retention ?? {}
  const anonymise =
    own.anonymiseAfterClosedMonths !== undefined
      ? own.anonymiseAfterClosedMonths
      : defaults.anonymiseAfterClosedMonths
  const remove =
    own.deleteAfterClosedMonths !== undefined ? own.deleteAfterClosedMonths : defaults.deleteAfterClosedMonths
  return { anonymiseAfterClosedMonths: anonymise, deleteAfterClosedMonths: remove }
}

/** `months` calendar months after `ms` (UTC), the day clamped to the month's last. */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms)
  const day = d.getUTCDate()
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() + months)
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()
  d.setUTCDate(Math.min(day, last))
  return d.getTime()
}

export interface RetentionSubject {
  statusKind: StatusKind
  /** Epoch ms; null while open. */
  closedAt: number | null
  legalHold: boolean
  /** Epoch ms of an earlier anonymisation: it is not due again. */
  anonymisedAt?: number | null
}

/** What retention asks of this request at `now`: deletion first, else anonymisation, else nothing. */
export function retentionDue(
  request: RetentionSubject,
  rule: RetentionRule,
  now: number,
): 'anonymise' | 'delete' | null {
  if (request.statusKind !== 'closed' || request.closedAt === null || request.legalHold) return null
  const past = (months: number | null) => months !== null && addMonths(request.closedAt!, months) <= now
  if (past(rule.deleteAfterClosedMonths)) return 'delete'
  if (past(rule.anonymiseAfterClosedMonths) && !request.anonymisedAt) return 'anonymise'
  return null
}
