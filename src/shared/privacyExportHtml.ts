/**
 * The subject access export (RGPD art. 15) as a printable French document: one standalone
 * HTML page made from the machine-readable export, with no script and no external resource.
 * Pure: the same export gives the same text. Every value that came from the export goes
 * through `escapeHtml` (text and attribute alike), so a citizen's or an agent's text can never
 * become markup; the page's own words are constants of this file.
 *
 * `names` lets the console give the words it knows (statuses, say); anything missing is shown
 * as the export gives it.
 */
import type { SubjectAccessExport } from './privacy'

export interface SubjectAccessNames {
  /** A request's status as the citizen should read it (the export carries the status id). */
  status?: (status: string) => string
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
}

/** Text made safe for HTML text and quoted attribute values alike. */
export function escapeHtml(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value)
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!)
}

const CHANNELS: Record<string, string> = {
  portal: 'Portail citoyen',
  phone: 'Téléphone',
  counter: 'Accueil',
  email: 'Courriel',
  mobile: 'Application mobile',
  open311: 'Application partenaire (Open311)',
  api: 'Application partenaire',
}
const PREFERENCES: Record<string, string> = {
  email: 'Courriel',
  phone: 'Téléphone',
  post: 'Courrier',
  none: 'Aucune',
}
const HISTORY: Record<string, string> = {
  created: 'Création',
  routed: 'Orientation vers un service',
  transitioned: 'Changement de statut',
  assigned: 'Affectation',
  commented: 'Commentaire',
  merged: 'Fusion',
  viewed_personal_data: 'Consultation des coordonnées',
  exported: 'Export (droit d’accès)',
  anonymised: 'Anonymisation',
  edited: 'Modification',
  sync_conflict: 'Modification non appliquée (conflit)',
}
const ACTIONS: Record<string, string> = {
  contact_delivered: 'Consultation des coordonnées',
  contact_read_offline: 'Consultation des coordonnées hors ligne',
  contact_read_local: 'Consultation des coordonnées sur un poste',
  dpo_view: 'Consultation du dossier par le délégué à la protection des données',
  export: 'Export (droit d’accès)',
  rectify: 'Rectification',
  erase: 'Effacement',
  legal_hold: 'Gel juridique',
}
const PURPOSES: Record<string, string> = {
  callback: 'Rappeler l’usager',
  intervention: 'Préparer ou réaliser une intervention',
  written_reply: 'Répondre par écrit',
  identity_check: 'Vérifier l’identité ou un doublon',
}
const COMMENT_KINDS: Record<string, string> = { internal: 'Note interne', public: 'Réponse publique' }
const RECIPIENT_KINDS: Record<string, string> = { team: 'Service', api_account: 'Application partenaire' }

const word = (table: Record<string, string>, key: string | null | undefined) =>
  key === null || key === undefined ? '—' : (table[key] ?? key)

const DATE = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
})
const DAY = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' })

function when(iso: string | null | undefined, day = false): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : (day ? DAY : DATE).format(d)
}

const months = (n: number | null) => (n === null ? 'jamais' : `${n} mois après la clôture`)

/** A history event's data in words: `clé : valeur` pairs, nested values as JSON text. */
function dataText(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([k, v]) => `${k} : ${typeof v === 'string' ? v : (JSON.stringify(v) ?? '')}`)
    .join(' ; ')
}

/** `<tr>` of escaped cells. */
const row = (...cells: unknown[]) => `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`
const head = (...cells: string[]) =>
  `<thead><tr>${cells.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr></thead>`
