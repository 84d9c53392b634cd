/**
 * The dispatch board on the fake core: one column per person with its figures and load
 * (in words, red when over), the absent flagged with their requests to reassign; the
 * keyboard way to assign (a card, `a`, a person in a listbox) calls `request.assign` once;
 * a suggestion shows its reason and is confirmed; the board reads itself again only when
 * the core says requests changed.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { DispatchBoard, DispatchColumn } from '../../../src/shared/channels/dispatch'
import DispatchView from '../../../src/renderer/views/DispatchView.vue'
import { ApiError, answer, callsTo, emit, resetFakeApi } from './support/fakeApi'
import { detailOf, reference, sessionFor, summaries } from './support/fixtures'
import { accessibleName, allByRole, byRole, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const [r1, r2, r3] = summaries(3)
function column(over: Partial<DispatchColumn>): DispatchColumn {
  return {
    agentId: null,
    name: null,
    roles: ['agent'],
    teamIds: ['team-roads'],
    open: 0,
    overdue: 0,
    dueToday: 0,
    loadHours: 0,
    weeklyHours: 35,
    capacitySet: false,
    availableHours: 35,
    absences: [],
    absentToday: null,
    categoryIds: ['cat-voirie'],
    sectorIds: [],
    requests: [],
    nextCursor: null,
    canSetCapacity: true,
    ...over,
  }
}
const board: DispatchBoard = {
  today: '2026-03-16',
  teams: [{ id: 'team-roads', name: 'Voirie Nancy' }],
  teamChoices: [{ id: 'team-roads', name: 'Voirie Nancy' }],
  sectors: [{ id: 's-nancy', name: 'Nancy' }],
  columns: [
    column({
      agentId: 'ag-zoe',
      name: 'Zoé Martin',
      sectorIds: ['s-nancy'],
      open: 2,
      overdue: 1,
      dueToday: 1,
      loadHours: 6,
      requests: [{ ...r1!, assigneeId: 'ag-zoe' }],
    }),
    column({
      agentId: 'ag-tom',
      name: 'Tom Lallemand',
      roles: ['technician'],
      open: 14,
      loadHours: 42,
      weeklyHours: 35,
      availableHours: 35,
      capacitySet: true,
    }),
    column({
      agentId: 'ag-ana',
      name: 'Ana Roux',
      open: 1,
      loadHours: 3,
      availableHours: 21,
      absentToday: 'leave',
      absences: [{ from: '2026-03-16', to: '2026-03-17', reason: 'leave' }],
      requests: [{ ...r2!, assigneeId: 'ag-ana' }],
    }),
    column({
      agentId: null,
      name: null,
      roles: [],
      open: 1,
      loadHours: 3,
      weeklyHours: 0,
      availableHours: 0,
      categoryIds: [],
      canSetCapacity: false,
      requests: [r3!],
    }),
  ],
}

let wrapper: VueWrapper | null = null
beforeEach(() => {
  resetFakeApi()
  answer('reference.get', () => reference)
  answer('dispatch.board', () => board)
  answer('request.assign', ({ id, assigneeId }) => detailOf({ id, assigneeId }))
  answer('dispatch.suggest', () => ({
    suggestion: {
      agentId: 'ag-zoe',
      name: 'Zoé Martin',
      loadHours: 6,
      availableHours: 35,
      categoryId: 'cat-voirie',
      sector: { id: 's-nancy', name: 'Nancy' },
      fromTeamCategories: false,
    },
  }))
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function mountBoard() {
  wrapper = mountWithApp(DispatchView, sessionFor(['lead']))
  await flushPromises()
  return wrapper
}
/** A person's column: a labelled section (a region, as a screen reader lists it). */
const columnOf = (name: string) => {
  const found = document.querySelector<HTMLElement>(`section[aria-label="Colonne de ${name}"]`)
  if (!found) throw new Error(`no column of ${name}`)
  return found
}
const key = (el: Element, k: string) =>
  el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }))

