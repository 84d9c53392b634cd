/**
 * The workstation's preferences from the configuration (`ui`: the user's file over the
 * machine's), read once from `session.loginInfo`: the language until an agent picks one
 * here, each agent's density until they pick one, the screen after login. « Paramètres »
 * saves them to the user's file and updates them here.
 */
import { shallowRef } from 'vue'
import type { Preferences } from '../../shared/contract'
import { invoke } from '../api'
import { chosenLocale, type Locale } from '../i18n'

const preferences = shallowRef<Preferences | null>(null)
let loading: Promise<Preferences | null> | null = null

export function usePreferences() {
  /** Read them (once; later calls get the same answer); null when the core could not say. */
  function load(): Promise<Preferences | null> {
    loading ??= invoke('session.loginInfo', {}).then(
      (info) => (preferences.value = info.preferences),
      () => {
        loading = null
        return null
      },
    )
    return loading
  }
  /** The language to show: the agent's choice here, else the configuration's. */
  const localeToShow = (): Locale | null => chosenLocale() ?? preferences.value?.language ?? null
  return {
    preferences,
    load,
    localeToShow,
    set: (next: Preferences) => (preferences.value = next),
  }
}
