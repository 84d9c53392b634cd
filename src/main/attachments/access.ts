/**
 * Who may add and remove attachments (issue 14), decided here for the handlers and the
 * screen alike (the server decides again on its side).
 *
 * - Adding is working the request: every role that may change requests may add a photo or
 *   a document (agents, leads, technicians on the ground, supervisors, administrators), not
 *   the DPO, who reads for the citizens' rights (`canChangeRequests`, the check behind
 *   comments and edits). The core has no « closed for this role » notion (a closed request
 *   still takes comments), so a visible request takes attachments whatever its status: a
 *   photo of the repair taken after closing belongs to the record.
 * - Removing: a file not sent yet is its author's alone (it is in their console); a file the
 *   server has is its author's, or whoever may assign the request (a lead of its team, a
 *   supervisor, an administrator: `canAssign`), the rule the server applies too.
 */
import type { SessionInfo } from '../../shared/contract'
import type { ActionAvailability } from '../../shared/domain'
import { ATTACHMENT_LIMITS } from '../../shared/attachments'
import { canAssign, canChangeRequests } from '../../core/authz/permissions'
import { ACTION_REFUSALS } from '../../core/authz/actions'

const ALLOWED: ActionAvailability = { allowed: true }
const never = (reason: string): ActionAvailability => ({ allowed: false, refusal: 'role', reason })
const notNow = (reason: string): ActionAvailability => ({ allowed: false, refusal: 'state', reason })

export const ATTACHMENT_REFUSALS = {
  full: `Cette demande a déjà ${ATTACHMENT_LIMITS.perRequest} pièces jointes : retirez-en une avant d’en ajouter.`,
  notAuthor: 'Seul l’auteur de cette pièce jointe peut la retirer avant son envoi.',
  removeSent:
    'Seuls l’auteur de cette pièce jointe et les responsables de l’équipe de la demande peuvent la retirer.',
} as const

export function addAvailability(session: SessionInfo, attachmentsNow: number): ActionAvailability {
  if (!canChangeRequests(session)) return never(ACTION_REFUSALS.readOnly)
  if (attachmentsNow >= ATTACHMENT_LIMITS.perRequest) return notNow(ATTACHMENT_REFUSALS.full)
  return ALLOWED
}

export function removeAvailability(
  session: SessionInfo,
  attachment: { state: 'sent' | 'pending' | 'refused'; createdBy: string | null },
  requestTeamId: string,
): ActionAvailability {
  if (!canChangeRequests(session)) return never(ACTION_REFUSALS.readOnly)
  const author = attachment.createdBy !== null && attachment.createdBy === session.agentId
  if (attachment.state !== 'sent') return author ? ALLOWED : never(ATTACHMENT_REFUSALS.notAuthor)
  return author || canAssign(session, requestTeamId) ? ALLOWED : never(ATTACHMENT_REFUSALS.removeSent)
}
