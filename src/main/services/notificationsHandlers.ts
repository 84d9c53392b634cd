/**
 * The notifications channels (src/shared/channels/notifications.ts): the agent's
 * notifications as the producer (src/main/notifications) left them in the cache, read,
 * marked read, and the switches per kind (the agent's, under the workstation's).
 */
import type { Handlers } from '../dispatch'
import {
  NOTIFICATION_KINDS,
  NOTIFICATIONS_PER_LIST,
  type NotificationList,
  type NotificationSettings,
  type notificationsChannels,
} from '../../shared/channels/notifications'
import type { SessionInfo } from '../../shared/contract'
import { CoreError } from '../../shared/result'
import {
  countUnread,
  kindsTurnedOff,
  listNotifications,
  markNotificationsRead,
  notificationRequest,
  setKindEnabled,
} from '../cache/queries/notifications'
import { forcedOff } from '../notifications/producer'
import type { CoreDeps } from './deps'

export type NotificationsHandlers = Pick<Handlers, keyof typeof notificationsChannels>

const iso = (t: number) => new Date(t).toISOString()

export function createNotificationsHandlers(deps: CoreDeps): NotificationsHandlers {
  /** The request a click on a system notification asked to open, until the window takes it. */
  let toOpen: { login: string; requestId: string } | null = null

  const list = (session: SessionInfo): NotificationList => ({
    items: listNotifications(deps.db, session.login, NOTIFICATIONS_PER_LIST).map((n) => ({
      id: n.id,
      kind: n.kind,
      requestId: n.requestId,
      reference: n.reference,
      actorName: n.params.actorName ?? null,
      minutesLeft: n.params.minutesLeft ?? null,
      conflictKind: n.params.conflictKind ?? null,
      createdAt: iso(n.createdAt),
      readAt: n.readAt === null ? null : iso(n.readAt),
    })),
    unread: countUnread(deps.db, session.login),
  })

  const settings = (session: SessionInfo): NotificationSettings => {
    const off = kindsTurnedOff(deps.db, session.login)
    return {
      kinds: NOTIFICATION_KINDS.map((kind) => ({
        kind,
        chosen: !off.has(kind),
        forcedOff: forcedOff(deps.config, kind),
      })),
      slaSoonMinutes: deps.config.consoleNotifications.slaSoonMinutes,
      system: deps.config.consoleNotifications.system,
    }
  }

  return {
    'notifications.list': (_input, { session }) => list(session),
    'notifications.markRead': (input, { session }) => {
      const which = 'all' in input ? 'all' : input.id
      if (which !== 'all' && !notificationRequest(deps.db, session.login, which))
        throw new CoreError('not_found', 'Notification introuvable.')
      if (markNotificationsRead(deps.db, session.login, which, deps.now()) > 0)
        deps.emit('notifications.changed', {})
      return list(session)
    },
    'notifications.settings': (_input, { session }) => settings(session),
    'notifications.setEnabled': ({ kind, enabled }, { session }) => {
      if (enabled && forcedOff(deps.config, kind))
        throw new CoreError(
          'forbidden',
          'Ces notifications sont désactivées par la configuration du poste (service informatique).',
        )
      setKindEnabled(deps.db, session.login, kind, enabled)
      return settings(session)
    },
    'notifications.openFromSystem': ({ id }, { session }) => {
      const requestId = notificationRequest(deps.db, session.login, id)
      if (!requestId) throw new CoreError('not_found', 'Notification introuvable.')
      markNotificationsRead(deps.db, session.login, id, deps.now())
      toOpen = { login: session.login, requestId }
      deps.emit('notifications.changed', {})
      return {}
    },
    'notifications.takeOpenRequest': (_input, { session }) => {
      const taken = toOpen?.login === session.login ? toOpen.requestId : null
      toOpen = null
      return { requestId: taken }
    },
  }
}
