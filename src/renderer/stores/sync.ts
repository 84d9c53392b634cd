/**
 * The console's sync with the central server as the agent sees it: the status (kept fresh
 * by the core's `sync.changed` pushes), "sync now", typing the password again when the
 * server's session expired, and the inbox of changes in conflict.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Conflict, SyncStatus } from '../../shared/sync'
import { invoke, on, type ApiErrorCode } from '../api'
import { noteApiError } from './session'

export type ResolveChoice = 'mine' | 'theirs' | 'merge'
export type FieldChoice = 'mine' | 'theirs'

/** The last conflict settled, for the confirmation line. */
export interface Resolved {
  reference: string
  /** `rejected`: a change the server refused for good, dropped by the agent. */
  kind: Conflict['kind']
  choice: ResolveChoice
  /** True when the agent's change (or part of it) goes back to the server. */
  requeued: boolean
}

export const useSyncStore = defineStore('sync', () => {
  const status = shallowRef<SyncStatus | null>(null)
  /** `sync.status` could not be read (the core is older, or unreachable). */
  const loadError = ref<ApiErrorCode | null>(null)
  /** A `sync.now` call of ours is running. */
  const syncing = ref(false)
  const syncError = ref<ApiErrorCode | null>(null)

  const reauthBusy = ref(false)
  /** Why the password was not accepted: a refused call, or the core's own words. */
  const reauthError = shallowRef<{ code: ApiErrorCode } | { message: string } | null>(null)

  const conflicts = shallowRef<Conflict[]>([])
  const conflictsLoading = ref(false)
  const conflictsError = ref<ApiErrorCode | null>(null)
  const resolving = ref<string | null>(null)
  const resolveError = shallowRef<{ id: string; code: ApiErrorCode } | null>(null)
  const resolved = shallowRef<Resolved | null>(null)

  const conflictCount = computed(() => status.value?.conflicts ?? 0)
  const needsReauth = computed(() => status.value?.state === 'auth_required')

  function apply(next: SyncStatus) {
    status.value = next
    loadError.value = null
  }

  /** Pushed statuses seen so far: a read answered after a push is older than it. */
  let pushes = 0

  async function load() {
    const before = pushes
    try {
      const read = await invoke('sync.status', {})
      // The core pushed a newer status while this read was on its way: keep the newer one.
      if (pushes === before) apply(read)
    } catch (e) {
      loadError.value = noteApiError(e)
    }
  }

  /** Follow the core's pushes; returns the unsubscribe. */
  function listen(): () => void {
    return on('sync.changed', (payload) => {
      pushes++
      apply(payload)
    })
  }

  /** Push and pull now; a failure of the round itself comes back in `status.lastError`. */
  async function syncNow() {
    if (syncing.value) return
    syncing.value = true
    syncError.value = null
    try {
      apply(await invoke('sync.now', {}))
    } catch (e) {
      syncError.value = noteApiError(e)
    } finally {
      syncing.value = false
    }
  }

  /** Resolves true when the server took the password (the state left `auth_required`). */
  async function reauth(password: string): Promise<boolean> {
    if (reauthBusy.value) return false
    reauthBusy.value = true
    reauthError.value = null
    try {
      const next = await invoke('sync.reauth', { password })
      apply(next)
      if (next.state !== 'auth_required') return true
      reauthError.value = next.lastError ? { message: next.lastError } : { code: 'bad_credentials' }
      return false
    } catch (e) {
      reauthError.value = { code: noteApiError(e) }
      return false
    } finally {
      reauthBusy.value = false
    }
  }

  async function loadConflicts() {
    conflictsLoading.value = true
    conflictsError.value = null
    try {
      conflicts.value = await invoke('conflicts.list', {})
    } catch (e) {
      conflictsError.value = noteApiError(e)
    } finally {
      conflictsLoading.value = false
    }
  }

  /** Settle one conflict, then show the inbox and the count as they are now. */
  async function resolve(
    conflict: Conflict,
    choice: ResolveChoice,
    fields: Record<string, FieldChoice> = {},
  ): Promise<boolean> {
    if (resolving.value) return false
    resolving.value = conflict.id
    resolveError.value = null
    resolved.value = null
    try {
      const answer = await invoke('conflicts.resolve', {
        id: conflict.id,
        choice,
        fields: choice === 'merge' ? fields : {},
      })
      resolved.value = {
        reference: conflict.reference,
        kind: conflict.kind,
        choice,
        requeued: answer.requeued,
      }
      await Promise.all([loadConflicts(), load()])
      return true
    } catch (e) {
      resolveError.value = { id: conflict.id, code: noteApiError(e) }
      return false
    } finally {
      resolving.value = null
    }
  }

  function clearResolved() {
    resolved.value = null
    resolveError.value = null
  }

  function reset() {
    status.value = null
    loadError.value = null
    syncError.value = null
    reauthError.value = null
    conflicts.value = []
    conflictsError.value = null
    resolveError.value = null
    resolved.value = null
  }

  return {
    status,
    loadError,
    syncing,
    syncError,
    reauthBusy,
    reauthError,
    conflicts,
    conflictsLoading,
    conflictsError,
    resolving,
    resolveError,
    resolved,
    conflictCount,
    needsReauth,
    load,
    listen,
    syncNow,
    reauth,
    loadConflicts,
    resolve,
    clearResolved,
    reset,
  }
})
