/**
 * Who else is on the open request, as the detail shows it (issue 15): the others' lines in
 * French, read again when the core says they changed for this request (and only then); the
 * agent's own presence reported: viewing on open, editing the field whose control has the
 * focus, left when the request changes or the detail closes.
 */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import type { PresenceOther } from '../../../src/shared/channels/presence'
import PresenceNote from '../../../src/renderer/components/presence/PresenceNote.vue'
import { createAppI18n } from '../../../src/renderer/i18n'
import { answer, callsTo, emit, resetFakeApi } from './support/fakeApi'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const LUC: PresenceOther = {
  agentId: 'agent-luc.lead',
  displayName: 'Luc Henrion',
  activity: 'viewing',
  field: null,
}
let others: Record<string, PresenceOther[]>
let wrapper: VueWrapper | null = null
const openId = ref('r1')

function mountNote(): VueWrapper {
  setActivePinia(createPinia())
  const Host = defineComponent({
    render: () =>
      h('div', [
        h('form', { id: 'request-edit-form' }, [
          h('input', { id: 'edit-title' }),
          h('button', { type: 'button', id: 'save' }, 'Enregistrer'),
        ]),
        h('button', { type: 'button', id: 'elsewhere' }, 'ailleurs'),
        h(PresenceNote, { requestId: openId.value }),
      ]),
  })
  return mount(Host, { global: { plugins: [createAppI18n('fr')] }, attachTo: document.body })
}

beforeEach(() => {
  resetFakeApi()
  openId.value = 'r1'
  others = { r1: [LUC], r2: [] }
  answer('presence.of', ({ requestId }) => ({ others: others[requestId] ?? [] }))
  answer('presence.report', () => ({ sent: true }))
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

const region = () => wrapper!.get('[role="status"]')

describe('presence on the detail', () => {
  it('says who else views the request, in a polite live region, and reports this agent viewing it', async () => {
    wrapper = mountNote()
    await flushPromises()
    expect(region().attributes('aria-live')).toBe('polite')
    expect(region().attributes('aria-label')).toBe('Qui est sur cette demande')
    expect(region().text()).toBe('Luc Henrion consulte cette demande')
    expect(callsTo('presence.report')).toEqual([{ requestId: 'r1', activity: 'viewing', field: null }])
  })

  it('reads again when the core says who is on this request changed, not for another request', async () => {
    wrapper = mountNote()
    await flushPromises()
    const reads = () => callsTo('presence.of').length
    const before = reads()
    emit('presence.changed', { requestId: 'r9' })
    await flushPromises()
    expect(reads()).toBe(before)

    others.r1 = [{ ...LUC, activity: 'editing', field: 'title' }]
    emit('presence.changed', { requestId: 'r1' })
    await flushPromises()
    expect(region().text()).toBe('Luc Henrion modifie le titre')

    others.r1 = []
    emit('presence.changed', { requestId: 'r1' })
    await flushPromises()
    expect(region().text()).toBe('')
  })

  it('reports editing the field whose control has the focus (its form’s buttons too), then viewing again, once each', async () => {
    wrapper = mountNote()
    await flushPromises()
    const focus = (id: string) => (document.getElementById(id) as HTMLElement).focus()
    focus('edit-title')
    // The form's own button: still editing the title.
    focus('save')
    await flushPromises()
    expect(callsTo('presence.report')).toHaveLength(2)
    focus('elsewhere')
    await flushPromises()
    expect(callsTo('presence.report')).toEqual([
      { requestId: 'r1', activity: 'viewing', field: null },
      { requestId: 'r1', activity: 'editing', field: 'title' },
      { requestId: 'r1', activity: 'viewing', field: null },
    ])
  })

  it('tries again soon when the report could not be sent (the stream not open yet), then renews', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval'] })
    try {
      let sent = false
      answer('presence.report', () => ({ sent }))
      wrapper = mountNote()
      await flushPromises()
      expect(callsTo('presence.report')).toHaveLength(1)
      sent = true
      await vi.advanceTimersByTimeAsync(2_000)
      expect(callsTo('presence.report')).toHaveLength(2)
      // Sent: nothing more until the renewal.
      await vi.advanceTimersByTimeAsync(15_000)
      expect(callsTo('presence.report')).toHaveLength(2)
      await vi.advanceTimersByTimeAsync(5_000)
      expect(callsTo('presence.report')).toEqual(
        Array(3).fill({ requestId: 'r1', activity: 'viewing', field: null }),
      )
    } finally {
      vi.useRealTimers()
    }
  })

  it('leaves the request when another opens, and when the detail closes', async () => {
    wrapper = mountNote()
    await flushPromises()
    openId.value = 'r2'
    await flushPromises()
    expect(region().text()).toBe('')
    wrapper.unmount()
    wrapper = null
    expect(callsTo('presence.report').slice(1)).toEqual([
      { requestId: 'r1', activity: 'left', field: null },
      { requestId: 'r2', activity: 'viewing', field: null },
      { requestId: 'r2', activity: 'left', field: null },
    ])
  })
})
