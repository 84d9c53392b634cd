/** English words of the likely duplicates panel and linking (issue 14): the same keys as duplicates.fr.ts. */
import type { duplicatesFr } from './duplicates.fr'

export const duplicatesEn: typeof duplicatesFr = {
  nav: 'Likely duplicates',
  title: 'Likely duplicates',
  list: 'Requests that may be the same one',
  loading: 'Looking for duplicates…',
  none: 'No request near in place and time looks like this one.',
  failed: 'Duplicates could not be searched: {message}',
  isDuplicateOf: 'This request is a duplicate of {reference}: it follows its handling.',
  score: 'Likeness {percent} %',
  linked: 'Linked',
  itsOwnMaster: 'Duplicate of {reference}',
  reasons: {
    distance: '{metres} m away',
    unplaced: 'no location',
    sameDay: 'the same day',
    days: '{n} day apart | {n} days apart',
    sameCategory: 'same category',
    relatedCategory: 'related category: {category}',
    words: 'shared words: {words}',
    noWords: 'no shared word',
  },
  link: 'Link as duplicate',
  linkLabel: 'Link as duplicate of {reference}',
  unlink: 'Unlink',
  unlinkLabel: 'Unlink from {reference}: not a duplicate',
  linkedDone: 'Request linked as a duplicate of {reference}.',
  unlinkedDone: 'Request unlinked: it is handled on its own again.',
  refused: {
    role: 'Your role may not link duplicates.',
    state: 'This request can no longer be linked as a duplicate in its current state.',
  },
}
