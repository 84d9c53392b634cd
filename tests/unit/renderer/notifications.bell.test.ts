/**
 * The bell and its panel, and the switches in « Paramètres », against a fake core that keeps
 * notifications as the real one answers them: the words a user reads, the unread count in
 * the bell's name, a click opening the request and marking it read.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type {
  AgentNotification,
  NotificationList,
  NotificationSettings,
} from '../../../src/shared/channels/notifications'
import NotificationBell from '../../../src/renderer/components/notifications/NotificationBell.vue'
import NotificationSettingsSection from '../../../src/renderer/components/notifications/NotificationSettings.vue'
import { ApiError } from '../../../src/renderer/apiError'
import { answer, callsTo, emit, resetFakeApi } from './support/fakeApi'
import { sessionFor } from './support/fixtures'
import { accessibleName, allByRole, byRole, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null
let kept: AgentNotification[] = []
let toOpen: string | null = null

// Five and a half minutes ago: « il y a 5 minutes » whatever the clock's minute tick.
const at = new Date(Date.now() - 330_000).toISOString()
const notification = (id: number, fields: Partial<AgentNotification>): AgentNotification => ({
  id,
  kind: 'assigned',
  requestId: `req-${id}`,
  reference: `GRC-2026-00012${id}`,
  actorName: null,
  minutesLeft: null,
  conflictKind: null,
  createdAt: at,
  readAt: null,
  ...fields,
})

const listed = (): NotificationList => ({
  items: [...kept].sort((a, b) => b.id - a.id),
  unread: kept.filter((n) => n.readAt === null).length,
})

beforeEach(() => {
  resetFakeApi()
  kept = [
    notification(1, { kind: 'assigned', actorName: 'Luc Henrion' }),
    notification(2, { kind: 'sla_soon', minutesLeft: 90 }),
    notification(3, { kind: 'conflict', conflictKind: 'conflict' }),
    notification(4, { kind: 'mention', actorName: 'Luc Henrion', readAt: at }),
  ]
  toOpen = null
  answer('notifications.list', listed)
  answer('notifications.markRead', (input) => {
    const now = new Date().toISOString()
    kept = kept.map((n) =>
      ('all' in input || n.id === input.id) && n.readAt === null ? { ...n, readAt: now } : n,
    )
    return listed()
  })
  answer('notifications.takeOpenRequest', () => {
    const requestId = toOpen
    toOpen = null
    return { requestId }
  })
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

const bell = () =>
  allByRole(document.body, 'button').find((b) => accessibleName(b).startsWith('Notifications'))!

async function mountBell() {
  wrapper = mountWithApp(NotificationBell, sessionFor(['agent']))
  await flushPromises()
}

async function openPanel() {
  bell().click()
  await flushPromises()
  return byRole('dialog', 'Notifications')
}

describe('the notification bell', () => {
  it('names the unread count and lists each notification in words, newest first', async () => {
    await mountBell()
    expect(accessibleName(bell())).toBe('Notifications, 3 non lues')
    expect(bell().getAttribute('aria-expanded')).toBe('false')
    const panel = await openPanel()
    expect(bell().getAttribute('aria-expanded')).toBe('true')
    const lines = [...panel.querySelectorAll('li')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim())
    expect(lines).toEqual([
      'Luc Henrion vous a mentionné dans la demande GRC-2026-000124 il y a 5 minutes',
      'Conflit sur la demande GRC-2026-000123 : votre modification attend votre choix non lue · il y a 5 minutes',
      'Demande GRC-2026-000122 dépasse son délai dans 1 h 30 ouvrées non lue · il y a 5 minutes',
      'Demande GRC-2026-000121 vous a été attribuée par Luc Henrion non lue · il y a 5 minutes',
    ])
  })

  it('closes on Escape or a click elsewhere, and the bell says it is closed', async () => {
    await mountBell()
    const panel = await openPanel()
    panel.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()
    expect(document.querySelector('[role="dialog"]')).toBeNull()
    await openPanel()
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }))
    await flushPromises()
    expect(document.querySelector('[role="dialog"]')).toBeNull()
    expect(bell().getAttribute('aria-expanded')).toBe('false')
  })

  it('a click opens the request and marks that one read', async () => {
    await mountBell()
    const panel = await openPanel()
    const item = allByRole(panel, 'button').find((b) => b.textContent!.includes('GRC-2026-000121'))!
    item.click()
    await flushPromises()
    expect(callsTo('notifications.markRead')).toEqual([{ id: 1 }])
    expect(callsTo('request.get')).toEqual([{ id: 'req-1' }])
    expect(accessibleName(bell())).toBe('Notifications, 2 non lues')
    expect(document.querySelector('[role="dialog"]')).toBeNull()
  })

  it('« Tout marquer comme lu » reads them all in one call', async () => {
    await mountBell()
    const panel = await openPanel()
    byRole('button', 'Tout marquer comme lu', panel).click()
    await flushPromises()
    expect(callsTo('notifications.markRead')).toEqual([{ all: true }])
    expect(accessibleName(bell())).toBe('Notifications, aucune non lue')
    expect((byRole('button', 'Tout marquer comme lu', panel) as HTMLButtonElement).disabled).toBe(true)
  })

  it('follows the core: a new notification shows, a system notification clicked opens its request', async () => {
    await mountBell()
    kept.push(notification(5, { kind: 'assigned', actorName: 'Sara Lefèvre' }))
    toOpen = 'req-5'
    emit('notifications.changed', {})
    await flushPromises()
    expect(accessibleName(bell())).toBe('Notifications, 4 non lues')
    expect(callsTo('request.get')).toEqual([{ id: 'req-5' }])
  })
})

describe('notification settings', () => {
  const settings = (): NotificationSettings => ({
    kinds: [
      { kind: 'assigned', chosen: true, forcedOff: false },
      { kind: 'sla_soon', chosen: true, forcedOff: true },
      { kind: 'conflict', chosen: false, forcedOff: false },
      { kind: 'mention', chosen: true, forcedOff: false },
    ],
    slaSoonMinutes: 120,
    system: true,
  })

  it('one switch per kind; a kind IT turned off is disabled with the reason; a change is one call', async () => {
    answer('notifications.settings', settings)
    answer('notifications.setEnabled', ({ kind, enabled }) => {
      const s = settings()
      return { ...s, kinds: s.kinds.map((k) => (k.kind === kind ? { ...k, chosen: enabled } : k)) }
    })
    wrapper = mountWithApp(NotificationSettingsSection, sessionFor(['agent']))
    await flushPromises()
    const checkbox = (name: string) =>
      document.getElementById(
        [...document.querySelectorAll('label')]
          .find((l) => l.textContent!.trim() === name)!
          .getAttribute('for')!,
      ) as HTMLInputElement
    const sla = checkbox('Une de mes demandes ouvertes arrive à moins de 2 h ouvrées de son délai')
    expect(sla.disabled).toBe(true)
    expect(sla.checked).toBe(false)
    expect(document.getElementById(sla.getAttribute('aria-describedby')!)!.textContent).toContain(
      'Désactivé par le service informatique',
    )
    const mention = checkbox('Quelqu’un me mentionne dans un commentaire (@identifiant)')
    expect(mention.checked).toBe(true)
    mention.click()
    await flushPromises()
    expect(callsTo('notifications.setEnabled')).toEqual([{ kind: 'mention', enabled: false }])
    expect(checkbox('Quelqu’un me mentionne dans un commentaire (@identifiant)').checked).toBe(false)
  })

  it('says why when the settings cannot be read', async () => {
    answer('notifications.settings', () => {
      throw new ApiError('internal', 'boom')
    })
    wrapper = mountWithApp(NotificationSettingsSection, sessionFor(['agent']))
    await flushPromises()
    expect(byRole('alert').textContent).toContain('Vos réglages de notifications n’ont pas pu être lus')
  })
})
