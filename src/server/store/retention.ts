/**
 * Retention on the server: closed requests past their category's limits are anonymised
 * (or deleted, when the policy says so and no legal hold keeps them), and access-log
 * entries past `accessLogMonths` are purged through the gate. `planRetention` says what
 * `applyRetention` would do, without doing it.
 */
import type { PrivacyContext, PrivacyPolicy, RetentionPlan } from './privacyContext'

/** What retention runs with: the authority's defaults (categories may set their own) and the log's months. */
export type ServerRetentionPolicy = Pick<PrivacyPolicy, 'retention' | 'accessLogMonths'>

/** What a run did. */
export interface RetentionReport {
  /** Epoch ms of the run. */
  at: number
  anonymised: number
  deleted: number
  /** Due, but kept by a legal hold. */
  held: number
  accessLogPurged: number
}

export async function planRetention(
  _ctx: PrivacyContext,
  _policy: ServerRetentionPolicy,
  _now: number,
): Promise<RetentionPlan> {
  throw new Error('not implemented: planRetention')
}

export async function applyRetention(
  _ctx: PrivacyContext,
  _policy: ServerRetentionPolicy,
  _now: number,
): Promise<RetentionReport> {
  throw new Error('not implemented: applyRetention')
}
