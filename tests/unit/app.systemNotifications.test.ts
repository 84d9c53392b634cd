/**
 * The system's notifications (Electron seam, faked): the new ones only, only while the
 * window is not in front, with the reference and the kind and nothing else; a click brings
 * the window forward and asks the core to open the request.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { AgentNotification } from '../../src/shared/channels/notifications'
import { AppConfigSchema } from '../../src/core/config'

class FakeNotification {
  static shown: FakeNotification[] = []
  static supported = true
  static isSupported() {
    return FakeNotification.supported
  }
  readonly clicks: Array<() => void> = []
  constructor(readonly options: { title: string; body: string }) {}
  on(event: string, cb: () => void) {
    if (event === 'click') this.clicks.push(cb)
    return this
  }
  show() {
    FakeNotification.shown.push(this)
  }
}
vi.mock('electron', () => ({ Notification: FakeNotification }))

const { showSystemNotifications } = await import('../../src/main/app/systemNotifications')

type Listener = (payload: never) => void
function fakeCore(items: () => AgentNotification[]) {
  const listeners = new Map<string, Listener[]>()
  const invoked: Array<[string, unknown]> = []
  return {
    invoked,
    on: (event: string, cb: Listener) => {
      listeners.set(event, [...(listeners.get(event) ?? []), cb])
      return () => {}
    },
    invoke: async (channel: unknown, input: unknown) => {
      invoked.push([channel as string, input])
      if (channel === 'notifications.list') {
        const list = items()
        return { ok: true as const, value: { items: list, unread: list.filter((n) => !n.readAt).length } }
      }
      return { ok: true as const, value: {} }
    },
    emit: async (event: string, payload: unknown) => {
      for (const cb of listeners.get(event) ?? []) cb(payload as never)
      await new Promise((r) => setTimeout(r, 0))
    },
  }
}

const notification = (id: number, kind: AgentNotification['kind']): AgentNotification => ({
  id,
  kind,
  requestId: `req-${id}`,
  reference: `GRC-2026-00000${id}`,
  actorName: 'Luc Henrion',
  minutesLeft: kind === 'sla_soon' ? 45 : null,
  conflictKind: null,
  createdAt: new Date().toISOString(),
  readAt: null,
})

function fakeWindow(focused: boolean) {
  return {
    focused,
    minimized: true,
    calls: [] as string[],
    isDestroyed: () => false,
    isFocused() {
      return this.focused
    },
    isMinimized() {
      return this.minimized
    },
    restore() {
      this.calls.push('restore')
    },
    show() {
      this.calls.push('show')
    },
    focus() {
      this.calls.push('focus')
    },
  }
}

const config = AppConfigSchema.parse({})
const session = { session: { login: 'zoe.agent' } }

beforeEach(() => {
  FakeNotification.shown = []
  FakeNotification.supported = true
})

describe('system notifications', () => {
  it('shows only what arrived after login, while the window is not in front, without names', async () => {
    let items = [notification(1, 'assigned')]
    const core = fakeCore(() => items)
    const win = fakeWindow(false)
    showSystemNotifications(core, () => win, config)
    await core.emit('session.changed', session)
    await core.emit('notifications.changed', {})
    expect(FakeNotification.shown).toHaveLength(0)

    items = [notification(3, 'mention'), notification(2, 'sla_soon'), ...items]
    await core.emit('notifications.changed', {})
    expect(FakeNotification.shown.map((n) => n.options)).toEqual([
      { title: 'GRC Console', body: 'GRC-2026-000002 · approche de son délai' },
      { title: 'GRC Console', body: 'GRC-2026-000003 · vous êtes mentionné' },
    ])
    expect(JSON.stringify(FakeNotification.shown.map((n) => n.options))).not.toContain('Luc')

    // A click: the window comes forward and the core is asked to open the request.
    FakeNotification.shown[1]!.clicks[0]!()
    await new Promise((r) => setTimeout(r, 0))
    expect(win.calls).toEqual(['restore', 'show', 'focus'])
    expect(core.invoked.at(-1)).toEqual(['notifications.openFromSystem', { id: 3 }])
  })

  it('says nothing while the window is in front (the bell does), nor when IT turned them off', async () => {
    let items: AgentNotification[] = []
    const core = fakeCore(() => items)
    const win = fakeWindow(true)
    showSystemNotifications(core, () => win, config)
    await core.emit('session.changed', session)
    items = [notification(1, 'assigned')]
    await core.emit('notifications.changed', {})
    expect(FakeNotification.shown).toHaveLength(0)

    const off = fakeCore(() => items)
    showSystemNotifications(
      off,
      () => fakeWindow(false),
      AppConfigSchema.parse({ consoleNotifications: { system: false } }),
    )
    await off.emit('session.changed', session)
    items = [notification(2, 'assigned'), ...items]
    await off.emit('notifications.changed', {})
    expect(FakeNotification.shown).toHaveLength(0)
    expect(off.invoked).toEqual([])
  })

  it('many at once: one notification says how many', async () => {
    let items: AgentNotification[] = []
    const core = fakeCore(() => items)
    showSystemNotifications(core, () => fakeWindow(false), config)
    await core.emit('session.changed', session)
    items = [5, 4, 3, 2, 1].map((id) => notification(id, 'conflict'))
    await core.emit('notifications.changed', {})
    expect(FakeNotification.shown.map((n) => n.options.body)).toEqual(['5 nouvelles notifications'])
  })
})
