/**
 * The tour (tournée) a team lead builds from the map selection, or a saved one reopened: the
 * stops in visiting order from the depot and back, the team, technician, date and name.
 * Distance and duration follow every reorder; saving hands it to the core (and the server).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { TourDetail } from '../../shared/contract'
import type { LatLon } from '../../shared/geo'
import type { RequestDetail } from '../../shared/domain'
import { DEFAULT_DEPOT, depotFor } from '../../shared/mapSettings'
import { TOUR_MAX_STOPS, type StopProblem, type TourCandidate, type TourDepot } from '../../shared/savedTour'
import { invoke, type ApiErrorCode } from '../api'
import { noteApiError, useSessionStore } from './session'
import { toCSV, toGeoJSON, type ExportedRequest } from '../../shared/mapExport'
import { estimateMinutes, haversineKm, planTour, tourLengthKm } from '../../shared/tour'
import { exportedRequestOf, useMapStore, type ExportWords } from './map'

/** A request with a location, the only kind a tour can visit. */
export type TourStop = RequestDetail & { location: LatLon }

const hasLocation = (detail: RequestDetail): detail is TourStop => detail.location !== null
const positions = (stops: readonly TourStop[]) => stops.map((s) => s.location)

/**
 * A closed tour is as long one way as the other; start with the nearer end so that the
 * order does not depend on how the optimiser broke the tie.
 */
function nearerEndFirst(depot: LatLon, stops: TourStop[]): TourStop[] {
  const first = stops[0]
  const last = stops[stops.length - 1]
  if (!first || !last) return stops
  return haversineKm(depot, last.location) < haversineKm(depot, first.location) ? stops.reverse() : stops
}

function optimised(depot: LatLon, stops: readonly TourStop[]): TourStop[] {
  const { order } = planTour(depot, positions(stops))
  return nearerEndFirst(
    depot,
    order.map((i) => stops[i]!),
  )
}

