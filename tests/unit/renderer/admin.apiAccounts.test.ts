import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AdminItem } from '../../../src/shared/adminReference'
import type { ApiAccount, ApiAccountCreateInput } from '../../../src/shared/apiAccounts'
import { ApiError } from '../../../src/renderer/apiError'
import AdminView from '../../../src/renderer/views/AdminView.vue'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { sessionFor } from './support/fixtures'
import { allByRole, buttonNamed, byRole, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const KEY = 'grc_1a2b3c4d_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA'

const reference: AdminItem[] = [
  { kind: 'team', id: 'voirie', version: 0, data: { id: 'voirie', code: 'voirie', name: 'Voirie' } },
  {
    kind: 'team',
    id: 'eclairage',
    version: 0,
    data: { id: 'eclairage', code: 'eclairage', name: 'Éclairage public' },
  },
  {
    kind: 'category',
    id: 'cantines',
    version: 0,
    data: {
      id: 'cantines',
      code: 'cantines',
      name: { fr: 'Restauration scolaire', en: 'School catering' },
      workflowId: 'intervention',
      defaultTeamId: 'voirie',
      slaBusinessHours: 72,
      requiresLocation: false,
      subcategories: [],
    },
  },
]

const account = (over: Partial<ApiAccount>): ApiAccount => ({
  id: 'a1',
  name: 'Portail citoyen',
  keyPrefix: 'grc_0badcafe',
  scopes: ['open311:submit', 'open311:read'],
  categoryIds: null,
  teamIds: null,
  ratePerMinute: 600,
  createdAt: '2026-01-10T09:00:00.000Z',
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: '2026-03-01T08:30:00.000Z',
  ...over,
})

let wrapper: VueWrapper | null = null
let accounts: ApiAccount[] = []

beforeEach(() => {
  resetFakeApi()
  accounts = [
    account({}),
    account({
      id: 'a2',
      name: 'Cantines',
      keyPrefix: 'grc_12345678',
      scopes: ['requests:read', 'requests:write'],
      categoryIds: ['cantines'],
      teamIds: ['eclairage', 'voirie'],
      ratePerMinute: 120,
      createdAt: '2026-01-05T09:00:00.000Z',
      expiresAt: '2020-01-06T09:00:00.000Z',
      lastUsedAt: null,
    }),
    account({
      id: 'a3',
      name: 'Ancien portail',
      keyPrefix: 'sha256:deadbeef',
      createdAt: '2025-06-01T09:00:00.000Z',
      revokedAt: '2025-12-01T10:00:00.000Z',
    }),
  ]
  answer('admin.reference.list', () => ({ items: reference, workflows: [] }))
  answer('admin.apiAccounts.list', () => ({ accounts }))
  answer('admin.apiAccounts.create', (input) => {
    const created = account({
      id: 'a4',
      name: input.name.trim(),
      keyPrefix: 'grc_1a2b3c4d',
      scopes: input.scopes,
      categoryIds: input.categoryIds,
      teamIds: input.teamIds,
      ratePerMinute: input.ratePerMinute ?? 60,
      createdAt: '2026-03-05T10:00:00.000Z',
      expiresAt: input.expiresInDays
        ? new Date(Date.now() + input.expiresInDays * 86_400_000).toISOString()
        : null,
      lastUsedAt: null,
    })
    accounts = [created, ...accounts]
    return { account: created, key: KEY }
  })
  answer('admin.apiAccounts.revoke', ({ id }) => {
    // As the server answers: the account without its last use.
    const revoked = { ...accounts.find((a) => a.id === id)!, revokedAt: new Date().toISOString() }
    accounts = accounts.map((a) => (a.id === id ? revoked : a))
    return { account: { ...revoked, lastUsedAt: null } }
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.unstubAllGlobals()
})

const squash = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim()
/** An element's text as read aloud: each text node a word group, blocks not glued together. */
function textOf(el: Element | null | undefined): string {
  if (!el) return ''
  const parts: string[] = []
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
  for (let n = walker.nextNode(); n; n = walker.nextNode()) parts.push(n.textContent ?? '')
  return squash(parts.join(' ')).replace(/ ([.,)])/g, '$1')
}
const when = (iso: string) =>
  new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso))
