/**
 * Tell the core who this agent is on (issue 15): viewing the open request, renewed while it
 * stays open, editing a field while one of its controls has the focus, `left` when the
 * detail closes, shows another request, or the window goes away. Best effort: a refusal
 * or an unreachable server changes nothing on screen (the mark runs out by itself).
 */
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue'
import { invoke } from '../../api'
import { PRESENCE_LIMITS, type PresenceField } from '../../../shared/presence'

/** The detail's controls (by id) whose focus means « editing that part of the request ». */
const FIELD_OF_CONTROL: Readonly<Record<string, PresenceField>> = {
  'edit-title': 'title',
  'edit-description': 'description',
  'edit-priority': 'priority',
  'edit-address': 'address',
  'assign-select': 'assignee',
  'comment-body': 'comment',
}

const FIRST_RETRY_MS = 2_000

export function fieldOfControl(target: EventTarget | null): PresenceField | null {
  if (!(target instanceof HTMLElement)) return null
  return FIELD_OF_CONTROL[target.id] ?? (target.closest('#transition-form') ? 'transition' : null)
}

export function usePresenceReport(requestId: Ref<string>): void {
  /** What the core was last told for the open request: '' (viewing) or the field edited. */
  let told: string | null = null
  let field: PresenceField | null = null
  let renewal: ReturnType<typeof setInterval> | null = null
  let retry: ReturnType<typeof setTimeout> | null = null
  let retryMs = FIRST_RETRY_MS

  const send = (id: string, activity: 'viewing' | 'editing' | 'left', edited: PresenceField | null) =>
    invoke('presence.report', { requestId: id, activity, field: edited }).then(
      ({ sent }) => sent,
      () => false,
    )

  /**
   * Not sent (the event stream not open yet, right after login, or the server away): tried
   * again sooner than the renewal, less and less often.
   */
  function retrySoon() {
    if (retry) return
    retry = setTimeout(() => {
      retry = null
      retryMs = Math.min(retryMs * 2, PRESENCE_LIMITS.renewMs)
      if (told !== null) tell(true)
    }, retryMs)
  }

  function tell(again = false) {
    const now = field ?? ''
    if (!again && now === told) return
    told = now
    void send(requestId.value, field ? 'editing' : 'viewing', field).then((sent) => {
      if (sent) retryMs = FIRST_RETRY_MS
      else retrySoon()
    })
  }

  function leave(id: string) {
    if (told === null) return
    told = null
    void send(id, 'left', null)
  }

  /** Where the focus went: a control names its field; the rest of the same form (its buttons) keeps it. */
  function focused(target: EventTarget | null) {
    const next = fieldOfControl(target)
    const sameForm = target instanceof HTMLElement && target.closest('#request-edit-form, #transition-form')
    if (next !== null || !field || !sameForm) field = next
    tell()
  }
  // Focus going from one control to another: focusout names where it goes, so one report.
  const onFocusOut = (e: FocusEvent) => focused(e.relatedTarget)
  const onFocusIn = (e: FocusEvent) => focused(e.target)
  const onPageHide = () => leave(requestId.value)

  watch(requestId, (_next, previous) => {
    leave(previous)
    field = null
    tell()
  })

  onMounted(() => {
    document.addEventListener('focusin', onFocusIn)
    document.addEventListener('focusout', onFocusOut)
    window.addEventListener('pagehide', onPageHide)
    renewal = setInterval(() => tell(true), PRESENCE_LIMITS.renewMs)
    tell()
  })
  onBeforeUnmount(() => {
    document.removeEventListener('focusin', onFocusIn)
    document.removeEventListener('focusout', onFocusOut)
    window.removeEventListener('pagehide', onPageHide)
    if (renewal) clearInterval(renewal)
    if (retry) clearTimeout(retry)
    leave(requestId.value)
  })
}
