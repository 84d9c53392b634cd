/** French words of the detail's business-time SLA clock (issue 14); merged into fr.ts under `slaClock`. */
export const slaClockFr = {
  paused: 'En pause — attente usager',
  pausedHint: 'Le délai ne court pas tant que la demande attend l’usager.',
  business: 'en jours et heures ouvrés',
}
