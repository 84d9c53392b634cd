import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useSessionStore } from '../../../src/renderer/stores/session'
import ShellView from '../../../src/renderer/views/ShellView.vue'
import { answer, callsTo, emit, resetFakeApi } from './support/fakeApi'
import { reference, sessionFor, summaries } from './support/fixtures'
import { mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const START = new Date('2026-03-02T09:00:00.000Z').getTime()
const zoe = sessionFor(['agent'])
let wrapper: VueWrapper | null = null

beforeEach(() => {
  resetFakeApi()
  // Only the clock is faked: promises and the DOM run as usual.
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(START)
  answer('reference.get', () => reference)
  answer('views.list', () => [])
  answer('queue.counts', () => ({ byStatus: { new: 3 }, total: 3, overdue: 0 }))
  answer('queue.list', () => ({ rows: summaries(3), nextCursor: null }))
  answer('session.activity', () => ({}))
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.useRealTimers()
})

async function mountShell() {
  wrapper = mountWithApp(ShellView, zoe)
  await flushPromises()
}

const at = (seconds: number) => vi.setSystemTime(START + seconds * 1000)
const key = () => document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true }))
const pointer = () => document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }))
const wheel = () => document.body.dispatchEvent(new Event('wheel', { bubbles: true }))
const pings = () => callsTo('session.activity').length

describe('activity sent to the idle lock', () => {
  it('tells the core at most once a minute that the agent is at work', async () => {
    await mountShell()
    expect(pings()).toBe(0)
    key()
    at(10)
    key()
    expect(pings()).toBe(1)
    at(61)
    key()
    expect(pings()).toBe(2)
    at(100)
    key()
    expect(pings()).toBe(2)
  })

  it('counts clicks and scrolling, not only keys', async () => {
    await mountShell()
    pointer()
    expect(pings()).toBe(1)
    at(61)
    wheel()
    expect(pings()).toBe(2)
  })

  it('counts keys typed in a dialog that keeps them to itself', async () => {
    await mountShell()
    const dialog = document.createElement('div')
    dialog.addEventListener('keydown', (event) => event.stopPropagation())
    document.querySelector('.shell')!.append(dialog)
    dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }))
    expect(pings()).toBe(1)
  })

  it('says nothing while the session is locked, and starts again once unlocked', async () => {
    await mountShell()
    const stop = useSessionStore().listen()
    emit('session.changed', { session: { ...zoe, locked: true } })
    await flushPromises()
    key()
    at(120)
    pointer()
    expect(pings()).toBe(0)
    emit('session.changed', { session: zoe })
    await flushPromises()
    key()
    expect(pings()).toBe(1)
    stop()
  })

  it('stops listening once the shell is gone', async () => {
    await mountShell()
    wrapper!.unmount()
    wrapper = null
    key()
    expect(pings()).toBe(0)
  })
})
