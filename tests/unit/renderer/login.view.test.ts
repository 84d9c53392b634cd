import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, type ApiErrorCode } from '../../../src/renderer/apiError'
import { useSessionStore } from '../../../src/renderer/stores/session'
import LoginView from '../../../src/renderer/views/LoginView.vue'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { sessionFor } from './support/fixtures'
import { buttonNamed, byRole, controlLabelled, mountWithApp } from './support/mount'

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

const alertText = () => document.querySelector('[role="alert"]')?.textContent?.trim()
const passwordValue = () => (document.getElementById('login-password') as HTMLInputElement).value
const loginValue = () => (document.getElementById('login-id') as HTMLInputElement).value

/** What the core's directory provider answers for each refusal (its words are French). */
const REFUSALS: [ApiErrorCode, string][] = [
  ['bad_credentials', 'Identifiant ou mot de passe incorrect.'],
  ['directory_unreachable', 'L’annuaire est injoignable (aucun des serveurs configurés ne répond).'],
  [
    'certificate_untrusted',
    'Le certificat présenté par l’annuaire n’est pas signé par une autorité de confiance : connexion refusée.',
  ],
  ['account_disabled', 'Ce compte est désactivé, verrouillé ou expiré dans l’annuaire.'],
  ['no_role', 'Ce compte n’appartient à aucun groupe de l’annuaire donnant un rôle dans la console.'],
]

function refuseLogin(code: ApiErrorCode, message: string, details?: unknown) {
  answer('session.login', () => {
    throw new ApiError(code, message, details)
  })
}

