/** English words of the likely duplicates panel and linking (issue 14): the same keys as duplicates.fr.ts. */
import type { duplicatesFr } from './duplicates.fr'

export const duplicatesEn: typeof duplicatesFr = {
  nav: 'Likely duplicates',
}
