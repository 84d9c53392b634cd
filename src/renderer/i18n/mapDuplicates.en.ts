/** English words of the duplicate links on the map (issue 14); merged into en.ts under `mapDuplicates`. */
export const mapDuplicatesEn = {
  toggle: 'Linked duplicates',
  ring: 'No duplicates | {n} duplicate | {n} duplicates',
  legendLink: 'Line: a duplicate linked to its master request',
  legendRing: 'Ring: a master request, with its number of duplicates',
  inView:
    'No duplicate group in this view | {n} duplicate group in this view | {n} duplicate groups in this view',
  tooFarOut: 'Zoom in to see linked duplicates.',
  capped: 'Only the {n} most recent duplicate groups are drawn: zoom in to see them all.',
}
