/** French words of searching the queue (issue 18); merged into fr.ts under `search`. */
export const searchFr = {}
