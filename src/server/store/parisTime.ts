/** When something happened, as the server's French messages say it (« 04/12/2026 15:30 »). */
export const parisTime = (ms: number) =>
  new Date(ms).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' })
