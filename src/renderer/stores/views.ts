/** Saved views: named filter + sort combinations the agent comes back to. */
import { defineStore } from 'pinia'
import { ref, shallowRef, toRaw } from 'vue'
import type { SavedView } from '../../shared/contract'
import { invoke, type ApiErrorCode } from '../api'
import { compactFilter, useQueueStore } from './queue'
import { noteApiError } from './session'

export const useViewsStore = defineStore('views', () => {
  const views = shallowRef<SavedView[]>([])
  const error = ref<ApiErrorCode | null>(null)

  async function load() {
    try {
      views.value = await invoke('views.list', {})
    } catch (e) {
      error.value = noteApiError(e)
    }
  }

  /** Save the queue's current filters and sort under a name. */
  async function saveCurrent(name: string): Promise<SavedView | null> {
    const queue = useQueueStore()
    error.value = null
    try {
      const saved = await invoke('views.save', {
        name,
        filter: compactFilter(toRaw(queue.filter)),
        sort: queue.sort,
      })
      views.value = [...views.value.filter((v) => v.id !== saved.id), saved]
      return saved
    } catch (e) {
      error.value = noteApiError(e)
      return null
    }
  }

  function apply(view: SavedView) {
    useQueueStore().applyView(view)
  }

  async function remove(id: string) {
    error.value = null
    try {
      await invoke('views.delete', { id })
      views.value = views.value.filter((v) => v.id !== id)
    } catch (e) {
      error.value = noteApiError(e)
    }
  }

  function reset() {
    views.value = []
    error.value = null
  }

  return { views, error, load, saveCurrent, apply, remove, reset }
})
