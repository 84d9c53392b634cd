/**
 * What a session may do on one request, said once for the screen. Each answer comes from
 * the same functions the writes check (`canChangeRequests` behind `assertMayChange`,
 * `canAssign`, `canReadCitizen`, the workflow's availability), so the detail pane shows a
 * control exactly when its write would pass those checks, and says why when it would not.
 */
import type { SessionInfo } from '../../shared/contract'
import type { ActionAvailability, RequestActions, Role, TransitionAvailability } from '../../shared/domain'
import { canAssign, canChangeRequests, canReadCitizen } from './permissions'

/**
 * The refusals in words. The writes throw `readOnly` and `assign` from here
 * (src/core/requests/operations.ts), so the screen and the write say the same sentence.
 */
export const ACTION_REFUSALS = {
  readOnly: 'Votre rôle ne permet pas de modifier les demandes.',
  assign: 'Seuls les chefs d’équipe, superviseurs et administrateurs assignent les demandes.',
  citizen: 'Les coordonnées de l’usager ne sont pas accessibles à votre rôle.',
  noCitizen: 'Demande anonyme : aucun usager rattaché.',
  noTransition: 'Aucun changement de statut n’est possible pour vous sur cette demande dans son état actuel.',
} as const

/** The request as the decisions read it: its team, whether it has a citizen. */
export interface ActionSubject {
  teamId: string
  hasCitizen: boolean
}

export interface ActionContext {
  /** Roles given citizens' contact details (the privacy policy in force). */
  citizenDataRoles: readonly Role[]
  /** The workflow's answer for this session on this request. */
  transitions: TransitionAvailability
}

const ALLOWED: ActionAvailability = { allowed: true }
const never = (reason: string): ActionAvailability => ({ allowed: false, refusal: 'role', reason })
const notNow = (reason: string): ActionAvailability => ({ allowed: false, refusal: 'state', reason })

/**
 * Every action of `RequestActions` for `session` on `subject`. The caller has already checked
 * that the session sees the request (a request out of sight is answered as missing).
 */
export function requestActions(
  session: SessionInfo,
  subject: ActionSubject,
  ctx: ActionContext,
): RequestActions {
  const changes = canChangeRequests(session) ? ALLOWED : never(ACTION_REFUSALS.readOnly)
  return {
    edit: changes,
    commentInternal: changes,
    commentPublic: changes,
    assign: canAssign(session, subject.teamId) ? ALLOWED : never(ACTION_REFUSALS.assign),
    changeStatus: !changes.allowed
      ? changes
      : ctx.transitions.allowed.length > 0
        ? ALLOWED
        : notNow(ACTION_REFUSALS.noTransition),
    readCitizen: !canReadCitizen(session, ctx.citizenDataRoles)
      ? never(ACTION_REFUSALS.citizen)
      : subject.hasCitizen
        ? ALLOWED
        : notNow(ACTION_REFUSALS.noCitizen),
  }
}