describe('login screen', () => {
  it('says in words that the credentials are wrong, keeps the login and forgets the password typed', async () => {
    refuseLogin('bad_credentials', 'Identifiant ou mot de passe incorrect.')
    wrapper = mountWithApp(LoginView, null)
    await fillAndSubmit(wrapper, 'wrong')
    expect(alertText()).toBe('Identifiant ou mot de passe incorrect.')
    expect(passwordValue()).toBe('')
    expect(loginValue()).toBe('zoe')
    expect(document.activeElement).toBe(document.getElementById('login-id'))
  })

  it('tells a wrong password, an unreachable directory, an untrusted certificate, a disabled account and a missing role apart', async () => {
    const shown: string[] = []
    for (const [code, message] of REFUSALS) {
      refuseLogin(code, message)
      wrapper?.unmount()
      wrapper = mountWithApp(LoginView, null)
      await fillAndSubmit(wrapper, 'secret')
      expect(passwordValue()).toBe('')
      shown.push(alertText() ?? '')
    }
    expect(shown).toEqual(REFUSALS.map(([, message]) => message))
  })

  it('says how long to wait after too many failed attempts', async () => {
    refuseLogin('too_many_attempts', 'Trop d’essais manqués pour ce compte : réessayez dans 4 s.', {
      retryAfterSeconds: 4,
    })
    wrapper = mountWithApp(LoginView, null)
    await fillAndSubmit(wrapper, 'secret')
    expect(alertText()).toBe('Trop d’essais manqués pour ce compte : réessayez dans 4 s.')
  })

  it('in English, shows its own words per code rather than the core’s French sentence', async () => {
    wrapper = mountWithApp(LoginView, null)
    await buttonNamed(wrapper, 'English').trigger('click')
    const typeAndSubmit = async () => {
      await wrapper!.find('#login-id').setValue('zoe')
      await wrapper!.find('#login-password').setValue('secret')
      await wrapper!.find('form').trigger('submit')
      await flushPromises()
    }
    refuseLogin('bad_credentials', 'Identifiant ou mot de passe incorrect.')
    await typeAndSubmit()
    expect(alertText()).toBe('Wrong login or password: check them and try again.')
    refuseLogin('directory_unreachable', 'L’annuaire est injoignable.')
    await typeAndSubmit()
    expect(alertText()).toContain('The authority’s directory cannot be reached')
    refuseLogin('no_role', 'Ce compte n’appartient à aucun groupe.')
    await typeAndSubmit()
    expect(alertText()).toContain('has no role in the console')
    refuseLogin('too_many_attempts', 'Trop d’essais.', { retryAfterSeconds: 8 })
    await typeAndSubmit()
    expect(alertText()).toBe('Too many failed attempts for this account: try again in 8 s.')
    expect(passwordValue()).toBe('')
  })

  it('never shows the technical note of a failure on this side of the wire', async () => {
    answer('session.login', () => {
      throw new ApiError('network', 'The console core could not be reached.', undefined, 'renderer')
    })
    wrapper = mountWithApp(LoginView, null)
    await fillAndSubmit(wrapper, 'secret')
    expect(alertText()).toBe(
      'Le cœur de la console ne répond pas : vérifiez qu’il est lancé, puis réessayez.',
    )
  })

  it('asks for the login and password instead of sending empty ones', async () => {
    wrapper = mountWithApp(LoginView, null)
    await wrapper.find('#login-id').setValue('zoe')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(callsTo('session.login')).toEqual([])
    expect(alertText()).toBe('Saisissez votre identifiant et votre mot de passe.')
    expect(document.getElementById('login-password')!.getAttribute('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(document.getElementById('login-password'))
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

/**
 * The demo accounts are public: when the core runs them, the login screen says so, with
 * how to log in, in French and in English; with a real directory it says nothing.
 */
const notice = () => document.querySelector('.demo-notice')
const info = (
  demoAccounts: boolean,
  cacheKeySeal: 'keychain' | 'weak-keychain' | 'key-file',
  language: 'fr' | 'en' = 'fr',
) => ({
  demoAccounts,
  cacheKeySeal,
  preferences: { language, density: 'comfortable' as const, startScreen: 'auto' as const },
})

describe('login screen: the demo accounts', () => {
  it('shows a « Démonstration » notice with how to log in when the core runs them', async () => {
    answer('session.loginInfo', () => info(true, 'keychain'))
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
    answer('session.loginInfo', () => info(true, 'keychain'))
    wrapper = mountWithApp(LoginView, null)
    await flushPromises()
    await buttonNamed(wrapper, 'English').trigger('click')
    const region = byRole('note', 'Demo')
    expect(region.textContent).toMatch(/demo accounts, known to everyone/)
    expect(region.textContent).toMatch(/password “demo”/)
  })

  it('says nothing with the authority’s own accounts', async () => {
    answer('session.loginInfo', () => info(false, 'keychain'))
    wrapper = mountWithApp(LoginView, null)
    await flushPromises()
    expect(notice()).toBeNull()
  })

  it('says when the cache’s key is under a weak keychain (allowed by the machine configuration)', async () => {
    answer('session.loginInfo', () => info(false, 'weak-keychain'))
    wrapper = mountWithApp(LoginView, null)
    await flushPromises()
    expect(notice()).toBeNull()
    expect(document.querySelector('.weak-keychain')?.textContent).toMatch(/trousseau sécurisé du système/)
  })

  it('speaks the workstation’s configured language until someone picks one here', async () => {
    answer('session.loginInfo', () => info(false, 'keychain', 'en'))
    wrapper = mountWithApp(LoginView, null)
    await flushPromises()
    expect(buttonNamed(wrapper, 'Sign in').exists()).toBe(true)
    wrapper.unmount()
    // An agent chose French on this workstation: their choice wins over the configuration.
    localStorage.setItem('grc.locale', 'fr')
    wrapper = mountWithApp(LoginView, null)
    await flushPromises()
    expect(buttonNamed(wrapper, 'Se connecter').exists()).toBe(true)
  })

  it('says nothing, and the login still works, when the core cannot tell', async () => {
    wrapper = mountWithApp(LoginView, null)
    await flushPromises()
    expect(notice()).toBeNull()
    expect(document.getElementById('login-id')).not.toBeNull()
  })
})
