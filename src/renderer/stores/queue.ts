/**
 * The queue as the agent works it: filters, sort, the rows loaded so far (keyset pages),
 * counts per status, the highlighted row and the rows picked for a bulk action. Rows live in
 * a shallowRef and are never made deeply reactive: 100k plain objects stay cheap.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, toRaw, triggerRef } from 'vue'
import {
  BULK_MAX,
  DETAILS_PER_CALL,
  type OutputOf,
  type QueueFilter,
  type QueueSort,
  type SavedView,
} from '../../shared/contract'
import { RequestSummary, type RequestDetail } from '../../shared/domain'
import { invoke, type ApiErrorCode } from '../api'
import { noteApiError } from './session'

/** Rows per `queue.list` call: a few screens ahead, small enough to answer within a frame. */
export const PAGE_SIZE = 200
/** How long typing may pause before the text filter applies. */
const TEXT_DEBOUNCE_MS = 250
/** How long a burst of change events (a sync round) may last before new requests are fetched. */
const NEW_ROWS_DEBOUNCE_MS = 300

const SUMMARY_KEYS = Object.keys(RequestSummary.shape) as (keyof RequestSummary)[]

/** The list row for a request the core just returned in full. */
export function summaryOf(detail: RequestDetail): RequestSummary {
  const summary: Record<string, unknown> = {}
  for (const key of SUMMARY_KEYS) summary[key] = detail[key]
  return summary as RequestSummary
}

/**
 * Whether a change to one request, known before and after (this console's own write), may
 * move the counts under `filter`: its status, due date, team or category always may; its
 * assignee, priority or words only when the filter reads them.
 */
export function countsMayMove(
  filter: QueueFilter,
  before: RequestSummary | null,
  after: RequestSummary,
): boolean {
  if (!before) return true
  const changed = (key: keyof RequestSummary) => before[key] !== after[key]
  if (
    ['status', 'statusKind', 'dueAt', 'teamId', 'categoryId'].some((k) => changed(k as keyof RequestSummary))
  )
    return true
  if ((filter.assigneeId?.length || filter.unassigned) && changed('assigneeId')) return true
  if (filter.priority?.length && changed('priority')) return true
  if (filter.tags?.length && before.tags?.join('\u001f') !== after.tags?.join('\u001f')) return true
  // The description is not in the row: any change to a request may change what the words find.
  return Boolean(filter.text?.trim())
}

/** The filter as sent to the core: empty parts left out. */
export function compactFilter(filter: QueueFilter): QueueFilter {
  const out: QueueFilter = {}
  if (filter.status?.length) out.status = [...filter.status]
  if (filter.categoryId?.length) out.categoryId = [...filter.categoryId]
  if (filter.teamId?.length) out.teamId = [...filter.teamId]
  if (filter.assigneeId?.length) out.assigneeId = [...filter.assigneeId]
  if (filter.unassigned) out.unassigned = true
  if (filter.priority?.length) out.priority = [...filter.priority]
  if (filter.overdue) out.overdue = true
  if (filter.tags?.length) out.tags = [...filter.tags]
  const text = filter.text?.trim()
  if (text) out.text = text
  return out
}

