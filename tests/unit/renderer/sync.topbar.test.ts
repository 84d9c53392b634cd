import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SyncStatus } from '../../../src/shared/sync'
import { ApiError } from '../../../src/renderer/apiError'
import TopBar from '../../../src/renderer/components/TopBar.vue'
import { useSyncStore } from '../../../src/renderer/stores/sync'
import { answer, callsTo, emit, resetFakeApi } from './support/fakeApi'
import { sessionFor, syncStatus } from './support/fixtures'
import { accessibleName, allByRole, buttonNamed, byRole, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null
let stopListening: (() => void) | null = null

beforeEach(() => {
  resetFakeApi()
})

afterEach(() => {
  stopListening?.()
  wrapper?.unmount()
  wrapper = null
})

/** The top bar as the shell runs it: status read once, then kept fresh by `sync.changed`. */
async function mountTopBar(initial: SyncStatus = syncStatus()) {
  answer('sync.status', () => initial)
  wrapper = mountWithApp(TopBar, sessionFor(['agent']))
  const sync = useSyncStore()
  await sync.load()
  stopListening = sync.listen()
  await flushPromises()
  return wrapper
}

const syncGroup = () => byRole('group', 'Synchronisation avec le serveur')
const syncText = () => syncGroup().textContent!.replace(/\s+/g, ' ')
const liveStatus = () => syncGroup().querySelector('[role="status"]')!

async function push(status: SyncStatus) {
  emit('sync.changed', status)
  await flushPromises()
}

describe('top bar sync indicator', () => {
  it('says each sync state in words as the core pushes it', async () => {
    await mountTopBar()
    const expected: [SyncStatus['state'], string][] = [
      ['idle', 'En ligne'],
      ['offline', 'Hors ligne'],
      ['syncing', 'Synchronisation…'],
      ['auth_required', 'Session expirée'],
      ['error', 'Erreur de synchronisation'],
    ]
    for (const [state, words] of expected) {
      await push(syncStatus({ state }))
      expect(syncText()).toContain(words)
    }
  })

  it('keeps a status the core pushed while the first read was on its way (the read is older)', async () => {
    let answerRead: (s: SyncStatus) => void = () => {}
    answer('sync.status', () => new Promise<SyncStatus>((resolve) => (answerRead = resolve)))
    wrapper = mountWithApp(TopBar, sessionFor(['agent']))
    const sync = useSyncStore()
    const reading = sync.load()
    stopListening = sync.listen()
    await push(syncStatus({ state: 'idle' }))
    answerRead(syncStatus({ state: 'syncing' }))
    await reading
    await flushPromises()
    expect(syncText()).toContain('En ligne')
    expect(syncText()).not.toContain('Synchronisation…')
  })

  it('says the console works locally when no server is configured, with nothing to sync', async () => {
    const w = await mountTopBar(syncStatus({ configured: false, state: 'disabled' }))
    expect(syncText()).toContain('Travail local (aucun serveur)')
    expect(syncText()).not.toContain('En ligne')
    expect(() => buttonNamed(w, 'Synchroniser maintenant')).toThrow()
  })

  it('shows how many changes wait to be sent', async () => {
    await mountTopBar(syncStatus({ pending: 3 }))
    expect(syncText()).toContain('3 modifications en attente')
    await push(syncStatus({ pending: 1 }))
    expect(syncText()).toContain('1 modification en attente')
    await push(syncStatus({ pending: 0 }))
    expect(syncText()).toContain('Aucune modification en attente')
  })

  it('shows the last successful sync as a relative time, the exact time in its tooltip', async () => {
    const at = new Date(Date.now() - 5 * 60_000 - 10_000).toISOString()
    await mountTopBar(syncStatus({ lastSyncAt: at }))
    expect(syncText()).toContain('Dernière synchronisation : il y a 5 minutes')
    const time = syncGroup().querySelector('time')!
    expect(time.getAttribute('datetime')).toBe(at)
    const exact = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' }).format(
      new Date(at),
    )
    expect(time.getAttribute('title')).toBe(`Dernière synchronisation réussie le ${exact}`)
  })

  it('says a sync that never succeeded', async () => {
    await mountTopBar(syncStatus({ lastSyncAt: null, state: 'offline' }))
    expect(syncText()).toContain('Jamais synchronisé')
  })

  it('reads the last failure out in words in a polite live region', async () => {
    await mountTopBar()
    expect(liveStatus().textContent).toBe('')
    expect(liveStatus().getAttribute('aria-live')).toBe('polite')
    await push(syncStatus({ state: 'offline', lastError: 'Le serveur ne répond pas : réessai dans 30 s.' }))
    expect(liveStatus().textContent).toBe('Le serveur ne répond pas : réessai dans 30 s.')
  })

  it('syncs now on request and shows the status the round ended with', async () => {
    answer('sync.now', () => syncStatus({ pending: 0, lastError: 'Conflit sur 1 modification.' }))
    const w = await mountTopBar(syncStatus({ pending: 2 }))
    await buttonNamed(w, 'Synchroniser maintenant').trigger('click')
    await flushPromises()
    expect(callsTo('sync.now')).toEqual([{}])
    expect(syncText()).toContain('Aucune modification en attente')
    expect(liveStatus().textContent).toBe('Conflit sur 1 modification.')
  })

  it('says so in words when sync now cannot be asked', async () => {
    answer('sync.now', () => {
      throw new ApiError('network', 'down')
    })
    const w = await mountTopBar()
    await buttonNamed(w, 'Synchroniser maintenant').trigger('click')
    await flushPromises()
    expect(liveStatus().textContent).toContain('Le cœur de la console ne répond pas')
  })

  it('shows a labelled progress bar during the initial download, and none after', async () => {
    await mountTopBar(syncStatus({ state: 'syncing', initial: { done: 1200, total: 5000 } }))
    const bar = byRole('progressbar', 'Téléchargement initial des demandes') as HTMLProgressElement
    expect(bar.tagName).toBe('PROGRESS')
    expect(bar.getAttribute('value')).toBe('1200')
    expect(bar.getAttribute('max')).toBe('5000')
    expect(syncText()).toContain('1 200 sur 5 000 demandes téléchargées')

    await push(syncStatus({ state: 'syncing', initial: { done: 4000, total: 5000 } }))
    expect(byRole('progressbar', 'Téléchargement initial des demandes').getAttribute('value')).toBe('4000')

    // Then the second phase: the requests are in, their history and notes follow.
    await push(syncStatus({ state: 'syncing', initial: { done: 500, total: 5000, phase: 'details' } }))
    expect(syncText()).toContain('Historiques et notes : 500 sur 5 000 demandes')

    await push(syncStatus({ initial: null }))
    expect(allByRole(document.body, 'progressbar')).toEqual([])
  })

  it('says the state is unknown, and why, when the core cannot tell it', async () => {
    answer('sync.status', () => {
      throw new ApiError('unknown_channel', 'no such channel')
    })
    wrapper = mountWithApp(TopBar, sessionFor(['agent']))
    await useSyncStore().load()
    await flushPromises()
    expect(syncText()).toContain('État de la synchronisation inconnu')
    expect(liveStatus().textContent).toContain('Opération inconnue')
  })
})

