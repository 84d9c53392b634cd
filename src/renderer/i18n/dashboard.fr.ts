/** French words of the lead's and supervisor's « Tableau de bord » (issue 15); merged into fr.ts under `dashboard`. */
export const dashboardFr = {
  nav: 'Tableau de bord',
}
