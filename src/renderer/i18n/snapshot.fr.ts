/** French words of the first download in chunks (issue 16); merged into fr.ts under `snapshot`. */
export const snapshotFr = {
  progress: '{done} sur {total} demandes, avec historiques et notes ({mb} Mo reçus)',
  eta: 'encore environ {time}',
  seconds: '{n} s',
  minutes: '{n} min',
  indexing: 'Préparation de la recherche et de la carte pour {total} demandes…',
}
