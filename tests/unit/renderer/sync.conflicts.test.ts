import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Conflict } from '../../../src/shared/sync'
import { ApiError } from '../../../src/renderer/apiError'
import TopBar from '../../../src/renderer/components/TopBar.vue'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { useSyncStore } from '../../../src/renderer/stores/sync'
import { answer, callsTo, emit, resetFakeApi } from './support/fakeApi'
import { conflictOf, reference, sessionFor, syncStatus } from './support/fixtures'
import { accessibleName, allByRole, buttonNamed, byRole, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null
let stopListening: (() => void) | null = null
/** What the fake core holds: resolving a conflict removes it and lowers the count. */
let stored: Conflict[] = []

beforeEach(() => {
  resetFakeApi()
  stored = [
    conflictOf(),
    conflictOf({
      id: 'cf2',
      requestId: 'r2',
      reference: 'GRC-2026-000002',
      title: 'Lampadaire éteint',
      op: 'assign',
      mergeable: false,
      fields: [
        {
          field: 'assigneeId',
          mine: 'ag-zoe',
          theirs: null,
          theirActor: 'Ana Roux',
          theirAt: '2026-03-02T08:00:00.000Z',
        },
      ],
    }),
  ]
  answer('reference.get', () => reference)
  answer('sync.status', () => syncStatus({ conflicts: stored.length }))
  answer('conflicts.list', () => stored)
  answer('conflicts.resolve', ({ id, choice }) => {
    stored = stored.filter((c) => c.id !== id)
    return { requeued: choice !== 'theirs' }
  })
})

afterEach(() => {
  stopListening?.()
  wrapper?.unmount()
  wrapper = null
})

async function mountTopBar() {
  wrapper = mountWithApp(TopBar, sessionFor(['agent']))
  await useReferenceStore().load()
  const sync = useSyncStore()
  await sync.load()
  stopListening = sync.listen()
  await flushPromises()
  return wrapper
}

const inbox = () => byRole('dialog', 'Conflits à arbitrer')
const card = (reference: string) => {
  const found = allByRole(inbox(), 'article').find((a) => accessibleName(a).startsWith(reference))
  if (!found) throw new Error(`no conflict ${reference}`)
  return found
}
const buttonIn = (root: HTMLElement, name: string) => byRole('button', name, root)
const click = async (el: HTMLElement) => {
  el.click()
  await flushPromises()
}
const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim()
const dateTime = (iso: string) =>
  new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso))

async function openInbox() {
  const w = await mountTopBar()
  await buttonNamed(w, 'Conflits (2)').trigger('click')
  await flushPromises()
  return w
}

