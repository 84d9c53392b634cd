import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import TopBar from '../../../src/renderer/components/TopBar.vue'
import { resetFakeApi } from './support/fakeApi'
import { sessionFor } from './support/fixtures'
import { buttonNamed, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null
beforeEach(() => resetFakeApi())
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

const badge = () => [...document.querySelectorAll<HTMLElement>('.offline-badge')]
const topText = () => document.querySelector('header')!.textContent!.replace(/\s+/g, ' ')

describe('offline session badge', () => {
  it('shows that the directory could not be reached, and what it means for the agent’s work', async () => {
    wrapper = mountWithApp(TopBar, { ...sessionFor(['agent']), kind: 'offline' })
    await flushPromises()
    expect(badge()).toHaveLength(1)
    expect(topText()).toContain('Session hors ligne — annuaire injoignable')
    const explanation =
      'L’annuaire de la collectivité n’a pas pu être joint : vous êtes connecté avec le mot de passe mémorisé sur ce poste. Vos modifications sont conservées et seront synchronisées dès que possible.'
    expect(badge()[0]!.getAttribute('title')).toBe(explanation)
    // Not for the mouse only: screen readers get the same explanation.
    expect(badge()[0]!.querySelector('.sr-only')!.textContent).toContain(explanation)
  })

  it('is not shown for a session opened with the directory', async () => {
    wrapper = mountWithApp(TopBar, sessionFor(['agent']))
    await flushPromises()
    expect(badge()).toEqual([])
    expect(topText()).toContain('session en ligne')
    expect(topText()).not.toContain('hors ligne')
  })

  it('speaks English too', async () => {
    wrapper = mountWithApp(TopBar, { ...sessionFor(['agent']), kind: 'offline' })
    await buttonNamed(wrapper, 'English').trigger('click')
    expect(topText()).toContain('Offline session — directory unreachable')
    expect(badge()[0]!.getAttribute('title')).toContain('will be synced')
  })
})
