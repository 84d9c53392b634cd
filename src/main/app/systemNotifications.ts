/**
 * The system's notifications for the agent's new notifications (issue 15), kept thin: the
 * core produces and stores them (src/main/notifications); this only shows the new ones
 * through Electron's `Notification` while the window is not in front (in front, the bell
 * says it), and a click brings the window forward and opens the request there.
 *
 * Electron hands each notification to the system's notification centre (Windows' Action
 * Center, macOS' Notification Center, the desktop's notification daemon on Linux), which
 * applies the user's « Ne pas déranger » / Focus assist itself: nothing is checked here.
 *
 * The text carries the reference and the kind only: no name, no words of the request
 * (the screen may be seen by others, and the system keeps a history of notifications).
 */
import { Notification } from 'electron'
import type { AppConfig } from '../../core/config'
import type { AgentNotification, NotificationList } from '../../shared/channels/notifications'
import type { ConsoleCore } from '../console'

/** The window as this needs it (Electron's BrowserWindow). */
export interface NotifiedWindow {
  isDestroyed(): boolean
  isFocused(): boolean
  isMinimized(): boolean
  restore(): void
  show(): void
  focus(): void
}

/** More new ones than this at once: one notification says how many. */
const MAX_AT_ONCE = 3

const WORDS = {
  fr: {
    title: 'GRC Console',
    assigned: 'vous a été attribuée',
    sla_soon: 'approche de son délai',
    conflict: 'conflit à régler',
    mention: 'vous êtes mentionné',
    many: (n: number) => `${n} nouvelles notifications`,
  },
  en: {
    title: 'GRC Console',
    assigned: 'assigned to you',
    sla_soon: 'deadline approaching',
    conflict: 'conflict to settle',
    mention: 'you were mentioned',
    many: (n: number) => `${n} new notifications`,
  },
} as const

export function showSystemNotifications(
  core: Pick<ConsoleCore, 'invoke' | 'on'>,
  window: () => NotifiedWindow | null,
  config: Pick<AppConfig, 'consoleNotifications' | 'ui'>,
  log: (where: string, error: unknown) => void = () => {},
): () => void {
  // IT turned them off on this workstation: the bell alone says it.
  if (config.consoleNotifications?.system === false) return () => {}
  const words = WORDS[config.ui?.language === 'en' ? 'en' : 'fr']
  /** The newest notification already known: those before the window saw are not news. */
  let known: number | null = null

  const bringForward = () => {
    const w = window()
    if (!w || w.isDestroyed()) return
    if (w.isMinimized()) w.restore()
    w.show()
    w.focus()
  }

  const show = (body: string, onClick: () => void) => {
    if (!Notification.isSupported()) return
    const n = new Notification({ title: words.title, body })
    n.on('click', onClick)
    n.show()
  }

  const announce = (fresh: AgentNotification[]) => {
    const w = window()
    // In front: the bell's count changes under the agent's eyes.
    if (!w || w.isDestroyed() || w.isFocused()) return
    if (fresh.length > MAX_AT_ONCE) return show(words.many(fresh.length), bringForward)
    for (const n of fresh)
      show(`${n.reference} · ${words[n.kind]}`, () => {
        bringForward()
        core
          .invoke('notifications.openFromSystem', { id: n.id })
          .catch((e: unknown) => log('notifications', e))
      })
  }

  const offChanged = core.on('notifications.changed', () => {
    void core
      .invoke('notifications.list', {})
      .then((result) => {
        if (!result.ok) return
        const { items } = result.value as NotificationList
        const newest = items[0]?.id ?? 0
        const fresh = known === null ? [] : items.filter((n) => n.id > known! && n.readAt === null)
        known = Math.max(known ?? 0, newest)
        if (fresh.length > 0) announce(fresh.reverse())
      })
      .catch((e: unknown) => log('notifications', e))
  })
  // Another agent, or the same after a logout: their own history starts over.
  const offSession = core.on('session.changed', ({ session }) => {
    known = null
    if (session)
      void core
        .invoke('notifications.list', {})
        .then((result) => {
          if (result.ok && known === null) known = (result.value as NotificationList).items[0]?.id ?? 0
        })
        .catch((e: unknown) => log('notifications', e))
  })
  return () => {
    offChanged()
    offSession()
  }
}
