/**
 * The demo accounts are public: when the core runs them, the login screen says so, with
 * how to log in, in French and in English; with a real directory it says nothing.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import LoginView from '../../../src/renderer/views/LoginView.vue'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { buttonNamed, byRole, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null
beforeEach(() => {
  resetFakeApi()
  localStorage.clear()
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

const notice = () => document.querySelector('.demo-notice')

describe('login screen: the demo accounts', () => {
  it('shows a « Démonstration » notice with how to log in when the core runs them', async () => {
    answer('session.loginInfo', () => ({ demoAccounts: true, cacheKeySeal: 'keychain' }))
    wrapper = mountWithApp(LoginView, null)
    await flushPromises()
    expect(callsTo('session.loginInfo')).toEqual([{}])
    // A note named by its badge, for screen readers too.
    const region = byRole('note', 'Démonstration')
    expect(region.textContent).toMatch(/comptes de démonstration, connus de tous/)
    expect(region.textContent).toMatch(/alex\.admin .*mot de passe « demo »/)
    // Nothing in it to click: every control of the screen keeps its name.
    expect(region.querySelectorAll('button, input, a')).toHaveLength(0)
  })

  it('says it in English too', async () => {
    answer('session.loginInfo', () => ({ demoAccounts: true, cacheKeySeal: 'keychain' }))
    wrapper = mountWithApp(LoginView, null)
    await flushPromises()
    await buttonNamed(wrapper, 'English').trigger('click')
    const region = byRole('note', 'Demo')
    expect(region.textContent).toMatch(/demo accounts, known to everyone/)
    expect(region.textContent).toMatch(/password “demo”/)
  })

  it('says nothing with the authority’s own accounts', async () => {
    answer('session.loginInfo', () => ({ demoAccounts: false, cacheKeySeal: 'keychain' }))
    wrapper = mountWithApp(LoginView, null)
    await flushPromises()
    expect(notice()).toBeNull()
  })

  it('says when the cache’s key is under a weak keychain (allowed by the machine configuration)', async () => {
    answer('session.loginInfo', () => ({ demoAccounts: false, cacheKeySeal: 'weak-keychain' }))
    wrapper = mountWithApp(LoginView, null)
    await flushPromises()
    expect(notice()).toBeNull()
    expect(document.querySelector('.weak-keychain')?.textContent).toMatch(/trousseau sécurisé du système/)
  })

  it('says nothing, and the login still works, when the core cannot tell', async () => {
    wrapper = mountWithApp(LoginView, null)
    await flushPromises()
    expect(notice()).toBeNull()
    expect(document.getElementById('login-id')).not.toBeNull()
  })
})
