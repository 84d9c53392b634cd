/**
 * The tour builder a team lead opens from the map selection: stops ordered from the depot,
 * distance and duration following every reorder, the route sheet and the tour's exports.
 */
import type { VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import type { MapPoint } from '../../../src/shared/contract'
import type { RequestDetail } from '../../../src/shared/domain'
import RouteSheet from '../../../src/renderer/components/map/RouteSheet.vue'
import SelectionPanel from '../../../src/renderer/components/map/SelectionPanel.vue'
import TourBuilder from '../../../src/renderer/components/map/TourBuilder.vue'
import { selectionPolygonOf } from '../../../src/renderer/composables/mapGeometry'
import { useMapStore } from '../../../src/renderer/stores/map'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { useTourStore } from '../../../src/renderer/stores/tour'
import { ApiError, answer, callsTo, resetFakeApi } from './support/fakeApi'
import { flushPromises } from '@vue/test-utils'
import type { TourDetail } from '../../../src/shared/contract'
import { BASE_MAP_PRESETS, type BaseMapSource } from '../../../src/shared/mapSettings'
import type { Sector } from '../../../src/shared/routing'
import { detailOf, reference, sessionFor, XSS_DESCRIPTION } from './support/fixtures'
import { buttonNamed, byRole, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

// On the depot's parallel, going east: the shortest tour visits them nearest first.
const LAT = 48.6921
const request = (id: string, lon: number | null, overrides: Partial<RequestDetail> = {}) =>
  detailOf({
    id,
    reference: `GRC-${id}`,
    title: `Demande ${id}`,
    address: `${id} rue Jeanne-d’Arc, Nancy`,
    location: lon === null ? null : { lat: LAT, lon },
    ...overrides,
  })
const near = request('near', 6.2)
const middle = request('middle', 6.22, { description: XSS_DESCRIPTION })
const far = request('far', 6.24)
const pointOf = (d: RequestDetail): MapPoint => ({
  id: d.id,
  lat: d.location?.lat ?? LAT,
  lon: d.location?.lon ?? 6.18,
  status: d.status,
  categoryId: d.categoryId,
  priority: d.priority,
})

/** What MapView shows beside the map: the builder once a tour is open, the selection before. */
const SidePanel = defineComponent(() => {
  const tour = useTourStore()
  return () => (tour.open ? h(TourBuilder) : h(SelectionPanel))
})

let wrapper: VueWrapper

function select(details: RequestDetail[]) {
  const map = useMapStore()
  map.selectionPolygon = selectionPolygonOf([
    [6.1, 48.6],
    [6.3, 48.6],
    [6.3, 48.8],
    [6.1, 48.8],
  ])
  map.selection = details.map(pointOf)
  map.details = new Map(details.map((d) => [d.id, d]))
}

async function openBuilder(details: RequestDetail[]) {
  wrapper = mountWithApp(SidePanel, sessionFor(['lead']))
  useReferenceStore().data = {
    ...reference,
    agents: [
      ...reference.agents,
      {
        id: 'ag-tom',
        login: 'tom',
        displayName: 'Tom Girard',
        roles: ['technician'],
        teamIds: ['team-roads'],
      },
    ],
  }
  select(details)
  await nextTick()
  await buttonNamed(wrapper, 'Construire une tournée').trigger('click')
}

const stopReferences = () =>
  Array.from(byRole('list', 'Arrêts de la tournée').querySelectorAll('li strong'), (el) => el.textContent)
const distanceText = () => wrapper.get('[data-testid="tour-distance"]').text()
const durationText = () => wrapper.get('[data-testid="tour-duration"]').text()

beforeEach(() => resetFakeApi())
afterEach(() => {
  wrapper?.unmount()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe('the selection list', () => {
  it('shows each request’s number, reference, subject and status apart, past the ninth', async () => {
    wrapper = mountWithApp(SidePanel, sessionFor(['lead']))
    useReferenceStore().data = reference
    const many = Array.from({ length: 12 }, (_, i) => request(`r${i + 1}`, 6.2 + i / 100))
    select(many)
    await nextTick()
    const rows = byRole('list', 'Demandes sélectionnées').querySelectorAll('li')
    expect(rows).toHaveLength(12)
    const twelfth = rows[11]!
    expect(twelfth.querySelector('.number')?.textContent).toBe('12.')
    expect(twelfth.querySelector('.reference')?.textContent).toBe('GRC-r12')
    expect(twelfth.querySelector('.title')?.textContent).toBe('Demande r12')
    expect(twelfth.querySelector('.meta')?.textContent).toMatch(/^.+ · Voirie$/)
    // The button's name reads reference and subject as separate words.
    expect(twelfth.querySelector('button')?.textContent?.replace(/\s+/g, ' ')).toContain(
      'GRC-r12 Demande r12 ',
    )
  })
})

describe('the selection list and the map in step', () => {
  it('rings on the map the request pointed at in the list, and marks the row of one opened from the map', async () => {
    wrapper = mountWithApp(SidePanel, sessionFor(['lead']))
    select([near, far])
    await nextTick()
    const map = useMapStore()
    const rowOf = (id: string) => wrapper.get(`li[data-id="${id}"] button`)
    await rowOf('far').trigger('mouseenter')
    expect(map.highlightedId).toBe('far')
    expect(rowOf('far').attributes('aria-current')).toBe('true')
    map.highlightedId = 'near'
    await nextTick()
    expect(rowOf('near').attributes('aria-current')).toBe('true')
    expect(rowOf('far').attributes('aria-current')).toBeUndefined()
    map.clearSelection()
    expect(map.highlightedId).toBeNull()
  })
})

describe('building a tour from the selection', () => {
  it('is offered only when a selected request has a location', async () => {
    wrapper = mountWithApp(SidePanel, sessionFor(['lead']))
    select([request('nowhere', null)])
    await nextTick()
    expect(buttonNamed(wrapper, 'Construire une tournée').attributes('disabled')).toBeDefined()
    select([request('nowhere', null), near])
    await nextTick()
    expect(buttonNamed(wrapper, 'Construire une tournée').attributes('disabled')).toBeUndefined()
  })

  it('orders the stops nearest first from the depot and gives distance and duration in French', async () => {
    await openBuilder([far, near, middle])
    expect(stopReferences()).toEqual(['GRC-near', 'GRC-middle', 'GRC-far'])
    expect(distanceText()).toBe('8,2 km')
    expect(durationText()).toBe('1 h 5 min')
    // The configured depot by its name and address (the demo's, as nothing else is configured).
    expect(wrapper.text()).toContain('Départ : Centre technique municipal — 22 rue Marcel Brot, 54000 Nancy')
    expect(wrapper.text()).toContain('Retour : Centre technique municipal — 22 rue Marcel Brot, 54000 Nancy')
    const technician = controlLabelled(wrapper, 'Technicien') as HTMLSelectElement
    expect([...technician.options].map((o) => o.text)).toEqual(['Technicien non choisi', 'Tom Girard'])
    expect(controlLabelled(wrapper, 'Date de la tournée').getAttribute('type')).toBe('date')
  })

  it('recomputes the distance after “Descendre”, and “Optimiser l’ordre” restores the shorter tour', async () => {
    await openBuilder([far, near, middle])
    await buttonNamed(wrapper, 'Descendre l’arrêt GRC-near').trigger('click')
    expect(stopReferences()).toEqual(['GRC-middle', 'GRC-near', 'GRC-far'])
    expect(distanceText()).toBe('11,1 km')
    expect(durationText()).toBe('1 h 12 min')
    expect(buttonNamed(wrapper, 'Monter l’arrêt GRC-middle').attributes('disabled')).toBeDefined()

    await buttonNamed(wrapper, 'Optimiser l’ordre').trigger('click')
    expect(stopReferences()).toEqual(['GRC-near', 'GRC-middle', 'GRC-far'])
    expect(distanceText()).toBe('8,2 km')
  })

  it('exports the tour as CSV with the stops numbered in visiting order', async () => {
    await openBuilder([far, near, middle])
    await buttonNamed(wrapper, 'Descendre l’arrêt GRC-near').trigger('click')
    const blobs: Blob[] = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob)
      return 'blob:tour'
    })
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {})
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    await buttonNamed(wrapper, 'Exporter la tournée (CSV)').trigger('click')
    const lines = (await blobs[0]!.text()).trim().split('\r\n')
    expect(lines[0]!.startsWith('stop,reference,')).toBe(true)
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      '1,"GRC-middle"',
      '2,"GRC-near"',
      '3,"GRC-far"',
    ])
  })
})

