/**
 * A citizen's contact details, delivered one request at a time, for a stated purpose, to
 * an agent whose role may read them: each delivery is logged (`citizen_access_log`) and
 * written in the request's history (`viewed_personal_data`), in one transaction. Nothing
 * here goes to the server's log: neither the contact details nor the citizen's name.
 */
import type { SessionInfo } from '../../shared/contract'
import { CoreError } from '../../shared/result'
import { canReadCitizen, canSeeTeam } from '../../core/authz/permissions'
import { appendAccess } from './accessLog'
import type { CitizenContact, ContactPurpose, PrivacyContext } from './privacyContext'
import { appendHistory, citizenById, getRequest } from './requests'

export interface ContactDeliveryInput {
  requestId: string
  purpose: ContactPurpose
  /** The console asking (its workstation id in the log). */
  clientId: string
  /** The workstation's host name, as the console reports it. */
  workstation: string | null
}

/** Said when a role outside `privacy.citizenDataRoles` asks. */
export const NOT_CITIZEN_ROLE = 'Votre rôle ne donne pas accès aux coordonnées des usagers.'

/**
 * The contact details of the request's citizen, logged; null when it has no citizen or
 * the citizen was erased. Refused (CoreError) outside the agent's teams or roles.
 */
export async function deliverCitizenContact(
  ctx: PrivacyContext,
  session: SessionInfo,
  input: ContactDeliveryInput,
): Promise<CitizenContact | null> {
  // The role first: a refusal that says nothing of whether the request exists.
  if (!canReadCitizen(session, ctx.citizenDataRoles)) throw new CoreError('forbidden', NOT_CITIZEN_ROLE)
  return ctx.write(async (tx, changes) => {
    const request = await getRequest(tx, input.requestId)
    if (!request || !canSeeTeam(session, request.teamId))
      throw new CoreError('not_found', 'Demande introuvable.')
    const citizen = request.citizenId ? await citizenById(tx, request.citizenId) : undefined
    if (!citizen || citizen.erasedAt !== null) return null
    const at = ctx.now()
    const id = ctx.newId()
    await appendAccess(tx, {
      id,
      at,
      recordedAt: at,
      agentId: session.agentId,
      agentName: session.displayName,
      requestId: request.id,
      citizenId: citizen.id,
      action: 'contact_delivered',
      purpose: input.purpose,
      clientId: input.clientId,
      workstation: input.workstation,
      source: 'server',
    })
    // The purpose only: the history travels to every console of the team.
    await appendHistory(tx, {
      requestId: request.id,
      kind: 'viewed_personal_data',
      at,
      actorId: session.agentId,
      actorName: session.displayName,
      data: { purpose: input.purpose },
      mutationId: id,
    })
    changes.request(request.id, request.teamId)
    const { erasedAt: _erased, ...contact } = citizen
    return { ...contact, purpose: input.purpose, deliveredAt: new Date(at).toISOString(), offline: false }
  })
}
