/**
 * The map's colours, shared by the layers and the legend so a colour always comes with its
 * words (RGAA: no colour-only meaning). Contrasted against both OSM tiles and the plain
 * background shown when tiles cannot load.
 */
import type { StatusKind } from '../../shared/domain'

export const STATUS_KIND_COLOURS: Record<StatusKind, string> = {
  open: '#0063cb',
  closed: '#18753c',
}
export const CLUSTER_COLOUR = '#000091'
export const SELECTED_COLOUR = '#b34000'
export const OUTLINE_COLOUR = '#3a3a3a'

/** Nancy, where the demo territory (Métropole du Grand Nancy) lies. */
export const HOME_CENTER_LONLAT: [number, number] = [6.18, 48.69]
export const HOME_ZOOM = 12
