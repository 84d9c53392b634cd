/**
 * Fuzzy matching of the palette's commands by their words (fuse.js): accents and case
 * forgiven (« demarrer » finds « Démarrer »), a typo or so per word, each word anywhere.
 */
import Fuse from 'fuse.js'
import type { PaletteCommand } from './commands'

/** How far one word may stray (0 exact, 1 anything): one typo in a short word. */
const THRESHOLD = 0.35
/** Past this score, a match of several words is mostly noise (« tom » in « tout »). */
const WORST_SCORE = 0.4

/** The commands matching `query`, best first; all of them, in their order, for no query. */
export function matchCommands(commands: readonly PaletteCommand[], query: string): PaletteCommand[] {
  const text = query.trim()
  if (!text) return [...commands]
  // Extended search: each word typed must match, fuzzily and anywhere (« selection tom »).
  const fuse = new Fuse(commands, {
    keys: ['label'],
    ignoreDiacritics: true,
    ignoreLocation: true,
    threshold: THRESHOLD,
    useExtendedSearch: true,
    includeScore: true,
  })
  return fuse
    .search(text)
    .filter((result) => (result.score ?? 0) <= WORST_SCORE)
    .map((result) => result.item)
}
