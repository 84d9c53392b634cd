/** Who is logged in, and what their roles let the UI offer (the core enforces it again). */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { SessionInfo } from '../../shared/contract'
import type { Role } from '../../shared/domain'
import { errorCodeOf, invoke, on, type ApiErrorCode } from '../api'

/** Roles the core gives citizen contact details to (it refuses the others). */
const CITIZEN_ROLES: readonly Role[] = ['agent', 'lead', 'supervisor', 'dpo']

export const useSessionStore = defineStore('session', () => {
  const session = shallowRef<SessionInfo | null>(null)
  /** False until we know whether a session already exists (avoids a login-screen flash). */
  const ready = ref(false)
  const busy = ref(false)
  const error = ref<ApiErrorCode | null>(null)

  const hasRole = (...roles: Role[]) => roles.some((r) => session.value?.roles.includes(r) ?? false)
  const canSeeCitizen = computed(() => hasRole(...CITIZEN_ROLES))

  /** Leads assign within their own teams; supervisors and admins anywhere. */
  function canAssign(teamId: string): boolean {
    if (hasRole('supervisor', 'admin')) return true
    return hasRole('lead') && (session.value?.teamIds.includes(teamId) ?? false)
  }

  async function restore() {
    try {
      session.value = await invoke('session.current', {})
    } catch (e) {
      error.value = errorCodeOf(e)
    } finally {
      ready.value = true
    }
  }

  async function login(login: string, password: string): Promise<boolean> {
    busy.value = true
    error.value = null
    try {
      session.value = await invoke('session.login', { login, password })
      return true
    } catch (e) {
      error.value = errorCodeOf(e)
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
  }

  /** The core said the session is gone: back to the login screen, saying why. */
  function expire() {
    session.value = null
    error.value = 'unauthenticated'
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
    hasRole,
    canSeeCitizen,
    canAssign,
    restore,
    login,
    logout,
    expire,
    listen,
  }
})

/** Stores call this with any refused operation: an expired session sends the agent to login. */
export function noteApiError(error: unknown): ApiErrorCode {
  const code = errorCodeOf(error)
  if (code === 'unauthenticated') useSessionStore().expire()
  return code
}
