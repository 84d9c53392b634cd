/**
 * One request's attachments as the core lists them (`attachments.ofRequest`), and the two
 * writes on them: add files (one `attachments.add` per file, each checked first against what
 * the core said it accepts) and remove one. Shared by the detail's panel and « Ma journée ».
 *
 * One owner of refresh: the list is read again only when the caller's `readAgainKey` changes
 * (the request moved in a way that concerns its attachments), never on a timer; a write
 * applies its own answer to the list and reads nothing.
 */
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue'
import type { AttachmentItem, RequestAttachments } from '../../../shared/channels/attachments'
import { ApiError, invoke, on } from '../../api'
import { useWords } from '../../composables/useWords'
import { noteApiError } from '../../stores/session'
import { checkFile, sizeParts, typeNames, type FileRefusal } from './attachmentFiles'

/** What happened to one file the agent gave, for the results list read out by `aria-live`. */
export interface UploadOutcome {
  name: string
  ok: boolean
  text: string
  /** The core's answer, when it took the file. */
  item?: AttachmentItem
}

/** Words for sizes and per-file refusals, in the agent's language. */
export function useAttachmentWords() {
  const words = useWords()
  const { t, locale } = words
  function size(bytes: number): string {
    const { unit, n } = sizeParts(bytes)
    const number = new Intl.NumberFormat(locale.value === 'en' ? 'en-GB' : 'fr-FR', {
      maximumFractionDigits: 1,
    }).format(n)
    return t(`attachments.size.${unit}`, { n: number }, n)
  }
  function refusalText(refusal: FileRefusal): string {
    switch (refusal.code) {
      case 'empty':
        return t('attachments.check.empty')
      case 'type':
        return t('attachments.check.type', { types: typeNames(refusal.types) })
      case 'too_large':
        return t('attachments.check.tooLarge', { size: size(refusal.size), max: size(refusal.maxBytes) })
    }
  }
  return { ...words, size, refusalText }
}

/** The state and writes of one request's attachments (see the module's comment). */
export type RequestAttachmentsState = ReturnType<typeof useRequestAttachments>

/**
 * `requestId`: the request shown; `readAgainKey`: what, when it changes, means the list may
 * have changed (given the list as last read, so a caller can follow more closely while some
 * of it waits for the server).
 */
export function useRequestAttachments(
  requestId: () => string | null,
  readAgainKey: (items: readonly AttachmentItem[]) => string,
) {
  const words = useAttachmentWords()
  const { t } = words

  const found = shallowRef<RequestAttachments | null>(null)
  const loading = ref(false)
  const loadError = ref<string | null>(null)
  const uploading = ref(false)
  /** The last batch's results, one line per file. */
  const outcomes = ref<UploadOutcome[]>([])
  const removeError = ref<string | null>(null)

  const errorText = (e: unknown) => {
    const code = noteApiError(e)
    return e instanceof ApiError && e.message ? e.message : words.errorText(code)
  }

  // One string, so that a detail read again with nothing new for this list (a new object) reads nothing.
  const keyNow = () => `${requestId() ?? ''}|${readAgainKey(found.value?.items ?? [])}`
  /** The key as the list on screen left it: a change the list makes itself is no reason to read. */
  let readKey = ''
  function show(list: RequestAttachments | null) {
    found.value = list
    readKey = keyNow()
  }

  // Answers of a request left behind are dropped.
  let token = 0
  async function load() {
    const id = requestId()
    const mine = ++token
    if (!id) {
      show(null)
      return
    }
    loading.value = true
    loadError.value = null
    try {
      const answer = await invoke('attachments.ofRequest', { requestId: id })
      if (mine === token) show(answer)
    } catch (e) {
      if (mine !== token) return
      show(null)
      loadError.value = errorText(e)
    } finally {
      if (mine === token) loading.value = false
    }
  }

  // This console's own adds, removals, sends and refusals (the core's `attachments.changed`);
  // what other consoles do arrives with the request's history (`readAgainKey`).
  const unsubscribe = on('attachments.changed', ({ ids }) => {
    const id = requestId()
    if (id && ids.includes(id)) void load()
  })
  onScopeDispose(unsubscribe)

  let shownId: string | null = null
  watch(
    keyNow,
    (key) => {
      if (key === readKey) return
      const id = requestId()
      if (id !== shownId) {
        shownId = id
        show(null)
        outcomes.value = []
        removeError.value = null
      }
      void load()
    },
    { immediate: true },
  )

  const items = computed(() => found.value?.items ?? [])
  const add = computed(() => found.value?.add ?? null)
  const limits = computed(() => found.value?.limits ?? null)

  /** Put an answered item in the list (newest first) without reading the list again. */
  function place(item: AttachmentItem) {
    const list = found.value
    if (!list) return
    show({ ...list, items: [item, ...list.items.filter((i) => i.id !== item.id)] })
  }

  /**
   * Send each file the screen finds acceptable, one `attachments.add` each, one after the
   * other (a tablet's memory holds one photo's bytes at a time); refusals are listed per file
   * and stop nothing else. Resolves with one outcome per file, in the order given.
   */
  async function upload(files: readonly File[]): Promise<UploadOutcome[]> {
    const id = requestId()
    if (!id || !found.value || files.length === 0 || uploading.value) return []
    const { limits: checks } = found.value
    uploading.value = true
    const results: UploadOutcome[] = []
    outcomes.value = []
    try {
      for (const file of files) {
        const refusal = checkFile(file, checks)
        if (refusal) {
          results.push({ name: file.name, ok: false, text: words.refusalText(refusal) })
          continue
        }
        try {
          const bytes = new Uint8Array(await file.arrayBuffer())
          const item = await invoke('attachments.add', { requestId: id, name: file.name, bytes })
          if (requestId() === id) place(item)
          results.push({
            item,
            name: item.name,
            ok: item.state !== 'refused',
            text:
              item.state === 'refused'
                ? t('attachments.state.refused', { reason: item.error ?? '' })
                : t(item.state === 'pending' ? 'attachments.added.pending' : 'attachments.added.sent'),
          })
        } catch (e) {
          results.push({ name: file.name, ok: false, text: errorText(e) })
        }
      }
    } finally {
      uploading.value = false
      if (requestId() === id) outcomes.value = results
    }
    return results
  }

  /** Remove one attachment; the list drops it from the core's answer, nothing is read. */
  async function remove(item: AttachmentItem): Promise<boolean> {
    removeError.value = null
    try {
      await invoke('attachments.remove', { id: item.id })
      const list = found.value
      if (list) show({ ...list, items: list.items.filter((i) => i.id !== item.id) })
      return true
    } catch (e) {
      removeError.value = errorText(e)
      return false
    }
  }

  return {
    words,
    found,
    items,
    add,
    limits,
    loading,
    loadError,
    uploading,
    outcomes,
    removeError,
    load,
    upload,
    remove,
  }
}
