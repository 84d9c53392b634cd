/** English words of the detail's business-time SLA clock: the same keys as slaClock.fr.ts. */
import type { slaClockFr } from './slaClock.fr'

export const slaClockEn: typeof slaClockFr = {
  paused: 'Paused — waiting for the citizen',
  pausedHint: 'The deadline does not run while the request waits for the citizen.',
  business: 'in working days and hours',
}
