/** English words of the lead's and supervisor's « Tableau de bord » (issue 15): the same keys as dashboard.fr.ts. */
import type { dashboardFr } from './dashboard.fr'

export const dashboardEn: typeof dashboardFr = {
  nav: 'Dashboard',
}
