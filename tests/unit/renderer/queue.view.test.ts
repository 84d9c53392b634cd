import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { QueueFilter } from '../../../src/shared/contract'
import { useQueueStore } from '../../../src/renderer/stores/queue'
import ShellView from '../../../src/renderer/views/ShellView.vue'
import { answer, callsTo, emit, resetFakeApi } from './support/fakeApi'
import { detailOf, reference, sessionFor, summaries, syncStatus, transitions } from './support/fixtures'
import { buttonNamed, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const PAGE = 200
let wrapper: VueWrapper | null = null

beforeEach(() => {
  resetFakeApi()
  answer('reference.get', () => reference)
  answer('views.list', () => [])
  answer('queue.counts', () => ({ byStatus: { new: 1240, assigned: 88 }, total: 1328, overdue: 12 }))
  // Two pages, keyed by cursor: what keyset paging looks like from the renderer.
  answer('queue.list', (input) =>
    input.after === 'page-2'
      ? { rows: summaries(PAGE, PAGE + 1), nextCursor: null }
      : { rows: summaries(PAGE), nextCursor: 'page-2' },
  )
  answer('request.get', ({ id }) => detailOf({ id }))
  answer('request.history', () => [])
  answer('request.comments', () => [])
  answer('request.transitions', () => transitions)
  answer('request.citizen', () => null)
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function mountQueue() {
  wrapper = mountWithApp(ShellView, sessionFor(['agent']))
  await flushPromises()
  return wrapper
}

const options = (w: VueWrapper) => w.findAll('[role="option"]')
const lastListFilter = (): QueueFilter | undefined => callsTo('queue.list').at(-1)?.filter

const press = (key: string, target: EventTarget = document.body) => {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
}

describe('queue screen', () => {
  it('shows rows with reference, title, address, status, assignee and SLA clock, and counts per status', async () => {
    const w = await mountQueue()
    const first = options(w)[0]!
    expect(first.text()).toContain('GRC-2026-000001')
    expect(first.text()).toContain('Nid-de-poule n°1')
    expect(first.text()).toContain('1 rue Saint-Dizier, Nancy')
    expect(first.text()).toContain('Voirie')
    expect(first.text()).toContain('Nouveau')
    expect(first.text()).toContain('Non assignée')
    expect(first.text()).toMatch(/J-\d+/)
    const counts = w.find('[role="group"][aria-label="Nombre de demandes par statut"]')
    expect(counts.text().replace(/\s/g, ' ')).toMatch(/Nouveau 1\s?240/)
    expect(counts.text()).toContain('Assigné 88')
  })

  it('shows the core’s business-time clock on each row, as the detail does, paused included', async () => {
    const DAY = 9 * 3_600_000
    answer('requests.slaClocks', ({ ids }) => ({
      clocks: Object.fromEntries(
        ids.map((id, i) => [
          id,
          {
            state: i === 1 ? ('paused' as const) : ('on_time' as const),
            businessMsLeft: 7 * DAY + 3_600_000,
            businessDayMs: DAY,
            pausedSince: i === 1 ? '2026-03-01T09:00:00.000Z' : null,
            at: '2026-03-02T08:00:00.000Z',
          },
        ]),
      ),
    }))
    const w = await mountQueue()
    const rows = options(w)
    // Seven working days of the authority's hours, not the calendar days to the due date.
    expect(rows[0]!.find('.sla').text()).toBe('J-7')
    expect(rows[1]!.find('.sla').text()).toBe('En pause — attente usager')
    // One call for the rows on screen, none of the others.
    expect(callsTo('requests.slaClocks')).toHaveLength(1)
    expect(callsTo('requests.slaClocks')[0]!.ids.length).toBe(rows.length)
  })

  it('renders only a window of the loaded rows and fetches the next keyset page near the end', async () => {
    const w = await mountQueue()
    expect(options(w).length).toBeGreaterThan(0)
    expect(options(w).length).toBeLessThan(60)
    const listbox = w.find('[role="listbox"]')
    expect(listbox.attributes('aria-label')).toBe('Demandes')

    listbox.element.scrollTop = 170 * 50
    await listbox.trigger('scroll')
    await flushPromises()

    expect(callsTo('queue.list').map((c) => c.after)).toEqual([null, 'page-2'])
    expect(options(w).some((o) => o.text().includes('GRC-2026-000175'))).toBe(true)
    expect(options(w).length).toBeLessThan(60)
  })

  it('sends the typed search text as the queue filter', async () => {
    const w = await mountQueue()
    const search = w.find('input[type="search"]')
    expect(w.find('label[for="global-search"]').text()).toBe('Rechercher')
    await search.setValue('éclairage rue')
    await vi.waitFor(() => expect(lastListFilter()).toEqual({ text: 'éclairage rue' }))
    expect(callsTo('queue.counts').at(-1)).toEqual({ filter: { text: 'éclairage rue' } })
  })

  it('says what a search that found nothing searched, and in which teams, where the list is', async () => {
    // Only a search for « xyz » finds nothing.
    answer('queue.list', (input) =>
      input.filter?.text === 'xyz'
        ? { rows: [], nextCursor: null }
        : { rows: summaries(3), nextCursor: null },
    )
    const w = await mountQueue()
    expect(w.find('[data-testid="queue-empty"]').exists()).toBe(false)
    const search = w.find('input[type="search"]')
    await search.setValue('xyz')
    await search.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    const empty = () => w.find('[data-testid="queue-empty"]')
    expect(empty().attributes('role')).toBe('status')
    // The agent's teams: the only ones her search reads.
    expect(empty().text()).toContain('Aucune demande pour « xyz » dans votre équipe Voirie Nancy.')
    expect(() => buttonNamed(w, 'Chercher dans toutes mes équipes')).toThrow()
    // Before the list, not under it.
    const list = w.find('.queue-list').element
    expect(list.firstElementChild).toBe(empty().element)

    // A team filter narrows it: a way back to all her teams.
    await w.find(`#${controlLabelled(w, 'Équipe').id}`).setValue('team-roads')
    await w.find(`#${controlLabelled(w, 'Statut').id}`).setValue('assigned')
    await flushPromises()
    expect(empty().text()).toContain('Aucune demande pour « xyz » dans l’équipe Voirie Nancy.')
    expect(empty().text()).toContain('Filtres appliqués en plus : statut.')
    await buttonNamed(w, 'Chercher dans toutes mes équipes').trigger('click')
    await flushPromises()
    expect(lastListFilter()).toEqual({ text: 'xyz', status: ['assigned'] })
    await buttonNamed(w, 'Chercher sans les autres filtres').trigger('click')
    await flushPromises()
    expect(lastListFilter()).toEqual({ text: 'xyz' })

    await buttonNamed(w, 'Effacer la recherche').trigger('click')
    await flushPromises()
    expect(lastListFilter()).toEqual({})
    expect((search.element as HTMLInputElement).value).toBe('')
    expect(empty().exists()).toBe(false)
  })

  it('offers « Nouvelle demande » (and n) only to a session the core lets change requests', async () => {
    answer('queue.list', () => ({ rows: [], nextCursor: null }))
    wrapper = mountWithApp(ShellView, sessionFor(['agent']))
    await flushPromises()
    expect(buttonNamed(wrapper, 'Nouvelle demande').exists()).toBe(true)
    wrapper.unmount()
    wrapper = mountWithApp(ShellView, sessionFor(['dpo']))
    await flushPromises()
    expect(wrapper.findAll('button').filter((b) => b.text() === 'Nouvelle demande')).toHaveLength(0)
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'n', bubbles: true }))
    await flushPromises()
    expect(wrapper.find('#intake-title').exists()).toBe(false)
  })

  it('names every team for an agent of several, and all teams for a supervisor', async () => {
    answer('queue.list', () => ({ rows: [], nextCursor: null }))
    wrapper = mountWithApp(ShellView, sessionFor(['agent'], ['team-roads', 'team-light']))
    await flushPromises()
    useQueueStore().setText('Vandoeuvre', true)
    await flushPromises()
    expect(wrapper.find('[data-testid="queue-empty"]').text()).toContain(
      'Aucune demande pour « Vandoeuvre » dans vos équipes Voirie Nancy, Éclairage.',
    )
    wrapper.unmount()
    wrapper = mountWithApp(ShellView, sessionFor(['supervisor']))
    await flushPromises()
    expect(wrapper.find('[data-testid="queue-empty"]').text()).toContain(
      'Aucune demande ne correspond à ces filtres.',
    )
    useQueueStore().setText('Vandoeuvre', true)
    await flushPromises()
    expect(wrapper.find('[data-testid="queue-empty"]').text()).toContain(
      'Aucune demande pour « Vandoeuvre » dans toutes les équipes.',
    )
  })

  it('filters on status, unassigned and overdue from the filter bar', async () => {
    const w = await mountQueue()
    await w.find(`#${controlLabelled(w, 'Statut').id}`).setValue('assigned')
    await flushPromises()
    expect(lastListFilter()).toEqual({ status: ['assigned'] })

    await w.find(`#${controlLabelled(w, 'Assigné').id}`).setValue('__unassigned')
    await flushPromises()
    expect(lastListFilter()).toEqual({ status: ['assigned'], unassigned: true })

    await w.find(`#${controlLabelled(w, 'En retard').id}`).setValue(true)
    await flushPromises()
    expect(lastListFilter()).toEqual({ status: ['assigned'], unassigned: true, overdue: true })
  })

  it('filters on a status when its count is clicked, and back when clicked again', async () => {
    const w = await mountQueue()
    await buttonNamed(w, 'Assigné 88').trigger('click')
    await flushPromises()
    expect(lastListFilter()).toEqual({ status: ['assigned'] })
    expect(buttonNamed(w, 'Assigné 88').attributes('aria-pressed')).toBe('true')
    await buttonNamed(w, 'Assigné 88').trigger('click')
    await flushPromises()
    expect(lastListFilter()).toEqual({})
  })

  it('moves with j/k, opens with Enter, and ignores shortcuts typed into a field', async () => {
    const w = await mountQueue()
    const listbox = w.find('[role="listbox"]')
    press('j')
    press('j')
    await flushPromises()
    expect(listbox.attributes('aria-activedescendant')).toBe('queue-row-r2')
    press('k')
    await flushPromises()
    expect(listbox.attributes('aria-activedescendant')).toBe('queue-row-r1')

    press('j', w.find('input[type="search"]').element)
    await flushPromises()
    expect(listbox.attributes('aria-activedescendant')).toBe('queue-row-r1')

    press('Enter', listbox.element)
    await flushPromises()
    expect(callsTo('request.get')).toEqual([{ id: 'r1' }])
    expect(w.find('#detail-title').text()).toBe('Nid-de-poule n°1')

    press('Escape')
    await flushPromises()
    expect(w.find('#detail-title').exists()).toBe(false)
  })

  it('focuses the search with / and shows the shortcuts dialog with ?', async () => {
    const w = await mountQueue()
    press('/')
    expect(document.activeElement).toBe(w.find('input[type="search"]').element)
    ;(document.activeElement as HTMLElement).blur()
    press('?')
    await flushPromises()
    const dialog = w.find('[role="dialog"]')
    expect(dialog.attributes('aria-label')).toBe('Raccourcis clavier')
    expect(dialog.text()).toContain('Aller à la recherche')
    dialog.element.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()
    expect(w.find('[role="dialog"]').exists()).toBe(false)
  })

  it('refreshes a changed row at once, and the counts once after a burst of changes', async () => {
    const w = await mountQueue()
    const countsBefore = callsTo('queue.counts').length
    answer('request.getMany', ({ ids }) =>
      ids.map((id) => detailOf({ id, status: 'new', title: 'Titre corrigé', assigneeId: null })),
    )
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      // A sync round sends several events: the counts are read once, after the last.
      for (let i = 0; i < 5; i++) emit('requests.changed', { ids: ['r2'] })
      await flushPromises()
      expect(options(w)[1]!.text()).toContain('Titre corrigé')
      expect(callsTo('queue.counts').length).toBe(countsBefore)
      vi.advanceTimersByTime(400)
      await flushPromises()
      expect(callsTo('queue.counts').length).toBe(countsBefore + 1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('fetches the first page again, once, when sync brings requests the list does not hold, keeping the selection', async () => {
    const w = await mountQueue()
    press('j')
    press('j')
    await flushPromises()
    const listbox = w.find('[role="listbox"]')
    expect(listbox.attributes('aria-activedescendant')).toBe('queue-row-r2')
    answer('queue.list', () => ({ rows: [...summaries(1, 0), ...summaries(PAGE - 1)], nextCursor: 'page-2' }))

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      // A sync round pulls new requests in several events.
      emit('requests.changed', { ids: ['r0'] })
      vi.advanceTimersByTime(200)
      emit('requests.changed', { ids: ['r0', 'r-other'] })
      vi.advanceTimersByTime(299)
      expect(callsTo('queue.list')).toHaveLength(1)
      vi.advanceTimersByTime(1)
    } finally {
      vi.useRealTimers()
    }
    await flushPromises()

    expect(callsTo('queue.list').map((c) => c.after)).toEqual([null, null])
    expect(options(w)[0]!.text()).toContain('GRC-2026-000000')
    expect(listbox.attributes('aria-activedescendant')).toBe('queue-row-r2')
    expect(
      options(w)
        .find((o) => o.attributes('aria-selected') === 'true')
        ?.attributes('id'),
    ).toBe('queue-row-r2')
  })

  it('keeps the pages loaded further down when new requests arrive on top', async () => {
    const w = await mountQueue()
    const listbox = w.find('[role="listbox"]')
    listbox.element.scrollTop = 170 * 50
    await listbox.trigger('scroll')
    await flushPromises()
    expect(callsTo('queue.list').map((c) => c.after)).toEqual([null, 'page-2'])

    answer('queue.list', (input) =>
      input.after === 'page-2'
        ? { rows: summaries(PAGE, PAGE + 1), nextCursor: null }
        : { rows: [...summaries(1, 0), ...summaries(PAGE - 1)], nextCursor: 'page-2' },
    )
    await useQueueStore().refreshFirstPage()
    const ids = useQueueStore().rows.map((r) => r.id)
    expect(ids).toHaveLength(2 * PAGE + 1)
    expect(ids.slice(0, 3)).toEqual(['r0', 'r1', 'r2'])
    expect(ids.at(-1)).toBe(`r${2 * PAGE}`)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('shows the sync state the core pushes in the top bar', async () => {
    answer('sync.status', () => syncStatus({ pending: 2 }))
    const w = await mountQueue()
    expect(w.find('.sync').text()).toContain('En ligne')
    expect(w.find('.sync').text()).toContain('2 modifications en attente')
    emit('sync.changed', syncStatus({ state: 'offline', pending: 5 }))
    await flushPromises()
    expect(w.find('.sync').text()).toContain('Hors ligne')
    expect(w.find('.sync').text()).toContain('5 modifications en attente')
  })

  it('saves the current filters as a view and applies a saved view', async () => {
    answer('views.save', (input) => ({
      id: 'v1',
      name: input.name,
      filter: input.filter ?? {},
      sort: input.sort,
    }))
    const w = await mountQueue()
    await w.find(`#${controlLabelled(w, 'Statut').id}`).setValue('new')
    await w.find(`#${controlLabelled(w, 'Nom de la vue').id}`).setValue('Mes nouveaux')
    await w.find('form.save').trigger('submit')
    await flushPromises()
    expect(callsTo('views.save').at(-1)).toEqual({
      name: 'Mes nouveaux',
      filter: { status: ['new'] },
      sort: 'created_desc',
    })

    await w.find(`#${controlLabelled(w, 'Statut').id}`).setValue('')
    await flushPromises()
    await buttonNamed(w, 'Appliquer la vue Mes nouveaux').trigger('click')
    await flushPromises()
    expect(lastListFilter()).toEqual({ status: ['new'] })
  })
})
