import { readonly, ref, type Ref } from 'vue'

const now = ref(Date.now())
let timer: ReturnType<typeof setInterval> | null = null

/**
 * The current time, refreshed once a minute: SLA clocks are shown to the hour, so a finer
 * tick would only re-render the list for nothing. One shared timer for the whole window.
 */
export function useNow(): Readonly<Ref<number>> {
  if (!timer && typeof setInterval !== 'undefined') {
    timer = setInterval(() => (now.value = Date.now()), 60_000)
  }
  return readonly(now)
}