describe('the route sheet', () => {
  it('lists every stop with its citizen text shown as text, never run', async () => {
    wrapper = mountWithApp(RouteSheet, sessionFor(['lead']))
    useReferenceStore().data = reference
    const tour = useTourStore()
    tour.build([far, near, middle])
    tour.technicianId = 'ag-leo'
    tour.date = '2026-03-02'
    await nextTick()

    expect(wrapper.get('h2').text()).toBe('Feuille de route — Léo Petit — lundi 2 mars 2026')
    const items = wrapper.findAll('.sheet-stop')
    expect(items.map((li) => li.get('h3').text())).toEqual([
      'Arrêt 1 — near rue Jeanne-d’Arc, Nancy',
      'Arrêt 2 — middle rue Jeanne-d’Arc, Nancy',
      'Arrêt 3 — far rue Jeanne-d’Arc, Nancy',
    ])
    const second = items[1]!
    expect(second.text()).toContain('GRC-middle')
    expect(second.text()).toContain('Voirie')
    expect(second.get('.description').element.textContent).toBe(XSS_DESCRIPTION)
    expect(wrapper.element.querySelector('script, img')).toBeNull()
    expect(wrapper.findAll('.notes')).toHaveLength(3)
    const overview = byRole('img', 'Plan de la tournée : départ et 3 arrêts numérotés')
    expect(Array.from(overview.querySelectorAll('text'), (t) => t.textContent?.trim())).toEqual([
      '1',
      '2',
      '3',
    ])

    const print = vi.fn()
    vi.stubGlobal('print', print)
    await buttonNamed(wrapper, 'Imprimer').trigger('click')
    expect(print).toHaveBeenCalledOnce()
    await buttonNamed(wrapper, 'Retour à la carte').trigger('click')
    expect(wrapper.emitted('back')).toHaveLength(1)
  })
})