/** The team most of the stops belong to: the tour's team unless the lead picks another. */
function mainTeam(stops: readonly TourStop[]): string {
  const counts = new Map<string, number>()
  for (const s of stops) counts.set(s.teamId, (counts.get(s.teamId) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? ''
}

const today = () => new Date().toLocaleDateString('sv-SE')

export const useTourStore = defineStore('tour', () => {
  /** The stops in visiting order. */
  const stops = shallowRef<TourStop[]>([])
  const open = ref(false)
  const sheetOpen = ref(false)
  const technicianId = ref('')
  const date = ref('')
  const name = ref('')
  const teamId = ref('')
  const assignStops = ref(true)
  /** The configured depots (`map.settings`); a reopened tour keeps the depot it was planned from. */
  const map = useMapStore()
  const savedDepot = shallowRef<TourDepot | null>(null)
  const depot = computed(
    () =>
      savedDepot.value ?? depotFor(map.settings ?? { depot: DEFAULT_DEPOT, teamDepots: {} }, teamId.value),
  )
  /** Set once saved: later saves replace that tour (with its version, so a newer one is never overwritten). */
  const savedId = ref<string | null>(null)
  const savedVersion = ref<number | null>(null)
  const saving = ref(false)
  const saveError = ref<ApiErrorCode | null>(null)
  const saveErrorMessage = ref('')
  const savedAt = ref<number | null>(null)

  /**
   * The team's technicians with the stops each could not do (`tours.candidates`, the save's
   * own checks), asked again whenever the stops, team, day or assignment change; null until
   * answered, or for an agent who does not plan the team.
   */
  const candidates = shallowRef<TourCandidate[] | null>(null)
  const checking = ref(false)
  const session = useSessionStore()
  let asked = 0

  async function checkCandidates() {
    const ask = ++asked
    if (!open.value || stops.value.length === 0 || !teamId.value || !session.canAssign(teamId.value)) {
      candidates.value = null
      return
    }
    checking.value = true
    try {
      const answer = await invoke('tours.candidates', {
        teamId: teamId.value,
        date: date.value || today(),
        stopIds: stops.value.slice(0, TOUR_MAX_STOPS).map((s) => s.id),
        assignStops: assignStops.value,
      })
      if (ask === asked) candidates.value = answer
    } catch {
      // Not answered (an older core, a lock): the technicians are offered as before, the save still checks.
      if (ask === asked) candidates.value = null
    } finally {
      if (ask === asked) checking.value = false
    }
  }
  // The order of the stops changes nothing a technician can or cannot do: their set does.
  const stopSet = computed(() => [...stops.value.map((s) => s.id)].sort().join(','))
  watch([open, stopSet, teamId, date, assignStops], () => void checkCandidates())

  /** The stops the chosen technician cannot do, by stop id, with the reason in words. */
  const problems = computed(() => {
    const chosen = candidates.value?.find((c) => c.agentId === technicianId.value)
    return new Map<string, StopProblem>((chosen?.problems ?? []).map((p) => [p.stopId, p]))
  })

  /** Leave out, in one go, every stop the chosen technician cannot do. */
  function removeProblemStops() {
    const out = problems.value
    if (out.size === 0) return
    stops.value = stops.value.filter((s) => !out.has(s.id))
  }

  const distanceKm = computed(() =>
    tourLengthKm(
      depot.value,
      positions(stops.value),
      stops.value.map((_s, i) => i),
    ),
  )
  const durationMinutes = computed(() => estimateMinutes(distanceKm.value, stops.value.length))

  /** Closed requests of the selection left out of the tour built from it (nothing to do there). */
  const leftOutClosed = ref(0)

  /**
   * Start a tour through those of `details` that have a location and are still open, in the
   * shortest order found: a closed request is not a stop of anyone's day.
   */
  function build(details: readonly RequestDetail[]) {
    const stillOpen = details.filter((d) => d.statusKind !== 'closed')
    leftOutClosed.value = details.length - stillOpen.length
    const located = stillOpen.filter(hasLocation)
    savedId.value = null
    savedVersion.value = null
    savedAt.value = null
    savedDepot.value = null
    saveError.value = null
    teamId.value = mainTeam(located)
    date.value ||= today()
    stops.value = optimised(depot.value, located)
    open.value = true
    sheetOpen.value = false
  }

  /** Reopen a saved tour as it was saved (its order, technician, day and name). */
  function load(detail: TourDetail) {
    const { tour } = detail
    leftOutClosed.value = 0
    savedId.value = tour.id
    savedVersion.value = tour.version
    savedAt.value = tour.updatedAt
    saveError.value = null
    teamId.value = tour.teamId
    technicianId.value = tour.technicianId ?? ''
    date.value = tour.date
    name.value = tour.name
    savedDepot.value = tour.depot
    stops.value = detail.stops.filter(hasLocation)
    open.value = true
    sheetOpen.value = false
  }

  function optimise() {
    stops.value = optimised(depot.value, stops.value)
  }

  /** Save (or save again) through the core; the stops are assigned to the technician when asked. */
  async function save(defaultName: string): Promise<boolean> {
    if (stops.value.length === 0 || saving.value) return false
    saving.value = true
    saveError.value = null
    saveErrorMessage.value = ''
    try {
      const detail = await invoke('tours.save', {
        ...(savedId.value ? { id: savedId.value, baseVersion: savedVersion.value ?? undefined } : {}),
        plan: {
          teamId: teamId.value,
          technicianId: technicianId.value || null,
          date: date.value || today(),
          name: name.value.trim() || defaultName,
          depot: depot.value,
          stopIds: stops.value.map((s) => s.id),
        },
        assignStops: assignStops.value,
      })
      savedId.value = detail.tour.id
      savedVersion.value = detail.tour.version
      savedAt.value = detail.tour.updatedAt
      name.value = detail.tour.name
      date.value = detail.tour.date
      return true
    } catch (e) {
      saveError.value = noteApiError(e)
      saveErrorMessage.value = e instanceof Error ? e.message : ''
      return false
    } finally {
      saving.value = false
    }
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

  /** Leave a stop out of the tour (it stays in the selection). */
  function remove(index: number) {
    if (index < 0 || index >= stops.value.length) return
    stops.value = stops.value.filter((_s, i) => i !== index)
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
    name.value = ''
    teamId.value = ''
    assignStops.value = true
    savedId.value = null
    savedVersion.value = null
    savedAt.value = null
    savedDepot.value = null
    saveError.value = null
    saveErrorMessage.value = ''
  }

  return {
    stops,
    open,
    sheetOpen,
    technicianId,
    date,
    name,
    teamId,
    assignStops,
    leftOutClosed,
    candidates,
    checking,
    problems,
    removeProblemStops,
    depot,
    savedId,
    savedVersion,
    savedAt,
    saving,
    saveError,
    saveErrorMessage,
    load,
    save,
    distanceKm,
    durationMinutes,
    build,
    optimise,
    move,
    remove,
    exported,
    geoJSON,
    csv,
    close,
    reset,
  }
})
