/**
 * The « Paramètres » screen's data: the configuration in force (settings.effective) and
 * the diagnostic export (support.diagnostic), handed to the browser's download.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { EffectiveSettings, Preferences } from '../../shared/contract'
import { errorCodeOf, invoke, type ApiErrorCode } from '../api'

/** A value as the table shows it: JSON, cut short. */
export function shortValue(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null')
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** Save a base64 file through the browser's download (Blob + an `<a download>`). */
export function downloadBase64(base64: string, fileName: string, type = 'application/zip'): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  const url = URL.createObjectURL(new Blob([bytes], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.append(link)
  link.click()
  link.remove()
  // The download has started from the URL by now; keep it a moment for slow file dialogs.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export const useSettingsStore = defineStore('settings', () => {
  const effective = shallowRef<EffectiveSettings | null>(null)
  const loading = ref(false)
  const loadError = ref<ApiErrorCode | null>(null)
  const exporting = ref(false)
  const exportError = ref<ApiErrorCode | null>(null)
  const exported = ref<string | null>(null)

  async function load() {
    loading.value = true
    try {
      effective.value = await invoke('settings.effective', {})
      loadError.value = null
    } catch (e) {
      loadError.value = errorCodeOf(e)
    } finally {
      loading.value = false
    }
  }

  async function exportDiagnostic() {
    exporting.value = true
    exportError.value = null
    exported.value = null
    try {
      const { fileName, base64 } = await invoke('support.diagnostic', {})
      downloadBase64(base64, fileName)
      exported.value = fileName
    } catch (e) {
      exportError.value = errorCodeOf(e)
    } finally {
      exporting.value = false
    }
  }

  const saving = ref(false)
  const saveError = ref<{ code: ApiErrorCode; message: string } | null>(null)
  const saved = ref(false)

  /** Write preferences to the user's file; the table then shows them as the user's. */
  async function savePreferences(changes: Partial<Preferences>): Promise<boolean> {
    saving.value = true
    saveError.value = null
    saved.value = false
    try {
      effective.value = await invoke('settings.savePreferences', changes)
      saved.value = true
      return true
    } catch (e) {
      saveError.value = { code: errorCodeOf(e), message: e instanceof Error ? e.message : '' }
      return false
    } finally {
      saving.value = false
    }
  }

  function reset() {
    saveError.value = null
    saved.value = false
    effective.value = null
    loadError.value = null
    exportError.value = null
    exported.value = null
  }

  return {
    effective,
    loading,
    loadError,
    exporting,
    exportError,
    exported,
    saving,
    saveError,
    saved,
    load,
    exportDiagnostic,
    savePreferences,
    reset,
  }
})
