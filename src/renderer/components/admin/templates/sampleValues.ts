/**
 * The values a template's preview is shown with: what the server would put in a notice
 * about a plausible request, in French as the notices are. The agent's name only when the
 * server allows it: otherwise `{agent}` is flagged, never shown filled.
 */
import type { PlaceholderValues } from '../../../../shared/noticeTemplates'

export const SAMPLE_REFERENCE = 'GRC-2026-000123'
const ADDRESS = '12 rue Saint-Dizier, 54000 Nancy'
const DAY_MS = 86_400_000

/** A day as the server's notices write it: « 5 décembre 2026 ». */
export const frenchDay = (ms: number) =>
  new Date(ms).toLocaleDateString('fr-FR', {
    timeZone: 'Europe/Paris',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  })

export interface SampleContext {
  /** The category's name, or a sample one for the general template. */
  category: string
  /** The service (team) that handles the category's requests. */
  service: string
  /** The status a transition leads to, when known. */
  status?: string
  allowAgentName: boolean
  now: number
}

export function sampleValues(c: SampleContext): PlaceholderValues {
  return {
    reference: SAMPLE_REFERENCE,
    categorie: c.category,
    adresse: ADDRESS,
    adresse_precedee: `, ${ADDRESS}`,
    date_demande: frenchDay(c.now - 3 * DAY_MS),
    date: frenchDay(c.now),
    statut: c.status ?? 'Résolue',
    service: c.service,
    message: 'Le nid-de-poule a été rebouché ce matin.',
    motif: 'Cette voie relève du conseil départemental.',
    precision: 'Pouvez-vous préciser le numéro de la rue ?',
    resolution: 'Chaussée réparée le jour même.',
    echeance: frenchDay(c.now + 7 * DAY_MS),
    principale: 'GRC-2026-000098',
    ...(c.allowAgentName ? { agent: 'Camille Martin' } : {}),
  }
}
