/**
 * The administration screen's data: the reference items as the central server holds them
 * (with their versions), the tab and item open, the audit trail of that item, and what the
 * last save or delete answered. Every change goes to the server through the core; the
 * console's own reference data follows through the change feed (`reference.changed`).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type {
  AdminAuditEntry,
  AdminItem,
  AdminItemOf,
  AdminKind,
  AdminSaveInput,
  AdminWorkflow,
} from '../../shared/adminReference'
import { ApiError, invoke, type ApiErrorCode } from '../api'
import { noteApiError } from './session'

/**
 * A refusal: the code (the screen's words) and the core's own sentence (who changed it, what
 * uses it), or for a missing server the reason alone.
 */
export interface AdminFailure {
  code: ApiErrorCode
  message: string
}

/** What the last action did, for the status line. */
export interface AdminNotice {
  action: 'saved' | 'created' | 'deleted'
  kind: AdminKind
  name: string
}

export function failureOf(error: unknown): AdminFailure {
  const code = noteApiError(error)
  if (!(error instanceof ApiError) || error.origin !== 'core') return { code, message: '' }
  // No server: the screen says so in its own words; only the reason (offline, expired…) is added.
  if (code === 'server_unavailable') {
    const reason = (error.details as { reason?: unknown } | undefined)?.reason
    return { code, message: typeof reason === 'string' ? reason : '' }
  }
  return { code, message: error.message }
}

const byName = (a: string, b: string) => a.localeCompare(b, 'fr')

/** A readable id from a code or a name: lower case, no accents, dashes. */
export function slugOf(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '')
}

