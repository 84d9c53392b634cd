/**
 * Counts while searching a very common word (issue 16): the core counts the 10 000 most
 * recent matches and says so (`capped`); the counts bar must not pass a lower bound off as
 * a count. The total reads « plus de 10 000 », each status and the overdue count « n+ », a
 * note says why, and the list no longer claims a size. Without the flag, plain numbers.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import ShellView from '../../../src/renderer/views/ShellView.vue'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { reference, sessionFor, summaries } from './support/fixtures'
import { mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null

const plain = { byStatus: { new: 1240, assigned: 88 }, total: 1328, overdue: 12 }
const capped = { byStatus: { new: 6100, assigned: 3900 }, total: 10_000, overdue: 412, capped: true as const }

beforeEach(() => {
  resetFakeApi()
  answer('reference.get', () => reference)
  answer('views.list', () => [])
  // Only the search for « trottoir » matches more than the core counts.
  answer('queue.counts', ({ filter }) => (filter?.text === 'trottoir' ? capped : plain))
  answer('queue.list', () => ({ rows: summaries(50), nextCursor: 'more' }))
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

const countsBar = (w: VueWrapper) =>
  w.find('[role="group"][aria-label="Nombre de demandes par statut"]').text().replace(/\s+/g, ' ')

describe('counts bar while searching', () => {
  it('reads a capped search count as « plus de 10 000 », the others as lower bounds, and says why', async () => {
    const w = (wrapper = mountWithApp(ShellView, sessionFor(['agent'])))
    await flushPromises()
    // Before: exact counts, a known list size.
    expect(countsBar(w)).toMatch(/Total 1\s328/)
    expect(countsBar(w)).not.toContain('plus de')
    expect(w.find('[role="option"]').attributes('aria-setsize')).toBe('1328')

    await w.find('input[type="search"]').setValue('trottoir')
    await vi.waitFor(() => expect(callsTo('queue.counts').at(-1)).toEqual({ filter: { text: 'trottoir' } }))
    await flushPromises()
    await vi.waitFor(() => expect(countsBar(w)).toMatch(/Total plus de 10\s000/))
    const bar = countsBar(w)
    expect(bar).toMatch(/Nouveau 6\s100\+/)
    expect(bar).toMatch(/Assigné 3\s900\+/)
    expect(bar).toMatch(/dont en retard 412\+/)
    expect(bar).toMatch(/comptes établis sur les 10\s000 demandes trouvées les plus récentes/)
    // A lower bound is no list size: the list says it does not know.
    expect(w.find('[role="option"]').attributes('aria-setsize')).toBe('-1')
  })
})
