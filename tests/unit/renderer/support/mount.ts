/** Mount a renderer component the way the app does: a real Pinia, the real i18n, French. */
import { mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Component } from 'vue'
import type { SessionInfo } from '../../../../src/shared/contract'
import { createAppI18n } from '../../../../src/renderer/i18n'
import { useSessionStore } from '../../../../src/renderer/stores/session'

export function mountWithApp(component: Component, session: SessionInfo | null): VueWrapper {
  const pinia = createPinia()
  setActivePinia(pinia)
  const store = useSessionStore()
  store.session = session
  store.ready = true
  return mount(component, {
    global: { plugins: [pinia, createAppI18n('fr')] },
    attachTo: document.body,
  })
}

/** The form control a visible label names (how a user and the e2e tests find it). */
export function controlLabelled(wrapper: VueWrapper, name: string): HTMLElement {
  const label = wrapper.findAll('label').find((l) => l.text() === name)
  if (!label) throw new Error(`no label "${name}"`)
  const id = label.attributes('for')
  const control = id ? document.getElementById(id) : label.element.querySelector('input, select, textarea')
  if (!control) throw new Error(`label "${name}" names nothing`)
  return control as HTMLElement
}

/** The button whose accessible name is `name` (its aria-label, else its text). */
export function buttonNamed(wrapper: VueWrapper, name: string) {
  const button = wrapper
    .findAll('button')
    .find((b) => (b.attributes('aria-label') ?? b.text().replace(/\s+/g, ' ').trim()) === name)
  if (!button) throw new Error(`no button "${name}"`)
  return button
}
