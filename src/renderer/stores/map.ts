/**
 * The map screen's data: the territory's sectors, the requests of the viewport (asked of the
 * core's R*Tree as the agent pans, debounced), and the perimeter selection with the details
 * its list and exports need. The OpenLayers `Map` itself is not here (see useOlMap.ts):
 * only plain data the layers draw.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, toRaw } from 'vue'
import { DETAILS_PER_CALL, pointsOfColumns, type MapPoint } from '../../shared/contract'
import type { MapSettings } from '../../shared/mapSettings'
import type { Priority, RequestDetail } from '../../shared/domain'
import { toCSV, toGeoJSON, type ExportedRequest } from '../../shared/mapExport'
import type { Sector } from '../../shared/routing'
import { invoke, type ApiErrorCode } from '../api'
import type { Bbox, SelectionPolygon } from '../composables/mapGeometry'
import type { ColourBy } from '../composables/mapStyle'
import { compactFilter, useQueueStore } from './queue'
import { noteApiError } from './session'

/** Requests drawn per viewport at most (the core's default); beyond, the map says so. */
export const VIEWPORT_LIMIT = 50_000
/** How long panning may pause before the viewport's requests are asked for. */
export const VIEWPORT_DEBOUNCE_MS = 200
/** Requests one perimeter may select (the core's ceiling). */
export const SELECTION_LIMIT = 5000

/** Words for the exported columns, in the agent's language. */
export interface ExportWords {
  category(id: string): string
  status(id: string): string
  priority(priority: Priority): string
}

export function exportedRequestOf(detail: RequestDetail, words: ExportWords): ExportedRequest {
  return {
    id: detail.id,
    reference: detail.reference,
    title: detail.title,
    category: words.category(detail.categoryId),
    status: words.status(detail.status),
    priority: words.priority(detail.priority),
    address: detail.address,
    description: detail.description,
    lat: detail.location?.lat ?? null,
    lon: detail.location?.lon ?? null,
  }
}

