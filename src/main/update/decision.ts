/**
 * What the console does about an update, from the facts: pure, so each case is tested
 * without a server or Electron (issue 17: available / not / blocked by policy / pending).
 */
import { gt } from 'semver'

export interface UpdateFacts {
  /** `update.enabled`: false when IT deploys with its own tools. */
  enabled: boolean
  /** `update.url`; null: no update server. */
  url: string | null
  currentVersion: string
  /** The version the feed offers; null before any look or when it failed. */
  offered: string | null
}

export type UpdateDecision =
  | { kind: 'disabled' }
  | { kind: 'unconfigured' }
  | { kind: 'up_to_date' }
  | { kind: 'available'; version: string }

/** Whether to look at all, and what the last feed means. */
export function decideUpdate(facts: UpdateFacts): UpdateDecision {
  if (!facts.enabled) return { kind: 'disabled' }
  if (!facts.url) return { kind: 'unconfigured' }
  if (facts.offered === null || !gt(facts.offered, facts.currentVersion)) return { kind: 'up_to_date' }
  return { kind: 'available', version: facts.offered }
}

/**
 * Whether a restart may install now. Changes still in the outbox would be sent by the new
 * version only if its protocol reads them the same way: they are pushed first, always.
 */
export function restartRefusal(pendingChanges: number): string | null {
  if (pendingChanges === 0) return null
  return pendingChanges === 1
    ? 'Une modification attend d’être envoyée au serveur : la mise à jour sera installée après son envoi.'
    : `${pendingChanges} modifications attendent d’être envoyées au serveur : la mise à jour sera installée après leur envoi.`
}
