/**
 * The tags in use on the agent's teams (`tags.list`), for completion and the queue's filter:
 * read when first needed, and again once a change the core announces (the agent's own tag,
 * another console's arriving by sync) may have changed them. Each screen holds its own
 * copy: nothing of one session outlives it.
 */
import { getCurrentInstance, onUnmounted, shallowRef } from 'vue'
import type { TagUse } from '../../../shared/channels/tags'
import { invoke, on } from '../../api'
import { noteApiError } from '../../stores/session'

export function useTagsInUse() {
  const tags = shallowRef<TagUse[]>([])
  const failed = shallowRef(false)
  let fresh = false
  let loading: Promise<void> | null = null
  const off = on('requests.changed', () => (fresh = false))
  if (getCurrentInstance()) onUnmounted(off)

  async function read() {
    try {
      tags.value = await invoke('tags.list', {})
      failed.value = false
      fresh = true
    } catch (e) {
      noteApiError(e)
      failed.value = true
    }
  }

  return {
    tags,
    failed,
    /** Read them unless what is held is still fresh. */
    load(): Promise<void> {
      if (fresh) return Promise.resolve()
      loading ??= read().finally(() => (loading = null))
      return loading
    },
    /** The next `load` reads again. */
    stale() {
      fresh = false
    },
  }
}