export const useAdminStore = defineStore('admin', () => {
  const items = shallowRef<AdminItem[]>([])
  const workflows = shallowRef<AdminWorkflow[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const loadError = shallowRef<AdminFailure | null>(null)

  const kind = ref<AdminKind>('team')
  const selectedId = ref<string | null>(null)
  const creating = ref(false)
  /** Bumped by « Recharger »: the open form starts again from the server's version. */
  const formGeneration = ref(0)

  const busy = ref(false)
  const actionError = shallowRef<AdminFailure | null>(null)
  const notice = shallowRef<AdminNotice | null>(null)

  const audit = shallowRef<AdminAuditEntry[]>([])
  const auditLoading = ref(false)
  const auditError = shallowRef<AdminFailure | null>(null)
  let loadGeneration = 0
  let auditFor = ''

  function ofKind<K extends AdminKind>(k: K): AdminItemOf<K>[] {
    return items.value.filter((i): i is AdminItemOf<K> => i.kind === k)
  }
  const teams = computed(() => ofKind('team').sort((a, b) => byName(a.data.name, b.data.name)))
  const categories = computed(() => ofKind('category').sort((a, b) => byName(a.data.name.fr, b.data.name.fr)))
  /** Routing rules in the order they are tried. */
  const rules = computed(() =>
    ofKind('routing_rule').sort((a, b) => a.data.position - b.data.position || byName(a.id, b.id)),
  )
  const sectors = computed(() => ofKind('sector').sort((a, b) => byName(a.data.name, b.data.name)))
  const listOf = (k: AdminKind): AdminItem[] =>
    ({ team: teams, category: categories, routing_rule: rules, sector: sectors })[k].value

  const selected = computed<AdminItem | null>(
    () => items.value.find((i) => i.kind === kind.value && i.id === selectedId.value) ?? null,
  )
  const find = <K extends AdminKind>(k: K, id: string | null) =>
    id === null ? undefined : ofKind(k).find((i) => i.id === id)

  async function load(): Promise<boolean> {
    const asked = ++loadGeneration
    loading.value = true
    try {
      const answer = await invoke('admin.reference.list', {})
      if (asked !== loadGeneration) return false
      items.value = answer.items
      workflows.value = answer.workflows
      loadError.value = null
      loaded.value = true
      return true
    } catch (e) {
      if (asked === loadGeneration) loadError.value = failureOf(e)
      return false
    } finally {
      if (asked === loadGeneration) loading.value = false
    }
  }

  function clearAction() {
    actionError.value = null
    notice.value = null
  }

  function showKind(next: AdminKind) {
    if (kind.value === next) return
    kind.value = next
    close()
  }

  function select(id: string) {
    selectedId.value = id
    creating.value = false
    clearAction()
    void loadAudit()
  }

  function startCreate() {
    selectedId.value = null
    creating.value = true
    clearAction()
    audit.value = []
    auditError.value = null
  }

  function close() {
    selectedId.value = null
    creating.value = false
    actionError.value = null
    audit.value = []
    auditError.value = null
  }

  /** A new item's id: from its code or name, made unique among its kind. */
  function newIdFor(k: AdminKind, seed: string): string {
    const taken = new Set(ofKind(k).map((i) => i.id))
    const base = slugOf(seed) || k.replace('_', '-')
    let id = base
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`
    return id
  }

  /** Create or change one item; on success the list holds the server's copy and the item stays open. */
  async function save(input: AdminSaveInput, name: string): Promise<AdminItem | null> {
    busy.value = true
    clearAction()
    try {
      const item = await invoke('admin.reference.save', input)
      items.value = [...items.value.filter((i) => !(i.kind === item.kind && i.id === item.id)), item]
      kind.value = item.kind
      selectedId.value = item.id
      creating.value = false
      // The form starts again from what the server kept (trimmed, in its order).
      formGeneration.value++
      notice.value = { action: input.baseVersion === null ? 'created' : 'saved', kind: item.kind, name }
      void loadAudit()
      return item
    } catch (e) {
      actionError.value = failureOf(e)
      return null
    } finally {
      busy.value = false
    }
  }

  /** Delete the open item on the version shown; refused (in words) while something uses it. */
  async function remove(name: string): Promise<boolean> {
    const item = selected.value
    if (!item) return false
    busy.value = true
    clearAction()
    try {
      await invoke('admin.reference.delete', { kind: item.kind, id: item.id, baseVersion: item.version })
      items.value = items.value.filter((i) => !(i.kind === item.kind && i.id === item.id))
      close()
      notice.value = { action: 'deleted', kind: item.kind, name }
      return true
    } catch (e) {
      actionError.value = failureOf(e)
      return false
    } finally {
      busy.value = false
    }
  }

  /** « Recharger »: the server's current items; the open form starts again from its version. */
  async function reload() {
    clearAction()
    await load()
    formGeneration.value++
    if (selectedId.value) void loadAudit()
  }

  async function loadAudit() {
    const id = selectedId.value
    if (!id) return
    const key = `${kind.value}:${id}`
    auditFor = key
    auditLoading.value = true
    try {
      const { entries } = await invoke('admin.reference.audit', { kind: kind.value, id, limit: 50 })
      if (auditFor !== key) return
      audit.value = entries
      auditError.value = null
    } catch (e) {
      if (auditFor === key) auditError.value = failureOf(e)
    } finally {
      if (auditFor === key) auditLoading.value = false
    }
  }

  function reset() {
    loadGeneration++
    auditFor = ''
    items.value = []
    workflows.value = []
    loaded.value = false
    loading.value = false
    loadError.value = null
    kind.value = 'team'
    close()
    busy.value = false
    notice.value = null
    formGeneration.value = 0
  }

  return {
    items,
    workflows,
    loaded,
    loading,
    loadError,
    kind,
    selectedId,
    creating,
    formGeneration,
    busy,
    actionError,
    notice,
    audit,
    auditLoading,
    auditError,
    teams,
    categories,
    rules,
    sectors,
    listOf,
    selected,
    find,
    load,
    showKind,
    select,
    startCreate,
    close,
    newIdFor,
    save,
    remove,
    reload,
    loadAudit,
    clearAction,
    reset,
  }
})
