/** French words of the likely duplicates panel and linking (issue 14); merged into fr.ts under `duplicates`. */
export const duplicatesFr = {
  nav: 'Doublons probables',
}