const click = async (el: Element) => {
  ;(el as HTMLElement).click()
  await flushPromises()
}

async function openTab() {
  wrapper = mountWithApp(AdminView, sessionFor(['admin'], []))
  await flushPromises()
  const tab = allByRole(document.body, 'tab').at(-1)!
  await click(tab)
  return wrapper
}

const rows = () =>
  [...document.querySelectorAll('table tbody tr')].map((tr) => [...tr.children].map((cell) => textOf(cell)))

describe('the « Comptes d’API » tab', () => {
  it('is the last tab, reached with the keyboard, and lists the accounts in words', async () => {
    wrapper = mountWithApp(AdminView, sessionFor(['admin'], []))
    await flushPromises()
    const tabs = allByRole(document.body, 'tab')
    expect(squash(tabs.at(-1)!.textContent)).toBe('Comptes d’API')
    expect(callsTo('admin.apiAccounts.list')).toEqual([])
    tabs[0]!.focus()
    tabs[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }))
    await flushPromises()
    expect(document.activeElement).toBe(allByRole(document.body, 'tab').at(-1))
    expect(document.activeElement!.getAttribute('aria-selected')).toBe('true')
    expect(byRole('tabpanel').getAttribute('aria-labelledby')).toBe('admin-tab-api_accounts')
    expect(callsTo('admin.apiAccounts.list')).toEqual([{}])

    expect(byRole('table', 'Liste des comptes d’API')).toBeTruthy()
    expect(rows()).toEqual([
      [
        'Portail citoyen',
        'grc_0badcafe',
        'Déposer des demandes (Open311) Lire les services et demandes (Open311)',
        'Toutes les catégories Toutes les équipes',
        '600 appels/min',
        when('2026-01-10T09:00:00.000Z'),
        'sans expiration',
        when('2026-03-01T08:30:00.000Z'),
        'Actif',
        'Révoquer',
      ],
      [
        'Cantines',
        'grc_12345678',
        'Lire les demandes (API partenaires) Créer des demandes et ajouter des notes (API partenaires)',
        'Catégories : Restauration scolaire Équipes : Éclairage public, Voirie',
        '120 appels/min',
        when('2026-01-05T09:00:00.000Z'),
        when('2020-01-06T09:00:00.000Z'),
        'jamais',
        'Expiré',
        'Révoquer',
      ],
      [
        'Ancien portail',
        'sha256:deadbeef',
        'Déposer des demandes (Open311) Lire les services et demandes (Open311)',
        'Toutes les catégories Toutes les équipes',
        '600 appels/min',
        when('2025-06-01T09:00:00.000Z'),
        'sans expiration',
        when('2026-03-01T08:30:00.000Z'),
        `Révoqué le ${when('2025-12-01T10:00:00.000Z')}`,
        '',
      ],
    ])
    // Each revoke button names its account.
    expect(allByRole(document.body, 'button', 'Révoquer « Portail citoyen »')).toHaveLength(1)
  })

  it('creates an account from a checked form, shows its key once, then forgets it', async () => {
    const writeText = vi.fn(async () => {})
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const w = await openTab()
    await buttonNamed(w, 'Nouveau compte d’API').trigger('click')
    await flushPromises()
    expect(document.activeElement).toBe(controlLabelled(w, 'Nom du compte'))
    // Every scope is a labelled checkbox with its sentence.
    const scope = controlLabelled(w, 'Lire les demandes (API partenaires)') as HTMLInputElement
    expect(scope.type).toBe('checkbox')
    expect(squash(document.getElementById(scope.getAttribute('aria-describedby')!)?.textContent)).toContain(
      'jamais les coordonnées des usagers',
    )

    await w.find('form.api-account-form').trigger('submit')
    await flushPromises()
    expect(callsTo('admin.apiAccounts.create')).toEqual([])
    expect(textOf(document.querySelector('form [role="alert"]'))).toBe(
      'Le formulaire n’a pas été envoyé : Renseignez le champ « Nom du compte ». Cochez au moins une autorisation.',
    )

    await w.find(`#${controlLabelled(w, 'Nom du compte').id}`).setValue('  Cantines 2  ')
    await w.find(`#${scope.id}`).setValue(true)
    await w
      .find(`#${controlLabelled(w, 'Créer des demandes et ajouter des notes (API partenaires)').id}`)
      .setValue(true)
    await w.find(`#${controlLabelled(w, 'Seulement les catégories cochées').id}`).setValue(true)
    await w.find(`#${controlLabelled(w, 'Restauration scolaire').id}`).setValue(true)
    await w.find(`#${controlLabelled(w, 'Débit (appels par minute)').id}`).setValue('abc')
    await w.find('form.api-account-form').trigger('submit')
    await flushPromises()
    expect(callsTo('admin.apiAccounts.create')).toEqual([])
    expect(document.activeElement).toBe(controlLabelled(w, 'Débit (appels par minute)'))
    await w.find(`#${controlLabelled(w, 'Débit (appels par minute)').id}`).setValue('120')
    await w.find(`#${controlLabelled(w, 'Expiration (en jours)').id}`).setValue('')
    await w.find('form.api-account-form').trigger('submit')
    await flushPromises()
    expect(callsTo('admin.apiAccounts.create') as ApiAccountCreateInput[]).toEqual([
      {
        name: 'Cantines 2',
        scopes: ['requests:read', 'requests:write'],
        categoryIds: ['cantines'],
        teamIds: null,
        ratePerMinute: 120,
        expiresInDays: null,
      },
    ])

    // The key, once, in a modal dialog.
    const dialog = byRole('dialog', 'Clé du compte « Cantines 2 »')
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    expect(squash(dialog.textContent)).toContain('elle ne sera plus jamais affichée')
    expect((controlLabelled(w, 'Clé d’API') as HTMLInputElement).value).toBe(KEY)
    expect((controlLabelled(w, 'Clé d’API') as HTMLInputElement).readOnly).toBe(true)
    expect(document.activeElement).toBe(byRole('button', 'Copier la clé', dialog))
    await click(byRole('button', 'Copier la clé', dialog))
    expect(writeText).toHaveBeenCalledWith(KEY)
    expect(squash(dialog.querySelector('[role="status"]')?.textContent)).toBe(
      'Clé copiée dans le presse-papiers.',
    )
    // The store never held it.
    expect(JSON.stringify(getActivePinia()!.state.value)).not.toContain(KEY)

    await click(byRole('button', 'J’ai copié la clé, fermer', dialog))
    await flushPromises()
    expect(allByRole(document.body, 'dialog')).toEqual([])
    expect(document.body.innerHTML).not.toContain(KEY)
    expect(JSON.stringify(getActivePinia()!.state.value)).not.toContain(KEY)
    expect(document.querySelector('form.api-account-form')).toBeNull()
    expect(document.activeElement?.id).toBe('api-accounts-title')
    expect(squash(document.querySelector('.api-accounts [role="status"]')?.textContent)).toBe(
      'Compte d’API créé : Cantines 2. Sa clé ne sera plus affichée.',
    )
    expect(rows()[0]!.slice(0, 4)).toEqual([
      'Cantines 2',
      'grc_1a2b3c4d',
      'Lire les demandes (API partenaires) Créer des demandes et ajouter des notes (API partenaires)',
      'Catégories : Restauration scolaire Toutes les équipes',
    ])
  })

  it('says when the clipboard cannot be used, with the key selected for Ctrl+C; Escape closes', async () => {
    vi.stubGlobal('navigator', {
      ...navigator,
      clipboard: { writeText: vi.fn(async () => Promise.reject(new Error('denied'))) },
    })
    const w = await openTab()
    await buttonNamed(w, 'Nouveau compte d’API').trigger('click')
    await flushPromises()
    await w.find(`#${controlLabelled(w, 'Nom du compte').id}`).setValue('Portail')
    await w.find(`#${controlLabelled(w, 'Déposer des demandes (Open311)').id}`).setValue(true)
    await w.find('form.api-account-form').trigger('submit')
    await flushPromises()
    const dialog = byRole('dialog')
    await click(byRole('button', 'Copier la clé', dialog))
    expect(squash(dialog.querySelector('[role="status"]')?.textContent)).toContain('copiez-la avec Ctrl+C')
    expect(document.activeElement).toBe(controlLabelled(w, 'Clé d’API'))
    dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()
    expect(allByRole(document.body, 'dialog')).toEqual([])
    expect(document.body.innerHTML).not.toContain(KEY)
  })

  it('revokes after a confirmation; a refusal is said in words', async () => {
    const w = await openTab()
    await buttonNamed(w, 'Révoquer « Portail citoyen »').trigger('click')
    await flushPromises()
    const group = byRole(
      'group',
      'Révoquer « Portail citoyen » ? Sa clé sera refusée dès maintenant ; cela ne peut pas être annulé.',
    )
    expect(document.activeElement).toBe(byRole('button', 'Confirmer la révocation', group))
    await click(byRole('button', 'Ne pas révoquer', group))
    expect(callsTo('admin.apiAccounts.revoke')).toEqual([])
    expect(document.activeElement).toBe(buttonNamed(w, 'Révoquer « Portail citoyen »').element)

    await buttonNamed(w, 'Révoquer « Portail citoyen »').trigger('click')
    await flushPromises()
    await click(byRole('button', 'Confirmer la révocation'))
    expect(callsTo('admin.apiAccounts.revoke')).toEqual([{ id: 'a1' }])
    expect(callsTo('admin.apiAccounts.list')).toHaveLength(2)
    const first = rows().find((r) => r[0] === 'Portail citoyen')!
    expect(first[7]).toBe(when('2026-03-01T08:30:00.000Z'))
    expect(first[8]).toMatch(/^Révoqué le /)
    expect(first[9]).toBe('')
    expect(squash(document.querySelector('.api-accounts [role="status"]')?.textContent)).toBe(
      'Compte d’API révoqué : Portail citoyen. Sa clé est refusée.',
    )

    answer('admin.apiAccounts.revoke', () => {
      throw new ApiError('not_found', 'Unknown API account a2.')
    })
    await buttonNamed(w, 'Révoquer « Cantines »').trigger('click')
    await flushPromises()
    await click(byRole('button', 'Confirmer la révocation'))
    expect(squash(document.querySelector('.api-accounts [role="alert"]')?.textContent)).toContain(
      'Détail : Unknown API account a2.',
    )
  })

  it('without the central server, says so as the reference tabs do', async () => {
    answer('admin.apiAccounts.list', () => {
      throw new ApiError(
        'server_unavailable',
        'L’administration du référentiel demande une connexion au serveur central. Serveur injoignable.',
        { reason: 'Serveur injoignable.' },
      )
    })
    const w = await openTab()
    expect(textOf(byRole('alert'))).toBe(
      'L’administration du référentiel demande une connexion au serveur central. Détail : Serveur injoignable. Réessayer',
    )
    expect(document.querySelector('table')).toBeNull()
    answer('admin.apiAccounts.list', () => ({ accounts }))
    await buttonNamed(w, 'Réessayer').trigger('click')
    await flushPromises()
    expect(rows()).toHaveLength(3)
  })
})
