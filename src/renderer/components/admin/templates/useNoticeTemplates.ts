/**
 * The « Modèles de réponse » tab's data: every slot as the core reads it from the server,
 * and what the last save or reset answered. A click is one call: the core writes on the
 * server and answers with every slot as it now reads.
 */
import { ref, shallowRef } from 'vue'
import type {
  NoticeTemplates,
  NoticeTemplateSaveInput,
  NoticeTemplateSlot,
} from '../../../../shared/channels/noticeTemplates'
import { invoke } from '../../../api'
import { ApiError } from '../../../apiError'
import { failureOf, type AdminFailure } from '../../../stores/admin'

export interface TemplateConflict {
  message: string
  /** The text now in force on the server, saved by someone else. */
  current: NoticeTemplateSlot | null
}

export function useNoticeTemplates() {
  const data = shallowRef<NoticeTemplates | null>(null)
  const loading = ref(false)
  const loadError = shallowRef<AdminFailure | null>(null)
  const busy = ref(false)
  const actionError = shallowRef<AdminFailure | null>(null)
  const conflict = shallowRef<TemplateConflict | null>(null)
  const notice = ref<'saved' | 'resetDone' | null>(null)
  let generation = 0

  async function load() {
    const asked = ++generation
    loading.value = true
    try {
      const answer = await invoke('admin.noticeTemplates', {})
      if (asked !== generation) return
      data.value = answer
      loadError.value = null
    } catch (e) {
      if (asked === generation) loadError.value = failureOf(e)
    } finally {
      if (asked === generation) loading.value = false
    }
  }

  function clearAction() {
    actionError.value = null
    conflict.value = null
    notice.value = null
  }

  async function act(done: 'saved' | 'resetDone', call: () => Promise<NoticeTemplates>) {
    busy.value = true
    clearAction()
    generation++
    try {
      data.value = await call()
      notice.value = done
      return true
    } catch (e) {
      if (e instanceof ApiError && e.code === 'version_conflict') {
        const current = (e.details as { current?: NoticeTemplateSlot | null } | undefined)?.current ?? null
        conflict.value = { message: e.message, current }
        // The slot's new version: the next save knowingly replaces what someone else saved.
        if (current && data.value)
          data.value = {
            ...data.value,
            slots: data.value.slots.map((s) =>
              s.categoryId === current.categoryId && s.event === current.event ? current : s,
            ),
          }
      } else actionError.value = failureOf(e)
      return false
    } finally {
      busy.value = false
    }
  }

  const save = (input: NoticeTemplateSaveInput) =>
    act('saved', () => invoke('admin.saveNoticeTemplate', input))
  const reset = (slot: Pick<NoticeTemplateSlot, 'categoryId' | 'event'>) =>
    act('resetDone', () =>
      invoke('admin.resetNoticeTemplate', { categoryId: slot.categoryId, event: slot.event }),
    )

  return { data, loading, loadError, busy, actionError, conflict, notice, load, save, reset, clearAction }
}