describe('re-authentication with the server', () => {
  const dialog = () => byRole('dialog', 'Reconnexion au serveur')
  const passwordField = () => document.getElementById('reauth-password') as HTMLInputElement

  async function typePassword(value: string) {
    const field = passwordField()
    field.value = value
    field.dispatchEvent(new Event('input'))
    await flushPromises()
  }
  const submit = async () => {
    dialog()
      .querySelector('form')!
      .dispatchEvent(new Event('submit', { cancelable: true }))
    await flushPromises()
  }

  it('opens a labelled dialog when the server session expires, saying nothing pending is lost', async () => {
    await mountTopBar()
    expect(allByRole(document.body, 'dialog')).toEqual([])
    await push(syncStatus({ state: 'auth_required', pending: 4 }))
    expect(dialog().getAttribute('aria-modal')).toBe('true')
    expect(dialog().textContent).toContain(
      'Votre session auprès du serveur a expiré. Vos modifications en attente sont conservées.',
    )
    expect(accessibleName(passwordField())).toBe('Mot de passe')
    expect(passwordField().type).toBe('password')
    expect(document.activeElement).toBe(passwordField())
  })

  it('sends the password with sync.reauth, clears the field and closes once accepted', async () => {
    answer('sync.reauth', () => syncStatus({ state: 'idle' }))
    await mountTopBar(syncStatus({ state: 'auth_required' }))
    await typePassword('s3cret')
    await submit()
    expect(callsTo('sync.reauth')).toEqual([{ password: 's3cret' }])
    expect(allByRole(document.body, 'dialog')).toEqual([])
    expect(syncText()).toContain('En ligne')
  })

  it('says a refused password in words and clears the field', async () => {
    answer('sync.reauth', () => {
      throw new ApiError('bad_credentials', 'bad password')
    })
    await mountTopBar(syncStatus({ state: 'auth_required' }))
    await typePassword('wrong')
    await submit()
    expect(passwordField().value).toBe('')
    expect(dialog().querySelector('[role="alert"]')!.textContent).toBe(
      'Identifiant ou mot de passe incorrect : vérifiez-les puis réessayez.',
    )
  })

  it('shows the core’s own words when the server still asks for the password', async () => {
    answer('sync.reauth', () =>
      syncStatus({ state: 'auth_required', lastError: 'Compte verrouillé sur le serveur.' }),
    )
    await mountTopBar(syncStatus({ state: 'auth_required' }))
    await typePassword('again')
    await submit()
    expect(passwordField().value).toBe('')
    expect(dialog().querySelector('[role="alert"]')!.textContent).toBe(
      'Le serveur a refusé la reconnexion : Compte verrouillé sur le serveur.',
    )
  })

  it('asks for a password instead of sending an empty one', async () => {
    await mountTopBar(syncStatus({ state: 'auth_required' }))
    await submit()
    expect(callsTo('sync.reauth')).toEqual([])
    expect(dialog().querySelector('[role="alert"]')!.textContent).toBe(
      'Saisissez votre mot de passe avant de valider.',
    )
  })

  it('can be put off, and reopened from the top bar', async () => {
    const w = await mountTopBar(syncStatus({ state: 'auth_required' }))
    await buttonNamed(w, 'Plus tard').trigger('click')
    expect(allByRole(document.body, 'dialog')).toEqual([])
    expect(syncText()).toContain('Session expirée')
    await buttonNamed(w, 'Se reconnecter au serveur').trigger('click')
    expect(dialog()).toBeTruthy()
  })
})
