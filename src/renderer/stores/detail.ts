/**
 * The request open in the detail pane: the request itself, its history, comments, what
 * the agent may do with it, and the citizen block for roles that may see it. Every change
 * goes through the core, then the detail, the list row and the counts are refreshed.
 *
 * Contact details are never loaded on opening: the agent asks for them with a purpose
 * (`showCitizen`), the server logs it, and hiding them or leaving the request tells the core
 * to forget what it need not keep (`request.releaseCitizen`).
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type {
  ActionAvailability,
  Comment,
  CommentKind,
  HistoryEvent,
  RequestActionName,
  RequestDetail,
  TransitionAvailability,
  TransitionOption,
} from '../../shared/domain'
import type { CitizenContact, ContactPurpose } from '../../shared/privacy'
import type { RequestPatch } from '../../shared/sync'
import type { TransitionField } from '../../shared/workflow'
import { ApiError, invoke, type ApiErrorCode } from '../api'
import { summaryOf, useQueueStore } from './queue'
import { noteApiError } from './session'

/**
 * The citizen block: `hidden` while no request is shown; `not_allowed`: the role may not read
 * citizens (the block says so); `idle`: the button and its purpose; `unavailable`: offline
 * and this console may not show them from its cache.
 */
export type CitizenState =
  | 'hidden'
  | 'not_allowed'
  | 'anonymous'
  | 'idle'
  | 'loading'
  | 'shown'
  | 'forbidden'
  | 'unavailable'
  | 'error'

/** A refusal to show next to the control that caused it. */
export interface ActionError {
  code: ApiErrorCode
  message: string
  /** The core's details (blocked reasons, input issues), read for the fields it refused. */
  details?: unknown
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/**
 * The transition fields a refusal names: a `missing_field` reason of the workflow, or an
 * input issue under `fields.<name>`. The form marks them invalid and points them at the message.
 */
export function refusedFields(error: ActionError | null): string[] {
  const details = error?.details
  if (!isRecord(details)) return []
  const named = new Set<string>()
  for (const reason of Array.isArray(details.reasons) ? details.reasons : [])
    if (isRecord(reason) && reason.code === 'missing_field' && typeof reason.field === 'string')
      named.add(reason.field)
  for (const issue of Array.isArray(details.issues) ? details.issues : []) {
    const path = isRecord(issue) && typeof issue.path === 'string' ? issue.path.split('.') : []
    if (path[0] === 'fields' && path[1]) named.add(path[1])
  }
  return [...named]
}

/** What just succeeded, for the status line. */
export type Notice =
  | { kind: 'transitioned'; option: TransitionOption }
  | { kind: 'assigned'; agentId: string }
  | { kind: 'unassigned' }
  | { kind: 'commented' }
  | { kind: 'edited' }

/** The core said nothing (a detail from a list, not opened): nothing is offered. */
const UNSAID: ActionAvailability = { allowed: false, refusal: 'role' }

/**
 * What the core says this session may do on `current` (`RequestDetail.actions`): the one
 * source the detail pane reads to show, disable or leave out each control.
 */
export function actionOf(current: RequestDetail | null, name: RequestActionName): ActionAvailability {
  return current?.actions?.[name] ?? UNSAID
}

const toActionError = (e: unknown): ActionError => ({
  code: noteApiError(e),
  message: e instanceof ApiError ? e.message : '',
  ...(e instanceof ApiError && e.details !== undefined ? { details: e.details } : {}),
})

export const useDetailStore = defineStore('detail', () => {
  const openId = ref<string | null>(null)
  const detail = shallowRef<RequestDetail | null>(null)
  const history = shallowRef<HistoryEvent[]>([])
  const comments = shallowRef<Comment[]>([])
  const transitions = shallowRef<TransitionAvailability | null>(null)
  const citizen = shallowRef<CitizenContact | null>(null)
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
  /** The request whose contact details were asked for in this opening: released on leaving it. */
  let askedFor: string | null = null

  /** Tell the core the details shown for that request are no longer on screen. */
  function release() {
    const id = askedFor
    askedFor = null
    if (id) invoke('request.releaseCitizen', { id }).catch(() => undefined)
  }

  /**
   * What the block shows for the request as it is now (before any details are asked for),
   * as the core decided it: never for this role, none to show (anonymous), or on demand.
   */
  function citizenStateOf(current: RequestDetail | null): CitizenState {
    if (!current) return 'hidden'
    const read = actionOf(current, 'readCitizen')
    if (read.allowed) return 'idle'
    return read.refusal === 'state' ? 'anonymous' : 'not_allowed'
  }

  /** The open request's answer for one action (see `actionOf`). */
  const action = (name: RequestActionName) => actionOf(detail.value, name)

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
    release()
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
    citizenState.value = citizenStateOf(detail.value)
  }

  /**
   * The agent pressed « Afficher les coordonnées » with a purpose: asked of the core (the
   * server logs the delivery with it; offline, the agent's own open request only).
   */
  async function showCitizen(purpose: ContactPurpose) {
    const id = openId.value
    if (!id || !action('readCitizen').allowed) return
    const mine = token
    askedFor = id
    citizenState.value = 'loading'
    try {
      const answer = await invoke('request.citizenContact', { id, purpose })
      if (mine !== token) return
      citizen.value = answer
      citizenState.value = answer ? 'shown' : 'anonymous'
    } catch (e) {
      if (mine !== token) return
      const code = noteApiError(e)
      citizenState.value =
        code === 'forbidden' ? 'forbidden' : code === 'server_unavailable' ? 'unavailable' : 'error'
    }
  }

  /** « Masquer »: off the screen, and the core drops what it need not keep. */
  function hideCitizen() {
    citizen.value = null
    citizenState.value = citizenStateOf(detail.value)
    release()
  }

  /** Reload the open request (after a change, or when the core says it changed). */
  async function refresh() {
    const id = openId.value
    if (!id) return
    const mine = token
    try {
      if (!(await fetchAll(id, mine))) return
    } catch (e) {
      if (mine === token) loadError.value = noteApiError(e)
      return
    }
    // The citizen was detached (erased, anonymised) or the role changed: nothing left to show.
    const now = citizenStateOf(detail.value)
    if (now !== 'idle' && citizenState.value !== now) {
      citizen.value = null
      citizenState.value = now
      release()
    } else if (citizenState.value === 'hidden') citizenState.value = now
  }

  function close() {
    token++
    release()
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
    action,
    showCitizen,
    hideCitizen,
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
