import { nextTick, onBeforeUnmount, onMounted, type Ref } from 'vue'

const FOCUSABLE =
  'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])'

/**
 * Keyboard behaviour of a modal dialog (RGAA): focus moves in on opening (to the element
 * marked `data-autofocus`, else the first control), Tab cycles inside, Escape closes, keys
 * never reach the shortcuts behind it, and focus goes back where it was on closing.
 */
export function useModal(root: Ref<HTMLElement | null>, close: () => void) {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null

  const focusables = () => [...(root.value?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])]

  onMounted(() =>
    nextTick(() => {
      const target = root.value?.querySelector<HTMLElement>('[data-autofocus]') ?? focusables()[0]
      target?.focus()
    }),
  )

  onBeforeUnmount(() => {
    // The opener may be gone (the conflicts button hides at zero): fall back to the list.
    const back = opener?.isConnected ? opener : document.querySelector<HTMLElement>('[data-shortcut="list"]')
    void nextTick(() => back?.focus())
  })

  function onKeydown(event: KeyboardEvent) {
    event.stopPropagation()
    if (event.key === 'Escape') {
      event.preventDefault()
      close()
      return
    }
    if (event.key !== 'Tab') return
    const items = focusables()
    const first = items[0]
    const last = items.at(-1)
    if (!first || !last) return
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault()
      last.focus()
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault()
      first.focus()
    }
  }

  return { onKeydown }
}