describe('the route sheet’s overview', () => {
  const square = (id: string, name: string, lon: number): Sector => ({
    id,
    name,
    communeCode: id,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [lon, 48.67],
          [lon + 0.03, 48.67],
          [lon + 0.03, 48.71],
          [lon, 48.71],
          [lon, 48.67],
        ],
      ],
    },
  })

  async function overviewWith(baseMap: BaseMapSource | null) {
    wrapper = mountWithApp(RouteSheet, sessionFor(['lead']))
    useReferenceStore().data = reference
    const map = useMapStore()
    map.sectors = [square('54395', 'Nancy', 6.17), square('54547', 'Vandœuvre', 6.2)]
    if (baseMap) map.settings = { baseMap, depot: { lat: LAT, lon: 6.18, label: 'CTM' }, teamDepots: {} }
    useTourStore().build([far, near, middle])
    await nextTick()
    return byRole('img', 'Plan de la tournée : départ et 3 arrêts numérotés')
  }

  it('draws the tour over the communes’ outlines and the base map’s tiles around it', async () => {
    const overview = await overviewWith(BASE_MAP_PRESETS.osm)
    expect(overview.querySelectorAll('path.outline')).toHaveLength(2)
    const tiles = [...overview.querySelectorAll('image.tile')].map((img) => ({
      url: new URL(img.getAttribute('href')!),
      x: Number(img.getAttribute('x')),
      y: Number(img.getAttribute('y')),
      size: Number(img.getAttribute('width')),
    }))
    expect(tiles.length).toBeGreaterThan(0)
    for (const tile of tiles) expect(tile.url.origin).toBe('https://tile.openstreetmap.org')
    // Tiles at the zoom whose pixels match the drawing's (a tile drawn 128 to 512 px wide), covering the box.
    for (const tile of tiles) expect(tile.size).toBeGreaterThan(128)
    for (const tile of tiles) expect(tile.size).toBeLessThan(512)
    expect(Math.min(...tiles.map((t) => t.x))).toBeLessThanOrEqual(0)
    expect(Math.min(...tiles.map((t) => t.y))).toBeLessThanOrEqual(0)
    expect(Math.max(...tiles.map((t) => t.x + t.size))).toBeGreaterThanOrEqual(640)
    expect(Math.max(...tiles.map((t) => t.y + t.size))).toBeGreaterThanOrEqual(400)
  })

  it('draws the outlines alone when no base map is known', async () => {
    const overview = await overviewWith(null)
    expect(overview.querySelectorAll('image')).toHaveLength(0)
    expect(overview.querySelectorAll('path.outline')).toHaveLength(2)
    expect(overview.querySelectorAll('text')).toHaveLength(3)
  })
})

describe('the depot on the route sheet', () => {
  async function sheetFor(depot: { lat: number; lon: number; label: string; address?: string }) {
    wrapper = mountWithApp(RouteSheet, sessionFor(['lead']))
    useReferenceStore().data = reference
    useMapStore().settings = { baseMap: BASE_MAP_PRESETS.osm, depot, teamDepots: {} }
    useTourStore().build([near])
    await nextTick()
    return wrapper.findAll('p').map((p) => p.text())
  }

  it('names the configured depot with its address where the tour starts and ends', async () => {
    const lines = await sheetFor({
      lat: LAT,
      lon: 6.18,
      label: 'CTM Nord',
      address: '5 rue de la Digue, 54000 Nancy',
    })
    expect(lines).toContain('Départ : CTM Nord — 5 rue de la Digue, 54000 Nancy')
    expect(lines).toContain('Retour : CTM Nord — 5 rue de la Digue, 54000 Nancy')
  })

  it('names a depot configured before addresses existed by its name alone', async () => {
    const lines = await sheetFor({ lat: LAT, lon: 6.18, label: 'CTM Nord' })
    expect(lines).toContain('Départ : CTM Nord')
    expect(lines.join('\n')).not.toContain('undefined')
  })
})

