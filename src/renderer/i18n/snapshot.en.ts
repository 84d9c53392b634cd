/** English words of the first download in chunks (issue 16); merged into en.ts under `snapshot`. */
export const snapshotEn = {
  progress: '{done} of {total} requests, with history and notes ({mb} MB received)',
  eta: 'about {time} left',
  seconds: '{n} s',
  minutes: '{n} min',
  indexing: 'Preparing search and the map for {total} requests…',
}
