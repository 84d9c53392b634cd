/**
 * The tours screen's data: the saved tours listed (a technician's own, or their teams'), from
 * a day on, and the one opened with its stops. Kept fresh by the core's `tours.changed`.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { TourDetail } from '../../shared/contract'
import type { SavedTour, TourProgress } from '../../shared/savedTour'
import { invoke, type ApiErrorCode } from '../api'
import { noteApiError } from './session'

export const useToursStore = defineStore('tours', () => {
  const list = shallowRef<SavedTour[]>([])
  const loaded = ref(false)
  const error = ref<ApiErrorCode | null>(null)
  /** Whose tours: the agent's own (the technician's day) or every tour of their teams. */
  const mine = ref(true)
  const fromDay = ref(new Date().toLocaleDateString('sv-SE'))
  const openId = ref<string | null>(null)
  const detail = shallowRef<TourDetail | null>(null)
  const detailError = ref<ApiErrorCode | null>(null)
  /** How far each listed tour has gone (stops done of all), by id: the lead follows the day live. */
  const progress = shallowRef<Record<string, TourProgress>>({})
  let generation = 0

  async function loadProgress() {
    const asked = generation
    const ids = list.value.map((t) => t.id)
    if (ids.length === 0) {
      progress.value = {}
      return
    }
    try {
      const answer = await invoke('tours.progress', { ids })
      if (asked === generation) progress.value = answer
    } catch {
      // The figures are a help: the list stands without them.
    }
  }

  /** Requests changed (a technician's step, synced): the progress of the tours they are stops of follows. */
  function noteRequestsChanged(ids: readonly string[]) {
    if (list.value.some((t) => t.stopIds.some((id) => ids.includes(id)))) void loadProgress()
  }

  async function load() {
    const asked = ++generation
    try {
      const tours = await invoke('tours.list', { mine: mine.value, fromDay: fromDay.value || undefined })
      if (asked !== generation) return
      list.value = tours
      error.value = null
      loaded.value = true
      void loadProgress()
    } catch (e) {
      if (asked === generation) error.value = noteApiError(e)
    }
  }

  async function open(id: string) {
    openId.value = id
    try {
      const answer = await invoke('tours.get', { id })
      if (openId.value !== id) return
      detail.value = answer
      detailError.value = null
    } catch (e) {
      if (openId.value === id) {
        detail.value = null
        detailError.value = noteApiError(e)
      }
    }
  }

  /** Tours changed (saved here, or synced): the list and the open one follow. */
  async function noteChanged(ids: readonly string[]) {
    await load()
    if (openId.value && ids.includes(openId.value)) {
      if (list.value.some((t) => t.id === openId.value)) await open(openId.value)
      else close()
    }
  }

  async function remove(id: string): Promise<boolean> {
    try {
      await invoke('tours.delete', { id })
      if (openId.value === id) close()
      await load()
      return true
    } catch (e) {
      detailError.value = noteApiError(e)
      return false
    }
  }

  function close() {
    openId.value = null
    detail.value = null
    detailError.value = null
  }

  function reset() {
    generation++
    close()
    list.value = []
    progress.value = {}
    loaded.value = false
    error.value = null
  }

  return {
    list,
    loaded,
    error,
    mine,
    fromDay,
    openId,
    detail,
    detailError,
    progress,
    load,
    noteRequestsChanged,
    open,
    noteChanged,
    remove,
    close,
    reset,
  }
})
