/**
 * The « Protection des données » screen's data (DPO only): the last search and its matches,
 * the citizen's file open, the older accesses read page by page, what the last action
 * answered, and the last export (kept in memory to download its files again without
 * exporting, and logging, twice). Everything is asked of the central server through the
 * core; nothing here is written anywhere else.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import {
  PRIVACY_LIMITS,
  type AccessLogEntry,
  type AccessLogQueryInput,
  type CitizenFile,
  type CitizenMatch,
  type ErasureResult,
  type PrivacyCitizen,
  type SubjectAccessExport,
} from '../../shared/privacy'
import type { RetentionPreview } from '../../shared/contract'
import { invoke } from '../api'
import { ApiError } from '../apiError'
import { failureOf, type AdminFailure } from './admin'

export type PrivacyFailure = AdminFailure

export type PrivacyNotice =
  | { action: 'exported'; name: string }
  | { action: 'rectified'; name: string }
  | { action: 'erased'; anonymised: number; held: number }
  | { action: 'held' | 'released'; reference: string }

/** The whole access log's filter as typed: an agent's id, days as `YYYY-MM-DD`; empty: any. */
export interface LogFilter {
  agentId: string
  from: string
  to: string
}

/** The filter in the core's words: from the start of `from` to the end of `to`, local time. */
export function logQueryOf(filter: LogFilter): AccessLogQueryInput {
  return {
    limit: 100,
    ...(filter.agentId ? { agentId: filter.agentId } : {}),
    ...(filter.from ? { from: new Date(`${filter.from}T00:00:00`).toISOString() } : {}),
    ...(filter.to ? { to: new Date(`${filter.to}T23:59:59.999`).toISOString() } : {}),
  }
}

/** The fields a rectification may change (the reason goes with them). */
export type RectifyFields = Partial<
  Pick<PrivacyCitizen, 'name' | 'email' | 'phone' | 'postalAddress' | 'contactPreference'>
>

/** A failed retention preview; `outdated`: the server has no such route yet (it must be updated). */
export type RetentionFailure = PrivacyFailure & { outdated: boolean }

function retentionFailureOf(e: unknown): RetentionFailure {
  const outdated =
    e instanceof ApiError && (e.details as { outdated?: unknown } | undefined)?.outdated === true
  return { ...failureOf(e), outdated }
}

const PARIS = 'Europe/Paris'
const parisParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: PARIS,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
})

/** Paris wall-clock fields of an instant. */
function parisClock(ms: number) {
  const parts = Object.fromEntries(parisParts.formatToParts(new Date(ms)).map((p) => [p.type, p.value]))
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  }
}

/**
 * The instants a Paris wall-clock time stands for, earliest first (Paris is one or two hours
 * ahead of UTC): two on the night the clocks go back, none on the night they go forward (then
 * an hour later, as the clocks read it).
 */
function parisInstants(year: number, month: number, day: number, hour: number, minute: number): number[] {
  const wall = Date.UTC(year, month - 1, day, hour, minute)
  const found = [wall - 7_200_000, wall - 3_600_000].filter((ms) => {
    const c = parisClock(ms)
    return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute) === wall
  })
  return found.length ? found : [wall - 3_600_000]
}

/**
 * The next daily run after `now`: `runAt` (`HH:MM`) is Paris time, whatever the
 * workstation's zone. @returns epoch milliseconds.
 */
export function nextRetentionRun(runAt: string, now: number): number {
  const [hour, minute] = runAt.split(':').map(Number) as [number, number]
  const today = parisClock(now)
  for (let days = 0; days < 3; days++) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + days))
    const instants = parisInstants(
      day.getUTCFullYear(),
      day.getUTCMonth() + 1,
      day.getUTCDate(),
      hour,
      minute,
    )
    const at = instants.find((ms) => ms > now)
    if (at !== undefined) return at
  }
  return now + 86_400_000
}

