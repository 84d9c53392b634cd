/**
 * The request open in the detail pane: the request itself, its history, comments, what
 * the agent may do with it, and the citizen block for roles that may see it. Every change
 * goes through the core, then the detail, the list row and the counts are refreshed.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type {
  Citizen,
  Comment,
  CommentKind,
  HistoryEvent,
  RequestDetail,
  TransitionAvailability,
  TransitionOption,
} from '../../shared/domain'
import type { RequestPatch } from '../../shared/sync'
import type { TransitionField } from '../../shared/workflow'
import { ApiError, invoke, type ApiErrorCode } from '../api'
import { summaryOf, useQueueStore } from './queue'
import { noteApiError, useSessionStore } from './session'

/** `hidden`: the role may not see citizens, so the block is not shown at all. */
export type CitizenState = 'hidden' | 'loading' | 'shown' | 'anonymous' | 'forbidden' | 'error'

/** A refusal to show next to the control that caused it. */
export interface ActionError {
  code: ApiErrorCode
  message: string
}

/** What just succeeded, for the status line. */
export type Notice =
  | { kind: 'transitioned'; option: TransitionOption }
  | { kind: 'assigned'; agentId: string }
  | { kind: 'unassigned' }
  | { kind: 'commented' }
  | { kind: 'edited' }

const toActionError = (e: unknown): ActionError => ({
  code: noteApiError(e),
  message: e instanceof ApiError ? e.message : '',
})

