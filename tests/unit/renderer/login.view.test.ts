import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../../src/renderer/apiError'
import { useSessionStore } from '../../../src/renderer/stores/session'
import LoginView from '../../../src/renderer/views/LoginView.vue'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { sessionFor } from './support/fixtures'
import { buttonNamed, controlLabelled, mountWithApp } from './support/mount'

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

async function fillAndSubmit(w: VueWrapper, password: string) {
  await w.find(`#${controlLabelled(w, 'Identifiant').id}`).setValue('zoe')
  await w.find(`#${controlLabelled(w, 'Mot de passe').id}`).setValue(password)
  await w.find('form').trigger('submit')
  await flushPromises()
}

describe('login screen', () => {
  it('says in words that the credentials are wrong, and forgets the password typed', async () => {
    answer('session.login', () => {
      throw new ApiError('bad_credentials', 'bad credentials')
    })
    wrapper = mountWithApp(LoginView, null)
    await fillAndSubmit(wrapper, 'wrong')
    expect(wrapper.find('[role="alert"]').text()).toBe(
      'Identifiant ou mot de passe incorrect : vérifiez-les puis réessayez.',
    )
    expect((document.getElementById('login-password') as HTMLInputElement).value).toBe('')
  })

  it('opens the session on success', async () => {
    answer('session.login', () => sessionFor(['agent']))
    wrapper = mountWithApp(LoginView, null)
    await fillAndSubmit(wrapper, 'secret')
    expect(callsTo('session.login')).toEqual([{ login: 'zoe', password: 'secret' }])
    expect(useSessionStore().session?.displayName).toBe('Zoé Martin')
  })

  it('switches to English and remembers the choice', async () => {
    wrapper = mountWithApp(LoginView, null)
    expect(buttonNamed(wrapper, 'Français').attributes('aria-pressed')).toBe('true')
    await buttonNamed(wrapper, 'English').trigger('click')
    expect(buttonNamed(wrapper, 'English').attributes('aria-pressed')).toBe('true')
    expect(controlLabelled(wrapper, 'Password')).toBeTruthy()
    expect(localStorage.getItem('grc.locale')).toBe('en')
    expect(document.documentElement.lang).toBe('en')
  })
})
