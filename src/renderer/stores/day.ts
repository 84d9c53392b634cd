/**
 * « Ma journée »: the technician's tour of today as the core reads it (`tours.day`), and the
 * three things they do at a stop, each an ordinary workflow transition (`request.transition`)
 * so the core checks it; a report and the time spent that the workflow has no field for go
 * with it as an internal note. Everything is written to the cache and the outbox first: it
 * works offline all day and leaves when the server is back.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { TransitionOption } from '../../shared/domain'
import type { DayStop, TechnicianDay } from '../../shared/savedTour'
import type { TransitionField } from '../../shared/workflow'
import { invoke, type ApiErrorCode } from '../api'
import { noteApiError } from './session'

const today = () => new Date().toLocaleDateString('sv-SE')

/** What the technician typed for a step: the workflow's fields, and the note that goes with it. */
export interface StepInput {
  fields: Partial<Record<TransitionField, string>>
  /** An internal note posted after the step (report, time spent, reason), or empty. */
  note: string
}

export const useDayStore = defineStore('day', () => {
  const day = shallowRef<TechnicianDay | null>(null)
  const date = ref(today())
  const loaded = ref(false)
  const error = ref<ApiErrorCode | null>(null)
  /** The stop whose step is being sent. */
  const busyId = ref<string | null>(null)
  const stepError = ref<{ id: string; code: ApiErrorCode; message: string } | null>(null)
  /** The last step done, for the status line: the stop's reference and its new status. */
  const done = shallowRef<{ reference: string; status: string } | null>(null)
  let generation = 0

  async function load() {
    const asked = ++generation
    date.value = today()
    try {
      const answer = await invoke('tours.day', { date: date.value })
      if (asked !== generation) return
      day.value = answer
      error.value = null
      loaded.value = true
    } catch (e) {
      if (asked === generation) error.value = noteApiError(e)
    }
  }

  /** Requests changed (here or by sync): read the day again when one of its stops is among them. */
  function noteRequestsChanged(ids: readonly string[]) {
    if (day.value?.stops.some((s) => ids.includes(s.request.id))) void load()
  }

  /** Fire `option` on `stop` with what was typed; the note follows as an internal comment. */
  async function step(stop: DayStop, option: TransitionOption, input: StepInput): Promise<boolean> {
    if (busyId.value) return false
    const { request } = stop
    busyId.value = request.id
    stepError.value = null
    try {
      const after = await invoke('request.transition', {
        id: request.id,
        transitionId: option.id,
        fields: input.fields,
        baseVersion: request.version,
      })
      if (input.note.trim())
        await invoke('request.comment', { id: request.id, kind: 'internal', body: input.note.trim() })
      done.value = { reference: request.reference, status: after.status }
      await load()
      return true
    } catch (e) {
      stepError.value = {
        id: request.id,
        code: noteApiError(e),
        message: e instanceof Error ? e.message : '',
      }
      return false
    } finally {
      busyId.value = null
    }
  }

  function reset() {
    generation++
    day.value = null
    loaded.value = false
    error.value = null
    busyId.value = null
    stepError.value = null
    done.value = null
  }

  return { day, date, loaded, error, busyId, stepError, done, load, noteRequestsChanged, step, reset }
})