describe('saving the tour', () => {
  const DEPOT_NORD = { lat: 48.7105, lon: 6.1712, label: 'Atelier de Maxéville' }

  it('saves the lead’s order from the team’s configured depot for the technician, then saves changes over it', async () => {
    let version = 0
    answer('tours.save', (input): TourDetail => ({
      tour: {
        ...input.plan,
        id: 'tour-1',
        distanceKm: 8.2,
        durationMinutes: 65,
        createdBy: 'ag-leo',
        createdAt: 1,
        updatedAt: 2,
        version: version++,
      },
      stops: [],
      missing: 0,
    }))
    await openBuilder([far, near, middle])
    useMapStore().settings = {
      baseMap: BASE_MAP_PRESETS.osm,
      depot: { lat: LAT, lon: 6.18, label: 'CTM' },
      teamDepots: { 'team-roads': DEPOT_NORD },
    }
    await buttonNamed(wrapper, 'Descendre l’arrêt GRC-near').trigger('click')
    await wrapper.get('#tour-technician').setValue('ag-tom')
    await wrapper.get('#tour-date').setValue('2026-12-02')
    await buttonNamed(wrapper, 'Enregistrer la tournée').trigger('click')
    await flushPromises()
    expect(callsTo('tours.save')).toEqual([
      {
        plan: {
          teamId: 'team-roads',
          technicianId: 'ag-tom',
          date: '2026-12-02',
          name: 'Tournée du mercredi 2 décembre 2026',
          depot: DEPOT_NORD,
          stopIds: ['middle', 'near', 'far'],
        },
        assignStops: true,
      },
    ])
    expect(wrapper.text()).toMatch(/Tournée enregistrée/)

    // Saved again: the same tour, at the version this console last saw.
    await buttonNamed(wrapper, 'Monter l’arrêt GRC-near').trigger('click')
    await buttonNamed(wrapper, 'Enregistrer les modifications').trigger('click')
    await flushPromises()
    expect(callsTo('tours.save')[1]).toMatchObject({
      id: 'tour-1',
      baseVersion: 0,
      plan: { stopIds: ['near', 'middle', 'far'] },
    })
  })

  it('says why the core refused, and keeps the tour as built', async () => {
    answer('tours.save', () => {
      throw new ApiError('invalid_input', 'Tom Girard ne voit pas la demande GRC-far (autre équipe).')
    })
    await openBuilder([far, near, middle])
    await buttonNamed(wrapper, 'Enregistrer la tournée').trigger('click')
    await flushPromises()
    expect(byRole('alert').textContent).toContain('Tom Girard ne voit pas la demande GRC-far')
    expect(stopReferences()).toEqual(['GRC-near', 'GRC-middle', 'GRC-far'])
  })

  it('shows a technician their tour on the map without offering to save it', async () => {
    wrapper = mountWithApp(SidePanel, sessionFor(['technician']))
    useTourStore().load({
      tour: {
        id: 'tour-1',
        teamId: 'team-roads',
        technicianId: 'ag-tom',
        date: '2026-12-02',
        name: 'Ma tournée',
        depot: { lat: LAT, lon: 6.18, label: 'CTM' },
        stopIds: ['near', 'far'],
        distanceKm: 6,
        durationMinutes: 45,
        createdBy: 'ag-leo',
        createdAt: 1,
        updatedAt: 2,
        version: 3,
      },
      stops: [near, far],
      missing: 0,
    })
    await nextTick()
    expect(stopReferences()).toEqual(['GRC-near', 'GRC-far'])
    expect(wrapper.text()).toContain('Feuille de route')
    expect(wrapper.text()).not.toContain('Enregistrer')
    expect(wrapper.text()).not.toContain('Assigner chaque arrêt')
  })

  it('leaves a stop out with “Retirer”, and refuses more stops than a tour holds', async () => {
    await openBuilder([far, near, middle])
    await buttonNamed(wrapper, 'Retirer l’arrêt GRC-middle de la tournée').trigger('click')
    expect(stopReferences()).toEqual(['GRC-near', 'GRC-far'])
    const many = Array.from({ length: 81 }, (_v, i) => request(`r${i}`, 6.2 + i / 1000))
    wrapper.unmount()
    await openBuilder(many)
    expect(wrapper.text()).toContain('Une tournée compte au plus 80 arrêts (ici 81)')
    expect(buttonNamed(wrapper, 'Enregistrer la tournée').attributes('disabled')).toBeDefined()
  })
})
