/**
 * Whether the command palette is open: one flag for the whole shell, so the shell's key
 * handler opens it and the palette (mounted once in the shell) closes it.
 */
import { ref } from 'vue'
import { useSessionStore } from '../../stores/session'

export const paletteOpen = ref(false)

/** Ctrl+K, and Cmd+K on a Mac: from anywhere, a field included (it types nothing there). */
export function isPaletteKey(event: KeyboardEvent): boolean {
  return (
    (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'k'
  )
}

/** The shell's handler: true when the key opened the palette (the browser's own Ctrl+K is then prevented). */
export function openPaletteOnKey(event: KeyboardEvent): boolean {
  if (event.defaultPrevented || !isPaletteKey(event)) return false
  // Locked, the shell is out of reach: nothing opens over the lock screen.
  if (useSessionStore().locked) return false
  paletteOpen.value = true
  return true
}
