/**
 * The tour builder asks the core who can do the tour (`tours.candidates`): it offers first
 * the technicians who can do every stop, marks the stops the chosen one cannot do with the
 * core's reason, removes them in one action, and says the truth about where a saved tour goes
 * when no server is configured.
 */
import type { VueWrapper } from '@vue/test-utils'
import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { RequestDetail } from '../../../src/shared/domain'
import type { SyncStatus } from '../../../src/shared/sync'
import TourBuilder from '../../../src/renderer/components/map/TourBuilder.vue'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { useSyncStore } from '../../../src/renderer/stores/sync'
import { useTourStore } from '../../../src/renderer/stores/tour'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { detailOf, reference, sessionFor } from './support/fixtures'
import { buttonNamed, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const LAT = 48.6921
const stop = (id: string, lon: number): RequestDetail =>
  detailOf({ id, reference: `GRC-${id}`, title: `Demande ${id}`, location: { lat: LAT, lon } })
const near = stop('near', 6.2)
const far = stop('far', 6.24)
const TECHNICIANS = [
  {
    id: 'ag-tom',
    login: 'tom',
    displayName: 'Tom Girard',
    roles: ['technician' as const],
    teamIds: ['team-roads'],
  },
  {
    id: 'ag-max',
    login: 'max',
    displayName: 'Max Noël',
    roles: ['technician' as const],
    teamIds: ['team-roads'],
  },
]
const FAR_REASON = 'Tom Girard ne voit pas la demande GRC-far (autre équipe).'

let wrapper: VueWrapper

async function openBuilder() {
  wrapper = mountWithApp(TourBuilder, sessionFor(['lead']))
  useReferenceStore().data = { ...reference, agents: [...reference.agents, ...TECHNICIANS] }
  answer('tours.candidates', () => [
    { agentId: 'ag-max', displayName: 'Max Noël', problems: [] },
    {
      agentId: 'ag-tom',
      displayName: 'Tom Girard',
      problems: [{ stopId: 'far', reference: 'GRC-far', reason: FAR_REASON }],
    },
  ])
  useTourStore().build([near, far])
  await flushPromises()
  await nextTick()
}

const technician = () => controlLabelled(wrapper, 'Technicien') as HTMLSelectElement

beforeEach(() => resetFakeApi())
afterEach(() => wrapper?.unmount())

describe('choosing the technician of a tour', () => {
  it('offers first those who can do every stop, then the others apart', async () => {
    await openBuilder()
    expect(callsTo('tours.candidates')).toEqual([
      { teamId: 'team-roads', date: expect.any(String), stopIds: ['near', 'far'], assignStops: true },
    ])
    const groups = [...technician().querySelectorAll('optgroup')].map((g) => [
      g.label,
      [...g.querySelectorAll('option')].map((o) => o.text.trim()),
    ])
    expect(groups).toEqual([
      ['Peuvent faire toute la tournée', ['Max Noël']],
      ['Ne peuvent pas faire toute la tournée', ['Tom Girard']],
    ])
  })

  it('marks the stops the chosen technician cannot do, holds the save, and removes them in one action', async () => {
    await openBuilder()
    const tour = useTourStore()
    tour.technicianId = 'ag-tom'
    await nextTick()
    const farRow = wrapper.get('li[data-id="far"]')
    expect(farRow.text()).toContain(`Impossible pour Tom Girard : ${FAR_REASON}`)
    expect(wrapper.get('li[data-id="near"]').text()).not.toContain('Impossible pour')
    expect(buttonNamed(wrapper, 'Enregistrer la tournée').attributes('disabled')).toBeDefined()
    await buttonNamed(wrapper, 'Retirer l’arrêt impossible pour Tom Girard').trigger('click')
    expect(tour.stops.map((s) => s.id)).toEqual(['near'])
    await flushPromises()
    expect(callsTo('tours.candidates').at(-1)?.stopIds).toEqual(['near'])
  })

  it('says the saved tour stays on this workstation when no server is configured', async () => {
    await openBuilder()
    useSyncStore().status = { configured: false } as SyncStatus
    const tour = useTourStore()
    tour.technicianId = 'ag-max'
    answer('tours.save', ({ plan }) => ({
      tour: {
        ...plan,
        id: 't1',
        technicianId: plan.technicianId ?? null,
        date: plan.date,
        name: plan.name,
        distanceKm: 4,
        durationMinutes: 40,
        createdBy: 'ag-zoe',
        createdAt: 1,
        updatedAt: Date.parse('2026-12-07T09:30:00Z'),
        version: 0,
      },
      stops: [near, far],
      missing: 0,
    }))
    await nextTick()
    await buttonNamed(wrapper, 'Enregistrer la tournée').trigger('click')
    await flushPromises()
    expect(wrapper.text()).toMatch(/Tournée enregistrée à .* sur ce poste \(aucun serveur configuré\)/)
    expect(wrapper.text()).not.toContain('prochaine synchronisation')
  })
})
