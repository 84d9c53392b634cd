/** English words of the « Nouvelle demande » intake form (issue 14): the same keys as intake.fr.ts. */
import type { intakeFr } from './intake.fr'

export const intakeEn: typeof intakeFr = {
  open: 'New request',
  nav: 'New request',
}
