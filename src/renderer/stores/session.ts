/**
 * Who is logged in, and what their roles let the UI offer (the core enforces it again);
 * the idle lock: the core locks the session after inactivity, this store shows it and
 * unlocks it with the agent's password.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { SessionInfo } from '../../shared/contract'
import type { Role } from '../../shared/domain'
import { ApiError, errorCodeOf, invoke, on, type ApiErrorCode } from '../api'

/**
 * Roles the core gives citizen contact details to by default (`privacy.citizenDataRoles`):
 * only used when the core has not said (`SessionInfo.citizenData`), which it does from the
 * configuration or the server's policy, so this list cannot drift from them.
 */
const CITIZEN_ROLES: readonly Role[] = ['agent', 'lead', 'supervisor', 'dpo']

/** A refused login or unlock: the code, and the core's own sentence when it wrote one. */
export interface AuthFailure {
  code: ApiErrorCode
  /** The core's words (French); empty when the refusal came from this side of the wire. */
  coreMessage: string
  details?: unknown
}

export function authFailureOf(error: unknown): AuthFailure {
  if (!(error instanceof ApiError)) return { code: 'internal', coreMessage: '' }
  return {
    code: error.code,
    coreMessage: error.origin === 'core' ? error.message : '',
    ...(error.details === undefined ? {} : { details: error.details }),
  }
}

export const useSessionStore = defineStore('session', () => {
  const session = shallowRef<SessionInfo | null>(null)
  /** False until we know whether a session already exists (avoids a login-screen flash). */
  const ready = ref(false)
  const busy = ref(false)
  /** Why the last login failed, or why the agent is back on the login screen. */
  const error = shallowRef<AuthFailure | null>(null)

  const locked = computed(() => session.value?.locked === true)
  const unlockBusy = ref(false)
  const unlockError = shallowRef<AuthFailure | null>(null)
  /**
   * Some call was refused because the session was locked: what the shell shows may be
   * stale, so it reads it again once unlocked.
   */
  const refusedWhileLocked = ref(false)

  const hasRole = (...roles: Role[]) => roles.some((r) => session.value?.roles.includes(r) ?? false)
  /** The session may read citizens and ask for their contact details (the core checks again). */
  const canSeeCitizen = computed(() => session.value?.citizenData ?? hasRole(...CITIZEN_ROLES))

  /** Leads assign within their own teams; supervisors and admins anywhere. */
  function canAssign(teamId: string): boolean {
    if (hasRole('supervisor', 'admin')) return true
    return hasRole('lead') && (session.value?.teamIds.includes(teamId) ?? false)
  }

  async function restore() {
    try {
      session.value = await invoke('session.current', {})
    } catch (e) {
      error.value = authFailureOf(e)
    } finally {
      ready.value = true
    }
  }

  async function login(login: string, password: string): Promise<boolean> {
    busy.value = true
    error.value = null
    try {
      session.value = await invoke('session.login', { login, password })
      unlockError.value = null
      refusedWhileLocked.value = false
      return true
    } catch (e) {
      error.value = authFailureOf(e)
      return false
    } finally {
      busy.value = false
    }
  }

  async function logout() {
    try {
      await invoke('session.logout', {})
    } catch {
      // Leaving anyway: the core forgets sessions it cannot find.
    }
    session.value = null
    error.value = null
    unlockError.value = null
  }

  /** The core said the session is gone: back to the login screen, saying why. */
  function expire() {
    session.value = null
    error.value = { code: 'unauthenticated', coreMessage: '' }
  }

  /** The core refused a call because the session is locked: show the lock screen. */
  function noteLocked() {
    refusedWhileLocked.value = true
    if (session.value && !session.value.locked) session.value = { ...session.value, locked: true }
  }

  /** Resolves true once the core took the password and the session is open again. */
  async function unlock(password: string): Promise<boolean> {
    if (unlockBusy.value) return false
    unlockBusy.value = true
    unlockError.value = null
    try {
      const next = await invoke('session.unlock', { password })
      session.value = next
      return next.locked !== true
    } catch (e) {
      // An unknown session sends the agent to the login screen (noteApiError); others stay here.
      if (noteApiError(e) !== 'unauthenticated') unlockError.value = authFailureOf(e)
      return false
    } finally {
      unlockBusy.value = false
    }
  }

  /** True (once) when calls were refused during the lock that just ended. */
  function takeRefusedWhileLocked(): boolean {
    const refused = refusedWhileLocked.value
    refusedWhileLocked.value = false
    return refused
  }

  function listen(): () => void {
    return on('session.changed', (payload) => {
      session.value = payload.session
    })
  }

  return {
    session,
    ready,
    busy,
    error,
    locked,
    unlockBusy,
    unlockError,
    refusedWhileLocked,
    hasRole,
    canSeeCitizen,
    canAssign,
    restore,
    login,
    logout,
    expire,
    noteLocked,
    unlock,
    takeRefusedWhileLocked,
    listen,
  }
})

/**
 * Stores call this with any refused operation: an expired session sends the agent to
 * login, a locked one brings up the lock screen.
 */
export function noteApiError(error: unknown): ApiErrorCode {
  const code = errorCodeOf(error)
  if (code === 'unauthenticated') useSessionStore().expire()
  else if (code === 'session_locked') useSessionStore().noteLocked()
  return code
}
