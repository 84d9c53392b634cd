/**
 * The intake form's values as `request.create` takes them, and the fields the core's
 * refusals name: pure, so the mapping is tested without a screen.
 */
import type { Priority } from '../../../shared/domain'
import type { CreateRequestInput } from '../../../shared/sync'
import type { CitizenDraft } from './citizenDraft'
import type { LocationDraft } from './locationDraft'

export type IntakeField =
  | 'category'
  | 'subcategory'
  | 'title'
  | 'description'
  | 'location'
  | 'citizenChoose'
  | 'citizenName'
  | 'email'
  | 'phone'
  | 'postalAddress'
  | 'consent'

/** Each field's control, in the order of the form (the first one in error takes the focus). */
export const FIELD_ELEMENT: Record<IntakeField, string> = {
  category: 'intake-category',
  subcategory: 'intake-subcategory',
  title: 'intake-title-input',
  description: 'intake-description',
  location: 'intake-address-search',
  citizenChoose: 'intake-citizen-search',
  citizenName: 'intake-citizen-name',
  email: 'intake-citizen-email',
  phone: 'intake-citizen-phone',
  postalAddress: 'intake-citizen-postal',
  consent: 'intake-consent',
}

const ISSUE_FIELDS: Record<string, IntakeField> = {
  categoryId: 'category',
  subcategory: 'subcategory',
  title: 'title',
  description: 'description',
  address: 'location',
  location: 'location',
  'citizen.id': 'citizenChoose',
  'citizen.citizen.name': 'citizenName',
  'citizen.citizen.email': 'email',
  'citizen.citizen.phone': 'phone',
  'citizen.citizen.postalAddress': 'postalAddress',
  'citizen.citizen.consentAt': 'consent',
}

/** The form field an input issue's path (`citizen.citizen.email`) names, if any. */
export function issueField(path: string): IntakeField | null {
  return ISSUE_FIELDS[path] ?? ISSUE_FIELDS[path.split('.')[0] ?? ''] ?? null
}

interface RequestDraft {
  categoryId: string
  subcategory: string
  title: string
  description: string
  channel: CreateRequestInput['channel']
  priority: Priority
}

const orNull = (text: string) => (text.trim() === '' ? null : text.trim())

/** What the form sends; `now` dates the citizen's consent, given as the agent saves. */
export function intakeInput(
  draft: RequestDraft,
  location: LocationDraft,
  citizen: CitizenDraft,
  now: Date,
): CreateRequestInput {
  return {
    categoryId: draft.categoryId,
    subcategory: orNull(draft.subcategory),
    channel: draft.channel,
    title: draft.title.trim(),
    description: draft.description,
    priority: draft.priority,
    address: orNull(location.address),
    location: location.point,
    citizen:
      citizen.mode === 'existing' && citizen.existing
        ? { kind: 'existing', id: citizen.existing.id }
        : citizen.mode === 'new'
          ? {
              kind: 'new',
              citizen: {
                name: citizen.name.trim(),
                email: orNull(citizen.email),
                phone: orNull(citizen.phone),
                postalAddress: orNull(citizen.postalAddress),
                contactPreference: citizen.contactPreference,
                consentAt: citizen.contactPreference !== 'none' && citizen.consent ? now.toISOString() : null,
              },
            }
          : null,
  }
}
