/**
 * The queue as a lead works many requests at once: one owner of refresh (an assignment costs
 * the write and two reads, a burst of change events one `request.getMany`), rows picked with
 * the mouse and the keyboard, bulk actions on the picked rows with the core's refusals, and
 * the view exported as CSV in pages.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChannelName } from '../../../src/shared/contract'
import type { RequestDetail } from '../../../src/shared/domain'
import ShellView from '../../../src/renderer/views/ShellView.vue'
import { useDetailStore } from '../../../src/renderer/stores/detail'
import { useQueueStore } from '../../../src/renderer/stores/queue'
import { answer, callsTo, emit, invoke, resetFakeApi } from './support/fakeApi'
import { detailFor, reference, sessionFor, summaries, transitions } from './support/fixtures'
import { buttonNamed, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const PAGE = 200
const lead = sessionFor(['lead'])
let wrapper: VueWrapper | null = null
/** The requests as the fake core holds them, by id. */
let stored: Map<string, RequestDetail>

/** Request `r<n>` as the core answers it: its own reference and title. */
const requestOf = (id: string) =>
  stored.get(id) ?? detailFor(lead, { ...summaries(1, Number(id.slice(1)))[0] })
const rowsOf = (from: number, count: number) =>
  summaries(count, from).map((s) => stored.get(s.id) ?? detailFor(lead, { ...s }))

beforeEach(() => {
  resetFakeApi()
  stored = new Map()
  answer('reference.get', () => reference)
  answer('views.list', () => [])
  answer('queue.counts', () => ({ byStatus: { new: 2 * PAGE }, total: 2 * PAGE, overdue: 0 }))
  answer('queue.list', (input) =>
    input.after === 'page-2'
      ? { rows: rowsOf(PAGE + 1, PAGE), nextCursor: null }
      : { rows: rowsOf(1, PAGE), nextCursor: 'page-2' },
  )
  answer('request.get', ({ id }) => requestOf(id))
  answer('request.getMany', ({ ids }) => ids.map(requestOf))
  answer('request.history', () => [])
  answer('request.comments', () => [])
  answer('request.transitions', () => transitions)
  answer('requests.commonTransitions', () => transitions.allowed)
})

afterEach(() => {
  vi.restoreAllMocks()
  wrapper?.unmount()
  wrapper = null
})

async function mountQueue() {
  wrapper = mountWithApp(ShellView, lead)
  await flushPromises()
  return wrapper
}

const options = (w: VueWrapper) => w.findAll('[role="option"]')
const optionOf = (w: VueWrapper, id: string) => w.find(`#queue-row-${id}`)
const picked = (w: VueWrapper) =>
  options(w)
    .filter((o) => o.attributes('aria-selected') === 'true')
    .map((o) => o.attributes('id')!.replace('queue-row-', ''))
const press = (key: string, init: KeyboardEventInit = {}, target: EventTarget = document.body) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }))
/** Every channel the screen called since `from`, in order. */
const callsSince = (from: number) => invoke.mock.calls.slice(from).map(([channel]) => channel as ChannelName)
/**
 * Read by panels of the detail that watch the request's version themselves (the business-time
 * SLA clock, the duplicates panel), outside the queue and detail stores: left out of the count
 * until they follow the store (see the report of this change).
 */
const PANELS_ON_THEIR_OWN: ChannelName[] = ['requests.slaClock' as ChannelName, 'duplicates.ofRequest']
/** Past the counts' debounce: every refresh a change causes has happened. */
const settle = async () => {
  await flushPromises()
  await new Promise((resolve) => setTimeout(resolve, 400))
  await flushPromises()
}

async function assignOpenRequestTo(w: VueWrapper, name: string) {
  const select = controlLabelled(w, 'Agent assigné') as HTMLSelectElement
  const option = [...select.options].find((o) => o.text === name)!
  await w.find(`#${select.id}`).setValue(option.value)
  await w.find('section.assign form').trigger('submit')
}

