/** The update banner: shown once a version is downloaded, the restart refused while changes wait. */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import UpdateBanner from '../../../src/renderer/components/UpdateBanner.vue'
import type { UpdateStatus } from '../../../src/shared/channels/update'
import { sessionFor } from './support/fixtures'
import { mountWithApp } from './support/mount'
import { ApiError, answer, callsTo, emit, resetFakeApi } from './support/fakeApi'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const status = (over: Partial<UpdateStatus>): UpdateStatus => ({
  state: 'up_to_date',
  currentVersion: '1.4.2',
  channel: 'stable',
  version: null,
  checkedAt: null,
  error: null,
  pendingChanges: 0,
  canInstall: true,
  ...over,
})

let wrapper: VueWrapper | null = null
beforeEach(() => resetFakeApi())
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function mountBanner(initial: UpdateStatus) {
  answer('update.status', () => initial)
  wrapper = mountWithApp(UpdateBanner, sessionFor(['agent']))
  await flushPromises()
  return wrapper
}

describe('the update banner', () => {
  it('stays hidden until a version is downloaded, then offers the restart', async () => {
    const w = await mountBanner(status({ state: 'available', version: '1.5.0' }))
    expect(w.find('[role="status"]').exists()).toBe(false)
    emit('update.changed', status({ state: 'ready', version: '1.5.0' }))
    await flushPromises()
    expect(w.find('[role="status"]').text()).toContain('la version 1.5.0 sera installée au redémarrage')
    expect(w.find('button').attributes('aria-label')).toBe(
      'Redémarrer la console pour installer la version 1.5.0',
    )
  })

  it('says the restart waits for pending changes, with the core’s reason when refused', async () => {
    const w = await mountBanner(status({ state: 'ready', version: '1.5.0', pendingChanges: 2 }))
    expect(w.text()).toContain('après l’envoi de vos 2 modifications en attente')
    answer('update.restart', () => {
      throw new ApiError(
        'changes_pending',
        '2 modifications attendent d’être envoyées au serveur : la mise à jour sera installée après leur envoi.',
      )
    })
    await w.find('button').trigger('click')
    await flushPromises()
    expect(callsTo('update.restart')).toHaveLength(1)
    expect(w.find('[role="alert"]').text()).toMatch(/^2 modifications attendent/)
  })

  it('is not shown where the console cannot install (a browser session)', async () => {
    const w = await mountBanner(status({ state: 'ready', version: '1.5.0', canInstall: false }))
    expect(w.find('[role="status"]').exists()).toBe(false)
  })
})
