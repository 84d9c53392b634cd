/**
 * The fields a transition asks for (a rejection's reason, a visit's date…), read from what
 * the agent typed: trimmed, a visit date turned into an instant, only the fields the
 * workflow knows. Shared by the request's own transition form and the bulk actions.
 */
import { TRANSITION_FIELDS, type TransitionField } from '../../shared/workflow'

const isKnown = (field: string): field is TransitionField =>
  (TRANSITION_FIELDS as readonly string[]).includes(field)

/** A datetime-local value is local wall time; the core stores instants. */
function toInstant(local: string): string | null {
  const time = new Date(local)
  return Number.isNaN(time.getTime()) ? null : time.toISOString()
}

export type CollectedFields =
  { ok: true; fields: Partial<Record<TransitionField, string>> } | { ok: false; missing: string }

export function collectTransitionFields(
  requires: readonly string[],
  typed: Readonly<Record<string, string | undefined>>,
): CollectedFields {
  const fields: Partial<Record<TransitionField, string>> = {}
  for (const field of requires) {
    const raw = (typed[field] ?? '').trim()
    const value = field === 'scheduledFor' && raw ? toInstant(raw) : raw
    if (!value) return { ok: false, missing: field }
    if (isKnown(field)) fields[field] = value
  }
  return { ok: true, fields }
}
