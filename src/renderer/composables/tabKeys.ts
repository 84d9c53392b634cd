/**
 * A tab list's keyboard (WAI-ARIA tabs pattern): arrows move to the next or previous tab,
 * wrapping; Home and End to the first or last. The index of the tab to show and focus, or
 * null for a key the tab list does not handle.
 */
export function tabIndexForKey(key: string, index: number, count: number): number | null {
  const last = count - 1
  if (key === 'ArrowRight') return (index + 1) % count
  if (key === 'ArrowLeft') return (index + last) % count
  if (key === 'Home') return 0
  if (key === 'End') return last
  return null
}
