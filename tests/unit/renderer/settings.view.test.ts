/**
 * « Paramètres »: every key with its value, layer and padlock, a filter, the files' paths
 * for an admin only, and the diagnostic handed to the browser's download.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import type { EffectiveSettings } from '../../../src/shared/contract'
import NavBar from '../../../src/renderer/components/NavBar.vue'
import SettingsView from '../../../src/renderer/views/SettingsView.vue'
import { shortValue } from '../../../src/renderer/stores/settings'
import { ApiError, answer, callsTo, resetFakeApi } from './support/fakeApi'
import { sessionFor } from './support/fixtures'
import { buttonNamed, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const SETTINGS: EffectiveSettings['settings'] = [
  { key: 'auth.idleLockMinutes', value: 10, layer: 'machine', locked: true },
  { key: 'sync.serverUrl', value: 'https://grc.example.org', layer: 'env', locked: false },
  { key: 'ui.language', value: 'fr', layer: 'user', locked: false },
  { key: 'sync.pageSize', value: 500, layer: 'default', locked: false },
]
const FILES = [
  { kind: 'machine' as const, file: '/etc/grc-console/config.json' },
  { kind: 'user' as const, file: '/home/zoe/.config/GRC Console/config.json' },
]

let wrapper: VueWrapper | null = null
beforeEach(() => resetFakeApi())
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.restoreAllMocks()
})

async function open(admin: boolean) {
  answer('settings.effective', () => ({ settings: SETTINGS, files: admin ? FILES : null }))
  wrapper = mountWithApp(SettingsView, sessionFor(admin ? ['admin'] : ['agent']))
  await flushPromises()
  return wrapper
}

const row = (w: VueWrapper, key: string) => w.find(`tr[data-key="${key}"]`)

describe('the Settings screen', () => {
  it('shows each key, its value, its layer in words and a padlock where IT locked it', async () => {
    const w = await open(false)
    expect(w.find('h1').text()).toBe('Paramètres')
    const locked = row(w, 'auth.idleLockMinutes')
    expect(locked.findAll('td').map((c) => c.text())).toEqual([
      '10',
      'Machine',
      'verrouillée par le service informatique',
    ])
    expect(locked.find('.padlock svg').attributes('aria-hidden')).toBe('true')
    expect(row(w, 'sync.serverUrl').text()).toContain('Variable d’environnement')
    expect(row(w, 'ui.language').text()).toContain('Utilisateur')
    expect(row(w, 'sync.pageSize').text()).toContain('Défaut')
    for (const key of ['sync.serverUrl', 'ui.language', 'sync.pageSize'])
      expect(row(w, key).find('.padlock').exists()).toBe(false)
  })

  it('gives the files’ paths to an admin only', async () => {
    const agent = await open(false)
    expect(agent.text()).not.toContain('/etc/grc-console/config.json')
    expect(agent.find('#settings-files-title').exists()).toBe(false)
    agent.unmount()
    wrapper = null

    const admin = await open(true)
    expect(admin.find('#settings-files-title').text()).toBe('Fichiers de configuration')
    const items = admin.findAll('.files li').map((li) => li.text())
    expect(items).toEqual([
      'Machine : /etc/grc-console/config.json',
      'Utilisateur : /home/zoe/.config/GRC Console/config.json',
    ])
  })

  it('filters the keys', async () => {
    const w = await open(false)
    const box = controlLabelled(w, 'Chercher une clé') as HTMLInputElement
    box.value = 'SYNC'
    box.dispatchEvent(new Event('input'))
    await flushPromises()
    expect(w.findAll('tbody tr').map((r) => r.attributes('data-key'))).toEqual([
      'sync.serverUrl',
      'sync.pageSize',
    ])
    box.value = 'nothing-like-it'
    box.dispatchEvent(new Event('input'))
    await flushPromises()
    expect(w.find('table').exists()).toBe(false)
    expect(w.text()).toContain('Aucune clé ne correspond à « nothing-like-it »')
  })

  it('exports the diagnostic as a zip download', async () => {
    const w = await open(false)
    expect(w.text()).toContain('aucune donnée d’usager')
    const zipBase64 = btoa('PK\x03\x04fake')
    answer('support.diagnostic', () => ({ fileName: 'grc-diagnostic-20261204-0905.zip', base64: zipBase64 }))
    const created: Blob[] = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      created.push(b as Blob)
      return 'blob:fake'
    })
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {})
    const clicked: HTMLAnchorElement[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this)
    })

    await buttonNamed(w, 'Exporter un diagnostic').trigger('click')
    await flushPromises()
    expect(callsTo('support.diagnostic')).toEqual([{}])
    expect(clicked.map((a) => a.download)).toEqual(['grc-diagnostic-20261204-0905.zip'])
    expect(created[0]!.type).toBe('application/zip')
    const bytes = new Uint8Array(await created[0]!.arrayBuffer())
    expect(Array.from(bytes.slice(0, 4))).toEqual([0x50, 0x4b, 0x03, 0x04])
    expect(w.text()).toContain('Diagnostic enregistré : grc-diagnostic-20261204-0905.zip')
  })

  it('is in the nav for every role', () => {
    for (const roles of [['agent'], ['technician'], ['admin']] as const) {
      const nav = mountWithApp({ render: () => h(NavBar, { current: 'queue' }) }, sessionFor([...roles]))
      expect(nav.find('a[href="#settings"]').text()).toBe('Paramètres')
      nav.unmount()
    }
  })

  it('saves the agent’s preferences, except what IT locked, and applies them here', async () => {
    const prefs: EffectiveSettings['settings'] = [
      { key: 'ui.density', value: 'comfortable', layer: 'machine', locked: true },
      { key: 'ui.language', value: 'fr', layer: 'default', locked: false },
      { key: 'ui.startScreen', value: 'auto', layer: 'default', locked: false },
    ]
    answer('settings.effective', () => ({ settings: prefs, files: null }))
    wrapper = mountWithApp(SettingsView, sessionFor(['agent']))
    await flushPromises()
    const density = controlLabelled(wrapper, 'Densité d’affichage') as HTMLSelectElement
    expect(density.disabled).toBe(true)
    expect(wrapper.find(`#${density.getAttribute('aria-describedby')}`).text()).toBe(
      'Verrouillé par le service informatique.',
    )
    const save = buttonNamed(wrapper, 'Enregistrer mes préférences')
    expect(save.attributes('disabled')).toBeDefined()

    const startScreen = controlLabelled(wrapper, 'Écran à l’ouverture') as HTMLSelectElement
    startScreen.value = 'map'
    startScreen.dispatchEvent(new Event('change'))
    const language = controlLabelled(wrapper, 'Langue') as HTMLSelectElement
    language.value = 'en'
    language.dispatchEvent(new Event('change'))
    await flushPromises()
    answer('settings.savePreferences', (changes) => ({
      settings: prefs.map((p) =>
        p.key === 'ui.startScreen'
          ? { ...p, value: changes.startScreen, layer: 'user' as const }
          : p.key === 'ui.language'
            ? { ...p, value: changes.language, layer: 'user' as const }
            : p,
      ),
      files: null,
    }))
    expect(save.attributes('disabled')).toBeUndefined()
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    // Only what changed, never the locked key.
    expect(callsTo('settings.savePreferences')).toEqual([{ language: 'en', startScreen: 'map' }])
    // In force at once: the screen is in English now.
    expect(wrapper.find('#settings-preferences-title').text()).toBe('My preferences')
    expect(wrapper.text()).toContain('Preferences saved.')
  })

  it('says why the preferences were not saved', async () => {
    answer('settings.effective', () => ({
      settings: [{ key: 'ui.startScreen', value: 'auto', layer: 'default', locked: false }],
      files: null,
    }))
    wrapper = mountWithApp(SettingsView, sessionFor(['agent']))
    await flushPromises()
    const startScreen = controlLabelled(wrapper, 'Écran à l’ouverture') as HTMLSelectElement
    startScreen.value = 'tours'
    startScreen.dispatchEvent(new Event('change'))
    answer('settings.savePreferences', () => {
      throw new ApiError(
        'invalid_input',
        'Le fichier de configuration /home/zoe/config.json n’est pas un objet JSON lisible.',
      )
    })
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toContain('n’est pas un objet JSON lisible')
  })

  it('cuts long values short', () => {
    expect(shortValue({ a: 1 })).toBe('{"a":1}')
    expect(shortValue('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`)
  })
})