export const useQueueStore = defineStore('queue', () => {
  const filter = ref<QueueFilter>({})
  const sort = ref<QueueSort>('created_desc')
  const rows = shallowRef<RequestSummary[]>([])
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const loadingMore = ref(false)
  const error = ref<ApiErrorCode | null>(null)
  const counts = shallowRef<OutputOf<'queue.counts'> | null>(null)
  const activeIndex = ref(-1)
  /** Requests picked for a bulk action (by id: they stay picked when rows move). */
  const selected = shallowRef<ReadonlySet<string>>(new Set())
  /** Where a Shift+click range starts: the last row clicked or toggled. */
  const anchorIndex = ref(-1)
  /** A « select all » is reading the pages it needs. */
  const selectingAll = ref(false)
  /** The last « select all » stopped at BULK_MAX: the view holds more. */
  const selectionCapped = ref(false)
  /** Bumped when a new result set replaces the list: the list scrolls back to the top. */
  const listVersion = ref(0)

  // Each reload gets a number; answers for an older one are dropped, so a slow page for
  // yesterday's filter can never overwrite today's list.
  let generation = 0
  let countsGeneration = 0
  let textTimer: ReturnType<typeof setTimeout> | null = null
  let firstPageTimer: ReturnType<typeof setTimeout> | null = null

  const activeRow = computed(() => rows.value[activeIndex.value] ?? null)
  const hasMore = computed(() => nextCursor.value !== null)
  const isFiltered = computed(() => Object.keys(compactFilter(filter.value)).length > 0)

  const listInput = (after: string | null) => ({
    filter: compactFilter(toRaw(filter.value)),
    sort: sort.value,
    after,
    limit: PAGE_SIZE,
  })

  /** Load the first page for the current filter and sort, keeping the highlighted request if it is still there. */
  async function reload() {
    cancelFirstPageRefresh()
    const gen = ++generation
    const keepId = activeRow.value?.id ?? null
    loading.value = true
    error.value = null
    try {
      const page = await invoke('queue.list', listInput(null))
      if (gen !== generation) return
      rows.value = page.rows
      nextCursor.value = page.nextCursor
      activeIndex.value = keepId ? page.rows.findIndex((r) => r.id === keepId) : -1
      // A new result set: a selection made in the previous one no longer means what it did.
      clearSelection()
      listVersion.value++
    } catch (e) {
      if (gen === generation) error.value = noteApiError(e)
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  /** The page on its way, so a second caller waits for it instead of asking again. */
  let morePage: Promise<void> | null = null

  /** Append the next keyset page (the list calls this as the agent scrolls near the end). */
  function loadMore(): Promise<void> {
    if (morePage) return morePage
    if (nextCursor.value === null || loading.value) return Promise.resolve()
    morePage = readNextPage().finally(() => (morePage = null))
    return morePage
  }

  async function readNextPage() {
    const gen = generation
    loadingMore.value = true
    try {
      const page = await invoke('queue.list', listInput(nextCursor.value))
      if (gen !== generation) return
      rows.value.push(...page.rows)
      triggerRef(rows)
      nextCursor.value = page.nextCursor
    } catch (e) {
      if (gen === generation) error.value = noteApiError(e)
    } finally {
      loadingMore.value = false
    }
  }

  async function refreshCounts() {
    const gen = ++countsGeneration
    try {
      const answer = await invoke('queue.counts', { filter: compactFilter(toRaw(filter.value)) })
      if (gen === countsGeneration) counts.value = answer
    } catch (e) {
      noteApiError(e)
    }
  }

  function refresh() {
    return Promise.all([reload(), refreshCounts()])
  }

  /** Change part of the filter and reload list and counts at once. */
  function setFilter(patch: Partial<QueueFilter>) {
    filter.value = { ...filter.value, ...patch }
    void refresh()
  }

  /** Free text: applied once typing pauses, or right away with `immediate` (Enter). */
  function setText(text: string, immediate = false) {
    if (textTimer) clearTimeout(textTimer)
    textTimer = null
    if (immediate) return setFilter({ text })
    textTimer = setTimeout(() => {
      textTimer = null
      setFilter({ text })
    }, TEXT_DEBOUNCE_MS)
  }

  function setSort(next: QueueSort) {
    sort.value = next
    void reload()
  }

  function clearFilters() {
    filter.value = {}
    void refresh()
  }

  /** The empty state's ways out of a search that found nothing. */
  function searchAllTeams() {
    setFilter({ teamId: [] })
  }

  /** Keep the words, drop every other filter. */
  function searchWithoutOtherFilters() {
    const text = filter.value.text
    filter.value = text ? { text } : {}
    void refresh()
  }

  function clearSearch() {
    setText('', true)
  }

  function applyView(view: SavedView) {
    filter.value = { ...view.filter }
    sort.value = view.sort
    void refresh()
  }

  /** Toggle the status filter on one status (the counts bar). */
  function toggleStatus(status: string) {
    const only = filter.value.status?.length === 1 && filter.value.status[0] === status
    setFilter({ status: only ? [] : [status] })
  }

  /** Move the highlight by `delta` rows; returns the new index. */
  function move(delta: number): number {
    if (rows.value.length === 0) return -1
    const from = activeIndex.value < 0 ? (delta > 0 ? -1 : 0) : activeIndex.value
    activeIndex.value = Math.min(rows.value.length - 1, Math.max(0, from + delta))
    if (activeIndex.value >= rows.value.length - 20) void loadMore()
    return activeIndex.value
  }

  /** Put a fresh copy of one request in the list, where it already is. */
  function replaceRow(summary: RequestSummary) {
    const index = rows.value.findIndex((r) => r.id === summary.id)
    if (index < 0) return
    rows.value[index] = summary
    triggerRef(rows)
  }

  function removeRow(id: string) {
    const index = rows.value.findIndex((r) => r.id === id)
    if (index < 0) return
    rows.value.splice(index, 1)
    if (selected.value.has(id)) setSelected([...selected.value].filter((s) => s !== id))
    if (anchorIndex.value >= rows.value.length) anchorIndex.value = -1
    if (activeIndex.value > index) activeIndex.value--
    else if (activeIndex.value >= rows.value.length) activeIndex.value = rows.value.length - 1
    triggerRef(rows)
  }

  /**
   * Requests changed elsewhere: those on screen are read again, with one `request.getMany`
   * per 500; those the core no longer returns (gone, out of the agent's sight) leave the list.
   */
  async function refreshRows(ids: readonly string[]) {
    const shown = new Set(rows.value.map((r) => r.id))
    const loaded = [...new Set(ids)].filter((id) => shown.has(id))
    for (let start = 0; start < loaded.length; start += DETAILS_PER_CALL) {
      const part = loaded.slice(start, start + DETAILS_PER_CALL)
      let fresh: RequestDetail[]
      try {
        fresh = await invoke('request.getMany', { ids: part })
      } catch (e) {
        // The rows on screen stay as they were; the next change or reload reads them again.
        noteApiError(e)
        continue
      }
      const byId = new Map(fresh.map((d) => [d.id, d]))
      for (const id of part) {
        const detail = byId.get(id)
        if (detail) replaceRow(summaryOf(detail))
        else removeRow(id)
      }
    }
  }

  /**
   * The first page again, without disturbing the agent: the highlighted request stays
   * highlighted, the scroll position stays, pages loaded further down stay loaded.
   */
  async function refreshFirstPage() {
    const gen = generation
    try {
      const page = await invoke('queue.list', listInput(null))
      if (gen !== generation) return
      const keepId = activeRow.value?.id ?? null
      // Loaded rows the new page does not hold were pushed down by the new ones: they stay,
      // in their order, after it, and the cursor of the last loaded page still reads on from
      // the end. (A row that no longer matches the filter stays too, until the next reload.)
      const fresh = new Set(page.rows.map((r) => r.id))
      const beyond = page.nextCursor === null ? [] : rows.value.filter((r) => !fresh.has(r.id))
      rows.value = [...page.rows, ...beyond]
      if (beyond.length === 0) nextCursor.value = page.nextCursor
      activeIndex.value = keepId ? rows.value.findIndex((r) => r.id === keepId) : -1
    } catch (e) {
      // The list on screen stays as it was; the next reload tries again.
      noteApiError(e)
    }
  }

  function cancelFirstPageRefresh() {
    if (firstPageTimer) clearTimeout(firstPageTimer)
    firstPageTimer = null
  }

  /** Counts follow a burst of changes once, not once per event (a sync sends many). */
  let countsTimer: ReturnType<typeof setTimeout> | null = null
  function refreshCountsSoon() {
    if (countsTimer) clearTimeout(countsTimer)
    countsTimer = setTimeout(() => {
      countsTimer = null
      void refreshCounts()
    }, NEW_ROWS_DEBOUNCE_MS)
  }

  /**
   * Ids the list does not hold may be new requests pulled by sync: the first page is read
   * again once the burst of events is over (told at each event, so the burst is timed right).
   */
  function noteArrivals(ids: readonly string[]) {
    const shown = new Set(rows.value.map((r) => r.id))
    if (!ids.some((id) => !shown.has(id))) return
    cancelFirstPageRefresh()
    firstPageTimer = setTimeout(() => {
      firstPageTimer = null
      void refreshFirstPage()
    }, NEW_ROWS_DEBOUNCE_MS)
  }

  /**
   * Requests changed (another agent, sync, a bulk action): rows on screen are read again now,
   * the counts once the burst is over. `counts: false`: the caller knows the change cannot
   * move them (this console's own write, compared before and after).
   */
  function noteChanged(ids: readonly string[], options: { counts?: boolean } = {}) {
    if (options.counts !== false) refreshCountsSoon()
    return refreshRows(ids)
  }

  // ── Selection ────────────────────────────────────────────────────────────────
  function setSelected(ids: Iterable<string>) {
    selected.value = new Set(ids)
  }

  function clearSelection() {
    if (selected.value.size > 0) selected.value = new Set()
    anchorIndex.value = -1
    selectionCapped.value = false
  }

  const isSelected = (id: string) => selected.value.has(id)

  /** Ctrl/Cmd+click, `x`: one row in or out of the selection; it becomes the range's anchor. */
  function toggleSelected(index: number) {
    const row = rows.value[index]
    if (!row) return
    const next = new Set(selected.value)
    if (next.has(row.id)) next.delete(row.id)
    else if (next.size < BULK_MAX) next.add(row.id)
    selected.value = next
    anchorIndex.value = index
  }

  /** Shift+click: the rows from the anchor to `index` join the selection (at most BULK_MAX in all). */
  function selectRange(index: number) {
    if (!rows.value[index]) return
    const from = anchorIndex.value >= 0 ? anchorIndex.value : index
    const [low, high] = from <= index ? [from, index] : [index, from]
    const next = new Set(selected.value)
    for (let i = low; i <= high && next.size < BULK_MAX; i++) next.add(rows.value[i]!.id)
    selected.value = next
  }

  /**
   * Shift+`x`, Ctrl+A: every request of the view, reading the pages not loaded yet, up to the
   * contract's BULK_MAX (`selectionCapped` says when the view holds more).
   */
  async function selectAll(): Promise<void> {
    // A new result set is on its way: nothing to pick until it is there.
    if (loading.value) return
    const gen = generation
    selectingAll.value = true
    try {
      while (nextCursor.value !== null && rows.value.length < BULK_MAX && gen === generation) {
        const before = rows.value.length
        await loadMore()
        if (rows.value.length === before) break
      }
      if (gen !== generation) return
      setSelected(rows.value.slice(0, BULK_MAX).map((r) => r.id))
      selectionCapped.value =
        rows.value.length > BULK_MAX || (rows.value.length === BULK_MAX && nextCursor.value !== null)
    } finally {
      selectingAll.value = false
    }
  }

  function reset() {
    cancelFirstPageRefresh()
    clearSelection()
    if (countsTimer) clearTimeout(countsTimer)
    countsTimer = null
    generation++
    countsGeneration++
    if (textTimer) clearTimeout(textTimer)
    filter.value = {}
    sort.value = 'created_desc'
    rows.value = []
    nextCursor.value = null
    counts.value = null
    activeIndex.value = -1
    error.value = null
    loading.value = false
  }

  return {
    filter,
    sort,
    rows,
    nextCursor,
    loading,
    loadingMore,
    error,
    counts,
    activeIndex,
    activeRow,
    hasMore,
    isFiltered,
    listVersion,
    selected,
    anchorIndex,
    selectingAll,
    selectionCapped,
    isSelected,
    toggleSelected,
    selectRange,
    selectAll,
    clearSelection,
    reload,
    loadMore,
    refreshCounts,
    refresh,
    setFilter,
    setText,
    setSort,
    clearFilters,
    searchAllTeams,
    searchWithoutOtherFilters,
    clearSearch,
    applyView,
    toggleStatus,
    move,
    replaceRow,
    removeRow,
    refreshRows,
    refreshFirstPage,
    noteArrivals,
    noteChanged,
    reset,
  }
})
