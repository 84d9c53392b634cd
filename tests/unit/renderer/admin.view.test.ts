import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AdminSaveInput, type AdminAuditEntry, type AdminItem } from '../../../src/shared/adminReference'
import { Category } from '../../../src/shared/domain'
import { ApiError } from '../../../src/renderer/apiError'
import NavBar from '../../../src/renderer/components/NavBar.vue'
import { slugOf } from '../../../src/renderer/stores/admin'
import { useSyncStore } from '../../../src/renderer/stores/sync'
import AdminView from '../../../src/renderer/views/AdminView.vue'
import { answer, callsTo, emit, resetFakeApi } from './support/fakeApi'
import { sessionFor, syncStatus } from './support/fixtures'
import { allByRole, buttonNamed, byRole, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const square = [
  [
    [6.17, 48.69],
    [6.19, 48.69],
    [6.19, 48.7],
    [6.17, 48.7],
    [6.17, 48.69],
  ],
]

function serverItems(): AdminItem[] {
  return [
    { kind: 'team', id: 'voirie', version: 0, data: { id: 'voirie', code: 'voirie', name: 'Voirie' } },
    {
      kind: 'team',
      id: 'eclairage',
      version: 2,
      data: { id: 'eclairage', code: 'eclairage', name: 'Éclairage public' },
    },
    {
      kind: 'category',
      id: 'voirie',
      version: 3,
      data: {
        id: 'voirie',
        code: 'voirie',
        name: { fr: 'Voirie et trottoirs', en: 'Roads and pavements' },
        workflowId: 'intervention',
        defaultTeamId: 'voirie',
        slaBusinessHours: 72,
        requiresLocation: true,
        subcategories: ['Nid-de-poule', 'Trottoir dégradé'],
      },
    },
    {
      kind: 'routing_rule',
      id: 'voirie',
      version: 0,
      data: {
        id: 'voirie',
        position: 30,
        name: 'Voirie (autres secteurs)',
        categoryId: 'voirie',
        subcategory: null,
        channel: null,
        sectorId: null,
        teamId: 'voirie',
      },
    },
    {
      kind: 'routing_rule',
      id: 'nord',
      version: 0,
      data: {
        id: 'nord',
        position: 10,
        name: 'Voirie du secteur Nord',
        categoryId: 'voirie',
        subcategory: 'Nid-de-poule',
        channel: 'phone',
        sectorId: 'secteur-nord',
        teamId: 'eclairage',
      },
    },
    {
      kind: 'sector',
      id: 'secteur-nord',
      version: 1,
      data: {
        id: 'secteur-nord',
        name: 'Secteur Nord',
        communeCode: null,
        geometry: { type: 'Polygon', coordinates: square },
      },
    },
  ]
}

let wrapper: VueWrapper | null = null
/** What the fake server holds. */
let items: AdminItem[] = []
let audit: AdminAuditEntry[] = []

beforeEach(() => {
  resetFakeApi()
  items = serverItems()
  audit = []
  answer('admin.reference.list', () => ({
    items,
    workflows: [
      {
        id: 'intervention',
        version: 1,
        name: { fr: 'Intervention sur le terrain', en: 'Field intervention' },
      },
      { id: 'information', version: 1, name: { fr: 'Demande d’information', en: 'Information request' } },
    ],
  }))
  answer('admin.reference.save', (input) => {
    const before = items.find((i) => i.kind === input.kind && i.id === input.data.id)
    const saved = {
      kind: input.kind,
      id: input.data.id,
      version: (before?.version ?? -1) + 1,
      data: input.data,
    }
    items = [...items.filter((i) => i !== before), saved as AdminItem]
    return saved as AdminItem
  })
  answer('admin.reference.delete', ({ kind, id }) => {
    items = items.filter((i) => !(i.kind === kind && i.id === id))
    return {}
  })
  answer('admin.reference.audit', () => ({ entries: audit }))
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function mountAdmin(roles = ['admin' as const]) {
  wrapper = mountWithApp(AdminView, sessionFor([...roles], []))
  await flushPromises()
  return wrapper
}

const squash = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim()
/** An element's text as read aloud: each text node a word group, blocks not glued together. */
function textOf(el: Element | null | undefined): string {
  if (!el) return ''
  const parts: string[] = []
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
  for (let n = walker.nextNode(); n; n = walker.nextNode()) parts.push(n.textContent ?? '')
  return squash(parts.join(' '))
    .replace(/ ([.,)])/g, '$1')
    .replace(/\( /g, '(')
}
const click = async (el: Element) => {
  ;(el as HTMLElement).click()
  await flushPromises()
}
const type = async (w: VueWrapper, label: string, value: string) => {
  await w.find(`#${controlLabelled(w, label).id}`).setValue(value)
}
const submit = async (w: VueWrapper) => {
  await w.find('form.admin-form').trigger('submit')
  await flushPromises()
}
const listItems = () =>
  [...document.querySelectorAll('.items .row-button')].map((b) =>
    squash(b.querySelector('.name')?.textContent),
  )
const openItem = async (name: string) => {
  const button = [...document.querySelectorAll('.items .row-button')].find(
    (b) => squash(b.querySelector('.name')?.textContent) === name,
  )
  if (!button) throw new Error(`no item ${name}`)
  await click(button)
}
const editorAlert = () => textOf(document.querySelector('.admin-editor [role="alert"]'))
const status = () => squash(document.querySelector('[role="status"]')?.textContent)
const saved = () => callsTo('admin.reference.save') as AdminSaveInput[]

describe('the administration screen', () => {
  it('is in the nav for administrators only', async () => {
    for (const [roles, shown] of [
      [['admin'], true],
      [['supervisor'], false],
      [['lead'], false],
    ] as const) {
      const w = mountWithApp(NavBar, sessionFor([...roles]))
      expect(w.findAll('a').some((a) => a.text() === 'Administration')).toBe(shown)
      w.unmount()
    }
  })

  it('says why to a role that may not use it, and asks the core nothing', async () => {
    await mountAdmin(['supervisor'] as never)
    expect(squash(byRole('alert').textContent)).toBe(
      'Cet écran est réservé aux administrateurs : votre rôle (superviseur) ne permet pas de modifier le référentiel.',
    )
    expect(callsTo('admin.reference.list')).toEqual([])
    expect(document.querySelector('form')).toBeNull()
  })

  it('without the central server, says so instead of showing forms, and tries again on demand', async () => {
    answer('admin.reference.list', () => {
      throw new ApiError(
        'server_unavailable',
        'L’administration du référentiel demande une connexion au serveur central. Serveur injoignable.',
        { reason: 'Serveur injoignable.' },
      )
    })
    const w = await mountAdmin()
    expect(textOf(byRole('alert'))).toBe(
      'L’administration du référentiel demande une connexion au serveur central. Détail : Serveur injoignable. ' +
        'Vérifiez que la console est connectée au serveur (état « En ligne » en haut de l’écran), puis réessayez. Réessayer',
    )
    expect(document.querySelector('form')).toBeNull()
    expect(allByRole(document.body, 'tab')).toEqual([])
    answer('admin.reference.list', () => ({ items, workflows: [] }))
    await buttonNamed(w, 'Réessayer').trigger('click')
    await flushPromises()
    expect(allByRole(document.body, 'tab')).toHaveLength(6)
  })

  it('in local mode (no server configured), says the reference data is read only here', async () => {
    answer('admin.reference.list', () => {
      throw new ApiError(
        'server_unavailable',
        'L’administration du référentiel demande une connexion au serveur central.',
      )
    })
    wrapper = mountWithApp(AdminView, sessionFor(['admin'], []))
    useSyncStore().status = syncStatus({ configured: false, state: 'disabled' })
    await flushPromises()
    expect(textOf(byRole('alert'))).toBe(
      'L’administration du référentiel demande une connexion au serveur central. ' +
        'Cette console travaille sans serveur central (mode local) : le référentiel y est en lecture seule.',
    )
    expect(allByRole(document.body, 'button', 'Réessayer')).toEqual([])
  })

  it('has one tab per kind, with counts, moved through with the arrow keys', async () => {
    await mountAdmin()
    const tabs = allByRole(document.body, 'tab')
    expect(tabs.map((t) => squash(t.textContent))).toEqual([
      'Équipes (2)',
      'Catégories (1)',
      'Règles d’affectation (2)',
      'Secteurs (1)',
      'Modèles de réponse',
      'Comptes d’API',
    ])
    expect(tabs[0]!.getAttribute('aria-selected')).toBe('true')
    expect(byRole('tabpanel').getAttribute('aria-labelledby')).toBe(tabs[0]!.id)
    expect(listItems()).toEqual(['Éclairage public', 'Voirie'])

    tabs[0]!.focus()
    tabs[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }))
    await flushPromises()
    expect(document.activeElement).toBe(allByRole(document.body, 'tab')[1])
    expect(allByRole(document.body, 'tab')[1]!.getAttribute('aria-selected')).toBe('true')
    expect(listItems()).toEqual(['Voirie et trottoirs'])

    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }))
    await flushPromises()
    expect(squash(document.activeElement?.textContent)).toBe('Comptes d’API')
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }))
    await flushPromises()
    expect(squash(document.activeElement?.textContent)).toBe('Modèles de réponse')
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }))
    await flushPromises()
    expect(squash(document.activeElement?.textContent)).toBe('Secteurs (1)')
    // Sectors come with their outline from a GIS import: nothing to create here.
    expect(document.body.textContent).toContain('seuls leur nom et leur code commune se modifient')
    expect(allByRole(document.body, 'button').some((b) => squash(b.textContent).startsWith('Nouve'))).toBe(
      false,
    )
  })

  it('creates a team: an id from its code, no base version, the list and the status line follow', async () => {
    const w = await mountAdmin()
    await buttonNamed(w, 'Nouvelle équipe').trigger('click')
    await flushPromises()
    expect(document.activeElement).toBe(controlLabelled(w, 'Code'))
    await submit(w)
    expect(saved()).toEqual([])
    expect(textOf(document.querySelector('form [role="alert"]'))).toBe(
      'Le formulaire n’a pas été envoyé : Renseignez le champ « Code ». Renseignez le champ « Nom ».',
    )
    expect(document.activeElement).toBe(controlLabelled(w, 'Code'))
    expect(controlLabelled(w, 'Code').getAttribute('aria-invalid')).toBe('true')

    await type(w, 'Code', 'Mobilité douce')
    expect(document.body.textContent).toContain('Identifiant attribué à la création : mobilite-douce')
    await type(w, 'Nom', '  Mobilités douces  ')
    await submit(w)
    expect(saved()).toEqual([
      {
        kind: 'team',
        data: { id: 'mobilite-douce', code: 'Mobilité douce', name: 'Mobilités douces' },
        baseVersion: null,
      },
    ])
    expect(listItems()).toEqual(['Éclairage public', 'Mobilités douces', 'Voirie'])
    expect(status()).toBe(
      'Création enregistrée sur le serveur : Mobilités douces. Les consoles la reçoivent à leur synchronisation.',
    )
    // The new team is open in its own form, on the server's version.
    expect(squash(document.getElementById('admin-editor-title')?.textContent)).toBe(
      'Équipe « Mobilités douces »',
    )
    expect(document.body.textContent).toContain('Version 0 sur le serveur · identifiant mobilite-douce')
    expect(callsTo('admin.reference.audit').at(-1)).toEqual({ kind: 'team', id: 'mobilite-douce', limit: 50 })
  })

  it('edits a category on the version shown, and refuses an empty or wrong SLA before sending', async () => {
    const w = await mountAdmin()
    await click(allByRole(document.body, 'tab')[1]!)
    await openItem('Voirie et trottoirs')
    expect((controlLabelled(w, 'Nom (français)') as HTMLInputElement).value).toBe('Voirie et trottoirs')
    expect((controlLabelled(w, 'Circuit') as HTMLSelectElement).selectedOptions[0]!.text).toBe(
      'Intervention sur le terrain',
    )
    expect((controlLabelled(w, 'Équipe par défaut') as HTMLSelectElement).value).toBe('voirie')
    expect((controlLabelled(w, 'Localisation obligatoire') as HTMLInputElement).checked).toBe(true)

    await type(w, 'Délai de traitement (heures ouvrées)', '0')
    await submit(w)
    expect(saved()).toEqual([])
    expect(textOf(document.querySelector('form [role="alert"]'))).toContain(
      'Le champ « Délai de traitement (heures ouvrées) » attend un nombre entier supérieur à zéro.',
    )

    await type(w, 'Nom (français)', 'Voirie, trottoirs et pistes cyclables')
    await type(w, 'Délai de traitement (heures ouvrées)', '48')
    await w.find(`#${controlLabelled(w, 'Équipe par défaut').id}`).setValue('eclairage')
    await type(w, 'Sous-catégories', 'Nid-de-poule\n\n  Piste cyclable \n')
    await submit(w)
    expect(saved()).toEqual([
      {
        kind: 'category',
        data: {
          id: 'voirie',
          code: 'voirie',
          name: { fr: 'Voirie, trottoirs et pistes cyclables', en: 'Roads and pavements' },
          workflowId: 'intervention',
          defaultTeamId: 'eclairage',
          slaBusinessHours: 48,
          requiresLocation: true,
          subcategories: ['Nid-de-poule', 'Piste cyclable'],
        },
        baseVersion: 3,
      },
    ])
    expect(document.body.textContent).toContain('Version 4 sur le serveur')
    // Saving again without a change sends nothing.
    await submit(w)
    expect(saved()).toHaveLength(1)
    expect(textOf(document.querySelector('form [role="alert"]'))).toContain(
      'Aucune modification à enregistrer.',
    )
  })

  it('sets a category’s own retention: months, never, or the authority’s rule (left out)', async () => {
    const w = await mountAdmin()
    await click(allByRole(document.body, 'tab')[1]!)
    await openItem('Voirie et trottoirs')
    // Nothing of its own: both follow the authority's rule, no months asked.
    const anonymise = controlLabelled(w, 'Anonymisation des données de l’usager') as HTMLSelectElement
    const remove = controlLabelled(w, 'Suppression des demandes closes') as HTMLSelectElement
    expect(anonymise.selectedOptions[0]!.text).toBe('Règle de la collectivité')
    expect(remove.selectedOptions[0]!.text).toBe('Règle de la collectivité')
    expect([...remove.options].map((o) => o.text)).toEqual([
      'Règle de la collectivité',
      'Après un nombre de mois',
      'Jamais',
    ])
    expect(document.body.textContent).toContain('visa d’élimination')
    expect(w.find('#category-anonymise-months').exists()).toBe(false)

    // Months out of range, then a deletion before the anonymisation: said, not sent.
    await w.find('#category-anonymise-mode').setValue('months')
    await w.find('#category-delete-mode').setValue('months')
    await type(w, 'Anonymiser après (mois après la clôture)', '0')
    await type(w, 'Supprimer après (mois après la clôture)', '24')
    await submit(w)
    expect(saved()).toEqual([])
    expect(textOf(document.querySelector('form [role="alert"]'))).toContain(
      'Le champ « Anonymiser après (mois après la clôture) » attend un nombre entier de mois, de 1 à 1200.',
    )
    expect(document.activeElement?.id).toBe('category-anonymise-months')
    await type(w, 'Anonymiser après (mois après la clôture)', '36')
    await submit(w)
    expect(saved()).toEqual([])
    expect(textOf(document.querySelector('form [role="alert"]'))).toContain(
      'La suppression ne peut pas venir avant l’anonymisation',
    )

    // Anonymised after 6 months, never deleted.
    await type(w, 'Anonymiser après (mois après la clôture)', '6')
    await w.find('#category-delete-mode').setValue('never')
    await submit(w)
    expect(saved().at(-1)!.data).toMatchObject({
      id: 'voirie',
      retention: { anonymiseAfterClosedMonths: 6, deleteAfterClosedMonths: null },
    })
    // What the server accepts (src/server/store/referenceAdmin.ts checks with Category).
    expect(Category.safeParse(saved().at(-1)!.data).success).toBe(true)
    expect(AdminSaveInput.safeParse(saved().at(-1)!).success).toBe(true)

    // Read back from the server's version: the form shows it; back to the authority's rule leaves the field out.
    expect((controlLabelled(w, 'Anonymiser après (mois après la clôture)') as HTMLInputElement).value).toBe(
      '6',
    )
    expect((controlLabelled(w, 'Suppression des demandes closes') as HTMLSelectElement).value).toBe('never')
    await w.find('#category-delete-mode').setValue('inherit')
    await submit(w)
    expect(saved().at(-1)!.data).toMatchObject({ retention: { anonymiseAfterClosedMonths: 6 } })
    expect((saved().at(-1)!.data as { retention?: unknown }).retention).toEqual({
      anonymiseAfterClosedMonths: 6,
    })
    await w.find('#category-anonymise-mode').setValue('inherit')
    await submit(w)
    expect(saved().at(-1)!.data).not.toHaveProperty('retention')
    expect(saved()).toHaveLength(3)
  })

  it('shows a version conflict in words, with who changed it, and « Recharger » brings the server’s version', async () => {
    const w = await mountAdmin()
    await openItem('Voirie')
    answer('admin.reference.save', () => {
      throw new ApiError(
        'version_conflict',
        'L’équipe a été modifié(e) par Sam Roux le 02/03/2026 10:15 : rechargez avant d’enregistrer.',
      )
    })
    await type(w, 'Nom', 'Voirie Nancy')
    await submit(w)
    expect(editorAlert()).toBe(
      'Cet élément a été modifié sur le serveur depuis que vous l’avez ouvert : rechargez-le pour voir la version actuelle, puis refaites vos modifications. ' +
        'Détail : L’équipe a été modifié(e) par Sam Roux le 02/03/2026 10:15 : rechargez avant d’enregistrer. Recharger',
    )
    // What was typed stays until the administrator reloads.
    expect((controlLabelled(w, 'Nom') as HTMLInputElement).value).toBe('Voirie Nancy')

    items = items.map((i) =>
      i.kind === 'team' && i.id === 'voirie'
        ? { ...i, version: 1, data: { ...i.data, name: 'Voirie et réseaux' } }
        : i,
    )
    await buttonNamed(w, 'Recharger').trigger('click')
    await flushPromises()
    expect((controlLabelled(w, 'Nom') as HTMLInputElement).value).toBe('Voirie et réseaux')
    expect(document.body.textContent).toContain('Version 1 sur le serveur')
    expect(editorAlert()).toBe('')
  })

  it('keeps what is typed when the item changes on the server, so the save is refused rather than undoing it', async () => {
    const w = await mountAdmin()
    await openItem('Voirie')
    await type(w, 'Nom', 'Voirie Nancy')
    items = items.map((i) => (i.kind === 'team' && i.id === 'voirie' ? { ...i, version: 1 } : i))
    emit('reference.changed', {})
    await flushPromises()
    expect(callsTo('admin.reference.list')).toHaveLength(2)
    expect((controlLabelled(w, 'Nom') as HTMLInputElement).value).toBe('Voirie Nancy')
    await submit(w)
    expect(saved()[0]!.baseVersion).toBe(0)
  })

  it('deletes after a confirmation, and says in words what still uses an item', async () => {
    const w = await mountAdmin()
    await openItem('Voirie')
    await buttonNamed(w, 'Supprimer').trigger('click')
    await flushPromises()
    const group = byRole('group', 'Supprimer « Voirie » sur le serveur ? La suppression sera tracée.')
    expect(document.activeElement).toBe(byRole('button', 'Confirmer la suppression', group))
    await buttonNamed(w, 'Ne pas supprimer').trigger('click')
    await flushPromises()
    expect(callsTo('admin.reference.delete')).toEqual([])
    expect(document.activeElement).toBe(buttonNamed(w, 'Supprimer').element)

    answer('admin.reference.delete', () => {
      throw new ApiError('in_use', 'Cette équipe traite encore 37 demandes.')
    })
    await buttonNamed(w, 'Supprimer').trigger('click')
    await flushPromises()
    await buttonNamed(w, 'Confirmer la suppression').trigger('click')
    await flushPromises()
    expect(callsTo('admin.reference.delete')).toEqual([{ kind: 'team', id: 'voirie', baseVersion: 0 }])
    expect(editorAlert()).toBe(
      'Suppression refusée : cet élément est encore utilisé. Détail : Cette équipe traite encore 37 demandes.',
    )
    expect(listItems()).toContain('Voirie')

    await openItem('Éclairage public')
    answer('admin.reference.delete', ({ kind, id }) => {
      items = items.filter((i) => !(i.kind === kind && i.id === id))
      return {}
    })
    await buttonNamed(w, 'Supprimer').trigger('click')
    await flushPromises()
    await buttonNamed(w, 'Confirmer la suppression').trigger('click')
    await flushPromises()
    expect(callsTo('admin.reference.delete').at(-1)).toEqual({
      kind: 'team',
      id: 'eclairage',
      baseVersion: 2,
    })
    expect(listItems()).toEqual(['Voirie'])
    expect(status()).toContain('Suppression enregistrée sur le serveur : Éclairage public.')
    expect(document.activeElement?.id).toBe('admin-list-title')
  })

  it('lists routing rules in the order they are tried, and saves a new one with its criteria', async () => {
    const w = await mountAdmin()
    await click(allByRole(document.body, 'tab')[2]!)
    const rows = [...document.querySelectorAll('.items .row-button')].map((b) => textOf(b))
    expect(rows).toEqual([
      '10 Voirie du secteur Nord Voirie et trottoirs · Nid-de-poule · Téléphone · Secteur Nord vers Éclairage public',
      '30 Voirie (autres secteurs) Voirie et trottoirs vers Voirie',
    ])
    await buttonNamed(w, 'Nouvelle règle').trigger('click')
    await flushPromises()
    expect((controlLabelled(w, 'Position') as HTMLInputElement).value).toBe('40')
    expect((controlLabelled(w, 'Sous-catégorie') as HTMLSelectElement).disabled).toBe(true)
    await type(w, 'Nom', 'Trottoirs par téléphone')
    await w.find(`#${controlLabelled(w, 'Catégorie').id}`).setValue('voirie')
    const subs = [...(controlLabelled(w, 'Sous-catégorie') as HTMLSelectElement).options].map((o) => o.text)
    expect(subs).toEqual(['Toutes les sous-catégories', 'Nid-de-poule', 'Trottoir dégradé'])
    await w.find(`#${controlLabelled(w, 'Sous-catégorie').id}`).setValue('Trottoir dégradé')
    await w.find(`#${controlLabelled(w, 'Canal').id}`).setValue('phone')
    await submit(w)
    expect(saved()).toEqual([])
    expect(textOf(document.querySelector('form [role="alert"]'))).toContain('Renseignez le champ « Équipe ».')
    await w.find(`#${controlLabelled(w, 'Équipe').id}`).setValue('voirie')
    await submit(w)
    expect(saved()).toEqual([
      {
        kind: 'routing_rule',
        data: {
          id: 'trottoirs-par-telephone',
          name: 'Trottoirs par téléphone',
          position: 40,
          categoryId: 'voirie',
          subcategory: 'Trottoir dégradé',
          channel: 'phone',
          sectorId: null,
          teamId: 'voirie',
        },
        baseVersion: null,
      },
    ])
  })

  it('edits a sector’s name and commune code, showing its outline read only', async () => {
    const w = await mountAdmin()
    await click(allByRole(document.body, 'tab')[3]!)
    await openItem('Secteur Nord')
    const outline = byRole('img')
    expect(
      squash(document.getElementById(outline.getAttribute('aria-labelledby')!.split(' ')[1]!)?.textContent),
    ).toMatch(/^1 polygone · 4 sommets · environ 1,6 km²$/)
    expect(outline.querySelector('path')!.getAttribute('d')).toMatch(/^M[\d. L]+Z$/)
    await type(w, 'Code commune (INSEE)', '5439')
    await submit(w)
    expect(saved()).toEqual([])
    expect(textOf(document.querySelector('form [role="alert"]'))).toContain(
      'Le code commune compte cinq caractères',
    )
    await type(w, 'Code commune (INSEE)', '54395')
    await submit(w)
    expect(saved()).toEqual([
      {
        kind: 'sector',
        data: {
          id: 'secteur-nord',
          name: 'Secteur Nord',
          communeCode: '54395',
          geometry: { type: 'Polygon', coordinates: square },
        },
        baseVersion: 1,
      },
    ])
  })

  it('shows the item’s audit trail: who, when, and each change with names rather than ids', async () => {
    audit = [
      {
        id: 7,
        kind: 'category',
        itemId: 'voirie',
        version: 3,
        action: 'update',
        actorName: 'Alex Mathieu',
        at: '2026-03-02T09:30:00.000Z',
        name: { fr: 'Voirie et trottoirs', en: 'Roads and pavements' },
        changes: [
          { field: 'defaultTeamId', before: 'eclairage', after: 'voirie' },
          { field: 'slaBusinessHours', before: 48, after: 72 },
          { field: 'requiresLocation', before: false, after: true },
        ],
      },
      {
        id: 2,
        kind: 'category',
        itemId: 'voirie',
        version: 0,
        action: 'create',
        actorName: null,
        at: '2026-03-01T08:00:00.000Z',
        name: { fr: 'Voirie et trottoirs', en: 'Roads and pavements' },
        changes: [{ field: 'name', before: null, after: { fr: 'Voirie', en: 'Roads' } }],
      },
    ]
    await mountAdmin()
    await click(allByRole(document.body, 'tab')[1]!)
    await openItem('Voirie et trottoirs')
    expect(callsTo('admin.reference.audit')).toEqual([{ kind: 'category', id: 'voirie', limit: 50 }])
    const section = document.querySelector('[aria-labelledby="admin-audit-title"]')!
    expect(squash(document.getElementById('admin-audit-title')?.textContent)).toBe(
      'Historique des modifications',
    )
    const entries = [...section.querySelectorAll('.entries > li')].map((li) => textOf(li))
    const when = (iso: string) =>
      new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso))
    expect(entries).toEqual([
      `Modification par Alex Mathieu · ${when('2026-03-02T09:30:00.000Z')} · version 3 ` +
        'Équipe par défaut : Éclairage public → Voirie ' +
        'Délai de traitement (heures ouvrées) : 48 h ouvrées → 72 h ouvrées ' +
        'Localisation obligatoire : non → oui',
      `Création par auteur inconnu · ${when('2026-03-01T08:00:00.000Z')} · version 0 Nom : Voirie / Roads`,
    ])
  })

  it('makes readable ids', () => {
    expect(slugOf('  Équipe Nord — Éclairage & Voirie ')).toBe('equipe-nord-eclairage-voirie')
    expect(slugOf('***')).toBe('')
  })
})
