import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SessionInfo } from '../../../src/shared/contract'
import App from '../../../src/renderer/App.vue'
import { ApiError } from '../../../src/renderer/apiError'
import { answer, callsTo, emit, resetFakeApi } from './support/fakeApi'
import { reference, sessionFor, summaries } from './support/fixtures'
import { accessibleName, allByRole, buttonNamed, byRole, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const zoe = sessionFor(['agent'])
const lockedZoe: SessionInfo = { ...zoe, locked: true }
const LOCKED = 'Session verrouillée après inactivité : saisissez votre mot de passe pour continuer.'
const refuseLocked = () => {
  throw new ApiError('session_locked', LOCKED)
}

let wrapper: VueWrapper | null = null

beforeEach(() => {
  resetFakeApi()
  answer('session.current', () => zoe)
  answer('reference.get', () => reference)
  answer('views.list', () => [])
  answer('queue.counts', () => ({ byStatus: { new: 3 }, total: 3, overdue: 0 }))
  answer('queue.list', () => ({ rows: summaries(3), nextCursor: null }))
  answer('session.activity', () => ({}))
  answer('session.logout', () => ({}))
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

/** The app as it starts: the session restored from the core, then the shell. */
async function mountApp() {
  wrapper = mountWithApp(App, null)
  await flushPromises()
  return wrapper
}

const lockDialogs = () => allByRole(document.body, 'dialog', 'Session verrouillée')
const lockDialog = () => byRole('dialog', 'Session verrouillée')
const passwordField = () => document.getElementById('lock-password') as HTMLInputElement
const shell = () => document.querySelector<HTMLElement>('.shell')!
const queueRows = () => document.querySelectorAll('[role="option"]')

async function typePassword(value: string) {
  passwordField().value = value
  passwordField().dispatchEvent(new Event('input'))
  await flushPromises()
}
async function submitUnlock() {
  lockDialog()
    .querySelector('form')!
    .dispatchEvent(new Event('submit', { cancelable: true }))
  await flushPromises()
}
const press = (key: string, target: EventTarget = document.body) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))

describe('idle lock screen', () => {
  it('opens when the core says the session locked, and hides the work behind it', async () => {
    await mountApp()
    expect(lockDialogs()).toEqual([])
    expect(shell().hasAttribute('inert')).toBe(false)

    emit('session.changed', { session: lockedZoe })
    await flushPromises()

    expect(lockDialog().getAttribute('aria-modal')).toBe('true')
    expect(accessibleName(passwordField())).toBe('Mot de passe')
    expect(passwordField().type).toBe('password')
    expect(document.activeElement).toBe(passwordField())
    // Out of reach (keyboard, screen readers) and out of sight.
    expect(shell().hasAttribute('inert')).toBe(true)
    expect(shell().classList.contains('locked-shell')).toBe(true)
    expect(lockDialog().closest('.shell')).toBeNull()
  })

  it('opens when any call is refused because the session locked', async () => {
    answer('session.activity', refuseLocked)
    await mountApp()
    expect(lockDialogs()).toEqual([])
    // The agent comes back and presses a key: the core answers that the session locked.
    press('j')
    await flushPromises()
    expect(lockDialog()).toBeTruthy()
    expect(shell().hasAttribute('inert')).toBe(true)
  })

  it('opens at once when the restored session is already locked', async () => {
    answer('session.current', () => lockedZoe)
    await mountApp()
    expect(lockDialog()).toBeTruthy()
  })

  it('is not closed by Escape, and keys typed outside it never reach the work behind', async () => {
    await mountApp()
    emit('session.changed', { session: lockedZoe })
    await flushPromises()
    press('Escape', passwordField())
    await flushPromises()
    expect(lockDialog()).toBeTruthy()
    // Focus fell on the page (a click on the cover): "j" would move through the queue behind.
    press('j')
    await flushPromises()
    expect(document.querySelectorAll('[role="option"][aria-selected="true"]').length).toBe(0)
    expect(document.activeElement).toBe(passwordField())
    expect(lockDialog()).toBeTruthy()
  })

  it('sends the password with session.unlock, clears the field and closes once accepted', async () => {
    let release: (value: SessionInfo) => void = () => undefined
    answer('session.unlock', () => new Promise<SessionInfo>((resolve) => (release = resolve)))
    await mountApp()
    emit('session.changed', { session: lockedZoe })
    await flushPromises()

    await typePassword('s3cret')
    await submitUnlock()
    expect(callsTo('session.unlock')).toEqual([{ password: 's3cret' }])
    expect(passwordField().value).toBe('')
    expect(buttonNamed(wrapper!, 'Vérification…').attributes('disabled')).toBeDefined()

    release(zoe)
    await flushPromises()
    expect(lockDialogs()).toEqual([])
    expect(shell().hasAttribute('inert')).toBe(false)
    expect(shell().classList.contains('locked-shell')).toBe(false)
  })

  it('keeps the lock open on a wrong password, saying so in words, with the field cleared', async () => {
    answer('session.unlock', () => {
      throw new ApiError('bad_credentials', 'Identifiant ou mot de passe incorrect.')
    })
    await mountApp()
    emit('session.changed', { session: lockedZoe })
    await flushPromises()

    await typePassword('pas-le-bon')
    await submitUnlock()
    expect(lockDialog()).toBeTruthy()
    expect(lockDialog().querySelector('[role="alert"]')!.textContent!.trim()).toBe(
      'Identifiant ou mot de passe incorrect.',
    )
    expect(passwordField().value).toBe('')
    expect(passwordField().getAttribute('aria-describedby')).toBe('lock-error')
    expect(document.activeElement).toBe(passwordField())
    expect(shell().hasAttribute('inert')).toBe(true)
  })

  it('says how long to wait when the core throttles unlock attempts', async () => {
    answer('session.unlock', () => {
      throw new ApiError('too_many_attempts', 'Trop d’essais manqués pour ce compte : réessayez dans 4 s.', {
        retryAfterSeconds: 4,
      })
    })
    await mountApp()
    emit('session.changed', { session: lockedZoe })
    await flushPromises()
    await typePassword('encore')
    await submitUnlock()
    expect(lockDialog().querySelector('[role="alert"]')!.textContent!.trim()).toBe(
      'Trop d’essais manqués pour ce compte : réessayez dans 4 s.',
    )
  })

  it('asks for the password instead of sending an empty one', async () => {
    await mountApp()
    emit('session.changed', { session: lockedZoe })
    await flushPromises()
    await submitUnlock()
    expect(callsTo('session.unlock')).toEqual([])
    expect(lockDialog().querySelector('[role="alert"]')!.textContent!.trim()).toBe(
      'Saisissez votre mot de passe avant de valider.',
    )
  })

  it('offers to sign out, back to the login screen', async () => {
    await mountApp()
    emit('session.changed', { session: lockedZoe })
    await flushPromises()
    await buttonNamed(wrapper!, 'Se déconnecter').trigger('click')
    await flushPromises()
    expect(callsTo('session.logout')).toEqual([{}])
    expect(lockDialogs()).toEqual([])
    expect(document.querySelector('.shell')).toBeNull()
    expect(document.getElementById('login-id')).not.toBeNull()
  })

  it('reads again what the lock refused once unlocked', async () => {
    answer('queue.list', refuseLocked)
    await mountApp()
    expect(lockDialog()).toBeTruthy()
    expect(queueRows().length).toBe(0)

    answer('queue.list', () => ({ rows: summaries(3), nextCursor: null }))
    answer('session.unlock', () => zoe)
    await typePassword('s3cret')
    await submitUnlock()
    expect(lockDialogs()).toEqual([])
    expect(queueRows().length).toBe(3)
    expect(document.body.textContent).not.toContain('verrouillée')
  })
})
