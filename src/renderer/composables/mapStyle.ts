/**
 * The map's colours, shared by the layers and the legend so a colour always comes with its
 * words (RGAA: no colour-only meaning). Contrasted against both OSM tiles and the plain
 * background shown when tiles cannot load.
 */
import type { ColorExpression } from 'ol/style/flat'
import type { MapPoint } from '../../shared/contract'
import type { Priority } from '../../shared/domain'

export const CLUSTER_COLOUR = '#000091'
export const SELECTED_COLOUR = '#b34000'
export const OUTLINE_COLOUR = '#3a3a3a'

/**
 * Colours for the dots by status or category: far apart in hue or lightness, ringed in white
 * on the tiles, and none equal to the cluster, selection or outline colours so
 * the legend never gives one colour two meanings.
 */
export const POINT_PALETTE = [
  '#0063cb',
  '#18753c',
  '#ce0500',
  '#6e445a',
  '#716043',
  '#006a6f',
  '#a558a0',
  '#c3992a',
  '#5b2b8c',
  '#66673d',
  '#e4794a',
  '#4ea5d9',
] as const

/** What the dots' colour tells. */
export const COLOUR_BY = ['status', 'category'] as const
export type ColourBy = (typeof COLOUR_BY)[number]

/** The property of a point its colour follows. */
export function colourKeyOf(point: MapPoint, by: ColourBy): string {
  return by === 'status' ? point.status : point.categoryId
}

/**
 * A palette slot per id, from the ids sorted: the same status or category keeps its colour
 * whatever the viewport holds or the order the reference lists them in. Beyond the palette's
 * length colours repeat (the legend still names each).
 */
export function paletteSlots(ids: readonly string[]): ReadonlyMap<string, number> {
  const sorted = [...new Set(ids)].sort()
  return new Map(sorted.map((id, i) => [id, i % POINT_PALETTE.length]))
}

/** Slot for ids the reference does not know (yet): the palette's first colour. */
export function slotOf(slots: ReadonlyMap<string, number>, id: string): number {
  return slots.get(id) ?? 0
}

export function paletteColour(slot: number): string {
  return POINT_PALETTE[slot % POINT_PALETTE.length] ?? POINT_PALETTE[0]
}

/** The WebGL fill: the feature's `slot` property picks its palette colour. */
export function slotColourExpression(): ColorExpression {
  return ['match', ['get', 'slot'], ...POINT_PALETTE.flatMap((colour, i) => [i, colour]), POINT_PALETTE[0]]
}

export interface LegendEntry {
  key: string
  label: string
  colour: string
}

/** One legend line per status or category present among the points, named, sorted by name. */
export function legendEntries(
  points: readonly MapPoint[],
  by: ColourBy,
  slots: ReadonlyMap<string, number>,
  label: (key: string) => string,
): LegendEntry[] {
  const keys = new Set(points.map((p) => colourKeyOf(p, by)))
  return [...keys]
    .map((key) => ({ key, label: label(key), colour: paletteColour(slotOf(slots, key)) }))
    .sort((a, b) => a.label.localeCompare(b.label))
}

/** How much a request weighs in the heat map: urgent ones pile up faster. */
export const HEAT_WEIGHTS: Record<Priority, number> = {
  low: 0.25,
  normal: 0.5,
  high: 0.75,
  urgent: 1,
}

/** Nancy, where the demo territory (Métropole du Grand Nancy) lies. */
export const HOME_CENTER_LONLAT: [number, number] = [6.18, 48.69]
export const HOME_ZOOM = 12
