/**
 * The scripted moves of the map bench, the same in both modes: zooms from the whole
 * territory to street level and back, and loops of pans at several zooms.
 */
import { fromLonLat } from 'ol/proj'
import { HOME_CENTER_LONLAT } from '../../src/renderer/composables/mapStyle'
import type { MapBenchFrame } from './result'

export interface Step {
  label: string
  kind: MapBenchFrame['kind']
  center: number[]
  zoom: number
}

/** Nancy's centre, where the console's map opens and the zooms happen. */
const CENTRE_LONLAT = HOME_CENTER_LONLAT
/** Web Mercator metres per pixel at zoom 0 (256-pixel tiles). */
const RESOLUTION_Z0 = 156543.03392804097

const PAN_ZOOMS = [12, 14, 16, 17]
const PANS_PER_ZOOM = 5

/** A loop of pans, each by 400 pixels (a third of the screen), from `from` at a given zoom. */
function pansAt(zoom: number, pans: number, from = fromLonLat(CENTRE_LONLAT)): Step[] {
  const [x0 = 0, y0 = 0] = from
  const step = 400 * (RESOLUTION_Z0 / 2 ** zoom)
  const steps: Step[] = []
  let x = x0
  let y = y0
  for (let i = 0; i < pans; i++) {
    const angle = (2 * Math.PI * i) / pans
    x += Math.cos(angle) * step
    y += Math.sin(angle) * step
    steps.push({ label: `pan at zoom ${zoom}, #${i + 1}`, kind: 'pan', center: [x, y], zoom })
  }
  return steps
}

/**
 * From the whole territory (zoom 11) to street level (18) by half zooms, with a loop of pans
 * at a few zooms on the way in (the next zoom then starts from where the pans ended, as a
 * zoom at the pointer would), and back out to 11 over Nancy's centre.
 */
export function benchSteps(): Step[] {
  const centre = fromLonLat(CENTRE_LONLAT)
  const steps: Step[] = []
  let from = 11
  let at = centre
  for (let zoom = 11.5; zoom <= 18; zoom += 0.5) {
    steps.push({ label: `zoom ${from}→${zoom}`, kind: 'zoom', center: at, zoom })
    from = zoom
    if (PAN_ZOOMS.includes(zoom)) {
      const pans = pansAt(zoom, PANS_PER_ZOOM, at)
      steps.push(...pans)
      at = pans[pans.length - 1]!.center
    }
  }
  for (let zoom = 17.5; zoom >= 11; zoom -= 0.5) {
    steps.push({ label: `zoom ${from}→${zoom}`, kind: 'zoom', center: centre, zoom })
    from = zoom
  }
  return steps
}

/** A few moves before measuring (JIT, caches): other views than the measured ones. */
export function warmupSteps(): Step[] {
  return [...pansAt(13.25, 2), ...pansAt(15.75, 2), ...pansAt(17.75, 2)]
}

/** Where the map opens and where the measured steps start from: the whole territory. */
export function startStep(): Step {
  return { label: 'start', kind: 'zoom', center: fromLonLat(CENTRE_LONLAT), zoom: 11 }
}