export const useDetailStore = defineStore('detail', () => {
  const openId = ref<string | null>(null)
  const detail = shallowRef<RequestDetail | null>(null)
  const history = shallowRef<HistoryEvent[]>([])
  const comments = shallowRef<Comment[]>([])
  const transitions = shallowRef<TransitionAvailability | null>(null)
  const citizen = shallowRef<Citizen | null>(null)
  const citizenState = ref<CitizenState>('hidden')
  const loading = ref(false)
  const loadError = ref<ApiErrorCode | null>(null)

  /** The transition whose inline form is open. */
  const pending = shallowRef<TransitionOption | null>(null)
  const transitionError = ref<ActionError | null>(null)
  const assignError = ref<ActionError | null>(null)
  const commentError = ref<ActionError | null>(null)
  const editError = ref<ActionError | null>(null)
  /** Last success, read out by a status region ("Statut changé : Rejetée."). */
  const notice = shallowRef<Notice | null>(null)
  const busy = ref(false)

  // Opening another request while one loads must not show the first one's answers.
  let token = 0

  async function fetchAll(id: string, mine: number) {
    const [d, h, c, t] = await Promise.all([
      invoke('request.get', { id }),
      invoke('request.history', { id }),
      invoke('request.comments', { id }),
      invoke('request.transitions', { id }),
    ])
    if (mine !== token) return false
    detail.value = d
    history.value = h
    comments.value = c
    transitions.value = t
    return true
  }

  /** Open a request in the detail pane. */
  async function open(id: string) {
    const mine = ++token
    openId.value = id
    loading.value = true
    loadError.value = null
    pending.value = null
    transitionError.value = assignError.value = commentError.value = editError.value = null
    notice.value = null
    detail.value = null
    citizen.value = null
    citizenState.value = 'hidden'
    try {
      if (!(await fetchAll(id, mine))) return
    } catch (e) {
      if (mine === token) loadError.value = noteApiError(e)
      return
    } finally {
      if (mine === token) loading.value = false
    }
    await loadCitizen(id, mine)
  }

  // Loaded once per opening, not on every refresh: each read is written to the access log.
  async function loadCitizen(id: string, mine: number) {
    if (!useSessionStore().canSeeCitizen) return
    if (!detail.value?.hasCitizen) {
      citizenState.value = 'anonymous'
      return
    }
    citizenState.value = 'loading'
    try {
      const answer = await invoke('request.citizen', { id })
      if (mine !== token) return
      citizen.value = answer
      citizenState.value = answer ? 'shown' : 'anonymous'
    } catch (e) {
      if (mine !== token) return
      citizenState.value = noteApiError(e) === 'forbidden' ? 'forbidden' : 'error'
    }
  }

  /** Reload the open request (after a change, or when the core says it changed). */
  async function refresh() {
    const id = openId.value
    if (!id) return
    const mine = token
    try {
      await fetchAll(id, mine)
    } catch (e) {
      if (mine === token) loadError.value = noteApiError(e)
    }
  }

  function close() {
    token++
    openId.value = null
    detail.value = null
    pending.value = null
    citizen.value = null
    citizenState.value = 'hidden'
    loading.value = false
    loadError.value = null
  }

  // After any change: the detail, its row in the list and the counts all show it.
  async function afterChange(updated: RequestDetail) {
    detail.value = updated
    const queue = useQueueStore()
    queue.replaceRow(summaryOf(updated))
    await Promise.all([refresh(), queue.refreshCounts()])
  }

  /**
   * Open the inline form of a transition that needs fields, or fire one that needs none.
   * Resolves true when a transition was fired and accepted.
   */
  async function chooseTransition(option: TransitionOption): Promise<boolean> {
    transitionError.value = null
    if (option.requires.length > 0) {
      pending.value = option
      return false
    }
    pending.value = null
    return fireTransition(option, {})
  }

  function cancelTransition() {
    pending.value = null
    transitionError.value = null
  }

  /** Fire a transition with its fields; on refusal the form stays open with the error beside it. */
  async function fireTransition(option: TransitionOption, fields: Partial<Record<TransitionField, string>>) {
    const current = detail.value
    if (!current || busy.value) return false
    busy.value = true
    transitionError.value = null
    try {
      const updated = await invoke('request.transition', {
        id: current.id,
        transitionId: option.id,
        fields,
        baseVersion: current.version,
      })
      pending.value = null
      notice.value = { kind: 'transitioned', option }
      await afterChange(updated)
      return true
    } catch (e) {
      transitionError.value = toActionError(e)
      // A stale version means someone else moved it: show what it is now.
      if (transitionError.value.code === 'version_conflict') await refresh()
      return false
    } finally {
      busy.value = false
    }
  }

  /** Assign the open request to an agent of its team, or to nobody. */
  async function assign(assigneeId: string | null) {
    const current = detail.value
    if (!current || busy.value) return false
    busy.value = true
    assignError.value = null
    try {
      const updated = await invoke('request.assign', {
        id: current.id,
        assigneeId,
        baseVersion: current.version,
      })
      notice.value = assigneeId ? { kind: 'assigned', agentId: assigneeId } : { kind: 'unassigned' }
      await afterChange(updated)
      return true
    } catch (e) {
      assignError.value = toActionError(e)
      if (assignError.value.code === 'version_conflict') await refresh()
      return false
    } finally {
      busy.value = false
    }
  }

  /** Add an internal note or a public reply. */
  async function addComment(kind: CommentKind, body: string) {
    const current = detail.value
    if (!current || busy.value) return false
    busy.value = true
    commentError.value = null
    try {
      const comment = await invoke('request.comment', { id: current.id, kind, body })
      comments.value = [...comments.value, comment]
      notice.value = { kind: 'commented' }
      await Promise.all([refresh(), useQueueStore().refreshRows([current.id])])
      return true
    } catch (e) {
      commentError.value = toActionError(e)
      return false
    } finally {
      busy.value = false
    }
  }

  /**
   * Edit the request's own fields (only those the agent changed). A stale version is
   * refused by the core: the request is reloaded and the form keeps what was typed.
   */
  async function update(patch: RequestPatch) {
    const current = detail.value
    if (!current || busy.value) return false
    busy.value = true
    editError.value = null
    try {
      const updated = await invoke('request.update', { id: current.id, patch, baseVersion: current.version })
      notice.value = { kind: 'edited' }
      await afterChange(updated)
      return true
    } catch (e) {
      editError.value = toActionError(e)
      if (editError.value.code === 'version_conflict') await refresh()
      return false
    } finally {
      busy.value = false
    }
  }

  function clearEditError() {
    editError.value = null
  }

  /** Refusals because the session was locked say nothing once it is unlocked: the agent just tries again. */
  function forgetLockRefusals() {
    const stale = (error: ActionError | null) => (error?.code === 'session_locked' ? null : error)
    transitionError.value = stale(transitionError.value)
    assignError.value = stale(assignError.value)
    commentError.value = stale(commentError.value)
    editError.value = stale(editError.value)
  }

  return {
    openId,
    detail,
    history,
    comments,
    transitions,
    citizen,
    citizenState,
    loading,
    loadError,
    pending,
    transitionError,
    assignError,
    commentError,
    editError,
    notice,
    busy,
    open,
    refresh,
    close,
    chooseTransition,
    cancelTransition,
    fireTransition,
    assign,
    addComment,
    update,
    clearEditError,
    forgetLockRefusals,
  }
})
