/**
 * The idle lock's clock runs in the core; only the agent's own input restarts it (background
 * refreshes must not keep an unattended console open). While the shell is mounted, a key, a
 * click or a scroll tells the core, at most once per `ACTIVITY_PING_MS`, never while locked.
 */
import { onBeforeUnmount, onMounted } from 'vue'
import { invoke } from '../api'
import { noteApiError, useSessionStore } from '../stores/session'

export const ACTIVITY_PING_MS = 60_000
const INPUT_EVENTS = ['keydown', 'pointerdown', 'wheel'] as const

export function useActivityPing(): void {
  const session = useSessionStore()
  let lastPing: number | null = null

  function onInput() {
    if (session.locked || !session.session) return
    const now = Date.now()
    // A clock set back counts as time elapsed: better one ping too many than a lock too early.
    if (lastPing !== null && now >= lastPing && now - lastPing < ACTIVITY_PING_MS) return
    lastPing = now
    // A refusal says the session locked or expired meanwhile: noteApiError shows which.
    invoke('session.activity', {}).catch(noteApiError)
  }

  // Capture: dialogs keep their keys from bubbling, and their keys are activity too.
  const options = { capture: true, passive: true }
  onMounted(() => INPUT_EVENTS.forEach((type) => window.addEventListener(type, onInput, options)))
  onBeforeUnmount(() => INPUT_EVENTS.forEach((type) => window.removeEventListener(type, onInput, options)))
}
