/**
 * How a citizen is reached, from their contact preference: e-mail when they gave one and
 * did not choose otherwise, SMS to a mobile when they asked to be reached by phone. When
 * no way fits, the reason says what the agent should do instead (a letter, a call);
 * a citizen who asked for no contact, or a request without a citizen, gets nothing and
 * no word is added.
 */
import type { Citizen } from '../../shared/domain'
import { mobileNumber } from './sms'

export type Reach =
  | { channel: 'email'; to: string }
  | { channel: 'sms'; to: string }
  | { channel: 'none'; reason: string | null }

export function reachOf(citizen: Pick<Citizen, 'email' | 'phone' | 'contactPreference'> | undefined): Reach {
  if (!citizen) return { channel: 'none', reason: null }
  const email = citizen.email?.trim() || null
  const mobile = citizen.phone ? mobileNumber(citizen.phone) : null
  // Preferences other consoles may write (`sms`) read as asking for the phone.
  const preference = citizen.contactPreference as string
  switch (preference) {
    case 'none':
      return { channel: 'none', reason: null }
    case 'post':
      return {
        channel: 'none',
        reason:
          'L’usager préfère le courrier postal : aucun avis électronique, réponse à envoyer par courrier',
      }
    case 'phone':
    case 'sms':
      if (mobile) return { channel: 'sms', to: mobile }
      return {
        channel: 'none',
        reason: 'L’usager préfère le téléphone et n’a pas donné de numéro de mobile : à rappeler',
      }
    default:
      if (email) return { channel: 'email', to: email }
      if (mobile) return { channel: 'sms', to: mobile }
      return {
        channel: 'none',
        reason: 'L’usager n’a donné ni adresse électronique ni numéro de mobile : aucun avis envoyé',
      }
  }
}
