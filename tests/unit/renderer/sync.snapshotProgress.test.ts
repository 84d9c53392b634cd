/**
 * The top bar during a first download by snapshot (issue 16): the requests in, the
 * megabytes received and the time left, then the indexes being built; in both languages.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SyncStatus } from '../../../src/shared/sync'
import TopBar from '../../../src/renderer/components/TopBar.vue'
import { useSyncStore } from '../../../src/renderer/stores/sync'
import { answer, emit, resetFakeApi } from './support/fakeApi'
import { sessionFor, syncStatus } from './support/fixtures'
import { allByRole, byRole, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null
let stopListening: (() => void) | null = null

beforeEach(() => resetFakeApi())
afterEach(() => {
  stopListening?.()
  wrapper?.unmount()
  wrapper = null
})

async function mountTopBar(initial: SyncStatus) {
  answer('sync.status', () => initial)
  wrapper = mountWithApp(TopBar, sessionFor(['agent']))
  const sync = useSyncStore()
  await sync.load()
  stopListening = sync.listen()
  await flushPromises()
}

const syncText = () => byRole('group', 'Synchronisation avec le serveur').textContent!.replace(/\s+/g, ' ')

async function push(status: SyncStatus) {
  emit('sync.changed', status)
  await flushPromises()
}

describe('first download by snapshot in the top bar', () => {
  it('shows the rows, the megabytes received and the time left, then the indexing', async () => {
    await mountTopBar(
      syncStatus({
        state: 'syncing',
        initial: { done: 120_000, total: 500_000, phase: 'snapshot', bytes: 48_300_000, etaSeconds: 20 },
      }),
    )
    const bar = byRole('progressbar', 'Téléchargement initial des demandes')
    expect(bar.getAttribute('value')).toBe('120000')
    expect(bar.getAttribute('max')).toBe('500000')
    expect(syncText()).toContain(
      '120 000 sur 500 000 demandes, avec historiques et notes (48,3 Mo reçus), encore environ 20 s',
    )

    await push(
      syncStatus({
        state: 'syncing',
        initial: { done: 300_000, total: 500_000, phase: 'snapshot', bytes: 120_000_000, etaSeconds: 600 },
      }),
    )
    expect(syncText()).toContain('(120 Mo reçus), encore environ 10 min')

    // Before the pace is known, no time is said.
    await push(
      syncStatus({
        state: 'syncing',
        initial: { done: 0, total: 500_000, phase: 'snapshot', bytes: 0, etaSeconds: null },
      }),
    )
    expect(syncText()).not.toContain('encore environ')

    await push(
      syncStatus({ state: 'syncing', initial: { done: 500_000, total: 500_000, phase: 'indexing' } }),
    )
    expect(syncText()).toContain('Préparation de la recherche et de la carte pour 500 000 demandes')

    await push(syncStatus({ initial: null }))
    expect(allByRole(document.body, 'progressbar')).toEqual([])
  })
})
