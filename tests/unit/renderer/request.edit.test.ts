import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RequestDetail as Detail, Role } from '../../../src/shared/domain'
import { ApiError } from '../../../src/renderer/apiError'
import RequestDetail from '../../../src/renderer/components/RequestDetail.vue'
import { useDetailStore } from '../../../src/renderer/stores/detail'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { detailOf, reference, sessionFor, transitions } from './support/fixtures'
import { buttonNamed, byRole, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null
/** The request as the fake core holds it. */
let current: Detail

beforeEach(() => {
  resetFakeApi()
  current = detailOf({ address: '1 rue Saint-Dizier, Nancy' })
  answer('reference.get', () => reference)
  answer('request.get', () => current)
  answer('request.history', () => [])
  answer('request.comments', () => [])
  answer('request.transitions', () => transitions)
  answer('request.citizen', () => null)
  answer('queue.counts', () => ({ byStatus: {}, total: 0, overdue: 0 }))
  answer('request.update', ({ patch }) => {
    current = { ...current, ...patch, version: current.version + 1 }
    return current
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function openForm(roles: Role[] = ['agent']) {
  wrapper = mountWithApp(RequestDetail, sessionFor(roles))
  await useReferenceStore().load()
  await useDetailStore().open('r1')
  await flushPromises()
  await buttonNamed(wrapper, 'Modifier').trigger('click')
  return wrapper
}

const form = () => byRole('form', 'Modifier la demande')
const field = (w: VueWrapper, label: string) => w.find(`#${controlLabelled(w, label).id}`)
const submit = async (w: VueWrapper) => {
  await w.find('form.edit-form').trigger('submit')
  await flushPromises()
}
const alertText = () => form().querySelector('[role="alert"]')?.textContent?.replace(/\s+/g, ' ').trim()

describe('editing a request', () => {
  it('opens an inline form filled with the request’s fields, focus on the title', async () => {
    const w = await openForm()
    expect(buttonNamed(w, 'Modifier').attributes('aria-expanded')).toBe('true')
    expect((controlLabelled(w, 'Titre') as HTMLInputElement).value).toBe('Nid-de-poule n°1')
    expect((controlLabelled(w, 'Description') as HTMLTextAreaElement).value).toBe(
      'Un trou profond devant le numéro 12.',
    )
    expect((controlLabelled(w, 'Priorité') as HTMLSelectElement).value).toBe('normal')
    expect((controlLabelled(w, 'Adresse') as HTMLInputElement).value).toBe('1 rue Saint-Dizier, Nancy')
    expect(document.activeElement?.id).toBe('edit-title')
  })

  it('sends only the changed fields, on the version shown, and says it is done', async () => {
    const w = await openForm()
    await field(w, 'Titre').setValue('  Nid-de-poule profond  ')
    await field(w, 'Priorité').setValue('urgent')
    await field(w, 'Adresse').setValue('')
    await submit(w)
    expect(callsTo('request.update')).toEqual([
      {
        id: 'r1',
        patch: { title: 'Nid-de-poule profond', priority: 'urgent', address: null },
        baseVersion: 3,
      },
    ])
    expect(w.find('form.edit-form').exists()).toBe(false)
    expect(w.find('#detail-title').text()).toBe('Nid-de-poule profond')
    expect(w.find('[role="status"].notice-text').text()).toBe('Demande modifiée.')
    expect(document.activeElement?.textContent?.trim()).toBe('Modifier')
  })

  it('says the request changed meanwhile, reloads it and keeps what was typed', async () => {
    const w = await openForm()
    let refused = false
    answer('request.update', () => {
      refused = true
      // Another agent changed the description meanwhile: the core is now at version 4.
      current = { ...current, description: 'Trou rebouché provisoirement.', version: 4 }
      throw new ApiError('version_conflict', 'stale version')
    })
    await field(w, 'Titre').setValue('Nid-de-poule profond')
    await submit(w)
    expect(refused).toBe(true)
    expect(alertText()).toBe(
      'Quelqu’un a modifié cette demande entre-temps : elle vient d’être rechargée, vérifiez puis recommencez.',
    )
    expect(callsTo('request.get').length).toBeGreaterThan(1)
    // Mine is kept; the field I did not touch shows the new version.
    expect((controlLabelled(w, 'Titre') as HTMLInputElement).value).toBe('Nid-de-poule profond')
    expect((controlLabelled(w, 'Description') as HTMLTextAreaElement).value).toBe(
      'Trou rebouché provisoirement.',
    )

    answer('request.update', ({ patch }) => ({ ...current, ...patch, version: 5 }))
    await submit(w)
    expect(callsTo('request.update').at(-1)).toEqual({
      id: 'r1',
      patch: { title: 'Nid-de-poule profond' },
      baseVersion: 4,
    })
  })

  it('shows a refusal for the role in words (a DPO may not edit)', async () => {
    answer('request.update', () => {
      throw new ApiError('forbidden', 'role dpo may not edit')
    })
    const w = await openForm(['dpo'])
    await field(w, 'Priorité').setValue('high')
    await submit(w)
    expect(alertText()).toBe('Votre rôle ne permet pas cette action.')
    expect(w.find('form.edit-form').exists()).toBe(true)
  })

  it('refuses an empty title and an unchanged form without calling the core', async () => {
    const w = await openForm()
    await submit(w)
    expect(alertText()).toBe('Aucune modification à enregistrer.')
    await field(w, 'Titre').setValue('   ')
    await submit(w)
    expect(alertText()).toBe('Le titre ne peut pas être vide : saisissez-en un avant d’enregistrer.')
    expect(callsTo('request.update')).toEqual([])
  })

  it('shows a title with markup as text', async () => {
    current = detailOf({ title: '<script>alert(1)</script>' })
    const w = await openForm()
    expect((controlLabelled(w, 'Titre') as HTMLInputElement).value).toBe('<script>alert(1)</script>')
    expect(document.querySelector('script')).toBeNull()
  })

  it('cancels with Escape, back on the Modifier button', async () => {
    const w = await openForm()
    await w.find('form.edit-form').trigger('keydown', { key: 'Escape' })
    expect(w.find('form.edit-form').exists()).toBe(false)
    await flushPromises()
    expect(document.activeElement?.textContent?.trim()).toBe('Modifier')
    expect(callsTo('request.update')).toEqual([])
  })
})
