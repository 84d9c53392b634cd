import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { LOCALES, persistLocale, type Locale } from '../i18n'

/** The interface language, switchable at any time (login screen included) and remembered. */
export function useLocale() {
  const { locale } = useI18n()
  const current = computed<Locale>(() => (locale.value === 'en' ? 'en' : 'fr'))
  const setLocale = (next: Locale) => {
    locale.value = next
    persistLocale(next)
  }
  return { locales: LOCALES, current, setLocale }
}
