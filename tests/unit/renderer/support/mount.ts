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

const squash = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim()

const IMPLICIT_ROLES: Record<string, string> = {
  ARTICLE: 'article',
  BUTTON: 'button',
  FORM: 'form',
  PROGRESS: 'progressbar',
  TABLE: 'table',
  SELECT: 'combobox',
  TEXTAREA: 'textbox',
}

function roleOf(el: Element): string | null {
  const explicit = el.getAttribute('role')
  if (explicit) return explicit
  if (el.tagName === 'INPUT') {
    const type = el.getAttribute('type') ?? 'text'
    return type === 'radio' ? 'radio' : type === 'password' ? 'password' : 'textbox'
  }
  return IMPLICIT_ROLES[el.tagName] ?? null
}

/** A simplified accessible name: aria-labelledby, aria-label, a label, then the text. */
export function accessibleName(el: Element): string {
  const labelledBy = el.getAttribute('aria-labelledby')
  if (labelledBy)
    return squash(
      labelledBy
        .split(/\s+/)
        .map((id) => document.getElementById(id)?.textContent)
        .join(' '),
    )
  const label = el.getAttribute('aria-label')
  if (label) return squash(label)
  if (el.id) {
    const forLabel = document.querySelector(`label[for="${el.id}"]`)
    if (forLabel) return squash(forLabel.textContent)
  }
  const wrapping = el.closest('label')
  if (wrapping) return squash(wrapping.textContent)
  return squash(el.textContent)
}

/** Every element with this role (explicit or implicit) and accessible name under `root`. */
export function allByRole(root: Element, role: string, name?: string): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('*')].filter(
    (el) => roleOf(el) === role && (name === undefined || accessibleName(el) === name),
  )
}

/** The one element with this role and accessible name under `root` (the document by default). */
export function byRole(role: string, name?: string, root: Element = document.body): HTMLElement {
  const found = allByRole(root, role, name)
  if (found.length !== 1) throw new Error(`${found.length} elements with role ${role} named "${name}"`)
  return found[0]!
}
