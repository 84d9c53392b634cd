/**
 * The bench's requests: N points spread over the Grand Nancy like the demo's (dense around
 * the town centres, thinner between them), the same on every run.
 */
import { createPrng } from '../../src/core/demo/prng'
import type { MapPoint } from '../../src/shared/contract'

/** Grand Nancy's box: what the synthetic points cover. */
export const TERRITORY = { minLon: 6.05, maxLon: 6.32, minLat: 48.62, maxLat: 48.76 } as const

const CENTRES: ReadonlyArray<readonly [lon: number, lat: number, spread: number]> = [
  [6.18, 48.69, 0.02], // Nancy
  [6.155, 48.7, 0.012], // Maxéville / Laxou
  [6.21, 48.675, 0.012], // Jarville / Tomblaine
  [6.13, 48.66, 0.01], // Villers / Vandœuvre
  [6.24, 48.705, 0.01], // Essey / Saint-Max
  [6.19, 48.645, 0.01], // Ludres / Houdemont
]
const STATUSES = ['new', 'qualified', 'assigned', 'in_progress', 'waiting_citizen', 'done', 'closed']
const CATEGORIES = ['voirie', 'eclairage-public', 'proprete', 'espaces-verts', 'stationnement']
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value))

export function syntheticPoints(count: number, seed = 42): MapPoint[] {
  const generator = createPrng(seed)
  const random = () => generator.next()
  const gaussian = () => {
    const u = Math.max(random(), 1e-12)
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
  }
  const pick = <T>(list: readonly T[]): T => generator.pick(list)
  const points: MapPoint[] = []
  for (let i = 0; i < count; i++) {
    let lon: number
    let lat: number
    if (random() < 0.7) {
      const [cLon, cLat, spread] = pick(CENTRES)
      lon = clamp(cLon + gaussian() * spread * 1.5, TERRITORY.minLon, TERRITORY.maxLon)
      lat = clamp(cLat + gaussian() * spread, TERRITORY.minLat, TERRITORY.maxLat)
    } else {
      lon = TERRITORY.minLon + random() * (TERRITORY.maxLon - TERRITORY.minLon)
      lat = TERRITORY.minLat + random() * (TERRITORY.maxLat - TERRITORY.minLat)
    }
    points.push({
      id: `R-${i}`,
      lon,
      lat,
      status: pick(STATUSES),
      categoryId: pick(CATEGORIES),
      priority: pick(PRIORITIES),
    })
  }
  return points
}

/** The statuses the points use, for the colour slots. */
export const SYNTHETIC_STATUSES: readonly string[] = STATUSES