describe('conflict inbox', () => {
  it('shows no conflicts button when there is nothing to settle, and the count when there is', async () => {
    stored = []
    const w = await mountTopBar()
    expect(w.findAll('button').some((b) => b.text().startsWith('Conflits'))).toBe(false)
    emit('sync.changed', syncStatus({ conflicts: 2 }))
    await flushPromises()
    expect(buttonNamed(w, 'Conflits (2)').attributes('aria-haspopup')).toBe('dialog')
  })

  it('lists each conflict with its reference, title, kind of change and when I made it', async () => {
    await openInbox()
    expect(callsTo('conflicts.list')).toHaveLength(1)
    const first = card('GRC-2026-000001')
    expect(accessibleName(first)).toBe('GRC-2026-000001 — Nid-de-poule n°1')
    expect(squash(first.textContent)).toContain('Type de modification : Modification des informations')
    expect(squash(first.textContent)).toContain(`Faite le ${dateTime('2026-03-02T09:15:00.000Z')}`)
    expect(squash(card('GRC-2026-000002').textContent)).toContain('Type de modification : Assignation')
  })

  it('puts my version beside the server’s, field by field, with who changed it and when', async () => {
    await openInbox()
    const table = byRole('table', undefined, card('GRC-2026-000001'))
    const headers = [...table.querySelectorAll('thead th')].map((th) => squash(th.textContent))
    expect(headers).toEqual([
      'Champ',
      'Ma version',
      'Version du serveur',
      'Modifiée par',
      'Le',
      'Version à garder',
    ])
    const rows = [...table.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.children].slice(0, 5).map((cell) => squash(cell.textContent)),
    )
    expect(rows).toEqual([
      [
        'Titre',
        'Nid-de-poule profond',
        'Nid-de-poule rue Saint-Dizier',
        'Léo Petit',
        dateTime('2026-03-02T09:10:00.000Z'),
      ],
      ['Priorité', 'Urgente', 'Haute', 'Léo Petit', dateTime('2026-03-02T09:11:00.000Z')],
    ])
    // Ids become names; nobody reads as such rather than as an empty cell.
    const assign = byRole('table', undefined, card('GRC-2026-000002'))
    const cells = [...assign.querySelectorAll('tbody td')].map((td) => squash(td.textContent))
    expect(cells.slice(0, 2)).toEqual(['Zoé Martin', 'Non assignée'])
  })

  it('keeps the server version: sends theirs, reloads the list and confirms', async () => {
    await openInbox()
    await click(buttonIn(card('GRC-2026-000001'), 'Garder la version du serveur'))
    expect(callsTo('conflicts.resolve')).toEqual([{ id: 'cf1', choice: 'theirs', fields: {} }])
    expect(callsTo('conflicts.list')).toHaveLength(2)
    expect(() => card('GRC-2026-000001')).toThrow()
    expect(inbox().querySelector('[role="status"]')!.textContent).toBe(
      'Conflit GRC-2026-000001 résolu : la version du serveur est conservée.',
    )
    expect(document.activeElement?.id).toBe('conflicts-title')
  })

  it('keeps my version: sends mine and confirms it goes back to the server', async () => {
    await openInbox()
    await click(buttonIn(card('GRC-2026-000002'), 'Garder ma version'))
    expect(callsTo('conflicts.resolve')).toEqual([{ id: 'cf2', choice: 'mine', fields: {} }])
    expect(inbox().querySelector('[role="status"]')!.textContent).toBe(
      'Conflit GRC-2026-000002 résolu : votre choix sera envoyé au serveur à la prochaine synchronisation.',
    )
  })

  it('merges field by field with the choices made in each row', async () => {
    await openInbox()
    const first = card('GRC-2026-000001')
    const titleChoice = byRole('radiogroup', 'Version à garder pour « Titre »', first)
    await click(byRole('radio', 'Ma version', titleChoice))
    const priorityChoice = byRole('radiogroup', 'Version à garder pour « Priorité »', first)
    expect((byRole('radio', 'Version du serveur', priorityChoice) as HTMLInputElement).checked).toBe(true)
    await click(buttonIn(first, 'Fusionner'))
    expect(callsTo('conflicts.resolve')).toEqual([
      { id: 'cf1', choice: 'merge', fields: { title: 'mine', priority: 'theirs' } },
    ])
  })

  it('offers no merge for a change that is not an edit of several fields', async () => {
    await openInbox()
    const second = card('GRC-2026-000002')
    expect(allByRole(second, 'button', 'Fusionner')).toEqual([])
    expect(allByRole(second, 'radio')).toEqual([])
  })

  it('shows citizen text with markup as text, creating no element from it', async () => {
    stored = [
      conflictOf({
        title: '<script>alert(1)</script>',
        fields: [
          {
            field: 'description',
            mine: '<img src=x onerror=alert(2)>',
            theirs: { nested: '<b>gras</b>' },
            theirActor: '<i>Léo</i>',
            theirAt: null,
          },
        ],
      }),
    ]
    answer('sync.status', () => syncStatus({ conflicts: 1 }))
    const w = await mountTopBar()
    await buttonNamed(w, 'Conflits (1)').trigger('click')
    await flushPromises()
    const only = card('GRC-2026-000001')
    expect(accessibleName(only)).toBe('GRC-2026-000001 — <script>alert(1)</script>')
    const cells = [...only.querySelectorAll('tbody tr > *')].map((c) => c.textContent!.trim())
    expect(cells.slice(0, 5)).toEqual([
      'Description',
      '<img src=x onerror=alert(2)>',
      '{"nested":"<b>gras</b>"}',
      '<i>Léo</i>',
      '—',
    ])
    expect(document.querySelector('script, img, b, i')).toBeNull()
  })

  it('shows a change the server refused for good with its reason, which can only be dropped', async () => {
    stored = [
      conflictOf({
        kind: 'rejected',
        reason: 'La demande a été close entre-temps.',
        op: 'transition',
        mergeable: false,
        fields: [
          { field: 'status', mine: 'Planifiée', theirs: 'Close', theirActor: null, theirAt: null },
          { field: 'fields.reason', mine: 'Hors domaine', theirs: null, theirActor: null, theirAt: null },
        ],
      }),
    ]
    answer('sync.status', () => syncStatus({ conflicts: 1 }))
    const w = await mountTopBar()
    await buttonNamed(w, 'Conflits (1)').trigger('click')
    await flushPromises()
    const only = card('GRC-2026-000001')
    expect(squash(only.textContent)).toContain('Refusée par le serveur : La demande a été close entre-temps.')
    const rows = [...only.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.children].map((cell) => squash(cell.textContent)),
    )
    expect(rows).toEqual([
      ['Statut', 'Planifiée', 'Close', '—', '—'],
      ['Motif du rejet', 'Hors domaine', '—', '—', '—'],
    ])
    expect(allByRole(only, 'button').map(accessibleName)).toEqual(['Abandonner ma modification'])
    await click(buttonIn(only, 'Abandonner ma modification'))
    expect(callsTo('conflicts.resolve')).toEqual([{ id: 'cf1', choice: 'theirs', fields: {} }])
    expect(inbox().querySelector('[role="status"]')!.textContent).toBe(
      'Modification GRC-2026-000001 abandonnée : elle ne sera pas envoyée au serveur.',
    )
  })

  it('offers to send a refused tour again, so the lead’s plan is not lost', async () => {
    stored = [
      conflictOf({
        kind: 'rejected',
        reason:
          'La tournée a été modifiée par Sara Lefèvre le 29/11/2026 12:40 : votre version n’a pas été appliquée.',
        op: 'tour_save',
        reference: '—',
        title: 'Nids-de-poule centre',
        mergeable: false,
        fields: [
          {
            field: 'tour',
            mine: 'Nids-de-poule centre',
            theirs: 'Renommée',
            theirActor: null,
            theirAt: null,
          },
        ],
      }),
    ]
    answer('sync.status', () => syncStatus({ conflicts: 1 }))
    const w = await mountTopBar()
    await buttonNamed(w, 'Conflits (1)').trigger('click')
    await flushPromises()
    const only = card('—')
    expect(squash(only.textContent)).toContain('Enregistrement de la tournée')
    expect(squash(only.textContent)).toContain('modifiée par Sara Lefèvre')
    expect(allByRole(only, 'button').map(accessibleName)).toEqual([
      'Renvoyer ma tournée',
      'Abandonner ma modification',
    ])
    await click(buttonIn(only, 'Renvoyer ma tournée'))
    expect(callsTo('conflicts.resolve')).toEqual([{ id: 'cf1', choice: 'mine', fields: {} }])
  })

  it('says a refused resolution in words beside the conflict, which stays listed', async () => {
    answer('conflicts.resolve', () => {
      throw new ApiError('forbidden', 'no')
    })
    await openInbox()
    await click(buttonIn(card('GRC-2026-000001'), 'Garder ma version'))
    expect(card('GRC-2026-000001').querySelector('[role="alert"]')!.textContent).toBe(
      'Votre rôle ne permet pas cette action.',
    )
  })

  it('closes with Escape and says when nothing is left', async () => {
    stored = []
    answer('sync.status', () => syncStatus({ conflicts: 1 }))
    const w = await mountTopBar()
    await buttonNamed(w, 'Conflits (1)').trigger('click')
    await flushPromises()
    expect(squash(inbox().textContent)).toContain('Aucun conflit à arbitrer.')
    inbox().dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()
    expect(allByRole(document.body, 'dialog')).toEqual([])
  })
})
