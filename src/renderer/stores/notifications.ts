/**
 * The agent's notifications as the core keeps them (src/main/notifications): the list and
 * unread count behind the bell, kept fresh by the core's `notifications.changed`, marking
 * read, and the agent's switches per kind for « Paramètres ».
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type {
  AgentNotification,
  NotificationKind,
  NotificationList,
  NotificationSettings,
} from '../../shared/channels/notifications'
import { invoke, on, type ApiErrorCode } from '../api'
import { noteApiError } from './session'

export const useNotificationsStore = defineStore('notifications', () => {
  const items = shallowRef<AgentNotification[]>([])
  const unread = ref(0)
  const loadError = ref<ApiErrorCode | null>(null)
  const settings = shallowRef<NotificationSettings | null>(null)
  const settingsError = ref<ApiErrorCode | null>(null)
  const saving = ref<NotificationKind | null>(null)

  function apply(list: NotificationList) {
    items.value = list.items
    unread.value = list.unread
    loadError.value = null
  }

  async function load() {
    try {
      apply(await invoke('notifications.list', {}))
    } catch (e) {
      loadError.value = noteApiError(e)
    }
  }

  /** One write; its answer is the list as it now is. */
  async function markRead(id: number) {
    try {
      apply(await invoke('notifications.markRead', { id }))
    } catch (e) {
      loadError.value = noteApiError(e)
    }
  }

  async function markAllRead() {
    try {
      apply(await invoke('notifications.markRead', { all: true }))
    } catch (e) {
      loadError.value = noteApiError(e)
    }
  }

  async function loadSettings() {
    try {
      settings.value = await invoke('notifications.settings', {})
      settingsError.value = null
    } catch (e) {
      settingsError.value = noteApiError(e)
    }
  }

  async function setEnabled(kind: NotificationKind, enabled: boolean) {
    saving.value = kind
    try {
      settings.value = await invoke('notifications.setEnabled', { kind, enabled })
      settingsError.value = null
    } catch (e) {
      settingsError.value = noteApiError(e)
    } finally {
      saving.value = null
    }
  }

  /**
   * Follow the core: a new notification, or one read elsewhere, reads the list again; a click
   * on a system notification (Electron) hands its request to `open`. Returns the unsubscribe.
   */
  function listen(open: (requestId: string) => void): () => void {
    return on('notifications.changed', () => {
      void load()
      void invoke('notifications.takeOpenRequest', {})
        .then(({ requestId }) => requestId && open(requestId))
        .catch(noteApiError)
    })
  }

  function reset() {
    items.value = []
    unread.value = 0
    loadError.value = null
    settings.value = null
    settingsError.value = null
  }

  return {
    items,
    unread,
    loadError,
    settings,
    settingsError,
    saving,
    load,
    markRead,
    markAllRead,
    loadSettings,
    setEnabled,
    listen,
    reset,
  }
})