describe('the dispatch board', () => {
  it('shows a column per person with its figures and load, the unassigned last, the absent flagged', async () => {
    await mountBoard()
    const zoe = columnOf('Zoé Martin')
    expect(zoe.textContent).toContain('2 ouvertes · 1 en retard · 1 pour aujourd’hui')
    expect(zoe.textContent).toContain('6 h / 35 h')
    expect(zoe.textContent).not.toContain('Surchargé')
    expect(zoe.textContent).toContain('Traite : Voirie')
    expect(zoe.textContent).toContain('Secteurs : Nancy')
    const meter = byRole('meter', 'Charge estimée de Zoé Martin', zoe)
    expect(meter.getAttribute('aria-valuetext')).toBe('6 heures pour 35 heures disponibles cette semaine')
    const tom = columnOf('Tom Lallemand')
    expect(tom.textContent).toContain('42 h / 35 h')
    expect(tom.textContent).toContain('Surchargé')
    const ana = columnOf('Ana Roux')
    expect(ana.textContent).toContain('Absent')
    expect(ana.textContent).toContain('Congés du 16/03/2026 au 17/03/2026')
    expect(ana.textContent).toContain('À réattribuer')
    expect(zoe.textContent).not.toContain('À réattribuer')
    const columns = [...document.querySelectorAll('section[aria-label]')].map(accessibleName)
    expect(columns).toEqual([
      'Colonne de Zoé Martin',
      'Colonne de Tom Lallemand',
      'Colonne de Ana Roux',
      'Colonne de Non attribuées',
    ])
    // An unassigned card offers a suggestion; capacity only where the core allows it.
    expect(allByRole(columnOf('Non attribuées'), 'button').map(accessibleName)).toContain(
      `Suggérer une personne pour ${r3!.reference}`,
    )
    expect(allByRole(zoe, 'button').map(accessibleName)).not.toContain(
      `Suggérer une personne pour ${r1!.reference}`,
    )
    // …and so does the card of a person away today, to reassign it.
    expect(allByRole(ana, 'button').map(accessibleName)).toContain(
      `Suggérer une personne pour ${r2!.reference}`,
    )
    expect(allByRole(columnOf('Non attribuées'), 'button').map(accessibleName)).not.toContain(
      'Capacité et absences de Non attribuées',
    )
  })

  it('assigns from the keyboard: a card, `a`, a person in the list, Enter — one request.assign', async () => {
    await mountBoard()
    const card = columnOf('Non attribuées').querySelector<HTMLElement>(`[data-request-id="${r3!.id}"]`)!
    card.focus()
    key(card, 'a')
    await flushPromises()
    const list = byRole('listbox', 'Personnes')
    expect(document.activeElement).toBe(list)
    expect(allByRole(list, 'option').map(accessibleName)).toEqual([
      'Zoé Martin — 6 h / 35 h',
      'Tom Lallemand — 42 h / 35 h',
      'Ana Roux — absent',
    ])
    key(list, 'ArrowDown')
    await flushPromises()
    key(list, 'Enter')
    await flushPromises()
    expect(callsTo('request.assign')).toEqual([{ id: r3!.id, assigneeId: 'ag-tom' }])
    expect(document.body.textContent).toContain(`${r3!.reference} attribuée à Tom Lallemand.`)
    expect(allByRole(document.body, 'listbox')).toEqual([])
  })

  it('cancels with Escape, assigning nobody', async () => {
    await mountBoard()
    const card = columnOf('Zoé Martin').querySelector<HTMLElement>(`[data-request-id="${r1!.id}"]`)!
    key(card, 'a')
    await flushPromises()
    // Zoé already has it: she is not offered.
    expect(allByRole(byRole('listbox', 'Personnes'), 'option').map(accessibleName)).not.toContain(
      'Zoé Martin — 6 h / 35 h',
    )
    key(byRole('listbox', 'Personnes'), 'Escape')
    await flushPromises()
    expect(allByRole(document.body, 'listbox')).toEqual([])
    expect(callsTo('request.assign')).toEqual([])
  })

  it('shows a suggestion with its reason, and assigns on « Confirmer »', async () => {
    const w = await mountBoard()
    const unassigned = columnOf('Non attribuées')
    const suggest = allByRole(unassigned, 'button').find(
      (b) => accessibleName(b) === `Suggérer une personne pour ${r3!.reference}`,
    )!
    suggest.click()
    await flushPromises()
    expect(callsTo('dispatch.suggest')).toEqual([{ requestId: r3!.id }])
    expect(unassigned.textContent).toContain(
      'Zoé Martin : 6 h sur 35 h cette semaine, traite Voirie, secteur Nancy',
    )
    byRole('button', `Attribuer ${r3!.reference} à Zoé Martin`, unassigned).click()
    await flushPromises()
    expect(callsTo('request.assign')).toEqual([{ id: r3!.id, assigneeId: 'ag-zoe' }])
    expect(w.text()).toContain(`${r3!.reference} attribuée à Zoé Martin.`)
  })

  it('reads the board again once, when the core says requests changed, not after its own write', async () => {
    await mountBoard()
    expect(callsTo('dispatch.board')).toHaveLength(1)
    const card = columnOf('Non attribuées').querySelector<HTMLElement>(`[data-request-id="${r3!.id}"]`)!
    key(card, 'a')
    await flushPromises()
    key(byRole('listbox', 'Personnes'), 'Enter')
    await flushPromises()
    expect(callsTo('request.assign')).toHaveLength(1)
    expect(callsTo('dispatch.board')).toHaveLength(1)
    emit('requests.changed', { ids: [r3!.id] })
    emit('requests.changed', { ids: [r3!.id] })
    await flushPromises()
    expect(callsTo('dispatch.board').length).toBe(2)
  })

  it('sets a person’s week and absences in a dialog, then reads the board once', async () => {
    answer('dispatch.setCapacity', (input) => ({
      agentId: input.agentId,
      weeklyHours: input.weeklyHours,
      absences: input.absences,
    }))
    await mountBoard()
    byRole('button', 'Capacité et absences de Zoé Martin', columnOf('Zoé Martin')).click()
    await flushPromises()
    const dialog = byRole('dialog', 'Capacité et absences de Zoé Martin')
    const hours = dialog.querySelector<HTMLInputElement>('#capacity-hours')!
    expect(document.activeElement).toBe(hours)
    hours.value = '28'
    hours.dispatchEvent(new Event('input'))
    byRole('button', 'Ajouter une absence', dialog).click()
    await flushPromises()
    const reason = dialog.querySelector<HTMLSelectElement>('#absence-reason-0')!
    reason.value = 'training'
    reason.dispatchEvent(new Event('change'))
    byRole('button', 'Enregistrer', dialog).click()
    await flushPromises()
    expect(callsTo('dispatch.setCapacity')).toEqual([
      {
        agentId: 'ag-zoe',
        weeklyHours: 28,
        absences: [{ from: '2026-03-16', to: '2026-03-16', reason: 'training' }],
      },
    ])
    expect(allByRole(document.body, 'dialog')).toEqual([])
    expect(document.body.textContent).toContain('Capacité de Zoé Martin enregistrée.')
    expect(callsTo('dispatch.board')).toHaveLength(2)
  })

  it('says why a change of capacity is refused, and keeps the dialog open', async () => {
    answer('dispatch.setCapacity', () => {
      throw new ApiError(
        'server_unavailable',
        'La capacité et les absences se règlent sur le serveur central.',
      )
    })
    await mountBoard()
    byRole('button', 'Capacité et absences de Tom Lallemand', columnOf('Tom Lallemand')).click()
    await flushPromises()
    const dialog = byRole('dialog', 'Capacité et absences de Tom Lallemand')
    byRole('button', 'Enregistrer', dialog).click()
    await flushPromises()
    const alert = byRole('alert', undefined, dialog)
    expect(alert.textContent).toContain('se règlent sur le serveur central')
    expect(document.activeElement).toBe(alert)
    expect(allByRole(document.body, 'dialog')).toHaveLength(1)
  })
})
