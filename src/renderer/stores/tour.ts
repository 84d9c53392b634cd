/**
 * The tour (tournée) a team lead builds from the map selection, client side only: the stops
 * in visiting order from the depot and back, the technician and the date shown on the route
 * sheet. Distance and duration follow every reorder.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { LatLon } from '../../shared/geo'
import type { RequestDetail } from '../../shared/domain'
import { toCSV, toGeoJSON, type ExportedRequest } from '../../shared/mapExport'
import { estimateMinutes, haversineKm, planTour, tourLengthKm } from '../../shared/tour'
import { exportedRequestOf, type ExportWords } from './map'

/** Where every tour starts and ends until depots are configured per team: Nancy's technical centre. */
export const DEPOT: LatLon = { lat: 48.6921, lon: 6.1844 }

/** A request with a location, the only kind a tour can visit. */
export type TourStop = RequestDetail & { location: LatLon }

const hasLocation = (detail: RequestDetail): detail is TourStop => detail.location !== null
const positions = (stops: readonly TourStop[]) => stops.map((s) => s.location)

/**
 * A closed tour is as long one way as the other; start with the nearer end so that the
 * order does not depend on how the optimiser broke the tie.
 */
function nearerEndFirst(stops: TourStop[]): TourStop[] {
  const first = stops[0]
  const last = stops[stops.length - 1]
  if (!first || !last) return stops
  return haversineKm(DEPOT, last.location) < haversineKm(DEPOT, first.location) ? stops.reverse() : stops
}

function optimised(stops: readonly TourStop[]): TourStop[] {
  const { order } = planTour(DEPOT, positions(stops))
  return nearerEndFirst(order.map((i) => stops[i]!))
}

export const useTourStore = defineStore('tour', () => {
  /** The stops in visiting order. */
  const stops = shallowRef<TourStop[]>([])
  const open = ref(false)
  const sheetOpen = ref(false)
  const technicianId = ref('')
  const date = ref('')

  const distanceKm = computed(() =>
    tourLengthKm(
      DEPOT,
      positions(stops.value),
      stops.value.map((_s, i) => i),
    ),
  )
  const durationMinutes = computed(() => estimateMinutes(distanceKm.value, stops.value.length))

  /** Start a tour through those of `details` that have a location, in the shortest order found. */
  function build(details: readonly RequestDetail[]) {
    stops.value = optimised(details.filter(hasLocation))
    open.value = true
    sheetOpen.value = false
  }

  function optimise() {
    stops.value = optimised(stops.value)
  }

  /** Move the stop at `from` to `to` (indexes in the current order). */
  function move(from: number, to: number) {
    const n = stops.value.length
    if (from === to || from < 0 || to < 0 || from >= n || to >= n) return
    const next = [...stops.value]
    const [stop] = next.splice(from, 1)
    next.splice(to, 0, stop!)
    stops.value = next
  }

  /** The tour as exported rows, numbered from 1 in visiting order. */
  function exported(words: ExportWords): ExportedRequest[] {
    return stops.value.map((s, i) => ({ ...exportedRequestOf(s, words), stop: i + 1 }))
  }

  const geoJSON = (words: ExportWords) => toGeoJSON(exported(words))
  const csv = (words: ExportWords) => toCSV(exported(words))

  function close() {
    open.value = false
    sheetOpen.value = false
  }

  function reset() {
    close()
    stops.value = []
    technicianId.value = ''
    date.value = ''
  }

  return {
    stops,
    open,
    sheetOpen,
    technicianId,
    date,
    distanceKm,
    durationMinutes,
    build,
    optimise,
    move,
    exported,
    geoJSON,
    csv,
    close,
    reset,
  }
})
