/**
 * The command palette (Ctrl+K) in the whole shell, against the fake core: it opens from
 * anywhere, finds commands by fuzzy words without accents, offers only what the core allows
 * on the open request, runs a command through the same channel as its button, once, and
 * gives focus back when closed.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { OutputOf, SessionInfo } from '../../../src/shared/contract'
import type { AgentSummary, RequestDetail, TransitionAvailability } from '../../../src/shared/domain'
import ShellView from '../../../src/renderer/views/ShellView.vue'
import { paletteOpen } from '../../../src/renderer/components/palette/paletteState'
import { useDetailStore } from '../../../src/renderer/stores/detail'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { detailFor, reference, sessionFor, summaries, transitions } from './support/fixtures'
import { accessibleName, buttonNamed, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const tom: AgentSummary = {
  id: 'ag-tom',
  login: 'tom',
  displayName: 'Tom Lefèvre',
  roles: ['technician'],
  teamIds: ['team-roads'],
}
const withTom: OutputOf<'reference.get'> = { ...reference, agents: [...reference.agents, tom] }

let wrapper: VueWrapper | null = null
let session: SessionInfo

/** Request `r<n>` as the core answers it to the session, with the demo transitions. */
const requestOf = (id: string, availability: TransitionAvailability = transitions): RequestDetail =>
  detailFor(
    session,
    { ...summaries(1, Number(id.slice(1)))[0], status: 'assigned', assigneeId: 'ag-zoe' },
    {
      transitions: availability,
    },
  )

function answerCore(availability: TransitionAvailability = transitions) {
  answer('reference.get', () => withTom)
  answer('views.list', () => [
    { id: 'v1', name: 'Mes urgences', filter: { priority: ['urgent'] }, sort: 'due_asc' },
  ])
  answer('queue.counts', () => ({ byStatus: { new: 20 }, total: 20, overdue: 0 }))
  answer('queue.list', (input) => ({
    // The search finds request n°239 by its number, nothing by the commands' words.
    rows:
      input.filter?.text === undefined
        ? summaries(20)
        : input.filter.text === '000239'
          ? [...summaries(1, 1239), ...summaries(1, 239)]
          : [],
    nextCursor: null,
  }))
  answer('request.get', ({ id }) => requestOf(id, availability))
  answer('request.getMany', ({ ids }) => ids.map((id) => requestOf(id, availability)))
  answer('request.history', () => [])
  answer('request.comments', () => [])
  answer('request.transitions', () => availability)
  answer('requests.commonTransitions', () => transitions.allowed)
}

beforeEach(() => {
  resetFakeApi()
  session = sessionFor(['lead'])
  answerCore()
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  paletteOpen.value = false
})

async function mountShell(withOpenRequest = true) {
  wrapper = mountWithApp(ShellView, session)
  await flushPromises()
  if (withOpenRequest) {
    await useDetailStore().open('r1')
    await flushPromises()
  }
  return wrapper
}

const press = (key: string, init: KeyboardEventInit = {}, target: EventTarget | null = null) =>
  (target ?? document.activeElement ?? document.body).dispatchEvent(
    new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }),
  )

const dialog = () => document.querySelector<HTMLElement>('[role="dialog"][aria-labelledby="palette-title"]')
const field = () => document.querySelector<HTMLInputElement>('#palette-input')!
/** What each option says, without the shortcut read out after it. */
const optionLabels = () =>
  [...document.querySelectorAll('#palette-list [role="option"] .label')].map((o) => o.textContent!.trim())
const groupNames = () =>
  [...document.querySelectorAll('#palette-list [role="group"]')].map((g) => accessibleName(g))
/** Past the request search's pause and its answer. */
const settle = async () => {
  await flushPromises()
  await new Promise((resolve) => setTimeout(resolve, 200))
  await flushPromises()
}

async function openPalette() {
  press('k', { ctrlKey: true })
  await flushPromises()
}

async function type(text: string) {
  const input = field()
  input.value = text
  input.dispatchEvent(new Event('input'))
  await settle()
}

