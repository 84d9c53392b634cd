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

/** The language the agent chose last on this workstation, French otherwise. */
export function storedLocale(): Locale {
  try {
    return localStorage.getItem(LOCALE_KEY) === 'en' ? 'en' : 'fr'
  } catch {
    return 'fr'
  }
}

/** Remember the agent's language and tell assistive technologies which one the page uses. */
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
