/**
 * What the palette's words ask of the queue's search (`queue.list` with a text): a number
 * alone (« 239 ») is a reference's number, written as references write it (« 000239 »), so
 * the full-text index finds it; a reference (« GRC-2026-000239 ») and words go as typed.
 */
import { onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue'
import type { RequestSummary } from '../../../shared/domain'
import { invoke } from '../../api'
import { noteApiError } from '../../stores/session'

/** Digits in a reference's number: `GRC-2026-000239`. */
const NUMBER_DIGITS = 6
/** Requests the palette lists: the first few the search finds. */
export const REQUEST_RESULTS = 5

/** The search text for `query`, or null when there is nothing to search yet. */
export function requestSearchText(query: string): string | null {
  const text = query.trim()
  if (/^\d{1,6}$/.test(text)) return text.padStart(NUMBER_DIGITS, '0')
  // One letter finds half the cache: words start at two letters.
  return text.length >= 2 ? text : null
}

/** Whether `reference` is the one `query` names exactly (listed first). */
export function namesReference(query: string, reference: string): boolean {
  const text = query.trim().toUpperCase()
  if (/^\d{1,6}$/.test(text)) return reference.endsWith(`-${text.padStart(NUMBER_DIGITS, '0')}`)
  return reference.toUpperCase() === text
}

/** How long typing may pause before the requests are searched. */
const SEARCH_DEBOUNCE_MS = 150

/**
 * The requests the queue's search finds for the palette's words, the one named exactly first.
 * Only the latest answer counts: a slow search for « 23 » never overwrites « 239 ».
 */
export function useRequestSearch(query: Ref<string>) {
  const rows = shallowRef<RequestSummary[]>([])
  const searching = ref(false)
  const failed = ref(false)
  let latest = 0
  let timer: ReturnType<typeof setTimeout> | null = null

  async function search(typed: string, mine: number) {
    const text = requestSearchText(typed)
    if (!text) {
      rows.value = []
      searching.value = false
      return
    }
    try {
      const page = await invoke('queue.list', {
        filter: { text },
        sort: 'created_desc',
        after: null,
        limit: REQUEST_RESULTS,
      })
      if (mine !== latest) return
      rows.value = [...page.rows].sort(
        (a, b) => Number(namesReference(typed, b.reference)) - Number(namesReference(typed, a.reference)),
      )
      failed.value = false
    } catch (e) {
      if (mine !== latest) return
      noteApiError(e)
      rows.value = []
      failed.value = true
    } finally {
      if (mine === latest) searching.value = false
    }
  }

  // Synchronous: an Enter pressed right after typing already knows a search is on its way.
  watch(
    query,
    (typed) => {
      const mine = ++latest
      if (timer) clearTimeout(timer)
      // What was found for other words is never offered for these (Enter would open it).
      rows.value = []
      failed.value = false
      searching.value = requestSearchText(typed) !== null
      timer = setTimeout(() => void search(typed, mine), SEARCH_DEBOUNCE_MS)
    },
    { flush: 'sync' },
  )
  onBeforeUnmount(() => {
    latest++
    if (timer) clearTimeout(timer)
  })

  return { rows, searching, failed }
}