describe('one owner of refresh', () => {
  for (const order of ['before', 'after'] as const)
    it(`costs an assignment the write and two reads when its change event comes ${order} the answer`, async () => {
      answer('request.assign', ({ id, assigneeId }) => {
        const updated = { ...requestOf(id), assigneeId, version: 4 }
        stored.set(id, updated)
        // The core emits while it answers: over IPC the event may come first, over the web bridge either.
        if (order === 'before') emit('requests.changed', { ids: [id] })
        else setTimeout(() => emit('requests.changed', { ids: [id] }), 20)
        return updated
      })
      const w = await mountQueue()
      await options(w)[0]!.trigger('click')
      await flushPromises()
      const from = invoke.mock.calls.length

      await assignOpenRequestTo(w, 'Léo Petit')
      await settle()

      const calls = callsSince(from).filter((c) => !PANELS_ON_THEIR_OWN.includes(c))
      expect(calls.length).toBeLessThanOrEqual(3)
      // The answer is the detail; the event brings what it lacks: the history and the next steps.
      expect([...calls].sort()).toEqual(['request.assign', 'request.history', 'request.transitions'])
      expect(w.find('[role="status"].notice-text').text()).toContain('Léo Petit')
      expect(optionOf(w, 'r1').text()).toContain('Léo Petit')
    })

  it('reads the counts again after its own write only when the view counts what changed', async () => {
    answer('request.assign', ({ id, assigneeId }) => {
      const updated = { ...requestOf(id), assigneeId, version: 4 }
      emit('requests.changed', { ids: [id] })
      return updated
    })
    const w = await mountQueue()
    useQueueStore().setFilter({ unassigned: true })
    await flushPromises()
    await options(w)[0]!.trigger('click')
    await settle()
    const from = invoke.mock.calls.length
    await assignOpenRequestTo(w, 'Léo Petit')
    await settle()
    expect(callsSince(from).filter((c) => c === 'queue.counts')).toHaveLength(1)
  })

  it('applies another panel’s write the same way (applyWrite): its event reads only what the answer lacks', async () => {
    const w = await mountQueue()
    await options(w)[0]!.trigger('click')
    await settle()
    const from = invoke.mock.calls.length
    const linked = { ...requestOf('r1'), title: 'Relié', version: 5 }
    await useDetailStore().applyWrite(async () => {
      emit('requests.changed', { ids: ['r1'] })
      return linked
    })
    await settle()
    expect(w.find('#detail-title').text()).toBe('Relié')
    expect(optionOf(w, 'r1').text()).toContain('Relié')
    expect(
      callsSince(from)
        .filter((c) => !PANELS_ON_THEIR_OWN.includes(c))
        .sort(),
    ).toEqual(['request.history', 'request.transitions'])
  })

  it('reads a burst of other agents’ changes with one request.getMany, and the open request once', async () => {
    const w = await mountQueue()
    await options(w)[0]!.trigger('click')
    await settle()
    const from = invoke.mock.calls.length
    for (const id of ['r2', 'r3', 'r4']) stored.set(id, detailFor(lead, { id, title: `Repris ${id}` }))
    stored.set('r1', detailFor(lead, { id: 'r1', title: 'Titre repris', version: 9 }))
    emit('requests.changed', { ids: ['r2', 'r3'] })
    emit('requests.changed', { ids: ['r3', 'r4', 'r1'] })
    emit('requests.changed', { ids: ['r2'] })
    await settle()

    expect(callsTo('request.getMany')).toEqual([{ ids: ['r2', 'r3', 'r4'] }])
    expect(callsSince(from).filter((c) => c === 'request.get')).toHaveLength(1)
    expect(callsSince(from).filter((c) => c === 'queue.counts')).toHaveLength(1)
    expect(optionOf(w, 'r3').text()).toContain('Repris r3')
    expect(w.find('#detail-title').text()).toBe('Titre repris')
    expect(optionOf(w, 'r1').text()).toContain('Titre repris')
  })

  it('takes out of the list a row the core no longer returns', async () => {
    const w = await mountQueue()
    answer('request.getMany', ({ ids }) =>
      ids.filter((id) => id !== 'r2').map((id) => detailFor(lead, { id })),
    )
    emit('requests.changed', { ids: ['r2', 'r3'] })
    await settle()
    expect(optionOf(w, 'r2').exists()).toBe(false)
    expect(optionOf(w, 'r3').exists()).toBe(true)
  })
})

