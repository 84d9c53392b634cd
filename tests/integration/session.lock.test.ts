/**
 * The idle lock: after `auth.idleLockMinutes` without the agent typing or clicking, the
 * session locks; only unlock (with the same password) or logout go through meanwhile.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openTestCore, type TestCore } from '../support/core'

let t: TestCore
afterEach(async () => t?.close())

describe('idle lock', () => {
  it('locks after 15 idle minutes, refuses work, and unlocks with the password only', async () => {
    let now = Date.UTC(2026, 10, 30, 8, 0)
    t = await openTestCore({ requests: 50, now: () => now })
    const locks: boolean[] = []
    t.core.on('session.changed', ({ session }) => locks.push(session?.locked === true))
    await t.as('zoe.agent')
    expect((await t.call('queue.list', {})).ok).toBe(true)

    // Background refreshes are not activity: only the agent's input (session.activity) is.
    now += 10 * 60_000
    await t.value('session.activity', {})
    now += 14 * 60_000
    expect((await t.call('queue.list', {})).ok).toBe(true)
    now += 2 * 60_000
    const refused = await t.call('queue.list', {})
    expect(refused.ok).toBe(false)
    if (!refused.ok) expect(refused.error.code).toBe('session_locked')
    expect(locks.at(-1)).toBe(true)
    expect((await t.value('session.current', {}))?.locked).toBe(true)
    // Activity does not unlock.
    expect((await t.call('session.activity', {})).ok).toBe(false)
    expect((await t.call('request.get', { id: 'x' })).ok).toBe(false)

    const wrong = await t.call('session.unlock', { password: 'pas-le-bon' })
    expect(wrong.ok).toBe(false)
    if (!wrong.ok) expect(wrong.error.code).toBe('bad_credentials')
    expect((await t.value('session.unlock', { password: 'demo' })).locked).toBeFalsy()
    expect((await t.call('queue.list', {})).ok).toBe(true)
    expect(locks.at(-1)).toBe(false)
  })

  it('logout works while locked and forgets the session', async () => {
    let now = Date.UTC(2026, 10, 30, 8, 0)
    t = await openTestCore({ requests: 10, now: () => now })
    await t.as('luc.lead')
    now += 16 * 60_000
    expect((await t.call('queue.list', {})).ok).toBe(false)
    await t.value('session.logout', {})
    expect(await t.value('session.current', {})).toBeNull()
  })
})

describe('idle lock on a timer', () => {
  it('locks by itself when nobody calls the core, and says so', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      t = await openTestCore({ requests: 10, now: () => Date.now() })
      const locks: boolean[] = []
      t.core.on('session.changed', ({ session }) => locks.push(session?.locked === true))
      await t.as('zoe.agent')
      expect(locks.at(-1)).toBe(false)
      // Nothing calls the core for 16 minutes: the screen must not stay open unattended.
      await vi.advanceTimersByTimeAsync(16 * 60_000)
      expect(locks.at(-1)).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })
})