export const usePrivacyStore = defineStore('privacy', () => {
  const query = ref('')
  const matches = shallowRef<CitizenMatch[]>([])
  const searched = ref(false)
  const searching = ref(false)
  const searchError = shallowRef<PrivacyFailure | null>(null)

  const fileId = ref<string | null>(null)
  const file = shallowRef<CitizenFile | null>(null)
  const fileLoading = ref(false)
  const fileError = shallowRef<PrivacyFailure | null>(null)
  /**
   * Accesses beyond the file's latest ones, read from the access log page by page; `accessesMore`:
   * there may be more to read (the file's list is the newest only, the log has them all).
   */
  const olderAccesses = shallowRef<AccessLogEntry[]>([])
  const accessesMore = ref(false)
  let accessesNext: string | null = null
  const accessesLoading = ref(false)
  const accessesError = shallowRef<PrivacyFailure | null>(null)

  const busy = ref(false)
  const actionError = shallowRef<PrivacyFailure | null>(null)
  const notice = shallowRef<PrivacyNotice | null>(null)
  const lastExport = shallowRef<SubjectAccessExport | null>(null)
  const lastErasure = shallowRef<ErasureResult | null>(null)

  /** The whole access log (« Journal des accès »), filtered, page by page. */
  const log = shallowRef<AccessLogEntry[]>([])
  const logLoaded = ref(false)
  const logLoading = ref(false)
  const logError = shallowRef<PrivacyFailure | null>(null)
  const logMore = ref(false)
  let logNext: string | null = null
  let logQuery: AccessLogQueryInput = { limit: 100 }
  let logGeneration = 0

  /** What the server's next retention run would do (« Conservation »). */
  const retention = shallowRef<RetentionPreview | null>(null)
  const retentionLoading = ref(false)
  const retentionError = shallowRef<RetentionFailure | null>(null)
  let retentionGeneration = 0

  let searchGeneration = 0
  let fileGeneration = 0

  function clearAction() {
    actionError.value = null
    notice.value = null
  }

  /** Search by name, e-mail or phone; the text stays on this screen only. */
  async function search(text: string): Promise<boolean> {
    const asked = ++searchGeneration
    query.value = text
    searching.value = true
    try {
      const reply = await invoke('privacy.search', { q: text.trim(), limit: 20 })
      if (asked !== searchGeneration) return false
      matches.value = reply.matches
      searched.value = true
      searchError.value = null
      return true
    } catch (e) {
      if (asked === searchGeneration) searchError.value = failureOf(e)
      return false
    } finally {
      if (asked === searchGeneration) searching.value = false
    }
  }

  /** Open (or read again) a citizen's file; the server logs each reading. */
  async function openFile(id: string, keepAction = false): Promise<boolean> {
    const asked = ++fileGeneration
    if (fileId.value !== id) {
      file.value = null
      lastExport.value = null
      lastErasure.value = null
    }
    fileId.value = id
    fileLoading.value = true
    olderAccesses.value = []
    accessesNext = null
    accessesMore.value = false
    accessesError.value = null
    if (!keepAction) clearAction()
    try {
      const answer = await invoke('privacy.file', { id })
      if (asked !== fileGeneration) return false
      file.value = answer
      fileError.value = null
      // The file holds the latest accesses only (a full page of them: there may be older ones).
      accessesMore.value = answer.accesses.length >= PRIVACY_LIMITS.accessLogPage
      return true
    } catch (e) {
      if (asked === fileGeneration) fileError.value = failureOf(e)
      return false
    } finally {
      if (asked === fileGeneration) fileLoading.value = false
    }
  }

  function closeFile() {
    fileGeneration++
    fileId.value = null
    file.value = null
    fileError.value = null
    fileLoading.value = false
    lastExport.value = null
    lastErasure.value = null
    olderAccesses.value = []
    accessesNext = null
    accessesMore.value = false
    clearAction()
  }

  /** The next page of the citizen's access log, after those already shown. */
  async function moreAccesses(): Promise<void> {
    const id = fileId.value
    if (!id || !accessesMore.value || accessesLoading.value) return
    const asked = fileGeneration
    accessesLoading.value = true
    try {
      // Pages already shown in the file are skipped: read on until something new comes.
      let added = 0
      do {
        const page = await invoke('privacy.accessLog', {
          citizenId: id,
          limit: PRIVACY_LIMITS.accessLogPage,
          ...(accessesNext ? { before: accessesNext } : {}),
        })
        if (asked !== fileGeneration) return
        const seen = new Set([...(file.value?.accesses ?? []), ...olderAccesses.value].map((a) => a.id))
        const fresh = page.entries.filter((a) => !seen.has(a.id))
        added += fresh.length
        olderAccesses.value = [...olderAccesses.value, ...fresh]
        accessesNext = page.next
        accessesMore.value = page.next !== null
      } while (added === 0 && accessesNext !== null)
      accessesError.value = null
    } catch (e) {
      if (asked === fileGeneration) accessesError.value = failureOf(e)
    } finally {
      if (asked === fileGeneration) accessesLoading.value = false
    }
  }

  /** Read the access log with this filter from its newest entry (`more`: the next page of the same). */
  async function loadLog(filter: LogFilter | null, more = false): Promise<void> {
    if (more && (!logNext || logLoading.value)) return
    const asked = more ? logGeneration : ++logGeneration
    if (!more) {
      logQuery = filter ? logQueryOf(filter) : { limit: 100 }
      logNext = null
    }
    logLoading.value = true
    try {
      const page = await invoke('privacy.accessLog', {
        ...logQuery,
        ...(more && logNext ? { before: logNext } : {}),
      })
      if (asked !== logGeneration) return
      log.value = more ? [...log.value, ...page.entries] : page.entries
      logNext = page.next
      logMore.value = page.next !== null
      logLoaded.value = true
      logError.value = null
    } catch (e) {
      if (asked === logGeneration) logError.value = failureOf(e)
    } finally {
      if (asked === logGeneration) logLoading.value = false
    }
  }

  /** Ask the server what its next retention run would do (a dry run: nothing changes). */
  async function loadRetention(): Promise<boolean> {
    const asked = ++retentionGeneration
    retentionLoading.value = true
    try {
      const answer = await invoke('privacy.retentionPreview', {})
      if (asked !== retentionGeneration) return false
      retention.value = answer
      retentionError.value = null
      return true
    } catch (e) {
      if (asked === retentionGeneration) {
        retention.value = null
        retentionError.value = retentionFailureOf(e)
      }
      return false
    } finally {
      if (asked === retentionGeneration) retentionLoading.value = false
    }
  }

  /** Run an action on the open citizen; the file is read again after (the server changed it). */
  async function act<T>(run: (id: string) => Promise<T>, done: (answer: T) => PrivacyNotice | null) {
    const id = fileId.value
    if (!id || busy.value) return null
    busy.value = true
    clearAction()
    try {
      const answer = await run(id)
      notice.value = done(answer)
      await openFile(id, true)
      return answer
    } catch (e) {
      actionError.value = failureOf(e)
      return null
    } finally {
      busy.value = false
    }
  }

  /** The subject access export (art. 15); the caller turns it into files. */
  function exportFile(): Promise<SubjectAccessExport | null> {
    return act(
      (id) => invoke('privacy.export', { id }),
      (exp) => {
        lastExport.value = exp
        return { action: 'exported', name: exp.citizen.name }
      },
    )
  }

  async function rectify(fields: RectifyFields, reason: string): Promise<boolean> {
    const answer = await act(
      (id) => invoke('privacy.rectify', { id, ...fields, reason }),
      (reply) => ({ action: 'rectified', name: reply.citizen.name }),
    )
    if (answer) refreshMatch(answer.citizen)
    return answer !== null
  }

  async function erase(reason: string): Promise<ErasureResult | null> {
    const answer = await act(
      (id) => invoke('privacy.erase', { id, reason }),
      (result) => {
        lastErasure.value = result
        return { action: 'erased', anonymised: result.anonymisedRequestIds.length, held: result.held.length }
      },
    )
    const citizen = file.value?.citizen
    if (answer && citizen) refreshMatch(citizen)
    return answer
  }

  /** Set (a reason) or lift (null) one request's legal hold. */
  async function setLegalHold(requestId: string, reference: string, reason: string | null) {
    const answer = await act(
      () => invoke('privacy.legalHold', { requestId, reason }),
      (reply) => ({ action: reply.legalHold ? 'held' : 'released', reference }),
    )
    return answer !== null
  }

  /** A rectified or erased citizen shows as they are now in the results too. */
  function refreshMatch(citizen: PrivacyCitizen) {
    matches.value = matches.value.map((m) =>
      m.id === citizen.id
        ? { ...m, name: citizen.name, email: citizen.email, phone: citizen.phone, erasedAt: citizen.erasedAt }
        : m,
    )
  }

  function reset() {
    searchGeneration++
    retentionGeneration++
    retention.value = null
    retentionLoading.value = false
    retentionError.value = null
    logGeneration++
    log.value = []
    logLoaded.value = false
    logLoading.value = false
    logError.value = null
    logMore.value = false
    logNext = null
    query.value = ''
    matches.value = []
    searched.value = false
    searching.value = false
    searchError.value = null
    closeFile()
  }

  return {
    query,
    matches,
    searched,
    searching,
    searchError,
    fileId,
    file,
    fileLoading,
    fileError,
    olderAccesses,
    accessesMore,
    accessesLoading,
    accessesError,
    log,
    logLoaded,
    logLoading,
    logError,
    logMore,
    loadLog,
    retention,
    retentionLoading,
    retentionError,
    loadRetention,
    busy,
    actionError,
    notice,
    lastExport,
    lastErasure,
    search,
    openFile,
    closeFile,
    moreAccesses,
    exportFile,
    rectify,
    erase,
    setLegalHold,
    clearAction,
    reset,
  }
})
