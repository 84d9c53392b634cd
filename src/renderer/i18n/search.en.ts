/** English words: the same keys as search.fr.ts (the type enforces it). */
import type { searchFr } from './search.fr'

export const searchEn: typeof searchFr = {}
