/**
 * The request open in the detail pane: the request itself, its history, comments, what
 * the agent may do with it, and the citizen block for roles that may see it.
 *
 * One owner of refresh: an action applies the detail the core answers (here and on its list
 * row) and reads nothing else; the core's `requests.changed` event is the only trigger for
 * other reads (`followChanges`), batched, and this console's own write is not read again.
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
import { countsMayMove, summaryOf, useQueueStore } from './queue'
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

/**
 * How long an answered write of this console waits for its own change event. The core emits
 * it while answering, so it comes within moments; past this, an event is someone else's.
 */
const OWN_EVENT_WAIT_MS = 5000

/** A write of this console to one request: in flight, then answered (or forgotten on refusal). */
interface OwnWrite {
  settled: Promise<unknown>
  answeredAt: number | null
  /** Whether the counts could move (compared before and after). */
  counts: boolean
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
    useQueueStore().replaceRow(summaryOf(d))
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

  // ── Own writes and change events ─────────────────────────────────────────────
  const ownWrites = new Map<string, OwnWrite>()

  /**
   * Send one write on the open request and apply the detail the core answers, on the pane and
   * on its list row: nothing is read. The write is remembered, so its own change event brings
   * only what the answer does not hold (history, allowed steps).
   */
  async function write(current: RequestDetail, send: () => Promise<RequestDetail>): Promise<RequestDetail> {
    const queue = useQueueStore()
    const before = queue.rows.find((r) => r.id === current.id) ?? summaryOf(current)
    const sent = send()
    const own: OwnWrite = { settled: sent.catch(() => undefined), answeredAt: null, counts: true }
    ownWrites.set(current.id, own)
    try {
      const updated = await sent
      own.answeredAt = Date.now()
      own.counts = countsMayMove(queue.filter, before, summaryOf(updated))
      if (current.id === openId.value) detail.value = updated
      queue.replaceRow(summaryOf(updated))
      return updated
    } catch (e) {
      if (ownWrites.get(current.id) === own) ownWrites.delete(current.id)
      throw e
    }
  }

  /**
   * A write on the open request made by another panel (a duplicate link): its answer is
   * applied the same way, and its change event reads only what the answer lacks.
   */
  function applyWrite(send: () => Promise<RequestDetail>): Promise<RequestDetail> {
    const current = detail.value
    if (!current) return Promise.reject(new ApiError('not_found', 'no request is open'))
    return write(current, send)
  }

  /** The event of this console's own answered write, taken once (an older one is someone else's). */
  function takeOwnWrite(id: string): OwnWrite | null {
    const own = ownWrites.get(id)
    if (!own || own.answeredAt === null) return null
    ownWrites.delete(id)
    return Date.now() - own.answeredAt <= OWN_EVENT_WAIT_MS ? own : null
  }

  /** What the detail's answer lacks after the agent's own write: the new history and steps. */
  async function refreshAfterOwnWrite(id: string) {
    const mine = token
    try {
      const [h, t] = await Promise.all([
        invoke('request.history', { id }),
        invoke('request.transitions', { id }),
      ])
      if (mine !== token || openId.value !== id) return
      history.value = h
      transitions.value = t
    } catch (e) {
      noteApiError(e)
    }
  }

  let batch = new Set<string>()
  let following: Promise<void> | null = null

  /**
   * The core says requests changed. Events arriving together are read once: while one batch
   * is being read, the next ones gather and are read after it (never two reads of a row at
   * once). Own writes: their row is not read again, the counts only if the change could move
   * them. Others: rows on screen in one `request.getMany`, the open request in full, counts.
   */
  function followChanges(ids: readonly string[]): Promise<void> {
    useQueueStore().noteArrivals(ids)
    for (const id of ids) batch.add(id)
    // An event with no ids (a reset) still means the counts and first page may be stale.
    if (ids.length === 0) batch.add('')
    if (!following) following = Promise.resolve().then(drain)
    return following
  }

  async function drain() {
    while (batch.size > 0) {
      const ids = [...batch].filter((id) => id !== '')
      batch = new Set()
      await readChanges(ids)
    }
    following = null
  }

  async function readChanges(ids: string[]) {
    const queue = useQueueStore()
    // An event may overtake the answer of the write that caused it: wait for that answer.
    await Promise.all(ids.map((id) => ownWrites.get(id)?.settled))
    const others: string[] = []
    let counts = false
    const reads: Promise<unknown>[] = []
    for (const id of ids) {
      const own = takeOwnWrite(id)
      if (own) {
        counts ||= own.counts
        if (id === openId.value) reads.push(refreshAfterOwnWrite(id))
      } else {
        others.push(id)
        counts = true
      }
    }
    const open = openId.value
    if (open && others.includes(open)) reads.push(refresh())
    reads.push(
      queue.noteChanged(
        others.filter((id) => id !== open),
        { counts: counts || ids.length === 0 },
      ),
    )
    await Promise.all(reads)
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
      await write(current, () =>
        invoke('request.transition', {
          id: current.id,
          transitionId: option.id,
          fields,
          baseVersion: current.version,
        }),
      )
      pending.value = null
      notice.value = { kind: 'transitioned', option }
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
      await write(current, () =>
        invoke('request.assign', { id: current.id, assigneeId, baseVersion: current.version }),
      )
      notice.value = assigneeId ? { kind: 'assigned', agentId: assigneeId } : { kind: 'unassigned' }
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
      // The row's « updated » time and the history follow with the core's change event.
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
      await write(current, () =>
        invoke('request.update', { id: current.id, patch, baseVersion: current.version }),
      )
      notice.value = { kind: 'edited' }
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
    followChanges,
    applyWrite,
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