const fact = (term: string, value: unknown) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`

const STYLE = `
body { font: 11pt/1.45 system-ui, sans-serif; color: #161616; margin: 2em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 2px solid #000091; }
h3 { font-size: 1.05em; margin-top: 1.2em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; } dt { font-weight: 700; } dd { margin: 0; white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; } th, td { border: 1px solid #929292; padding: 0.25em 0.4em; text-align: left; vertical-align: top; white-space: pre-wrap; }
.request { break-inside: avoid-page; border-top: 1px solid #929292; padding-top: 0.4em; }
.note { color: #3a3a3a; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
`

/** The whole document, ready to save as `.html` and print. */
export function subjectAccessHtml(exp: SubjectAccessExport, names: SubjectAccessNames = {}): string {
  const status = names.status ?? ((s: string) => s)
  const c = exp.citizen
  const out: string[] = []
  out.push(
    '<!DOCTYPE html>',
    '<html lang="fr">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escapeHtml(`Données personnelles détenues : ${c.name}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>Vos données personnelles</h1>',
    `<p>Réponse à une demande d’accès (article 15 du règlement général sur la protection des données), établie le ${escapeHtml(when(exp.generatedAt))}.</p>`,
  )
  if (exp.controller)
    out.push(
      `<p>Responsable du traitement : ${escapeHtml(exp.controller.name)}. Délégué à la protection des données : ${escapeHtml(exp.controller.dpoContact)}.</p>`,
    )
  out.push('</header>', '<main>')

  out.push(
    '<section aria-labelledby="s-citizen">',
    '<h2 id="s-citizen">Vos coordonnées</h2>',
    '<dl>',
    fact('Nom', c.name),
    fact('Courriel', c.email ?? '—'),
    fact('Téléphone', c.phone ?? '—'),
    fact('Adresse postale', c.postalAddress ?? '—'),
    fact('Préférence de contact', word(PREFERENCES, c.contactPreference)),
  )
  if (c.erasedAt) out.push(fact('Effacé le', when(c.erasedAt)))
  out.push('</dl>', '</section>')

  out.push(
    '<section aria-labelledby="s-requests">',
    `<h2 id="s-requests">Vos demandes (${exp.requests.length})</h2>`,
  )
  if (exp.requests.length === 0) out.push('<p>Aucune demande.</p>')
  exp.requests.forEach((r, i) => {
    const id = `r-${i}`
    out.push(
      `<article class="request" aria-labelledby="${id}">`,
      `<h3 id="${id}">${escapeHtml(`Demande ${r.reference} : ${r.title}`)}</h3>`,
      '<dl>',
      fact('Déposée le', when(r.createdAt)),
      fact('Close le', when(r.closedAt)),
      fact('Canal', word(CHANNELS, r.channel)),
      fact('Catégorie', r.category),
      fact('Service', r.team),
      fact('Statut', status(r.status)),
      fact('Description', r.description),
      fact('Adresse', r.address ?? '—'),
      fact('Localisation', r.location ? `${r.location.lat.toFixed(5)}, ${r.location.lon.toFixed(5)}` : '—'),
      ...Object.entries(r.fields).map(([k, v]) => fact(k, v)),
      fact(
        'Gel juridique',
        r.legalHold ? 'oui : conservée pour une obligation légale ou un contentieux' : 'non',
      ),
      fact('Anonymisation prévue le', r.retention.anonymiseOn ? when(r.retention.anonymiseOn, true) : '—'),
      fact('Suppression prévue le', r.retention.deleteOn ? when(r.retention.deleteOn, true) : '—'),
      '</dl>',
    )
    out.push(`<h4>Commentaires (${r.comments.length})</h4>`)
    if (r.comments.length === 0) out.push('<p>Aucun commentaire.</p>')
    else
      out.push(
        '<table>',
        head('Date', 'Nature', 'Texte'),
        '<tbody>',
        ...r.comments.map((m) => row(when(m.at), word(COMMENT_KINDS, m.kind), m.body)),
        '</tbody></table>',
      )
    out.push(`<h4>Historique (${r.history.length})</h4>`)
    if (r.history.length === 0) out.push('<p>Aucun événement.</p>')
    else
      out.push(
        '<table>',
        head('Date', 'Événement', 'Par', 'Détail'),
        '<tbody>',
        ...r.history.map((h) => row(when(h.at), word(HISTORY, h.kind), h.actor ?? '—', dataText(h.data))),
        '</tbody></table>',
      )
    out.push(
      `<p class="note">Pièces jointes : ${r.attachments.length === 0 ? 'aucune' : r.attachments.length}.</p>`,
    )
    out.push('</article>')
  })
  out.push('</section>')

  out.push(
    '<section aria-labelledby="s-accesses">',
    '<h2 id="s-accesses">Consultations de vos données</h2>',
    '<p class="note">Les dates et finalités des consultations ; l’identité des agents n’est pas communiquée (CJUE, C‑579/21).</p>',
  )
  if (exp.accesses.length === 0) out.push('<p>Aucune consultation enregistrée.</p>')
  else
    out.push(
      '<table>',
      head('Date', 'Action', 'Finalité', 'Service'),
      '<tbody>',
      ...exp.accesses.map((a) =>
        row(when(a.at), word(ACTIONS, a.action), word(PURPOSES, a.purpose), a.service ?? '—'),
      ),
      '</tbody></table>',
    )
  out.push('</section>')

  out.push('<section aria-labelledby="s-purposes">', '<h2 id="s-purposes">Finalités et bases légales</h2>')
  if (exp.purposes.length === 0) out.push('<p>—</p>')
  else
    out.push(
      '<table>',
      head('Finalité', 'Base légale'),
      '<tbody>',
      ...exp.purposes.map((p) => row(p.purpose, p.legalBasis)),
      '</tbody></table>',
    )
  out.push('</section>')

  out.push('<section aria-labelledby="s-recipients">', '<h2 id="s-recipients">Destinataires</h2>')
  if (exp.recipients.length === 0) out.push('<p>Aucun destinataire.</p>')
  else
    out.push(
      '<ul>',
      ...exp.recipients.map((r) => `<li>${escapeHtml(`${word(RECIPIENT_KINDS, r.kind)} : ${r.name}`)}</li>`),
      '</ul>',
    )
  out.push('</section>')

  const p = exp.retentionPolicy
  out.push(
    '<section aria-labelledby="s-retention">',
    '<h2 id="s-retention">Durées de conservation</h2>',
    '<dl>',
    fact('Anonymisation des données', months(p.anonymiseAfterClosedMonths)),
    fact('Suppression des demandes', months(p.deleteAfterClosedMonths)),
    fact('Notes internes', p.keepInternalComments ? 'conservées' : 'supprimées à l’anonymisation'),
    '</dl>',
    '<p class="note">Une catégorie de demandes peut avoir ses propres durées : la date prévue pour chaque demande figure ci-dessus.</p>',
    '</section>',
  )

  out.push(
    '<section aria-labelledby="s-rights">',
    '<h2 id="s-rights">Vos droits</h2>',
    '<p>Vous pouvez demander la rectification (article 16) ou l’effacement (article 17) de vos données auprès du délégué à la protection des données, et introduire une réclamation auprès de la CNIL (www.cnil.fr).</p>',
    '</section>',
    '</main>',
    '</body>',
    '</html>',
  )
  return out.join('\n')
}