describe('picking rows in the queue', () => {
  it('picks with Ctrl+click, a range with Shift+click, toggles with x and clears with Escape', async () => {
    const w = await mountQueue()
    const listbox = w.find('[role="listbox"]')
    // Nothing picked: selection follows the highlight, as in a single-select list.
    expect(listbox.attributes('aria-multiselectable')).toBeUndefined()

    await optionOf(w, 'r2').trigger('click', { ctrlKey: true })
    expect(listbox.attributes('aria-multiselectable')).toBe('true')
    expect(picked(w)).toEqual(['r2'])
    await optionOf(w, 'r5').trigger('click', { shiftKey: true })
    expect(picked(w)).toEqual(['r2', 'r3', 'r4', 'r5'])
    await optionOf(w, 'r4').trigger('click', { metaKey: true })
    expect(picked(w)).toEqual(['r2', 'r3', 'r5'])
    expect(w.find('[data-testid="selection-count"]').text()).toBe('3 demandes sélectionnées')

    // The keyboard: j moves the highlight, x picks the highlighted row.
    press('j')
    press('j', {}, listbox.element)
    await flushPromises()
    expect(listbox.attributes('aria-activedescendant')).toBe('queue-row-r6')
    press('x', {}, listbox.element)
    await flushPromises()
    expect(picked(w)).toEqual(['r2', 'r3', 'r5', 'r6'])
    press('x', {}, listbox.element)
    await flushPromises()
    expect(picked(w)).toEqual(['r2', 'r3', 'r5'])

    // Shift+↓ extends from the highlighted row.
    press('ArrowDown', { shiftKey: true }, listbox.element)
    press('ArrowDown', { shiftKey: true }, listbox.element)
    await flushPromises()
    expect(picked(w)).toEqual(['r2', 'r3', 'r5', 'r6', 'r7', 'r8'])
    press('x', {}, listbox.element)
    await flushPromises()
    expect(picked(w)).toEqual(['r2', 'r3', 'r5', 'r6', 'r7'])

    // The picked rows take the detail's place, with the bulk actions.
    const panel = w.find('[data-testid="queue-selection"]')
    expect(panel.text()).toContain('5 demandes sélectionnées')
    expect(panel.find('#bulk-assignee').exists()).toBe(true)

    press('Escape', {}, listbox.element)
    await flushPromises()
    expect(useQueueStore().selected.size).toBe(0)
    expect(picked(w)).toEqual(['r8'])
    expect(listbox.attributes('aria-multiselectable')).toBeUndefined()
    expect(w.find('[data-testid="queue-selection"]').exists()).toBe(false)
  })

  it('picks the whole view with Shift+x or Ctrl+A, reading the pages not loaded yet', async () => {
    const w = await mountQueue()
    const listbox = w.find('[role="listbox"]')
    press('X', { shiftKey: true }, listbox.element)
    await flushPromises()
    expect(callsTo('queue.list').map((c) => c.after)).toEqual([null, 'page-2'])
    expect(useQueueStore().selected.size).toBe(2 * PAGE)
    expect(w.find('[data-testid="selection-count"]').text()).toBe(`${2 * PAGE} demandes sélectionnées`)
    press('Escape', {}, listbox.element)
    await flushPromises()
    expect(useQueueStore().selected.size).toBe(0)
    press('a', { ctrlKey: true }, listbox.element)
    await flushPromises()
    expect(useQueueStore().selected.size).toBe(2 * PAGE)
    // Ctrl+A in the search field selects its text, as everywhere.
    const search = document.querySelector<HTMLInputElement>('[data-shortcut="search"]')!
    press('Escape', {}, listbox.element)
    await flushPromises()
    press('a', { ctrlKey: true }, search)
    expect(useQueueStore().selected.size).toBe(0)
  })

  it('changes the status of the picked rows after one confirmation and lists the refused ones', async () => {
    answer('requests.bulkTransition', ({ ids }) => ({
      done: ids.slice(1),
      refused: [{ id: ids[0]!, reference: 'GRC-2026-000002', code: 'forbidden', reason: '' }],
    }))
    const w = await mountQueue()
    await optionOf(w, 'r2').trigger('click', { ctrlKey: true })
    await optionOf(w, 'r4').trigger('click', { shiftKey: true })
    await flushPromises()
    const select = controlLabelled(w, 'Changement de statut') as HTMLSelectElement
    await w.find(`#${select.id}`).setValue('start')
    await w.find('form.bulk-transition').trigger('submit')
    expect(callsTo('requests.bulkTransition')).toHaveLength(0)
    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()
    expect(callsTo('requests.bulkTransition')).toEqual([
      { ids: ['r2', 'r3', 'r4'], transitionId: 'start', fields: {} },
    ])
    expect(w.find('[data-testid="bulk-status"]').text()).toContain('Statut changé pour 2 demandes : Démarrer')
    expect(w.find('ul.refused').text()).toContain('GRC-2026-000002 : Votre rôle ne permet pas cette action.')
  })
})

