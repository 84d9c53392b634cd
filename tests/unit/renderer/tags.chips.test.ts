/**
 * Tags on screen: the detail's chips (add with completion, remove with a labelled button,
 * only when the core lets the agent change the request), the queue row's compact chips, and
 * the bulk action « Étiquettes » on a selection, with its refusals listed.
 */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import type { RequestDetail as Detail, Role } from '../../../src/shared/domain'
import { ApiError } from '../../../src/renderer/apiError'
import RequestDetail from '../../../src/renderer/components/RequestDetail.vue'
import BulkActions from '../../../src/renderer/components/map/BulkActions.vue'
import TagChips from '../../../src/renderer/components/tags/TagChips.vue'
import { createAppI18n } from '../../../src/renderer/i18n'
import { useDetailStore } from '../../../src/renderer/stores/detail'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { answer, answerDetailReads, callsTo, resetFakeApi } from './support/fakeApi'
import { detailFor, sessionFor, transitions } from './support/fixtures'
import { buttonNamed, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null

beforeEach(() => {
  resetFakeApi()
  answerDetailReads()
  answer('tags.list', () => [
    { tag: 'presse', count: 4 },
    { tag: 'hiver 2026', count: 2 },
  ])
  answer('requests.commonTransitions', () => transitions.allowed)
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function openDetail(roles: Role[], overrides: Partial<Detail> = {}) {
  const session = sessionFor(roles)
  let current = detailFor(session, overrides)
  answer('request.get', () => current)
  answer('request.tag', ({ add = [], remove = [] }) => {
    const removed = new Set(remove.map((t) => t.toLowerCase()))
    current = {
      ...current,
      tags: [...(current.tags ?? []).filter((t) => !removed.has(t.toLowerCase())), ...add],
      version: current.version + 1,
    }
    return current
  })
  wrapper = mountWithApp(RequestDetail, session)
  await useReferenceStore().load()
  await useDetailStore().open('r1')
  await flushPromises()
  return wrapper
}

const chips = (w: VueWrapper) =>
  w.findAll('[data-testid="tags-panel"] li.chip').map((c) => c.find('span').text())
const panel = (w: VueWrapper) => w.find('[data-testid="tags-panel"]')

describe('tags in the detail', () => {
  it('shows the tags as chips, adds one typed with the tags in use offered, removes one by its button', async () => {
    const w = await openDetail(['agent'], { tags: ['élu'] })
    expect(chips(w)).toEqual(['élu'])

    const field = controlLabelled(w, 'Ajouter une étiquette') as HTMLInputElement
    await w.find('#tag-add').trigger('focus')
    await flushPromises()
    const offered = [...document.querySelectorAll('#tag-add-suggestions option')].map((o) =>
      o.getAttribute('value'),
    )
    expect(offered).toEqual(['presse', 'hiver 2026'])
    expect(field.getAttribute('list')).toBe('tag-add-suggestions')

    await w.find('#tag-add').setValue('  presse ')
    await w.find('[data-testid="tags-panel"] form').trigger('submit')
    await flushPromises()
    expect(callsTo('request.tag')).toEqual([{ id: 'r1', add: ['presse'], remove: [] }])
    expect(chips(w)).toEqual(['élu', 'presse'])
    expect(panel(w).find('[role="status"]').text()).toBe('Étiquette « presse » ajoutée.')

    await buttonNamed(w, 'Retirer l’étiquette « élu »').trigger('click')
    await flushPromises()
    expect(callsTo('request.tag').at(-1)).toEqual({ id: 'r1', add: [], remove: ['élu'] })
    expect(chips(w)).toEqual(['presse'])
    expect(panel(w).find('[role="status"]').text()).toBe('Étiquette « élu » retirée.')
  })

  it('says why an empty or too long tag is not added, and sends nothing', async () => {
    const w = await openDetail(['agent'])
    expect(panel(w).text()).toContain('Aucune étiquette.')
    await w.find('[data-testid="tags-panel"] form').trigger('submit')
    await flushPromises()
    expect(panel(w).find('[role="alert"]').text()).toBe('Saisissez une étiquette.')
    await w.find('#tag-add').setValue('x'.repeat(41))
    await w.find('[data-testid="tags-panel"] form').trigger('submit')
    await flushPromises()
    expect(panel(w).find('[role="alert"]').text()).toMatch(/au plus 40 caractères/)
    expect(w.find('#tag-add').attributes('aria-invalid')).toBe('true')
    expect(callsTo('request.tag')).toEqual([])
  })

  it('a refusal by the core is said in words', async () => {
    const w = await openDetail(['agent'], { tags: ['presse'] })
    answer('request.tag', () => {
      throw new ApiError('invalid_input', 'Une demande porte au plus 20 étiquettes.')
    })
    await w.find('#tag-add').setValue('élu')
    await w.find('[data-testid="tags-panel"] form').trigger('submit')
    await flushPromises()
    expect(panel(w).find('[role="alert"]').exists()).toBe(true)
    expect(chips(w)).toEqual(['presse'])
  })

  it('a role that may not change requests sees the tags, and nothing to change them', async () => {
    const w = await openDetail(['dpo'], { tags: ['presse'] })
    expect(chips(w)).toEqual(['presse'])
    expect(panel(w).find('form').exists()).toBe(false)
    expect(panel(w).findAll('button')).toHaveLength(0)
  })
})

describe('tags in a queue row', () => {
  it('are compact text, with nothing to focus inside the row', () => {
    const w = mount(TagChips, {
      props: { tags: ['presse', 'élu'], compact: true },
      global: { plugins: [createAppI18n('fr')] },
    })
    expect(w.findAll('.chip').map((c) => c.text())).toEqual(['presse', 'élu'])
    expect(w.findAll('button, input, a')).toHaveLength(0)
    w.unmount()
  })
})

describe('the bulk action « Étiquettes »', () => {
  async function mountBulk(roles: Role[] = ['lead']) {
    const Host = defineComponent({
      setup: () => () => h(BulkActions, { ids: ['r1', 'r2', 'r3'], teamIds: ['team-roads'] }),
    })
    wrapper = mountWithApp(Host, sessionFor(roles))
    await useReferenceStore().load()
    await flushPromises()
    return wrapper
  }

  it('adds a tag to the selection after confirmation, in one call, and lists the refused requests', async () => {
    answer('requests.bulkTag', () => ({
      done: ['r1', 'r2'],
      refused: [
        {
          id: 'r3',
          reference: 'GRC-2026-000003',
          code: 'invalid_input',
          reason: 'Une demande porte au plus 20 étiquettes.',
        },
      ],
    }))
    const w = await mountBulk()
    await w.find('#bulk-tag').setValue('presse')
    await w.find('form.bulk-tags').trigger('submit')
    await flushPromises()
    expect(w.find('#bulk-confirm-question').text()).toBe(
      'Confirmer : ajouter l’étiquette « presse » à 3 demandes ?',
    )
    expect(callsTo('requests.bulkTag')).toEqual([])
    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()
    expect(callsTo('requests.bulkTag')).toEqual([{ ids: ['r1', 'r2', 'r3'], add: ['presse'], remove: [] }])
    expect(w.find('[data-testid="bulk-status"]').text()).toContain('Étiquette « presse » sur 2 demandes')
    expect(w.find('ul.refused').text()).toContain('GRC-2026-000003')
    expect(w.find('ul.refused').text()).toContain('au plus 20 étiquettes')
  })

  it('removes a tag, and says when none is typed', async () => {
    answer('requests.bulkTag', ({ ids }) => ({ done: ids, refused: [] }))
    const w = await mountBulk()
    await w.find('form.bulk-tags').trigger('submit')
    await flushPromises()
    expect(w.find('#bulk-tag-invalid').text()).toBe(
      'Saisissez l’étiquette à ajouter ou à retirer avant de valider.',
    )
    const mode = controlLabelled(w, 'Action sur les étiquettes') as HTMLSelectElement
    mode.value = 'remove'
    await w.find('#bulk-tag-mode').trigger('change')
    await w.find('#bulk-tag').setValue('hiver 2026')
    await w.find('form.bulk-tags').trigger('submit')
    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()
    expect(callsTo('requests.bulkTag')).toEqual([
      { ids: ['r1', 'r2', 'r3'], add: [], remove: ['hiver 2026'] },
    ])
    expect(w.find('[data-testid="bulk-status"]').text()).toContain(
      'Étiquette « hiver 2026 » retirée de 3 demandes',
    )
  })

  it('sets the priority of the selection in one call', async () => {
    answer('requests.bulkPriority', ({ ids }) => ({ done: ids, refused: [] }))
    const w = await mountBulk()
    const select = controlLabelled(w, 'Nouvelle priorité') as HTMLSelectElement
    select.value = 'urgent'
    await w.find('#bulk-priority').trigger('change')
    await w.find('form.bulk-choice.bulk-priority').trigger('submit')
    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()
    expect(callsTo('requests.bulkPriority')).toEqual([{ ids: ['r1', 'r2', 'r3'], priority: 'urgent' }])
    expect(callsTo('request.update')).toEqual([])
  })

  it('is not offered to a role that may not change requests', async () => {
    const w = await mountBulk(['dpo'])
    expect(w.find('form.bulk-tags').exists()).toBe(false)
  })
})