describe('opening and closing', () => {
  it('opens on Ctrl+K and on Cmd+K, a labelled dialog with the focus in its combobox', async () => {
    await mountShell()
    expect(dialog()).toBeNull()
    await openPalette()
    expect(dialog()).not.toBeNull()
    expect(accessibleName(dialog()!)).toBe('Palette de commandes')
    expect(document.activeElement).toBe(field())
    expect(field().getAttribute('role')).toBe('combobox')
    expect(field().getAttribute('aria-controls')).toBe('palette-list')
    press('Escape')
    await flushPromises()
    expect(dialog()).toBeNull()
    // From a field too: Ctrl+K types nothing there.
    document.querySelector<HTMLElement>('[data-shortcut="search"]')!.focus()
    press('k', { metaKey: true })
    await flushPromises()
    expect(dialog()).not.toBeNull()
    expect(document.activeElement).toBe(field())
  })

  it('closes on Escape and gives the focus back where it was; the queue behind keeps its request', async () => {
    const w = await mountShell()
    const list = document.querySelector<HTMLElement>('[data-shortcut="list"]')!
    list.focus()
    await openPalette()
    expect(document.activeElement).toBe(field())
    press('Escape')
    await flushPromises()
    expect(dialog()).toBeNull()
    expect(document.activeElement).toBe(list)
    // The queue's own Escape (close the detail) did not hear it.
    expect(w.find('#detail-title').exists()).toBe(true)
  })

  it('keeps Tab in the field', async () => {
    await mountShell()
    await openPalette()
    const tab = new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true })
    field().dispatchEvent(tab)
    expect(tab.defaultPrevented).toBe(true)
  })

  it('lists the palette in the shortcut overlay', async () => {
    const w = await mountShell()
    press('?', {}, document.body)
    await flushPromises()
    const overlay = document.querySelector('[role="dialog"][aria-label="Raccourcis clavier"]')!
    expect(overlay.textContent).toContain('Ctrl+K')
    expect(overlay.textContent).toContain('Ouvrir la palette de commandes')
    await buttonNamed(w, 'Fermer').trigger('click')
  })
})

describe('what it offers', () => {
  it('finds a screen and an action by words typed without accents', async () => {
    await mountShell()
    await openPalette()
    await type('tournees')
    expect(optionLabels()[0]).toBe('Aller à : Tournées')
    await type('demarrer')
    expect(optionLabels()[0]).toBe('Statut : Démarrer')
    expect(groupNames()).toContain('Actions')
  })

  it('offers only the status changes the core allows, and names their shortcuts', async () => {
    await mountShell()
    await openPalette()
    const labels = optionLabels()
    expect(labels).toEqual(
      expect.arrayContaining(['Statut : Planifier', 'Statut : Rejeter', 'Statut : Démarrer']),
    )
    // Blocked by the workflow: not offered.
    expect(labels).not.toContain('Statut : Clore')
    expect(labels).not.toContain('Statut : Qualifier')
    const goTransition = [...document.querySelectorAll('#palette-list [role="option"]')].find((o) =>
      o.textContent!.includes('Aller au changement de statut'),
    )!
    expect(goTransition.querySelector('.sr-only')!.textContent!.trim()).toBe('raccourci : t')
    expect(goTransition.querySelector('kbd')!.textContent).toBe('t')
    expect(groupNames()).toEqual(['Actions', 'Écrans', 'Attribuer'])
  })

  it('offers an agent no assignment and no screen her role lacks; the DPO no action at all', async () => {
    session = sessionFor(['agent'])
    await mountShell()
    await openPalette()
    let labels = optionLabels()
    expect(labels.some((l) => l.startsWith('Assigner à'))).toBe(false)
    expect(labels).not.toContain('Aller à : Tableau de bord')
    expect(labels).not.toContain('Aller à : Administration')
    expect(labels).toContain('Statut : Démarrer')
    press('Escape')
    wrapper!.unmount()

    const nothing: TransitionAvailability = { allowed: [], blocked: transitions.blocked }
    resetFakeApi()
    answerCore(nothing)
    session = sessionFor(['dpo'], [])
    await mountShell()
    await openPalette()
    labels = optionLabels()
    expect(labels.some((l) => l.startsWith('Statut'))).toBe(false)
    expect(labels.some((l) => l.startsWith('Assigner'))).toBe(false)
    expect(labels).toContain('Aller à : Protection des données')
  })
})

