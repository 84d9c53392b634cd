/**
 * A supervisor types the e-mail or number a citizen gives on the phone: the queue's search
 * finds nothing (contact details are not in the cache), and the empty state offers to find
 * the citizen on the server, only when the core says the session may; the citizen's
 * requests are listed and open in the detail.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useQueueStore } from '../../../src/renderer/stores/queue'
import ShellView from '../../../src/renderer/views/ShellView.vue'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { detailOf, reference, sessionFor, transitions } from './support/fixtures'
import { buttonNamed, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null

beforeEach(() => {
  resetFakeApi()
  answer('reference.get', () => reference)
  answer('views.list', () => [])
  answer('queue.counts', () => ({ byStatus: {}, total: 0, overdue: 0 }))
  answer('queue.list', () => ({ rows: [], nextCursor: null }))
  answer('request.get', ({ id }) => detailOf({ id }))
  answer('request.history', () => [])
  answer('request.comments', () => [])
  answer('request.transitions', () => transitions)
  answer('request.citizen', () => null)
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

const supervisor = { ...sessionFor(['supervisor'], []), looksUpCitizens: true }

async function searchFor(session: typeof supervisor, text: string) {
  wrapper = mountWithApp(ShellView, session)
  await flushPromises()
  useQueueStore().setText(text, true)
  await flushPromises()
  return wrapper
}

const lookupButtons = (w: VueWrapper) => w.findAll('button').filter((b) => /Chercher l’usager/.test(b.text()))

describe('finding a citizen by e-mail or phone from the queue', () => {
  it('offers the lookup for a whole e-mail to a session the core allows, and lists the requests found', async () => {
    answer('privacy.lookup', () => ({
      kind: 'email',
      matches: [
        {
          citizenId: 'cit-1',
          name: 'Anatole Verhaeghe',
          requests: [detailOf({ id: 'req-7', reference: 'GRC-2026-000007', title: 'Trou devant le 5' })],
          notCached: 1,
        },
      ],
    }))
    const w = await searchFor(supervisor, 'anatole.verhaeghe@example.org')
    await buttonNamed(w, 'Chercher l’usager qui a cette adresse e-mail').trigger('click')
    await flushPromises()
    expect(callsTo('privacy.lookup')).toEqual([{ q: 'anatole.verhaeghe@example.org' }])
    const match = w.find('[data-testid="lookup-match"]')
    expect(match.text()).toContain('Anatole Verhaeghe — 2 demandes')
    expect(match.text()).toContain('GRC-2026-000007')
    expect(match.text()).toContain('1 autre demande pas encore synchronisée sur ce poste.')
    await match.find('button').trigger('click')
    await flushPromises()
    expect(callsTo('request.get').map((c) => c.id)).toContain('req-7')
  })

  it('says plainly when nobody has that number', async () => {
    answer('privacy.lookup', () => ({ kind: 'phone', matches: [] }))
    const w = await searchFor(supervisor, '06 48 27 91 35')
    await buttonNamed(w, 'Chercher l’usager qui a ce numéro').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid="lookup-none"]').text()).toBe('Aucun usager n’a exactement ce numéro.')
  })

  it('shows the refusal the core gives', async () => {
    answer('privacy.lookup', () => {
      throw Object.assign(new Error('Le serveur est injoignable.'), { code: 'server_unavailable' })
    })
    const w = await searchFor(supervisor, '06 48 27 91 35')
    await buttonNamed(w, 'Chercher l’usager qui a ce numéro').trigger('click')
    await flushPromises()
    expect(w.find('[role="alert"]').exists()).toBe(true)
  })

  it('offers nothing for words, nor to a session the core does not allow', async () => {
    let w = await searchFor(supervisor, 'Verhaeghe')
    expect(lookupButtons(w)).toHaveLength(0)
    w.unmount()
    w = await searchFor({ ...sessionFor(['agent']), looksUpCitizens: false }, 'anatole.verhaeghe@example.org')
    expect(w.find('[data-testid="queue-empty"]').exists()).toBe(true)
    expect(lookupButtons(w)).toHaveLength(0)
    expect(callsTo('privacy.lookup')).toHaveLength(0)
  })
})
