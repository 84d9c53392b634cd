/**
 * The dots' colours by status or category: each keeps its colour whatever the viewport holds,
 * the legend names only what is on the map, and the display controls change the store.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import type { MapPoint } from '../../../src/shared/contract'
import MapDisplayControls from '../../../src/renderer/components/map/MapDisplayControls.vue'
import MapLegend from '../../../src/renderer/components/map/MapLegend.vue'
import {
  HEAT_WEIGHTS,
  legendEntries,
  paletteColour,
  paletteSlots,
  POINT_PALETTE,
  slotOf,
} from '../../../src/renderer/composables/mapStyle'
import { useMapStore } from '../../../src/renderer/stores/map'
import { buttonNamed, controlLabelled, mountWithApp } from './support/mount'

const point = (id: string, status: string, categoryId = 'cat-voirie'): MapPoint => ({
  id,
  lon: 6.18,
  lat: 48.69,
  status,
  categoryId,
  priority: 'normal',
})
const STATUS_IDS = ['new', 'assigned', 'rejected', 'closed']
const STATUS_LABELS: Record<string, string> = {
  new: 'Nouveau',
  assigned: 'Assigné',
  rejected: 'Rejeté',
  closed: 'Clos',
}

let wrapper: VueWrapper | undefined
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

describe('the palette', () => {
  it('gives each status its own colour, the same whatever order the reference lists them in', () => {
    const slots = paletteSlots(STATUS_IDS)
    const reversed = paletteSlots([...STATUS_IDS].reverse())
    const colours = STATUS_IDS.map((id) => paletteColour(slotOf(slots, id)))
    expect(new Set(colours).size).toBe(STATUS_IDS.length)
    for (const id of STATUS_IDS) expect(slotOf(reversed, id)).toBe(slotOf(slots, id))
    for (const colour of colours) expect(POINT_PALETTE).toContain(colour)
  })

  it('has a colour of its own for each of a dozen statuses (the demo workflow has ten)', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `status-${i}`)
    const slots = paletteSlots(ids)
    expect(new Set(ids.map((id) => paletteColour(slotOf(slots, id)))).size).toBe(12)
  })

  it('keeps a colour per category as the viewport changes', () => {
    const slots = paletteSlots(['cat-voirie', 'cat-eclairage', 'cat-proprete'])
    const label = (id: string) => id
    const before = legendEntries([point('a', 'new', 'cat-eclairage')], 'category', slots, label)
    const after = legendEntries(
      [point('b', 'new', 'cat-voirie'), point('c', 'new', 'cat-eclairage')],
      'category',
      slots,
      label,
    )
    expect(after.find((e) => e.key === 'cat-eclairage')?.colour).toBe(before[0]?.colour)
  })

  it('weighs urgent requests more than low ones in the heat map', () => {
    expect(HEAT_WEIGHTS.urgent).toBeGreaterThan(HEAT_WEIGHTS.low)
  })
})

describe('the legend', () => {
  it('lists, named, only the statuses present in the viewport', () => {
    const entries = legendEntries(
      [point('a', 'new'), point('b', 'closed'), point('c', 'new')],
      'status',
      paletteSlots(STATUS_IDS),
      (id) => STATUS_LABELS[id] ?? id,
    )
    expect(entries.map((e) => e.label)).toEqual(['Clos', 'Nouveau'])
  })

  it('lists the categories by name when colouring by category', () => {
    const entries = legendEntries(
      [point('a', 'new', 'cat-voirie'), point('b', 'closed', 'cat-voirie')],
      'category',
      paletteSlots(['cat-voirie']),
      (id) => (id === 'cat-voirie' ? 'Voirie' : id),
    )
    expect(entries).toEqual([{ key: 'cat-voirie', label: 'Voirie', colour: POINT_PALETTE[0] }])
  })

  it('shows each entry’s word beside its colour', () => {
    wrapper = mountWithApp(MapLegend, null)
    return wrapper
      .setProps({
        entries: [{ key: 'new', label: 'Nouveau', colour: POINT_PALETTE[2] }],
        shown: 3,
        loaded: true,
        truncated: false,
      })
      .then(() => {
        const items = wrapper!.findAll('[data-testid="legend-entry"]')
        expect(items.map((i) => i.text())).toEqual(['Nouveau'])
        expect(items[0]!.find('.swatch').attributes('style')).toContain('background')
      })
  })
})

describe('the display controls', () => {
  it('switch the colouring, the heat map and the sectors’ names in the map store', async () => {
    wrapper = mountWithApp(MapDisplayControls, null)
    const map = useMapStore()
    expect(map.colourBy).toBe('status')
    expect(map.sectorNames).toBe(true)

    const select = controlLabelled(wrapper, 'Colorer par') as HTMLSelectElement
    expect([...select.options].map((o) => o.text)).toEqual(['Statut', 'Catégorie'])
    select.value = 'category'
    select.dispatchEvent(new Event('change'))
    expect(map.colourBy).toBe('category')

    const heat = buttonNamed(wrapper, 'Carte de chaleur')
    expect(heat.attributes('aria-pressed')).toBe('false')
    await heat.trigger('click')
    expect(map.heatmap).toBe(true)
    expect(heat.attributes('aria-pressed')).toBe('true')

    const names = controlLabelled(wrapper, 'Afficher les noms des secteurs') as HTMLInputElement
    expect(names.checked).toBe(true)
    names.click()
    expect(map.sectorNames).toBe(false)
  })
})