describe('bulk priority', () => {
  it('sets the priority of the picked requests in one call and lists the refused ones', async () => {
    answer('requests.bulkPriority', ({ ids }) => ({
      done: ids.filter((id) => id !== 'r3'),
      refused: [
        {
          id: 'r3',
          reference: 'GRC-2026-000003',
          code: 'forbidden',
          reason: 'Cette demande n’est pas de votre équipe.',
        },
      ],
    }))
    const w = await mountQueue()
    await optionOf(w, 'r2').trigger('click', { ctrlKey: true })
    await optionOf(w, 'r4').trigger('click', { shiftKey: true })
    await flushPromises()
    const select = controlLabelled(w, 'Nouvelle priorité') as HTMLSelectElement
    await w.find(`#${select.id}`).setValue('urgent')
    await w.find('form.bulk-priority').trigger('submit')
    expect(w.text()).toContain('Confirmer : priorité « Urgente » pour 3 demandes ?')
    expect(callsTo('requests.bulkPriority')).toHaveLength(0)
    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()
    // A click is one write: one call for the selection, never one update per request.
    expect(callsTo('requests.bulkPriority')).toEqual([{ ids: ['r2', 'r3', 'r4'], priority: 'urgent' }])
    expect(callsTo('request.update')).toHaveLength(0)
    expect(w.find('[data-testid="bulk-status"]').text()).toContain('Priorité « Urgente » pour 2 demandes')
    expect(w.find('ul.refused').text()).toBe(
      'GRC-2026-000003 : Votre rôle ne permet pas cette action. Détail : Cette demande n’est pas de votre équipe.',
    )
  })
})

describe('exporting the view', () => {
  it('asks the core for every page of the view and saves them as one file', async () => {
    const pages = ['\uFEFFRéférence;Titre\r\nGRC-1;Un\r\n', 'GRC-2;Deux\r\n', 'GRC-3;Trois\r\n']
    answer('queue.exportPage', ({ after }) => {
      const index = after === null ? 0 : Number(after)
      return {
        csv: pages[index]!,
        rows: 1,
        nextCursor: index + 1 < pages.length ? String(index + 1) : null,
        total: index === 0 ? 3 : null,
      }
    })
    const blobs: Blob[] = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob)
      return 'blob:export'
    })
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {})
    const names: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download)
    })
    const w = await mountQueue()
    useQueueStore().setFilter({ overdue: true })
    await flushPromises()
    await buttonNamed(w, 'Exporter la vue (CSV)').trigger('click')
    await flushPromises()

    expect(callsTo('queue.exportPage')).toEqual([
      { filter: { overdue: true }, sort: 'created_desc', after: null, language: 'fr' },
      { filter: { overdue: true }, sort: 'created_desc', after: '1', language: 'fr' },
      { filter: { overdue: true }, sort: 'created_desc', after: '2', language: 'fr' },
    ])
    expect(blobs).toHaveLength(1)
    expect(new Uint8Array(await blobs[0]!.arrayBuffer()).slice(0, 3)).toEqual(
      new Uint8Array([0xef, 0xbb, 0xbf]),
    )
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await blobs[0]!.arrayBuffer())
    expect(text).toBe(pages.join(''))
    expect(names[0]).toMatch(/^demandes-\d{4}-\d{2}-\d{2}\.csv$/)
    expect(w.find('.view-export [role="status"]').text()).toBe('3 demandes exportées')
  })
})
