/**
 * « Affichage : confortable / compact »: a toggle in the top bar, remembered per agent on
 * this workstation (the sizes themselves: tests/unit/styles.textSize.test.ts).
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import TopBar from '../../../src/renderer/components/TopBar.vue'
import { useSessionStore } from '../../../src/renderer/stores/session'
import { answer, resetFakeApi } from './support/fakeApi'
import { sessionFor, syncStatus } from './support/fixtures'
import { byRole, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null
const density = () => document.documentElement.dataset.density ?? 'comfortable'
const button = (name: string) =>
  [...byRole('group', 'Affichage').querySelectorAll('button')].find((b) => b.textContent?.trim() === name)!

beforeEach(() => {
  resetFakeApi()
  localStorage.clear()
  delete document.documentElement.dataset.density
  answer('sync.status', () => syncStatus())
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function mountAs(login: string) {
  wrapper = mountWithApp(TopBar, { ...sessionFor(['agent']), login })
  await flushPromises()
  return wrapper
}

describe('display density', () => {
  it('is comfortable by default, and compact once chosen, said by aria-pressed', async () => {
    await mountAs('zoe.agent')
    expect(density()).toBe('comfortable')
    expect(button('Confortable').getAttribute('aria-pressed')).toBe('true')
    button('Compact').click()
    await flushPromises()
    expect(density()).toBe('compact')
    expect(button('Compact').getAttribute('aria-pressed')).toBe('true')
    expect(button('Confortable').getAttribute('aria-pressed')).toBe('false')
  })

  it('is remembered for each agent on this workstation', async () => {
    await mountAs('zoe.agent')
    button('Compact').click()
    await flushPromises()
    wrapper!.unmount()

    await mountAs('luc.lead')
    expect(density()).toBe('comfortable')
    // Another agent logs in on the same bar: theirs, then back to Zoé's.
    useSessionStore().session = { ...sessionFor(['agent']), login: 'zoe.agent' }
    await flushPromises()
    expect(density()).toBe('compact')
    useSessionStore().session = null
    await flushPromises()
    expect(density()).toBe('comfortable')
  })
})
