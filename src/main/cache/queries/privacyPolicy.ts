/**
 * The privacy policy this console follows: the server's, as its last reference bundle
 * brought it (`sync_state.privacy_policy`, written by apply.ts), else the configuration's
 * (a profile not synced yet, a server that sends none, or a damaged copy).
 */
import type { Role } from '../../../shared/domain'
import { PrivacyPolicy, type RetentionPolicy } from '../../../shared/privacy'
import type { Db } from '../db'
import { getSyncState } from './syncState'

export const PRIVACY_POLICY_KEY = 'privacy_policy'

/** The server's policy as stored, or null. */
export function storedPrivacyPolicy(db: Db): PrivacyPolicy | null {
  const raw = getSyncState(db, PRIVACY_POLICY_KEY)
  if (!raw) return null
  try {
    const parsed = PrivacyPolicy.safeParse(JSON.parse(raw))
    return parsed.success ? parsed.data : null
  } catch {
    // A damaged copy: the configuration's, until the next bundle replaces it.
    return null
  }
}

/** Who may read citizens' data. */
export const citizenDataRolesOf = (db: Db, configured: readonly Role[]): readonly Role[] =>
  storedPrivacyPolicy(db)?.citizenDataRoles ?? configured

/** The retention the server runs, which this cache follows too. */
export const retentionPolicyOf = (db: Db, configured: RetentionPolicy): RetentionPolicy =>
  storedPrivacyPolicy(db)?.retention ?? configured