describe('running a command', () => {
  it('assigns to Tom through the same channel as the assignment panel, once', async () => {
    answer('request.assign', ({ id, assigneeId }) => ({ ...requestOf(id), assigneeId, version: 4 }))
    const w = await mountShell()
    await openPalette()
    await type('assigner à tom')
    expect(optionLabels()[0]).toBe('Assigner à Tom Lefèvre')
    press('Enter')
    await flushPromises()
    expect(dialog()).toBeNull()
    expect(callsTo('request.assign')).toEqual([{ id: 'r1', assigneeId: 'ag-tom', baseVersion: 3 }])
    expect(w.find('[role="status"].notice-text').text()).toContain('Tom Lefèvre')
  })

  it('fires a transition as its button does', async () => {
    answer('request.transition', ({ id }) => ({ ...requestOf(id), status: 'in_progress', version: 4 }))
    await mountShell()
    await openPalette()
    await type('demarrer')
    press('Enter')
    await flushPromises()
    expect(callsTo('request.transition')).toEqual([
      { id: 'r1', transitionId: 'start', fields: {}, baseVersion: 3 },
    ])
  })

  it('opens the inline form of a transition that needs fields, as its button does, sending nothing', async () => {
    const w = await mountShell()
    await openPalette()
    await type('rejeter')
    press('Enter')
    await flushPromises()
    expect(w.find('#transition-form').exists()).toBe(true)
    expect(callsTo('request.transition')).toHaveLength(0)
  })

  it('finds a request by its number and opens it with the arrows and Enter', async () => {
    const w = await mountShell(false)
    await openPalette()
    await type('239')
    expect(callsTo('queue.list').at(-1)).toMatchObject({ filter: { text: '000239' }, limit: 5 })
    expect(groupNames()[0]).toBe('Demandes')
    // The one the number names first, then the others the search found.
    expect(optionLabels().slice(0, 2)).toEqual([
      'GRC-2026-000239 — Nid-de-poule n°239',
      'GRC-2026-001239 — Nid-de-poule n°1239',
    ])
    const options = () => [...document.querySelectorAll<HTMLElement>('#palette-list [role="option"]')]
    expect(field().getAttribute('aria-activedescendant')).toBe(options()[0]!.id)
    press('ArrowDown')
    await flushPromises()
    expect(field().getAttribute('aria-activedescendant')).toBe(options()[1]!.id)
    expect(options()[1]!.getAttribute('aria-selected')).toBe('true')
    press('ArrowUp')
    await flushPromises()
    expect(field().getAttribute('aria-activedescendant')).toBe(options()[0]!.id)
    press('Enter')
    await flushPromises()
    await flushPromises()
    expect(callsTo('request.get').at(-1)).toEqual({ id: 'r239' })
    expect(w.find('#detail-title').text()).toBe('Nid-de-poule n°239')
    expect(document.activeElement?.id).toBe('detail-title')
  })

  it('searches the requests by words through the queue’s search, the first few only', async () => {
    await mountShell(false)
    await openPalette()
    await type('nid poule')
    expect(callsTo('queue.list').at(-1)).toEqual({
      filter: { text: 'nid poule' },
      sort: 'created_desc',
      after: null,
      limit: 5,
    })
    // One letter searches nothing.
    const before = callsTo('queue.list').length
    await type('n')
    expect(callsTo('queue.list')).toHaveLength(before)
  })

  it('opens what the search finds when Enter comes before its answer, never what an earlier search found', async () => {
    const w = await mountShell(false)
    await openPalette()
    field().value = '239'
    field().dispatchEvent(new Event('input'))
    press('Enter')
    await settle()
    expect(callsTo('request.get')).toEqual([{ id: 'r239' }])
    expect(w.find('#detail-title').text()).toBe('Nid-de-poule n°239')
    await openPalette()
    expect(optionLabels().some((label) => label.startsWith('GRC-'))).toBe(false)
  })

  it('runs a bulk assignment on the picked rows through the bulk form and its confirmation', async () => {
    answer('requests.bulkAssign', ({ ids }) => ({ done: [...ids], refused: [] }))
    const w = await mountShell(false)
    await w.find('#queue-row-r2').trigger('click', { ctrlKey: true })
    await w.find('#queue-row-r3').trigger('click', { ctrlKey: true })
    await flushPromises()
    await openPalette()
    await type('selection assigner tom')
    expect(optionLabels()[0]).toBe('Sélection : assigner à Tom Lefèvre')
    press('Enter')
    await flushPromises()
    // The bulk actions ask first, as from their own button.
    expect(callsTo('requests.bulkAssign')).toHaveLength(0)
    expect(w.find('#bulk-confirm-question').text()).toContain('Tom Lefèvre')
    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()
    expect(callsTo('requests.bulkAssign')).toEqual([{ ids: ['r2', 'r3'], assigneeId: 'ag-tom' }])
  })

  it('changes the status of the picked rows through the bulk form and its confirmation', async () => {
    answer('requests.bulkTransition', ({ ids }) => ({ done: [...ids], refused: [] }))
    const w = await mountShell(false)
    await w.find('#queue-row-r2').trigger('click', { ctrlKey: true })
    await w.find('#queue-row-r4').trigger('click', { shiftKey: true })
    await flushPromises()
    await openPalette()
    await type('selection demarrer')
    expect(optionLabels()[0]).toBe('Sélection : Démarrer')
    press('Enter')
    await flushPromises()
    expect(callsTo('requests.bulkTransition')).toHaveLength(0)
    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()
    expect(callsTo('requests.bulkTransition')).toEqual([
      { ids: ['r2', 'r3', 'r4'], transitionId: 'start', fields: {} },
    ])
  })

  it('stops a selection’s status change that needs fields at the bulk form, on its first field', async () => {
    const w = await mountShell(false)
    await w.find('#queue-row-r2').trigger('click', { ctrlKey: true })
    await flushPromises()
    await openPalette()
    await type('selection rejeter')
    press('Enter')
    await flushPromises()
    expect(document.activeElement?.id).toBe('bulk-field-reason')
    expect(w.find('#bulk-confirm-question').exists()).toBe(false)
    expect(callsTo('requests.bulkTransition')).toHaveLength(0)
  })

  it('goes to another screen and to a saved view', async () => {
    const w = await mountShell(false)
    await openPalette()
    await type('parametres')
    press('Enter')
    await flushPromises()
    expect(w.find('#settings').exists()).toBe(true)
    await openPalette()
    await type('mes urgences')
    press('Enter')
    await flushPromises()
    expect(w.find('#queue').exists()).toBe(true)
    expect(callsTo('queue.list').at(-1)).toMatchObject({ filter: { priority: ['urgent'] }, sort: 'due_asc' })
  })
})
