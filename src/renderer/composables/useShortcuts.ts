import { onBeforeUnmount, onMounted } from 'vue'

/** True when the key press belongs to a field the agent is typing in: shortcuts stay quiet. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  return target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT'
}

/** A key press that is a plain shortcut (no Ctrl/Alt/Meta, not typed into a field). */
export function isShortcut(event: KeyboardEvent): boolean {
  return (
    !event.ctrlKey &&
    !event.altKey &&
    !event.metaKey &&
    !event.defaultPrevented &&
    !isTypingTarget(event.target)
  )
}

/**
 * Listen to key presses on the whole window while the component is mounted. The handler
 * returns true when it used the key, which then does nothing else (no scroll, no typing).
 */
export function useShortcuts(handler: (event: KeyboardEvent) => boolean): void {
  const listener = (event: KeyboardEvent) => {
    if (handler(event)) event.preventDefault()
  }
  onMounted(() => window.addEventListener('keydown', listener))
  onBeforeUnmount(() => window.removeEventListener('keydown', listener))
}

/** Move keyboard focus to the control marked `data-shortcut="<name>"`, if it is on screen. */
export function focusShortcutTarget(name: string): boolean {
  const el = document.querySelector<HTMLElement>(`[data-shortcut="${name}"]`)
  if (!el) return false
  el.focus()
  return true
}
