/**
 * A notice's message, read at the moment it is sent: the request, its citizen's address or
 * number (never stored with the notice), the event and the template in force. Null fields
 * say why there is nothing to send any more.
 */
import type { Sql } from '../store/sql/client'
import { loadReference } from '../store/reference'
import { citizenById, getRequest } from '../store/requests'
import { reachOf } from './channel'
import type { NoticeRow } from './queue'
import { workflowOf } from './queue'
import { templatesInForce } from './templateStore'
import { pickTemplate, renderTemplate, type PlaceholderValues } from './templates'

export type Composed =
  { ok: true; to: string; subject: string; text: string; sms: string } | { ok: false; reason: string }

const day = (ms: number | null) =>
  ms === null
    ? ''
    : new Date(ms).toLocaleDateString('fr-FR', {
        timeZone: 'Europe/Paris',
        day: 'numeric',
        month: 'long',
        year: 'numeric',
      })

export async function composeNotice(
  sql: Pick<Sql, 'all' | 'get' | 'dialect'>,
  notice: NoticeRow,
  options: { allowAgentName: boolean },
): Promise<Composed> {
  const request = await getRequest(sql, notice.request_id)
  if (!request) return { ok: false, reason: 'La demande n’existe plus' }
  const citizen = request.citizenId ? await citizenById(sql, request.citizenId) : undefined
  if (!citizen || citizen.erasedAt !== null)
    return { ok: false, reason: 'L’usager n’est plus rattaché à la demande' }
  const reach = reachOf(citizen)
  if (reach.channel === 'none' || reach.channel !== notice.channel)
    return { ok: false, reason: 'Les coordonnées ou la préférence de l’usager ont changé' }
  const event = await sql.get<{ at: number; actor_name: string | null; data: string }>(
    'SELECT at, actor_name, data FROM history_events WHERE id = ?',
    [notice.event_id],
  )
  if (!event) return { ok: false, reason: 'L’événement n’existe plus' }
  const data = JSON.parse(event.data) as {
    commentId?: string
    to?: string
    fields?: Record<string, string>
    masterReference?: string
  }
  const ref = await loadReference(sql)
  const category = ref.category(request.categoryId)
  const team = ref.bundle.teams.find((t) => t.id === request.teamId)
  const status = workflowOf(ref, request.categoryId)?.states.find((s) => s.id === (data.to ?? request.status))
  let message = ''
  if (notice.event === 'public_reply') {
    const comment = data.commentId
      ? await sql.get<{ body: string }>('SELECT body FROM comments WHERE id = ?', [data.commentId])
      : undefined
    if (!comment) return { ok: false, reason: 'La réponse publique n’existe plus' }
    message = comment.body
  }
  const fields = data.fields ?? {}
  const values: PlaceholderValues = {
    reference: request.reference,
    categorie: category?.name.fr ?? request.categoryId,
    adresse: request.address ?? '',
    adresse_precedee: request.address ? `, ${request.address}` : '',
    date_demande: day(request.createdAt),
    date: day(Number(event.at)),
    statut: status?.label.fr ?? request.status,
    service: team?.name ?? request.teamId,
    message,
    motif: fields.reason ?? '',
    precision: fields.holdReason ?? '',
    resolution: fields.resolutionNote ?? '',
    echeance: day(request.dueAt),
    principale: data.masterReference ?? '',
    // The service speaks, not a person, unless the authority chose otherwise.
    agent: options.allowAgentName ? (event.actor_name ?? '') : (team?.name ?? ''),
  }
  const template = pickTemplate(await templatesInForce(sql), request.categoryId, notice.event)
  if (!template) return { ok: false, reason: `Aucun modèle pour ${notice.event}` }
  return {
    ok: true,
    to: reach.to,
    subject: renderTemplate(template.subject, values).replace(/[\r\n]+/g, ' '),
    text: renderTemplate(template.body, values),
    sms: renderTemplate(template.sms, values),
  }
}
