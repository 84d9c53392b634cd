import { describe, expect, it } from 'vitest'
import { CreateRequestInput } from '../../../src/shared/sync'
import { emptyCitizenDraft } from '../../../src/renderer/components/intake/citizenDraft'
import { issueField, intakeInput } from '../../../src/renderer/components/intake/intakeInput'

const request = {
  categoryId: 'voirie',
  subcategory: '',
  title: '  Bordure descellée ',
  description: 'Devant le 5',
  channel: 'phone' as const,
  priority: 'high' as const,
}
const location = { address: '5 Rue Solvay 54320 Maxéville', point: { lat: 48.71, lon: 6.16 }, placeNote: '' }
const now = new Date('2026-12-04T10:00:00.000Z')

describe('what the intake form sends', () => {
  it('a new citizen with the consent dated when the agent saves, blank fields as nothing', () => {
    const input = intakeInput(
      request,
      location,
      {
        ...emptyCitizenDraft(),
        mode: 'new',
        name: ' Gaëlle Fournier ',
        phone: '06 98 76 54 32',
        contactPreference: 'phone',
        consent: true,
      },
      now,
    )
    expect(input).toMatchObject({
      title: 'Bordure descellée',
      subcategory: null,
      address: '5 Rue Solvay 54320 Maxéville',
    })
    expect(input.citizen).toEqual({
      kind: 'new',
      citizen: {
        name: 'Gaëlle Fournier',
        email: null,
        phone: '06 98 76 54 32',
        postalAddress: null,
        contactPreference: 'phone',
        consentAt: '2026-12-04T10:00:00.000Z',
      },
    })
    // What the core validates: the contract's own schema accepts it.
    expect(CreateRequestInput.safeParse(input).success).toBe(true)
  })

  it('no consent is sent when the citizen chose not to be contacted, even if the box was ticked before', () => {
    const input = intakeInput(
      request,
      location,
      { ...emptyCitizenDraft(), mode: 'new', name: 'Jean', contactPreference: 'none', consent: true },
      now,
    )
    expect(input.citizen?.kind === 'new' && input.citizen.citizen.consentAt).toBeNull()
  })

  it('a known citizen by id only; an existing mode without a choice sends none', () => {
    const known = { id: 'c-1', name: 'Jean', requestCount: 2, lastReference: 'GRC-2026-000001' }
    expect(
      intakeInput(request, location, { ...emptyCitizenDraft(), mode: 'existing', existing: known }, now)
        .citizen,
    ).toEqual({
      kind: 'existing',
      id: 'c-1',
    })
    expect(
      intakeInput(request, location, { ...emptyCitizenDraft(), mode: 'existing' }, now).citizen,
    ).toBeNull()
  })

  it('names the form field of each refusal the core can give', () => {
    const refused = CreateRequestInput.safeParse({
      ...intakeInput(
        request,
        location,
        { ...emptyCitizenDraft(), mode: 'new', name: '', email: 'pas-une-adresse' },
        now,
      ),
      title: ' ',
    })
    expect(refused.success).toBe(false)
    const fields = refused.error!.issues.map((i) => issueField(i.path.join('.')))
    expect(fields).toEqual(expect.arrayContaining(['title', 'citizenName', 'email', 'consent']))
    expect(issueField('something.else')).toBeNull()
  })
})
