/** French words of the « Nouvelle demande » intake form (issue 14); merged into fr.ts under `intake`. */
export const intakeFr = {
  open: 'Nouvelle demande',
  nav: 'Nouvelle demande',
}
