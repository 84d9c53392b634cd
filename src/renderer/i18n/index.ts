/**
 * vue-i18n in Composition mode with the JIT message compiler: messages are compiled to an
 * AST and interpreted, never turned into code with eval/new Function, so the strict CSP
 * (script-src 'self') holds. French is the default; the agent's choice is remembered.
 */
import { createI18n } from 'vue-i18n'
import en from './en'
import fr from './fr'

export const LOCALES = ['fr', 'en'] as const
export type Locale = (typeof LOCALES)[number]

const LOCALE_KEY = 'grc.locale'

/** The language an agent chose last on this workstation; null when none did. */
export function chosenLocale(): Locale | null {
  try {
    const stored = localStorage.getItem(LOCALE_KEY)
    return stored === 'en' || stored === 'fr' ? stored : null
  } catch {
    return null
  }
}

/** The language chosen on this workstation, French otherwise (the configuration may say better: usePreferences). */
export function storedLocale(): Locale {
  return chosenLocale() ?? 'fr'
}

export function persistLocale(locale: Locale): void {
  try {
    localStorage.setItem(LOCALE_KEY, locale)
  } catch {
    // Storage disabled: the choice lasts for this window only.
  }
  document.documentElement.lang = locale
}

/** The app's i18n instance (global composer: `useI18n()` without options everywhere). */
export function createAppI18n(locale: Locale = storedLocale()) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'fr',
    messages: { fr, en },
    missingWarn: false,
    fallbackWarn: false,
  })
}

export type AppI18n = ReturnType<typeof createAppI18n>
