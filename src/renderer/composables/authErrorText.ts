/**
 * A refused login or unlock in words. The core's own sentence is the most precise (which
 * server, how many seconds to wait, why an offline session is impossible) but it is French
 * only: it is shown in French, and the translated words per code in any other language.
 */
import { useI18n } from 'vue-i18n'
import type { AuthFailure } from '../stores/session'

/** Codes whose core message is a technical one (zod's input report): the UI's words fit better. */
const OWN_WORDS_ONLY = new Set(['invalid_input'])

function retryAfterSeconds(details: unknown): number | null {
  if (typeof details !== 'object' || details === null || !('retryAfterSeconds' in details)) return null
  const seconds = details.retryAfterSeconds
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : null
}

export function useAuthErrorText() {
  const { t, locale } = useI18n()

  return (failure: AuthFailure): string => {
    const message = failure.coreMessage.trim()
    if (message && locale.value === 'fr' && !OWN_WORDS_ONLY.has(failure.code)) return message
    if (failure.code === 'too_many_attempts') {
      const seconds = retryAfterSeconds(failure.details)
      if (seconds !== null) return t('auth.retryIn', { n: seconds })
    }
    return t(`errors.${failure.code}`)
  }
}
