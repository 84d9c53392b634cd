/** The citizen part of the intake form, as typed (kept whole whatever mode is shown). */
import type { CitizenMatch } from '../../../shared/channels/intake'
import type { ContactPreference } from '../../../shared/domain'

export type CitizenMode = 'none' | 'existing' | 'new'

export interface CitizenDraft {
  mode: CitizenMode
  existing: CitizenMatch | null
  name: string
  email: string
  phone: string
  postalAddress: string
  contactPreference: ContactPreference
  consent: boolean
}

export const emptyCitizenDraft = (): CitizenDraft => ({
  mode: 'none',
  existing: null,
  name: '',
  email: '',
  phone: '',
  postalAddress: '',
  contactPreference: 'email',
  consent: false,
})

export type CitizenErrorField =
  'citizenName' | 'citizenChoose' | 'email' | 'phone' | 'postalAddress' | 'consent'