export const useMapStore = defineStore('map', () => {
  // The queue's filter is the map's: the dots are the requests the list shows.
  const queue = useQueueStore()
  const filter = () => compactFilter(toRaw(queue.filter))
  let lastBbox: Bbox | null = null
  const sectors = shallowRef<Sector[]>([])
  /** The configured base map and depots; until they come, the map draws no tiles (never the wrong ones). */
  const settings = shallowRef<MapSettings | null>(null)
  const points = shallowRef<MapPoint[]>([])
  /** True once the first viewport answered (the browser test waits for it). */
  const pointsLoaded = ref(false)
  const pointsError = ref<ApiErrorCode | null>(null)
  const viewportTruncated = computed(() => points.value.length >= VIEWPORT_LIMIT)

  // How the map is drawn: the agent's choices, kept when the map screen is left and reopened.
  const colourBy = ref<ColourBy>('status')
  const heatmap = ref(false)
  const sectorNames = ref(true)

  const selection = shallowRef<MapPoint[]>([])
  const selectionPolygon = shallowRef<SelectionPolygon | null>(null)
  const selectionTruncated = ref(false)
  const selecting = ref(false)
  /** The selected request pointed at in the list or opened from the map: ringed on both. */
  const highlightedId = ref<string | null>(null)
  const selectionLoading = ref(false)
  const selectionError = ref<ApiErrorCode | null>(null)
  /** Details of the selected requests, by id, filled in as they arrive. */
  const details = shallowRef<ReadonlyMap<string, RequestDetail>>(new Map())
  const selectedIds = computed(() => new Set(selection.value.map((p) => p.id)))
  const detailsReady = computed(
    () => selection.value.length > 0 && selection.value.every((p) => details.value.has(p.id)),
  )

  // Answers for an older viewport or selection are dropped: a slow one never overwrites a newer one.
  let viewportGeneration = 0
  let selectionGeneration = 0
  let viewportTimer: ReturnType<typeof setTimeout> | null = null

  async function loadSectors() {
    try {
      sectors.value = await invoke('map.sectors', {})
    } catch (e) {
      noteApiError(e)
    }
  }

  async function loadSettings(): Promise<MapSettings | null> {
    try {
      settings.value = await invoke('map.settings', {})
    } catch (e) {
      noteApiError(e)
    }
    return settings.value
  }

  /** Ask for the requests of this viewport now. */
  async function loadViewport(bbox: Bbox) {
    cancelViewport()
    lastBbox = bbox
    const generation = ++viewportGeneration
    try {
      const answer = await invoke('map.points', { bbox, limit: VIEWPORT_LIMIT, filter: filter() })
      if (generation !== viewportGeneration) return
      // The core answers columns (cheap to send); the layers, legend and heatmap read points.
      points.value = pointsOfColumns(answer)
      pointsError.value = null
      pointsLoaded.value = true
    } catch (e) {
      if (generation === viewportGeneration) pointsError.value = noteApiError(e)
    }
  }

  /** The map moved: ask for its requests once the agent stops panning. */
  function showViewport(bbox: Bbox) {
    cancelViewport()
    viewportTimer = setTimeout(() => void loadViewport(bbox), VIEWPORT_DEBOUNCE_MS)
  }

  function cancelViewport() {
    if (viewportTimer) clearTimeout(viewportTimer)
    viewportTimer = null
  }

  /** Select the requests inside a drawn perimeter (exact point-in-polygon by the core), then load their details. */
  /**
   * `quiet`: the same perimeter read again (the filter or the requests changed): the list stays
   * on screen with what it knew until the fresh answer replaces it.
   */
  async function selectPolygon(polygon: SelectionPolygon, options: { quiet?: boolean } = {}) {
    const generation = ++selectionGeneration
    selectionPolygon.value = polygon
    if (!options.quiet) selectionLoading.value = true
    selectionError.value = null
    try {
      const answer = await invoke('map.select', { polygon, limit: SELECTION_LIMIT, filter: filter() })
      if (generation !== selectionGeneration) return
      const kept = new Set(answer.points.map((p) => p.id))
      selection.value = answer.points
      selectionTruncated.value = answer.truncated
      details.value = options.quiet
        ? new Map([...details.value].filter(([id]) => kept.has(id)))
        : new Map<string, RequestDetail>()
    } catch (e) {
      if (generation === selectionGeneration) selectionError.value = noteApiError(e)
      return
    } finally {
      if (generation === selectionGeneration) selectionLoading.value = false
    }
    await loadDetails(generation)
  }

  /** The selection's requests in full, a few hundred per call, the list filling in as they come. */
  async function loadDetails(generation: number) {
    const ids = selection.value.map((p) => p.id)
    const found = new Map<string, RequestDetail>(details.value)
    for (let at = 0; at < ids.length; at += DETAILS_PER_CALL) {
      try {
        for (const detail of await invoke('request.getMany', { ids: ids.slice(at, at + DETAILS_PER_CALL) }))
          found.set(detail.id, detail)
      } catch (e) {
        if (generation === selectionGeneration) selectionError.value = noteApiError(e)
        return
      }
      if (generation !== selectionGeneration) return
      details.value = new Map(found)
    }
  }

  /** The filter changed: the viewport's dots and the drawn perimeter's selection follow it. */
  async function refilter() {
    const polygon = selectionPolygon.value
    await Promise.all([
      lastBbox ? loadViewport(lastBbox) : Promise.resolve(),
      polygon ? selectPolygon(polygon, { quiet: true }) : Promise.resolve(),
    ])
  }

  function clearSelection() {
    selectionGeneration++
    selection.value = []
    selectionPolygon.value = null
    highlightedId.value = null
    selectionTruncated.value = false
    selectionLoading.value = false
    selectionError.value = null
    details.value = new Map()
  }

  /** The selection as exported rows, in the order the core returned it (requests without details left out). */
  function exportedSelection(words: ExportWords): ExportedRequest[] {
    return selection.value.flatMap((p) => {
      const detail = details.value.get(p.id)
      return detail ? [exportedRequestOf(detail, words)] : []
    })
  }

  const selectionGeoJSON = (words: ExportWords) => toGeoJSON(exportedSelection(words))
  const selectionCSV = (words: ExportWords) => toCSV(exportedSelection(words))

  function reset() {
    cancelViewport()
    viewportGeneration++
    clearSelection()
    selecting.value = false
    points.value = []
    lastBbox = null
    pointsLoaded.value = false
    pointsError.value = null
    sectors.value = []
  }

  return {
    sectors,
    settings,
    loadSettings,
    points,
    pointsLoaded,
    pointsError,
    viewportTruncated,
    colourBy,
    heatmap,
    sectorNames,
    selection,
    selectionPolygon,
    selectionTruncated,
    selecting,
    highlightedId,
    selectionLoading,
    selectionError,
    details,
    selectedIds,
    detailsReady,
    loadSectors,
    loadViewport,
    showViewport,
    cancelViewport,
    selectPolygon,
    refilter,
    clearSelection,
    exportedSelection,
    selectionGeoJSON,
    selectionCSV,
    reset,
  }
})
