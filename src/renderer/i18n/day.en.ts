/** English words: the same keys as day.fr.ts (the type enforces it). */
import type { dayFr } from './day.fr'

export const dayEn: typeof dayFr = {}
